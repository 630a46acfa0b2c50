// The search feed's pool cache (serve/related_pool_cache.h): entries are served only while
// the index and the query's context are unchanged (or within max_stale_ms), the cache stays
// within capacity, and a search feed built with the cache equals one built without it, page
// by page, as documents and searches arrive.
#include "feedscout/serve/related_pool_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "feedscout/serve/search_feed.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::taxonomy;
using testing_support::topic;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr TimeMs kMin = 60 * 1000;

std::shared_ptr<RelatedPool> pool(size_t index_version, uint64_t context_version, TimeMs t) {
  auto p = std::make_shared<RelatedPool>();
  p->matches = {{7, 1.5}};
  p->sense = {0.5};
  p->index_version = index_version;
  p->context_version = context_version;
  p->computed_ms = t;
  return p;
}

TEST(RelatedPoolCacheTest, ServesAnEntryOnlyWhileItsVersionsHold) {
  RelatedPoolCache cache(64);
  EXPECT_EQ(cache.find("김민재", 10, 3, kNow), nullptr);
  cache.insert("김민재", pool(10, 3, kNow));
  const auto hit = cache.find("김민재", 10, 3, kNow + 60 * kMin);  // time alone changes nothing
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->matches[0].doc, 7u);
  EXPECT_EQ(cache.find("김민재", 11, 3, kNow), nullptr);  // a document was added
  EXPECT_EQ(cache.find("김민재", 10, 4, kNow), nullptr);  // the query's context changed
  EXPECT_EQ(cache.find("손흥민", 10, 3, kNow), nullptr);
  const RelatedPoolCache::Stats st = cache.stats();
  EXPECT_EQ(st.hits, 1u);
  EXPECT_EQ(st.misses, 4u);
  EXPECT_EQ(st.entries, 1u);
  // A later computation replaces the entry; an older one does not.
  cache.insert("김민재", pool(11, 3, kNow));
  EXPECT_NE(cache.find("김민재", 11, 3, kNow), nullptr);
  cache.insert("김민재", pool(10, 3, kNow));
  EXPECT_NE(cache.find("김민재", 11, 3, kNow), nullptr);
}

TEST(RelatedPoolCacheTest, MaxStaleServesRecentEntriesAcrossChanges) {
  RelatedPoolCache cache(64, /*max_stale_ms=*/1000);
  cache.insert("q", pool(10, 3, kNow));
  EXPECT_NE(cache.find("q", 12, 5, kNow + 1000), nullptr);  // within a second
  EXPECT_EQ(cache.find("q", 12, 5, kNow + 1001), nullptr);  // older than that
  EXPECT_NE(cache.find("q", 10, 3, kNow + 5000), nullptr);  // unchanged: always
  EXPECT_EQ(cache.find("q", 9, 3, kNow + 10), nullptr);     // an index it never saw
}

TEST(RelatedPoolCacheTest, StaysWithinCapacityAndZeroDisables) {
  RelatedPoolCache cache(32);
  for (int i = 0; i < 1000; ++i) cache.insert("q" + std::to_string(i), pool(1, 0, kNow));
  EXPECT_LE(cache.stats().entries, 32u);
  EXPECT_GT(cache.stats().entries, 0u);
  EXPECT_NE(cache.find("q999", 1, 0, kNow), nullptr);  // the most recent survives
  RelatedPoolCache off(0);
  off.insert("q", pool(1, 0, kNow));
  EXPECT_EQ(off.find("q", 1, 0, kNow), nullptr);
  EXPECT_EQ(off.stats().entries, 0u);
}

