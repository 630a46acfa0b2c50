// The search feed through the engine (Engine::search_feed): the query graph learns from
// ingested searches which sense of a homonym users mean, a click changes the next page, and
// pages never repeat a document.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "feedscout/engine/engine.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

const char* kDocs =
    R"({"id":"f1","title":"김민재 수비 국가대표 경기 활약","created_at":"2026-11-20T09:00:00Z","topics":["533"]}
{"id":"f2","title":"김민재 뮌헨 경기 선발 수비","created_at":"2026-11-20T08:00:00Z","topics":["533"]}
{"id":"f3","title":"대표팀 김민재 수비 부상 소식","created_at":"2026-11-20T07:00:00Z","topics":["533"]}
{"id":"f4","title":"김민재 풀타임 수비 경기 평점","created_at":"2026-11-20T06:00:00Z","topics":["533"]}
{"id":"a1","title":"배우 김민재 드라마 주연 캐스팅","created_at":"2026-11-20T11:00:00Z","topics":["338"]}
{"id":"a2","title":"김민재 배우 새 드라마 촬영","created_at":"2026-11-20T10:00:00Z","topics":["338"]}
{"id":"s1","title":"손흥민 토트넘 결승골","created_at":"2026-11-20T10:30:00Z","topics":["533"]}
)";
const char* kSearches =
    R"({"id":"e1","type":"search","user":"u1","time":"2026-11-20T10:00:00Z","query":"김민재","clicked":["f1"]}
{"id":"e2","type":"search","user":"u2","time":"2026-11-20T10:10:00Z","query":"김민재","clicked":["f2"]}
{"id":"e3","type":"search","user":"u3","time":"2026-11-20T10:20:00Z","query":"손흥민","clicked":["f1"]}
)";

std::unique_ptr<Engine> open(const EngineConfig& c) {
  auto r = Engine::open(c, [] { return kNow; });
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : nullptr;
}

TEST(SearchFeedEngineTest, HomonymStaysOnSenseClicksReactAndPagesNeverRepeat) {
  TempDir dir("feedscout_search_feed_engine");
  auto e = open(engine_config(dir.file("data")));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(kDocs).accepted, 7u);
  ASSERT_EQ(e->ingest_events(kSearches).accepted, 3u);

  // A new user searching 김민재 gets the footballer, never the actor.
  std::set<std::string> served;
  const SearchFeedPage p0 = e->search_feed("z", "김민재", 0, 2);
  EXPECT_FALSE(p0.known_user);
  ASSERT_EQ(p0.items.size(), 2u);
  for (const auto& it : p0.items) {
    EXPECT_EQ(it.doc_id[0], 'f') << it.doc_id;
    EXPECT_TRUE(served.insert(it.doc_id).second);
  }
  // The user clicks the first one; page 1 then leads with what is like it — a new page,
  // nothing from page 0 again.
  const std::string clicked = p0.items[0].doc_id;
  ASSERT_EQ(
      e->ingest_events(
           R"({"id":"c1","type":"click","user":"z","time":"2026-11-20T11:59:00Z","surface":"search","docs":[")" +
           clicked + R"("]})")
          .accepted,
      1u);
  for (size_t page = 1; page < 5; ++page) {
    const SearchFeedPage p = e->search_feed("z", "김민재", page, 2);
    for (const auto& it : p.items) {
      EXPECT_TRUE(served.insert(it.doc_id).second) << it.doc_id << " repeated on page " << page;
      EXPECT_NE(it.doc_id[0], 'a') << it.doc_id << " is the other 김민재";
    }
  }
  // Page 2 on broadened to the neighbouring query 손흥민 (co-clicked on f1).
  EXPECT_EQ(served.count("s1"), 1u);
}

TEST(SearchFeedEngineTest, TheQueryGraphIsRebuiltAtOpen) {
  TempDir dir("feedscout_search_feed_reopen");
  const EngineConfig c = engine_config(dir.file("data"));
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->ingest_documents(kDocs).accepted, 7u);
    ASSERT_EQ(e->ingest_events(kSearches).accepted, 3u);
  }
  auto e = open(c);
  ASSERT_NE(e, nullptr);
  const SearchFeedPage p = e->search_feed("z", "김민재", 0, 10, false);
  ASSERT_FALSE(p.items.empty());
  for (const auto& it : p.items) EXPECT_EQ(it.doc_id[0], 'f') << it.doc_id;
}

}  // namespace
}  // namespace feedscout
