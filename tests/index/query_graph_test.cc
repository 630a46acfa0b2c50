// QueryGraph (issue 6, the expansive wave's neighbouring queries and their context texts):
// co-click and session edges, decay, disambiguation by context, bounds and slot reuse.
#include "feedscout/index/query_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/text/tokenize.h"

namespace feedscout {
namespace {

constexpr TimeMs kT0 = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr TimeMs kMin = 60 * 1000;
constexpr TimeMs kDay = 24 * 60 * kMin;

std::vector<std::string> names(const std::vector<QueryNeighbour>& n) {
  std::vector<std::string> out;
  for (const auto& x : n) out.push_back(x.query);
  return out;
}

TEST(QueryGraphTest, CoClickedQueriesAreNeighboursWithTheirOwnContext) {
  QueryGraph g;
  // Users who searched 손흥민 and 김민재 read the same football documents (keys 1, 2);
  // 김민재 the actor's searchers read a drama article (key 9).
  g.add_search("u1", "손흥민", kT0, {1}, "손흥민 토트넘 골", {"손흥민 토트넘 결승골"});
  g.add_search("u2", "김민재", kT0 + kMin, {1}, "김민재 국가대표 수비", {"손흥민 토트넘 결승골"});
  g.add_search("u3", "손흥민", kT0 + 2 * kMin, {2}, "", {"대표팀 명단 발표 손흥민 김민재"});
  g.add_search("u4", "김민재", kT0 + 3 * kMin, {2}, "", {"대표팀 명단 발표 손흥민 김민재"});
  g.add_search("u5", "김민재 배우", kT0 + 4 * kMin, {9}, "김민재 배우 드라마",
               {"배우 김민재 새 드라마 주연"});
  const auto n = g.neighbours("손흥민", 5, kT0 + 5 * kMin);
  ASSERT_EQ(names(n), (std::vector<std::string>{"김민재"}));
  EXPECT_NEAR(n[0].weight, 2.0, 1e-3);  // two shared documents
  // The neighbour's context text says which 김민재: football words, not drama ones.
  const TimeMs now = kT0 + 5 * kMin;
  EXPECT_GT(g.context_similarity("김민재", "김민재 수비 국가대표 경기", now),
            g.context_similarity("김민재", "김민재 드라마 주연 배우", now));
  EXPECT_GT(g.context_similarity("김민재 배우", "김민재 드라마 주연 배우", now), 0.5);
  EXPECT_EQ(g.context_similarity("없는 검색어", "김민재", now), 0.0);
  const auto ctx = g.context("김민재", 3, now);
  ASSERT_FALSE(ctx.empty());
  EXPECT_TRUE(g.neighbours("김민재 배우", 5, now).empty());
}

TEST(QueryGraphTest, BatchedContextSimilaritiesEqualOneByOne) {
  QueryGraph g;
  g.add_search("u1", "김민재", kT0, {1}, "김민재 국가대표 수비", {"김민재 수비 국가대표 경기"});
  g.add_search("u2", "김민재", kT0 + kMin, {2}, "", {"대표팀 명단 발표 손흥민 김민재"});
  const TimeMs now = kT0 + 2 * kMin;
  const std::vector<std::string_view> texts = {
      "김민재 수비 국가대표 경기", "김민재 드라마 주연 배우", "", "김민재", "수비 수비 명단 발표"};
  const std::vector<double> got = g.context_similarities("김민재", texts, now);
  ASSERT_EQ(got.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(got[i], g.context_similarity("김민재", texts[i], now)) << texts[i];
  }
  EXPECT_GT(got[0], got[1]);
  EXPECT_EQ(got[2], 0.0);  // no words
  EXPECT_EQ(got[3], 0.0);  // only the query's own word
  EXPECT_EQ(g.context_similarities("없는 검색어", texts, now), std::vector<double>(5, 0.0));
  EXPECT_TRUE(g.context_similarities("김민재", {}, now).empty());
  // A scorer prepared once gives the same values from word keys, with duplicates in them.
  const QueryGraph::SenseScorer scorer = g.sense_scorer("김민재", now);
  ASSERT_FALSE(scorer.empty());
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<uint64_t> keys;
    for (const std::string& w : text::words(texts[i])) {
      QueryGraph::SenseScorer::add_word(w, keys);
      QueryGraph::SenseScorer::add_word(w, keys);
    }
    EXPECT_EQ(scorer.similarity(keys), got[i]) << texts[i];
  }
  EXPECT_TRUE(g.sense_scorer("없는 검색어", now).empty());
}

TEST(QueryGraphTest, SessionEdgesLinkConsecutiveSearchesWithinTheGap) {
  QueryGraph g;
  g.add_search("u", "제주 여행", kT0, {}, "", {});
  g.add_search("u", "제주 맛집", kT0 + 10 * kMin, {}, "", {});
  g.add_search("u", "서울 날씨", kT0 + 3 * 60 * kMin, {}, "", {});  // past the 30-min gap
  const auto n = g.neighbours("제주 여행", 5, kT0 + 10 * kMin);
  ASSERT_EQ(names(n), (std::vector<std::string>{"제주 맛집"}));
  EXPECT_NEAR(n[0].weight, 0.5, 1e-6);
  EXPECT_TRUE(g.neighbours("서울 날씨", 5, kT0 + 3 * 60 * kMin).empty());
  // Queries are keyed like the mined table: case and full-width forms do not matter.
  EXPECT_EQ(names(g.neighbours("  제주   여행 ", 5, kT0 + 10 * kMin)).size(), 1u);
  g.add_search("u", "?!", kT0 + 4 * 60 * kMin, {5}, "", {});  // no tokens: ignored
  EXPECT_EQ(g.size(), 3u);
}

TEST(QueryGraphTest, EdgesDecayAndOrderFollowsRecentWeight) {
  QueryGraphConfig c;
  c.half_life_s = 7 * 24 * 3600.0;
  QueryGraph g(c);
  for (int i = 0; i < 4; ++i) {
    g.add_search("a" + std::to_string(i), "아이유", kT0, {1}, "", {});
    g.add_search("b" + std::to_string(i), "아이유 콘서트", kT0, {1}, "", {});
  }
  g.add_search("c", "아이유", kT0 + 21 * kDay, {2}, "", {});
  g.add_search("d", "아이유 드라마", kT0 + 21 * kDay, {2}, "", {});
  g.add_search("e", "아이유 드라마", kT0 + 21 * kDay, {2}, "", {});
  const auto n = g.neighbours("아이유", 5, kT0 + 21 * kDay);
  ASSERT_EQ(n.size(), 2u);
  // 아이유 드라마: 2 co-clicks now. 아이유 콘서트: 7 co-clicks (every search after the first
  // meets the other query on document 1) three half-lives ago: 7 / 8.
  EXPECT_EQ(n[0].query, "아이유 드라마");
  EXPECT_NEAR(n[0].weight, 2.0, 1e-6);
  EXPECT_EQ(n[1].query, "아이유 콘서트");
  EXPECT_NEAR(n[1].weight, 0.875, 1e-6);
}

TEST(QueryGraphTest, StaysBoundedAndForgetsTheLeastRecentlyUsed) {
  QueryGraphConfig c;
  c.max_queries = 50;
  c.max_neighbours = 4;
  QueryGraph g(c);
  for (int i = 0; i < 500; ++i) {
    g.add_search("u" + std::to_string(i % 7), "질의" + std::to_string(i), kT0 + i * 1000,
                 {static_cast<uint64_t>(i % 5)}, "", {});
    ASSERT_LE(g.size(), 50u);
  }
  // Recent queries are kept with at most max_neighbours edges; early ones are gone and no
  // neighbour list names a dropped query.
  EXPECT_TRUE(g.neighbours("질의0", 10, kT0 + 500000).empty());
  const auto n = g.neighbours("질의499", 10, kT0 + 500000);
  EXPECT_FALSE(n.empty());
  EXPECT_LE(n.size(), 4u);
  for (const auto& x : n) {
    const int id = std::stoi(x.query.substr(std::string("질의").size()));
    EXPECT_GT(id, 400) << x.query;
  }
}

}  // namespace
}  // namespace feedscout
