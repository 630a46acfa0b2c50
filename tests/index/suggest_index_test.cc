// SuggestIndex (issue 5, GET /v1/suggest): which refined queries match q, and their order by
// decayed frequency.
#include "feedscout/index/suggest_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace feedscout {
namespace {

constexpr TimeMs kDay = 24LL * 3600 * 1000;
constexpr TimeMs kT0 = 1795176000000;  // 2026-11-20T12:00:00Z

std::vector<std::string> queries(const std::vector<Suggestion>& s) {
  std::vector<std::string> out;
  for (const auto& x : s) out.push_back(x.query);
  return out;
}

TEST(SuggestIndexTest, MatchesEveryWordOfQAndRanksByFrequency) {
  SuggestIndex idx(SuggestConfig{});
  for (int i = 0; i < 3; ++i) idx.add("아이유 데뷔 16주년 기부", kT0);
  idx.add("아이유 콘서트 티켓", kT0);
  idx.add("아이유 콘서트 티켓", kT0);
  idx.add("아이유 드라마", kT0);
  idx.add("아이유", kT0);            // q itself is never suggested
  idx.add("에스파 일본 앨범", kT0);  // does not contain q
  EXPECT_EQ(
      queries(idx.suggest("아이유", 10, kT0)),
      (std::vector<std::string>{"아이유 데뷔 16주년 기부", "아이유 콘서트 티켓", "아이유 드라마"}));
  // Every word of q must be present, in any order; case and punctuation do not matter.
  EXPECT_EQ(queries(idx.suggest("티켓, 아이유!", 10, kT0)),
            (std::vector<std::string>{"아이유 콘서트 티켓"}));
  EXPECT_TRUE(idx.suggest("아이유 앨범", 10, kT0).empty());
  EXPECT_EQ(idx.suggest("아이유", 2, kT0).size(), 2u);
  const auto top = idx.suggest("아이유", 1, kT0);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_NEAR(top[0].score, 3.0, 1e-9);
  EXPECT_EQ(top[0].last_ms, kT0);
}

TEST(SuggestIndexTest, SpellingsOfOneKeyMergeAndTheNewestSpellingIsShown) {
  SuggestIndex idx(SuggestConfig{});
  idx.add("BTS Japan Album", kT0);
  idx.add("bts japan album", kT0 + 1000);
  ASSERT_EQ(idx.size(), 1u);
  const auto s = idx.suggest("bts", 10, kT0 + 1000);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].query, "bts japan album");
  EXPECT_NEAR(s[0].score, 2.0, 1e-5);  // the first counted one second earlier
}

TEST(SuggestIndexTest, TimeDecayLetsRecentQueriesOvertakeOldFrequentOnes) {
  SuggestConfig c;
  c.half_life_s = 7 * 24 * 3600.0;
  SuggestIndex idx(c);
  for (int i = 0; i < 4; ++i) idx.add("손흥민 이적", kT0);                // 4, three half-lives ago
  for (int i = 0; i < 2; ++i) idx.add("손흥민 결승골", kT0 + 21 * kDay);  // 2, now
  const TimeMs now = kT0 + 21 * kDay;
  const auto s = idx.suggest("손흥민", 10, now);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].query, "손흥민 결승골");
  EXPECT_NEAR(s[0].score, 2.0, 1e-6);
  EXPECT_NEAR(s[1].score, 0.5, 1e-6);  // 4 · 2^-3
  // Three weeks earlier the order was the other way round.
  EXPECT_EQ(idx.suggest("손흥민", 10, kT0).front().query, "손흥민 이적");
}

TEST(SuggestIndexTest, WordlessInputIsIgnoredAndAskingWithoutWordsFindsNothing) {
  SuggestIndex idx(SuggestConfig{});
  idx.add("", kT0);
  idx.add("  ?! ", kT0);
  EXPECT_EQ(idx.size(), 0u);
  idx.add("날씨 내일", kT0);
  EXPECT_TRUE(idx.suggest("", 10, kT0).empty());
  EXPECT_TRUE(idx.suggest("...", 10, kT0).empty());
  EXPECT_TRUE(idx.suggest("날씨", 0, kT0).empty());
  EXPECT_TRUE(idx.suggest("없는말", 10, kT0).empty());
}

TEST(SuggestIndexTest, StaysBoundedAndKeepsTheMostUsed) {
  SuggestConfig c;
  c.max_entries = 100;
  SuggestIndex idx(c);
  for (int i = 0; i < 5; ++i) idx.add("날씨 서울 주말", kT0);
  for (int i = 0; i < 1000; ++i) {
    idx.add("날씨 지역" + std::to_string(i), kT0 + i);
    EXPECT_LE(idx.size(), 100u);
  }
  const auto s = idx.suggest("날씨", 1, kT0 + 1000);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].query, "날씨 서울 주말");
  // The postings survive pruning: a recent entry is still found by its own words.
  EXPECT_EQ(queries(idx.suggest("지역999", 10, kT0 + 1000)),
            (std::vector<std::string>{"날씨 지역999"}));
}

}  // namespace
}  // namespace feedscout
