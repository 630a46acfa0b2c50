// Label mining on a hand-made log: the expected Q* of every (Q, D) pair, the tie rule, a
// script written without spaces, multiset containment, memory bounded by distinct pairs,
// the inverted-index path agreeing with the scan, and the pattern-bias counts.
#include "feedscout/intent/intent_miner.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace feedscout::intent {
namespace {

struct Click {
  const char* query;
  const char* doc;
  int times;
};

struct Result {
  std::string refined;
  uint64_t query_clicks = 0, refined_clicks = 0;
  uint32_t candidates = 0;
  std::vector<std::string> added_text;
};
using Results = std::map<std::pair<std::string, std::string>, Result>;  // (Q, D) → result

void feed(IntentMiner& miner, const std::vector<Click>& log) {
  for (const Click& c : log) {
    for (int i = 0; i < c.times; ++i) {
      ASSERT_TRUE(miner.add_click(c.query, c.doc).is_ok()) << c.query;
    }
  }
}

Results results(IntentMiner& miner) {
  miner.finish();
  Results out;
  miner.for_each_pair([&out](const MinedPair& p) {
    Result r{std::string(p.refined), p.query_clicks, p.refined_clicks, p.candidates, p.added_text};
    EXPECT_EQ(p.refined_differs(), p.refined != p.query);
    EXPECT_TRUE(out.emplace(std::make_pair(std::string(p.query), std::string(p.doc)), r).second);
  });
  return out;
}

std::string refined(const Results& r, const std::string& q, const std::string& d) {
  auto it = r.find({q, d});
  return it == r.end() ? "<no pair>" : it->second.refined;
}

// The reference's example, a tie on tokens broken by clicks, a tie on tokens and clicks
// broken by text, a script without spaces, and a reordering that adds nothing.
const std::vector<Click> kLog = {
    // d1: a blog post about aespa's Japanese album, also reached from "트와이스".
    {"에스파", "d1", 3},
    {"에스파 일본", "d1", 1},
    {"에스파 일본 앨범 Hot Mess", "d1", 1},
    {"트와이스", "d1", 2},
    {"트와이스 일본 Dive", "d1", 1},
    {"에스파 패션", "d2", 1},  // another document: no influence on d1
    {"에스파", "d2", 1},
    // d3: two 2-token candidates; "아이유 콘서트" has more clicks.
    {"아이유", "d3", 4},
    {"아이유 인스타", "d3", 1},
    {"아이유 콘서트", "d3", 2},
    // d4: two 2-token candidates with one click each: the smaller text wins
    // ("앨" U+C568 < "인" U+C778).
    {"아이유", "d4", 1},
    {"아이유 인스타", "d4", 1},
    {"아이유 앨범", "d4", 1},
    // d5: Chinese, one token per character.
    {"北京大学", "d5", 2},
    {"大学", "d5", 1},
    {"北京大学招生", "d5", 1},
    {"北京大学 招生简章", "d5", 1},
    // d6: a reordering (same tokens) is not a refinement; multiset containment.
    {"iu 아이유", "d6", 1},
    {"아이유 iu", "d6", 1},
    {"test test", "d6", 1},
    {"test foo bar", "d6", 1},
};

TEST(IntentMiner, HandMadeLogGivesTheExpectedRefinedQueries) {
  IntentMiner miner;
  feed(miner, kLog);
  const Results r = results(miner);
  EXPECT_EQ(r.size(), 21u);

  EXPECT_EQ(refined(r, "에스파", "d1"), "에스파 일본 앨범 hot mess");
  EXPECT_EQ(refined(r, "에스파 일본", "d1"), "에스파 일본 앨범 hot mess");
  EXPECT_EQ(refined(r, "에스파 일본 앨범 hot mess", "d1"), "에스파 일본 앨범 hot mess");
  EXPECT_EQ(refined(r, "트와이스", "d1"), "트와이스 일본 dive");
  EXPECT_EQ(refined(r, "트와이스 일본 dive", "d1"), "트와이스 일본 dive");
  EXPECT_EQ(refined(r, "에스파", "d2"), "에스파 패션");
  EXPECT_EQ(refined(r, "에스파 패션", "d2"), "에스파 패션");

  EXPECT_EQ(refined(r, "아이유", "d3"), "아이유 콘서트");  // tie on tokens: more clicks
  EXPECT_EQ(refined(r, "아이유 인스타", "d3"), "아이유 인스타");
  EXPECT_EQ(refined(r, "아이유", "d4"), "아이유 앨범");  // tie on tokens and clicks: text

  EXPECT_EQ(refined(r, "大学", "d5"), "北京大学 招生简章");  // 8 character tokens
  EXPECT_EQ(refined(r, "北京大学", "d5"), "北京大学 招生简章");
  EXPECT_EQ(refined(r, "北京大学招生", "d5"), "北京大学 招生简章");

  EXPECT_EQ(refined(r, "iu 아이유", "d6"), "iu 아이유");
  EXPECT_EQ(refined(r, "아이유 iu", "d6"), "아이유 iu");
  EXPECT_EQ(refined(r, "test test", "d6"), "test test");  // "test foo bar" has one "test"

  const Result& aespa = r.at({"에스파", "d1"});
  EXPECT_EQ(aespa.query_clicks, 3u);
  EXPECT_EQ(aespa.refined_clicks, 1u);
  EXPECT_EQ(aespa.candidates, 2u);
  EXPECT_EQ(aespa.added_text, (std::vector<std::string>{"일본 앨범 hot mess"}));
  EXPECT_EQ(r.at({"大学", "d5"}).added_text, (std::vector<std::string>{"北京", "招生简章"}));
  EXPECT_EQ(r.at({"아이유", "d3"}).candidates, 2u);

  const MiningSummary s = miner.summary();
  EXPECT_EQ(s.clicks, 29u);
  EXPECT_EQ(s.documents, 6u);
  EXPECT_EQ(s.pairs, 21u);
  EXPECT_EQ(s.refined_pairs, 9u);
}

TEST(IntentMiner, SpellingsWithTheSameTokensAreOneQueryShownByTheMostClickedSpelling) {
  IntentMiner miner;
  feed(miner, {{"아이유IU", "d", 1}, {"아이유 IU", "d", 2}, {"ＩＵ 아이유 콘서트", "d", 1}});
  const Results r = results(miner);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at({"아이유 iu", "d"}).query_clicks, 3u);
  EXPECT_EQ(refined(r, "아이유 iu", "d"), "iu 아이유 콘서트");
  EXPECT_EQ(miner.summary().raw_queries, 3u);
  EXPECT_EQ(miner.summary().queries, 2u);
}

