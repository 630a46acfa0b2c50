// The search feed's waves (serve/search_feed.h) on a small hand-made pool: a homonym query
// stays on the sense users meant, a click feeds the reactive wave, later pages personalise
// and broaden to neighbouring queries, and nothing repeats.
#include "feedscout/serve/search_feed.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::taxonomy;
using testing_support::topic;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr TimeMs kMin = 60 * 1000;

struct World {
  DocumentIndex index{taxonomy(), IndexConfig{}};
  CoClickIndex coclick;
  QueryGraph graph;

  World() {
    // 김민재 the footballer (축구, 533) and 김민재 the actor (338).
    add("f1", "김민재 수비 국가대표 경기 활약", kNow - 60 * kMin, "533");
    add("f2", "김민재 뮌헨 경기 선발 수비", kNow - 90 * kMin, "533");
    add("f3", "대표팀 김민재 수비 부상 소식", kNow - 120 * kMin, "533");
    add("a1", "배우 김민재 드라마 주연 캐스팅", kNow - 10 * kMin, "338");
    add("a2", "김민재 배우 새 드라마 촬영", kNow - 20 * kMin, "338");
    add("s1", "손흥민 토트넘 결승골", kNow - 30 * kMin, "533");
    add("x1", "오늘의 날씨 맑음", kNow - 5 * kMin, "655");
    // Searchers of 김민재 meant the footballer; 손흥민's searchers read the same article.
    graph.add_search("u1", "김민재", kNow - 50 * kMin, {key("f1")}, "김민재 국가대표 수비",
                     {"김민재 수비 국가대표 경기 활약"});
    graph.add_search("u2", "손흥민", kNow - 40 * kMin, {key("f1")}, "손흥민 토트넘",
                     {"김민재 수비 국가대표 경기 활약"});
    // f1 and f2 were clicked by the same users.
    const DocIndex f1 = *index.find("f1"), f2 = *index.find("f2");
    for (int i = 0; i < 3; ++i) {
      coclick.add_click(f1);
      coclick.add_click(f2);
      coclick.add_pair(f1, f2);
    }
  }
  void add(const std::string& id, const std::string& title, TimeMs t, const char* topic_id) {
    Document d;
    d.id = id;
    d.title = title;
    d.created_ms = t;
    d.topics = {{topic(topic_id), 1.0f, TopicSource::kProvided}};
    ASSERT_TRUE(index.add(d).has_value());
  }
  uint64_t key(const std::string& id) const { return index.doc(*index.find(id)).key; }
  std::string id(const SearchFeedItem& item) const { return index.doc(item.doc).id; }
  std::vector<std::string> ids(const std::vector<SearchFeedItem>& items) const {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(id(i));
    return out;
  }
  std::vector<SearchFeedItem> page(std::string_view q, size_t p, const UserContext* ctx,
                                   const ContextView* view,
                                   const std::function<bool(uint64_t)>& exclude = nullptr,
                                   bool use_graph = true, size_t n = 10) const {
    SearchFeedInputs in{index, taxonomy(), &coclick, use_graph ? &graph : nullptr, view, ctx};
    return build_search_feed(in, q, p, n, kNow, SearchFeedConfig{}, exclude);
  }
};

TEST(SearchFeedTest, HomonymQueryStaysOnTheSenseUsersMeant) {
  const World w;
  const auto items = w.page("김민재", 0, nullptr, nullptr);
  const std::vector<std::string> ids = w.ids(items);
  const std::set<std::string> got(ids.begin(), ids.end());
  EXPECT_EQ(got, (std::set<std::string>{"f1", "f2", "f3"}));
  for (const auto& i : items) {
    EXPECT_EQ(i.wave, SearchWave::kRelated);
    EXPECT_EQ(i.reason, "'김민재' 관련 최신 콘텐츠");
  }
  // Without the query graph there is no sense to keep: the actor's articles come too.
  const auto plain = w.page("김민재", 0, nullptr, nullptr, nullptr, /*use_graph=*/false);
  EXPECT_EQ(plain.size(), 5u);
}

TEST(SearchFeedTest, AClickFeedsTheReactiveWaveOfTheNextPage) {
  const World w;
  UserContext ctx;
  Event click;
  click.id = "c1";
  click.type = EventType::kClick;
  click.user = "u";
  click.surface = Surface::kSearch;
  click.time_ms = kNow - kMin;
  click.doc_ids = {"f1"};
  std::vector<const std::vector<DocTopic>*> topics = {&w.index.doc(*w.index.find("f1")).topics};
  ctx.apply(click, topics, taxonomy(), ContextConfig{});
  // f1 itself is seen; f2 was co-clicked with it and leads, named after f1.
  const auto seen = [&](uint64_t k) { return ctx.has_seen(k); };
  const auto items = w.page("김민재", 0, &ctx, nullptr, seen);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(w.id(items[0]), "f2");
  EXPECT_EQ(items[0].wave, SearchWave::kReactive);
  EXPECT_EQ(items[0].reason, "방금 본 '김민재 수비 국가대표 경기 활약'와(과) 비슷한 콘텐츠");
  for (const auto& i : items) EXPECT_NE(w.id(i), "f1");
}