// Readers of a shared cache find and insert at once (its shards lock; the sanitizer build
// would see a corrupted list); every hit is an entry for the asked versions.
TEST(RelatedPoolCacheTest, ConcurrentReadersShareIt) {
  RelatedPoolCache cache(64);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string q = "q" + std::to_string((i * 7 + t) % 100);
        const size_t version = static_cast<size_t>(i % 3);
        if (auto hit = cache.find(q, version, 0, kNow)) {
          if (hit->index_version != version) ++wrong;
        } else {
          cache.insert(q, pool(version, 0, kNow));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  const RelatedPoolCache::Stats st = cache.stats();
  EXPECT_EQ(st.hits + st.misses, 8000u);
  EXPECT_LE(st.entries, 64u);
}

// The search feed with the cache equals the search feed without it, on every page, while
// documents are added and searches change a query's context between requests.
TEST(RelatedPoolCacheTest, CachedSearchFeedEqualsUncachedAsTheWorldChanges) {
  DocumentIndex index{taxonomy(), IndexConfig{}};
  QueryGraph graph;
  RelatedPoolCache cache(256);
  int next = 0;
  const auto add = [&](const std::string& title, TimeMs t, const char* topic_id) {
    Document d;
    d.id = "d" + std::to_string(next++);
    d.title = title;
    d.created_ms = t;
    d.topics = {{topic(topic_id), 1.0f, TopicSource::kProvided}};
    ASSERT_TRUE(index.add(d).has_value());
  };
  const auto key = [&](int i) { return index.doc(*index.find("d" + std::to_string(i))).key; };
  for (int i = 0; i < 6; ++i) {
    add("김민재 수비 국가대표 경기 " + std::to_string(i), kNow - (60 + i) * kMin, "533");
    add("배우 김민재 드라마 주연 " + std::to_string(i), kNow - (30 + i) * kMin, "338");
    add("손흥민 토트넘 경기 골 " + std::to_string(i), kNow - (40 + i) * kMin, "533");
  }
  for (int i = 0; i < 60; ++i) add("오늘의 날씨 " + std::to_string(i), kNow - i * kMin, "655");
  ContextView view;
  view.integrated = {{topic("533"), 0.8, 3, 5}};

  const auto compare_pages = [&](const char* step) {
    for (const char* q : {"김민재", "손흥민", "국가대표 경기", "없는 검색어"}) {
      for (size_t p = 0; p < 4; ++p) {
        SearchFeedInputs plain{index, taxonomy(), nullptr, &graph, &view, nullptr};
        SearchFeedInputs cached = plain;
        cached.pool_cache = &cache;
        std::vector<SearchFeedItem> want_left, got_left;
        const auto want =
            build_search_feed(plain, q, p, 4, kNow, SearchFeedConfig{}, nullptr, &want_left);
        // Twice: the first call may fill the cache, the second is served from it.
        for (int round = 0; round < 2; ++round) {
          got_left.clear();
          const auto got =
              build_search_feed(cached, q, p, 4, kNow, SearchFeedConfig{}, nullptr, &got_left);
          ASSERT_EQ(got.size(), want.size()) << step << " " << q << " page " << p;
          for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].doc, want[i].doc) << step << " " << q << " page " << p;
            EXPECT_EQ(got[i].wave, want[i].wave);
            EXPECT_EQ(got[i].score, want[i].score);
            EXPECT_EQ(got[i].reason, want[i].reason);
            EXPECT_EQ(got[i].scores.context, want[i].scores.context);
          }
          ASSERT_EQ(got_left.size(), want_left.size()) << step << " " << q << " page " << p;
          for (size_t i = 0; i < got_left.size(); ++i) {
            EXPECT_EQ(got_left[i].doc, want_left[i].doc);
            EXPECT_EQ(got_left[i].scores.on_sense, want_left[i].scores.on_sense);
          }
        }
      }
    }
  };
  compare_pages("no context");
  // 김민재's searchers mean the footballer; 손흥민's read the same article (a neighbour).
  graph.add_search("u1", "김민재", kNow - 20 * kMin, {key(0)}, "김민재 국가대표 수비",
                   {"김민재 수비 국가대표 경기 0"});
  graph.add_search("u2", "손흥민", kNow - 19 * kMin, {key(0)}, "손흥민 토트넘",
                   {"김민재 수비 국가대표 경기 0"});
  compare_pages("context");
  add("김민재 결승골 국가대표 경기 새 소식", kNow - kMin, "533");  // newest: leads page 0
  compare_pages("new document");
  graph.add_search("u3", "김민재", kNow - 10 * kMin, {key(1)}, "김민재 배우 드라마",
                   {"배우 김민재 드라마 주연 0"});
  compare_pages("context changed");
  EXPECT_GT(cache.stats().hits, 0u);
}

}  // namespace
}  // namespace feedscout