TEST(IntentMiner, OutputOrderIsDocumentsByFirstClickThenTheTieRule) {
  IntentMiner miner;
  feed(miner, {{"b", "d2", 1}, {"a x", "d1", 1}, {"a", "d1", 5}, {"a y", "d1", 2}});
  miner.finish();
  std::vector<std::string> order;
  miner.for_each_pair([&order](const MinedPair& p) {
    order.push_back(std::string(p.doc) + ":" + std::string(p.query));
  });
  EXPECT_EQ(order, (std::vector<std::string>{"d2:b", "d1:a y", "d1:a x", "d1:a"}));
}

TEST(IntentMiner, MemoryIsBoundedByDistinctPairsNotClicks) {
  IntentMiner miner;
  const std::vector<Click> round = {
      {"에스파", "d1", 1}, {"에스파 일본", "d1", 1}, {"北京", "d2", 1}};
  feed(miner, round);
  const size_t after_one = miner.summary().memory_bytes;
  for (int i = 0; i < 100000; ++i) feed(miner, round);
  const MiningSummary s = miner.summary();
  EXPECT_EQ(s.clicks, 300003u);
  EXPECT_EQ(s.pairs, 3u);
  EXPECT_EQ(s.queries, 3u);
  EXPECT_EQ(s.documents, 2u);
  EXPECT_EQ(s.memory_bytes, after_one);
  miner.finish();
  miner.for_each_pair([](const MinedPair& p) { EXPECT_EQ(p.query_clicks, 100001u); });
}

TEST(IntentMiner, UnusableClicksAreRejectedWithTheirReasonAndNotRecorded) {
  IntentMiner miner;
  EXPECT_EQ(miner.add_click("", "d").message(), kReasonEmptyQuery);
  EXPECT_EQ(miner.add_click("  ", "d").message(), kReasonEmptyQuery);
  EXPECT_EQ(miner.add_click("?!", "d").message(), kReasonNoTokens);
  EXPECT_EQ(miner.add_click("?!", "d").message(), kReasonNoTokens);  // cached
  EXPECT_EQ(miner.add_click("😀", "d").message(), kReasonNoTokens);
  EXPECT_EQ(miner.add_click(std::string(5000, 'x'), "d").message(), kReasonQueryTooLong);
  EXPECT_EQ(miner.add_click("ok", "").message(), kReasonEmptyDoc);
  EXPECT_EQ(miner.add_click("ok", std::string(5000, 'd')).message(), kReasonDocTooLong);
  const MiningSummary s = miner.summary();
  EXPECT_EQ(s.clicks, 0u);
  EXPECT_EQ(s.pairs, 0u);
  EXPECT_EQ(s.documents, 0u);
  miner.finish();
  int pairs = 0;
  miner.for_each_pair([&pairs](const MinedPair&) { ++pairs; });
  EXPECT_EQ(pairs, 0);
}