TEST(SearchFeedTest, LaterPagesPersonaliseAndBroadenWithoutRepeats) {
  const World w;
  ContextView view;
  view.integrated = {{topic("533"), 0.8, 3, 5}};
  std::set<uint64_t> served;  // what the engine's served memory would hold
  const auto exclude = [&](uint64_t k) { return served.count(k) > 0; };
  std::vector<std::string> all;
  std::vector<std::vector<SearchFeedItem>> pages;
  for (size_t p = 0; p < 4; ++p) {
    pages.push_back(w.page("김민재", p, nullptr, &view, exclude, true, 2));
    for (const auto& i : pages.back()) {
      all.push_back(w.id(i));
      served.insert(w.index.doc(i.doc).key);
    }
  }
  // Page 0: the two best on-sense matches; page 1: the third, personalised (a 축구 fan);
  // page 2: the neighbouring query 손흥민's document; then nothing is left.
  ASSERT_EQ(pages[0].size(), 2u);
  EXPECT_EQ(pages[0][0].wave, SearchWave::kRelated);
  ASSERT_EQ(pages[1].size(), 1u);
  EXPECT_EQ(pages[1][0].wave, SearchWave::kPersonalised);
  EXPECT_EQ(pages[1][0].reason,
            "'김민재' 중 관심 주제 '" + taxonomy().node(topic("533")).path + "'");
  ASSERT_EQ(pages[2].size(), 1u);
  EXPECT_EQ(w.id(pages[2][0]), "s1");
  EXPECT_EQ(pages[2][0].wave, SearchWave::kExpansive);
  EXPECT_EQ(pages[2][0].reason, "'김민재'와(과) 함께 찾는 '손흥민'");
  EXPECT_TRUE(pages[3].empty());
  const std::set<std::string> distinct(all.begin(), all.end());
  EXPECT_EQ(distinct.size(), all.size());
  EXPECT_EQ(distinct.count("a1") + distinct.count("a2"), 0u);  // off-sense on every page
  EXPECT_TRUE(w.page("김민재", 99, nullptr, &view).empty());   // past max_page
}

// The expansive wave reads a neighbour's best matches in a short prefix first; whether the
// neighbour's sense filter applies must still count all its related_pool matches. Here the
// neighbour 손흥민's 40 best text matches are off its sense and only 3 on-sense ones rank
// below them: the filter applies, so the wave serves those 3 and none of the 40.
TEST(SearchFeedTest, ExpansiveSenseFilterCountsMatchesBeyondThePrefix) {
  DocumentIndex index{taxonomy(), IndexConfig{}};
  QueryGraph graph;
  const auto add = [&](const std::string& id, const std::string& title, TimeMs t) {
    Document d;
    d.id = id;
    d.title = title;
    d.created_ms = t;
    d.topics = {{topic("533"), 1.0f, TopicSource::kProvided}};
    ASSERT_TRUE(index.add(d).has_value());
  };
  add("f1", "김민재 수비 국가대표 경기 활약", kNow - 60 * kMin);
  // Short titles rank first for 손흥민 (BM25 favours short documents), then the long ones.
  for (int i = 0; i < 40; ++i) add("off" + std::to_string(i), "손흥민 라면", kNow - i * kMin);
  for (int i = 0; i < 3; ++i) {
    add("on" + std::to_string(i), "손흥민 토트넘 경기 수비 활약 국가대표 소식", kNow - i * kMin);
  }
  // Filler, so that 손흥민 (43 documents) stays under max_term_doc_share.
  for (int i = 0; i < 200; ++i)
    add("x" + std::to_string(i), "오늘의 날씨 " + std::to_string(i), kNow);
  const uint64_t f1 = index.doc(*index.find("f1")).key;
  graph.add_search("u1", "김민재", kNow - 50 * kMin, {f1}, "김민재 국가대표 수비",
                   {"김민재 수비 국가대표 경기 활약"});
  graph.add_search("u2", "손흥민", kNow - 40 * kMin, {f1}, "손흥민 토트넘",
                   {"김민재 수비 국가대표 경기 활약"});
  SearchFeedInputs in{index, taxonomy(), nullptr, &graph, nullptr, nullptr};
  const auto items = build_search_feed(in, "김민재", 2, 3, kNow, SearchFeedConfig{}, nullptr);
  std::vector<std::string> ids;
  for (const SearchFeedItem& i : items) {
    EXPECT_EQ(i.wave, SearchWave::kExpansive);
    ids.push_back(index.doc(i.doc).id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"on0", "on1", "on2"}));
}

}  // namespace
}  // namespace feedscout
