#include "feedscout/serve/feed_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
const std::string kPopularReason = "지금 인기 있는 콘텐츠";

using testing_support::click;
using testing_support::impression;
using testing_support::search;
using testing_support::taxonomy;
using testing_support::topic;

// A pool: 12 축구 docs "s0".."s11", 12 야구 docs "b0".."b11", 12 농구 docs "k0".."k11"
// (index i is i hours old), three 두바이 초콜릿 docs under 디저트·베이킹, and `filler`
// 자동차 docs (20 by default: with 59 docs, "축구" in 12 titles stays under the index's 25%
// stop-bigram share, so a search for it matches).
struct World {
  DocumentIndex index{taxonomy(), IndexConfig{}};
  explicit World(int filler = 20) {
    for (int i = 0; i < 12; ++i) {
      add("s" + std::to_string(i), "축구 경기 " + std::to_string(i), kNow - i * kMsPerHour, "533");
      add("b" + std::to_string(i), "야구 경기 " + std::to_string(i), kNow - i * kMsPerHour, "545");
      add("k" + std::to_string(i), "농구 경기 " + std::to_string(i), kNow - i * kMsPerHour, "547");
    }
    add("c0", "두바이초콜릿 만들기 후기", kNow - 2 * kMsPerDay, "217");
    add("c1", "두바이 초콜릿 가게 추천", kNow - 1 * kMsPerDay, "217");
    add("c2", "두바이초콜릿 품절 대란", kNow - 3 * kMsPerDay, "217");
    for (int i = 0; i < filler; ++i) {
      add("f" + std::to_string(i), "자동차 소식 " + std::to_string(i), kNow - (i + 20) * kMsPerHour,
          "1");
    }
    index.refresh_popular(kNow);
  }
  void add(const std::string& id, const std::string& title, TimeMs t,
           const std::string& id_or_path) {
    Document d;
    d.id = id;
    d.title = title;
    d.created_ms = t;
    d.topics = {{topic(id_or_path), 1.0f, TopicSource::kProvided}};
    ASSERT_TRUE(index.add(d).has_value());
  }
  void apply(UserContext& c, Event e) const {
    std::vector<const std::vector<DocTopic>*> topics;
    for (const auto& id : e.doc_ids) topics.push_back(&index.doc(*index.find(id)).topics);
    c.apply(e, topics, taxonomy(), ContextConfig{});
  }
  Feed feed(const UserContext& c, size_t n, const FeedConfig& cfg = {},
            const std::function<bool(uint64_t)>& exclude = nullptr) const {
    const ContextView v = compute_view(c, kNow, ContextConfig{});
    return build_feed(v, c, index, taxonomy(), cfg, n, kNow, exclude);
  }
  std::string id(const FeedItem& item) const { return index.doc(item.doc).id; }
  bool under(const FeedItem& item, std::string_view id_or_path) const {
    for (const auto& t : index.doc(item.doc).topics) {
      if (taxonomy().is_ancestor_or_self(topic(id_or_path), t.topic)) return true;
    }
    return false;
  }
};

void expect_no_duplicates(const World& w, const Feed& f) {
  std::set<std::string> seen;
  for (const auto& item : f.items) EXPECT_TRUE(seen.insert(w.id(item)).second) << w.id(item);
}

TEST(FeedBuilderTest, AfterSearchItemsLead) {
  World w;
  UserContext c;
  w.apply(c, search(kNow - kMsPerHour, "두바이 초콜릿", {"c0"}));
  const Feed f = w.feed(c, 10);
  ASSERT_GE(f.items.size(), 2u);
  // c0 was clicked (seen); c1 and c2 match the query and lead the page.
  EXPECT_EQ(f.items[0].source, FeedSource::kAfterSearch);
  EXPECT_EQ(f.items[0].reason, "최근 찾아본 '두바이 초콜릿' 콘텐츠");
  EXPECT_EQ(f.items[0].basis, "두바이 초콜릿");
  EXPECT_EQ(f.items[1].reason, "최근 찾아본 '두바이 초콜릿' 콘텐츠");
  std::set<std::string> lead{w.id(f.items[0]), w.id(f.items[1])};
  EXPECT_EQ(lead, (std::set<std::string>{"c1", "c2"}));
  for (size_t i = 2; i < f.items.size(); ++i) {
    EXPECT_NE(f.items[i].source, FeedSource::kAfterSearch) << i;
  }
  for (const auto& item : f.items) EXPECT_NE(w.id(item), "c0");
  expect_no_duplicates(w, f);
}