TEST(IntentMiner, InvertedIndexAgreesWithTheScan) {
  // A random log over a small vocabulary, with hub documents of many queries.
  const std::vector<std::string> words = {"에스파", "일본", "앨범", "인스타", "北", "京",
                                          "줄거리", "hot",  "mess", "dive",   "a",  "b"};
  std::mt19937 rng(7);
  std::vector<std::pair<std::string, std::string>> clicks;
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    const int n = 1 + static_cast<int>(rng() % 5);
    for (int k = 0; k < n; ++k) q += (k ? " " : "") + words[rng() % words.size()];
    clicks.emplace_back(q, "doc" + std::to_string(rng() % 40));
  }
  MinerOptions scan_opts, index_opts;
  scan_opts.index_threshold = 1000000;
  index_opts.index_threshold = 0;
  IntentMiner scan(scan_opts), index(index_opts);
  for (const auto& [q, d] : clicks) {
    ASSERT_TRUE(scan.add_click(q, d).is_ok());
    ASSERT_TRUE(index.add_click(q, d).is_ok());
  }
  const Results a = results(scan), b = results(index);
  ASSERT_EQ(a.size(), b.size());
  size_t refined = 0;
  for (const auto& [key, ra] : a) {
    const Result& rb = b.at(key);
    EXPECT_EQ(ra.refined, rb.refined);
    EXPECT_EQ(ra.candidates, rb.candidates);
    refined += ra.candidates > 0;
  }
  EXPECT_GT(refined, 100u);
  EXPECT_EQ(scan.summary().relations, index.summary().relations);
  const auto ta = scan.top_added_tokens(5), tb = index.top_added_tokens(5);
  ASSERT_EQ(ta.size(), tb.size());
  for (size_t i = 0; i < ta.size(); ++i) EXPECT_EQ(ta[i].token, tb[i].token);
}

TEST(IntentMiner, BiasReportCountsWhatRefinedQueriesAdd) {
  IntentMiner miner;
  feed(miner, {
                  // a person's name followed by "인스타", three times on different documents
                  {"아이유", "p1", 3},
                  {"아이유 인스타", "p1", 1},
                  {"카리나", "p2", 2},
                  {"카리나 인스타", "p2", 1},
                  {"윈터", "p3", 1},
                  {"윈터 인스타", "p3", 1},
                  {"아이유", "p4", 1},
                  {"아이유 인스타", "p4", 1},
                  // a work followed by "줄거리" / "등장인물"
                  {"파묘", "w1", 2},
                  {"파묘 줄거리", "w1", 1},
                  {"웡카", "w2", 1},
                  {"웡카 줄거리", "w2", 1},
                  {"웡카 등장인물", "w2", 1},
                  // Chinese: "下载" added as two character tokens, one text segment
                  {"电影", "c1", 1},
                  {"电影下载", "c1", 1},
              });
  miner.finish();
  const std::vector<AddedToken> tokens = miner.top_added_tokens(3);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].token, "인스타");
  EXPECT_EQ(tokens[0].pairs, 4u);
  EXPECT_EQ(tokens[0].base_queries, 3u);  // 아이유 twice
  EXPECT_EQ(tokens[0].relations, 4u);
  // 웡카's Q* is "웡카 등장인물" (a tie broken by text: "등" < "줄"), so "줄거리" is added by
  // one Q* but two candidate relations, which ranks it first among the single pairs.
  EXPECT_EQ(tokens[1].token, "줄거리");
  EXPECT_EQ(tokens[1].pairs, 1u);
  EXPECT_EQ(tokens[1].relations, 2u);
  EXPECT_EQ(tokens[2].token, "下");

  const std::vector<AddedToken> phrases = miner.top_added_phrases(10);
  ASSERT_GE(phrases.size(), 4u);
  EXPECT_EQ(phrases[0].token, "인스타");
  bool saw_download = false;
  for (const AddedToken& p : phrases) saw_download |= p.token == "下载" && p.pairs == 1;
  EXPECT_TRUE(saw_download);
}

}  // namespace
}  // namespace feedscout::intent