TEST(FeedBuilderTest, AfterSearchUsesTwoNewestSearchesWithinWindow) {
  World w;
  UserContext c;
  w.apply(c, search(kNow - 5 * kMsPerDay, "농구"));   // outside the 3-day window
  w.apply(c, search(kNow - 2 * kMsPerHour, "야구"));  // second newest: 4 / 2 = 2 items
  w.apply(c, search(kNow - kMsPerHour, "축구"));      // newest: 4 items
  const Feed f = w.feed(c, 20);
  std::vector<std::string> reasons;
  for (const auto& item : f.items) {
    if (item.source == FeedSource::kAfterSearch) reasons.push_back(item.reason);
  }
  ASSERT_EQ(reasons.size(), 6u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(reasons[i], "최근 찾아본 '축구' 콘텐츠");
  for (size_t i = 4; i < 6; ++i) EXPECT_EQ(reasons[i], "최근 찾아본 '야구' 콘텐츠");
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(f.items[i].source, FeedSource::kAfterSearch);
  // All matching docs are equally relevant ("X 경기 N"), so the newest come first.
  EXPECT_EQ(w.id(f.items[0]), "s0");
  EXPECT_EQ(w.id(f.items[4]), "b0");
  // A search older than the window gives nothing.
  UserContext old;
  w.apply(old, search(kNow - 4 * kMsPerDay, "축구"));
  for (const auto& item : w.feed(old, 10).items) EXPECT_NE(item.source, FeedSource::kAfterSearch);
}

TEST(FeedBuilderTest, TopicItemsNameTheTopicPath) {
  World w;
  UserContext c;
  w.apply(c, click(Surface::kFeed, kNow - kMsPerHour, {"s10", "s11"}));
  const Feed f = w.feed(c, 10);
  EXPECT_EQ(f.user_class, UserClass::kLight);
  size_t topic_items = 0;
  for (const auto& item : f.items) {
    if (item.source != FeedSource::kTopic) continue;
    ++topic_items;
    EXPECT_EQ(item.reason, "관심 주제 '스포츠>축구'");
    EXPECT_EQ(item.basis, "스포츠>축구");
    EXPECT_TRUE(w.under(item, "533")) << w.id(item);
  }
  EXPECT_GE(topic_items, 4u);
  // The best topic items are the freshest 축구 docs.
  EXPECT_EQ(w.id(f.items[0]), "s0");
  EXPECT_EQ(f.items[0].source, FeedSource::kTopic);
  expect_no_duplicates(w, f);
}

TEST(FeedBuilderTest, ColdUserGetsOnlyPopular) {
  World w;
  UserContext c;
  const Feed f = w.feed(c, 10);
  EXPECT_EQ(f.user_class, UserClass::kCold);
  ASSERT_EQ(f.items.size(), 10u);
  for (const auto& item : f.items) {
    EXPECT_EQ(item.source, FeedSource::kPopular);
    EXPECT_EQ(item.reason, kPopularReason);
    EXPECT_EQ(item.basis, "");
  }
  expect_no_duplicates(w, f);
  // A user with only a search that matches nothing is not cold but has no topics: popular.
  UserContext s;
  w.apply(s, search(kNow, "아무것도없는질의"));
  const Feed g = w.feed(s, 5);
  EXPECT_EQ(g.user_class, UserClass::kLight);
  ASSERT_EQ(g.items.size(), 5u);
  for (const auto& item : g.items) EXPECT_EQ(item.reason, kPopularReason);
}

TEST(FeedBuilderTest, SeenAndExcludedDocumentsAreNeverServed) {
  World w;
  UserContext c;
  w.apply(c, click(Surface::kFeed, kNow, {"s0", "s1", "s2"}));
  w.apply(c, impression(Surface::kMain, kNow, {"s3", "s4", "b0", "k0"}));
  w.apply(c, search(kNow, "두바이 초콜릿", {"c1"}));
  const std::set<std::string> seen{"s0", "s1", "s2", "s3", "s4", "b0", "k0", "c1"};
  const auto exclude = [&](uint64_t key) { return key == doc_key("s5") || key == doc_key("c2"); };
  for (size_t n : {5u, 20u, 100u}) {
    const Feed f = w.feed(c, n, FeedConfig{}, exclude);
    EXPECT_FALSE(f.items.empty());
    for (const auto& item : f.items) {
      EXPECT_EQ(seen.count(w.id(item)), 0u)
          << "served seen doc " << w.id(item) << " (n=" << n << ")";
      EXPECT_NE(w.id(item), "s5");
      EXPECT_NE(w.id(item), "c2");
    }
    expect_no_duplicates(w, f);
    // Only c0 still matches the search.
    EXPECT_EQ(w.id(f.items[0]), "c0");
  }
}

TEST(FeedBuilderTest, FootballUserGetsFootballNotBaseball) {
  World w;
  UserContext c;
  w.apply(c, click(Surface::kFeed, kNow - 2 * kMsPerHour, {"s9", "s10", "s11"}));
  w.apply(c, click(Surface::kMain, kNow - 3 * kMsPerHour, {"s8"}));
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  // 스포츠 and 스포츠>축구 have the same evidence; the specific topic stands for both.
  const auto topics = select_feed_topics(v, taxonomy(), FeedConfig{});
  ASSERT_EQ(topics.size(), 1u);
  EXPECT_EQ(topics[0].topic, topic("533"));

  // Without the exploration slot every item is 축구.
  FeedConfig no_explore;
  no_explore.popular_share = 0;
  const Feed f = w.feed(c, 8, no_explore);
  ASSERT_EQ(f.items.size(), 8u);
  for (const auto& item : f.items) {
    EXPECT_TRUE(w.under(item, "533")) << w.id(item) << " " << item.reason;
    EXPECT_FALSE(w.under(item, "545")) << w.id(item);
  }
  // With the default exploration share a page of 8 has ceil(0.1·8) = 1 popular slot (which
  // may hold a fresh 야구 or 농구 doc); the topic items are still only 축구, and no item
  // claims 스포츠 or 야구 as its reason.
  const Feed g = w.feed(c, 8);
  ASSERT_EQ(g.items.size(), 8u);
  size_t popular = 0;
  for (const auto& item : g.items) {
    if (item.source == FeedSource::kPopular) {
      ++popular;
      EXPECT_EQ(item.reason, kPopularReason);
      continue;
    }
    EXPECT_EQ(item.reason, "관심 주제 '스포츠>축구'");
  }
  EXPECT_LE(popular, 1u);
}

TEST(FeedBuilderTest, SpecificTopicRatioDecidesBetweenParentAndChildren) {
  World w;
  UserContext c;
  // One click each on 축구, 야구, 농구: 스포츠 has 3 clicks → (3.5)/(13) = 0.269; each child
  // 1.5/11 = 0.136 ≥ 0.5·0.269 = 0.135, so each child is specific enough and 스포츠 is
  // replaced by one child; the others follow as their own topics.
  w.apply(c, click(Surface::kFeed, kNow, {"s11"}));
  w.apply(c, click(Surface::kFeed, kNow, {"b11"}));
  w.apply(c, click(Surface::kFeed, kNow, {"k11"}));
  auto topics =
      select_feed_topics(compute_view(c, kNow, ContextConfig{}), taxonomy(), FeedConfig{});
  std::set<TopicId> got;
  for (const auto& t : topics) got.insert(t.topic);
  EXPECT_EQ(got, (std::set<TopicId>{topic("533"), topic("545"), topic("547")}));

  // A stricter ratio keeps the broad topic: children (0.136) < 0.9·스포츠 (0.242).
  FeedConfig strict;
  strict.specific_topic_ratio = 0.9;
  topics = select_feed_topics(compute_view(c, kNow, ContextConfig{}), taxonomy(), strict);
  ASSERT_EQ(topics.size(), 1u);
  EXPECT_EQ(topics[0].topic, topic("483"));
  const Feed f = w.feed(c, 10, strict);
  for (const auto& item : f.items) {
    if (item.source == FeedSource::kTopic) {
      EXPECT_EQ(item.reason, "관심 주제 '스포츠'");
    }
  }
}

TEST(FeedBuilderTest, ImpressionsAloneAreNoInterestAndMaxTopics) {
  World w;
  UserContext c;
  w.apply(c, impression(Surface::kFeed, kNow, {"b1", "b2", "b3"}));
  EXPECT_TRUE(
      select_feed_topics(compute_view(c, kNow, ContextConfig{}), taxonomy(), FeedConfig{}).empty());
  w.apply(c, click(Surface::kFeed, kNow, {"s11"}));
  w.apply(c, click(Surface::kFeed, kNow, {"c0"}));
  FeedConfig one;
  one.max_topics = 1;
  EXPECT_EQ(select_feed_topics(compute_view(c, kNow, ContextConfig{}), taxonomy(), one).size(), 1u);
}

TEST(FeedBuilderTest, NIsClamped) {
  World w(150);
  UserContext c;
  EXPECT_EQ(w.feed(c, 0).items.size(), 1u);
  EXPECT_EQ(w.feed(c, 1).items.size(), 1u);
  FeedConfig cfg;  // max_n = 100
  const Feed big = w.feed(c, 1000, cfg);
  EXPECT_EQ(big.items.size(), 100u);
  expect_no_duplicates(w, big);
  cfg.max_n = 7;
  EXPECT_EQ(w.feed(c, 50, cfg).items.size(), 7u);
}

TEST(FeedBuilderTest, NoDuplicatesAcrossSources) {
  World w(30);
  UserContext c;
  // 축구 is both searched and liked, so the same docs are AfterSearch and topic candidates,
  // and popular because they were clicked.
  w.apply(c, click(Surface::kFeed, kNow, {"s10", "s11"}));
  w.apply(c, search(kNow, "축구", {"s9"}));
  for (size_t n : {3u, 10u, 25u, 60u}) {
    const Feed f = w.feed(c, n);
    EXPECT_LE(f.items.size(), n);
    expect_no_duplicates(w, f);
  }
  const Feed f = w.feed(c, 25);
  EXPECT_EQ(f.items.size(), 25u);
  EXPECT_EQ(f.items[0].source, FeedSource::kAfterSearch);
}

TEST(FeedBuilderTest, SourceNames) {
  EXPECT_STREQ(feed_source_name(FeedSource::kAfterSearch), "after_search");
  EXPECT_STREQ(feed_source_name(FeedSource::kTopic), "topic");
  EXPECT_STREQ(feed_source_name(FeedSource::kPopular), "popular");
}

}  // namespace
}  // namespace feedscout
