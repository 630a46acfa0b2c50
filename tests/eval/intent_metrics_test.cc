// Search-intent metrics on hand-computed examples, Korean and Chinese included: exact match
// after normalisation, token ROUGE-L F1 (Han characters are tokens) and bag-of-code-points F1.
#include "feedscout/eval/intent_metrics.h"

#include <gtest/gtest.h>

namespace feedscout {
namespace {

using Tokens = std::vector<std::string>;

TEST(IntentMetrics, LcsLength) {
  EXPECT_EQ(lcs_length({"a", "b", "c", "d"}, {"b", "d"}), 2u);
  EXPECT_EQ(lcs_length({"b", "d"}, {"a", "b", "c", "d"}), 2u);
  EXPECT_EQ(lcs_length({"a", "b"}, {"b", "a"}), 1u);
  EXPECT_EQ(lcs_length({}, {"a"}), 0u);
  EXPECT_EQ(lcs_length({"x"}, {"y"}), 0u);
}

TEST(IntentMetrics, RougeLHandComputed) {
  // LCS 2, P = 2/2, R = 2/3 → F1 = 2·1·(2/3) / (5/3) = 0.8.
  EXPECT_DOUBLE_EQ(rouge_l_f1({"에스파", "일본"}, {"에스파", "일본", "앨범"}), 0.8);
  // LCS 2 (a c), P = 2/3, R = 2/2 → 0.8; symmetric in P and R.
  EXPECT_DOUBLE_EQ(rouge_l_f1({"a", "b", "c"}, {"a", "c"}), 0.8);
  EXPECT_DOUBLE_EQ(rouge_l_f1({"a"}, {"a"}), 1.0);
  EXPECT_DOUBLE_EQ(rouge_l_f1({}, {"a"}), 0.0);
  EXPECT_DOUBLE_EQ(rouge_l_f1({"a"}, {}), 0.0);
  EXPECT_DOUBLE_EQ(rouge_l_f1({"a"}, {"b"}), 0.0);
}

TEST(IntentMetrics, CharF1HandComputed) {
  // 에스파일본 (5) vs 에스파일본앨범 (7): overlap 5, P = 1, R = 5/7 → 10/12.
  EXPECT_NEAR(char_f1("에스파 일본", "에스파 일본 앨범"), 10.0 / 12.0, 1e-12);
  // Multiset: 哈哈哈 vs 哈 → overlap min(3, 1) = 1, P = 1/3, R = 1 → 0.5.
  EXPECT_DOUBLE_EQ(char_f1("哈哈哈", "哈"), 0.5);
  // Whitespace is ignored, order is not scored.
  EXPECT_DOUBLE_EQ(char_f1("a b", "ab"), 1.0);
  EXPECT_DOUBLE_EQ(char_f1("大学北京", "北京大学"), 1.0);
  // Ideographic space U+3000 is whitespace too.
  EXPECT_DOUBLE_EQ(char_f1("北京\xE3\x80\x80大学", "北京大学"), 1.0);
  EXPECT_DOUBLE_EQ(char_f1("", "a"), 0.0);
  EXPECT_DOUBLE_EQ(char_f1("   ", "a"), 0.0);
  EXPECT_DOUBLE_EQ(char_f1("x", "y"), 0.0);
}

TEST(IntentMetrics, ExactMatchAfterNormalisation) {
  EXPECT_EQ(score_intent("에스파  일본 앨범 ", "에스파 일본 앨범").exact, 1.0);
  EXPECT_EQ(score_intent("ＩＵ 콘서트", "iu 콘서트").exact, 1.0);  // NFKC + case folding
  EXPECT_EQ(score_intent("아이유IU", "아이유 iu").exact, 1.0);     // one query for the miner
  EXPECT_EQ(score_intent("北京 大学", "北京大学").exact, 1.0);     // same character tokens
  EXPECT_EQ(score_intent("에스파", "에스파 일본 앨범").exact, 0.0);
  // Unusable strings match nothing, not even themselves.
  EXPECT_EQ(score_intent("!!!", "!!!").exact, 0.0);
  EXPECT_EQ(score_intent("!!!", "!!!").rouge_l, 0.0);
}

TEST(IntentMetrics, ChineseIsScoredPerCharacter) {
  // 哄抢救灾物资 (6 character tokens) vs 哄抢救灾物资照片 (8): LCS 6, P = 1, R = 3/4
  // → ROUGE-L = 2·(3/4) / (7/4) = 6/7; characters the same: 6/7.
  const IntentScores s = score_intent("哄抢救灾物资", "哄抢救灾物资照片");
  EXPECT_EQ(s.exact, 0.0);
  EXPECT_NEAR(s.rouge_l, 6.0 / 7.0, 1e-12);
  EXPECT_NEAR(s.char_f1, 6.0 / 7.0, 1e-12);
  // Order matters for ROUGE-L: 大学北京 vs 北京大学 → LCS 2 of 4 each → 0.5.
  EXPECT_DOUBLE_EQ(score_intent("大学北京", "北京大学").rouge_l, 0.5);
  // 汶川地震 vs 汶川地震原因分析: LCS 4, P = 1, R = 1/2 → 2/3.
  EXPECT_NEAR(score_intent("汶川地震", "汶川地震原因分析").rouge_l, 2.0 / 3.0, 1e-12);
}

TEST(IntentMetrics, KoreanHandComputed) {
  // Tokens 에스파 일본 | 에스파 일본 앨범 → ROUGE-L 0.8; characters 10/12.
  const IntentScores s = score_intent("에스파 일본", "에스파 일본 앨범");
  EXPECT_EQ(s.exact, 0.0);
  EXPECT_DOUBLE_EQ(s.rouge_l, 0.8);
  EXPECT_NEAR(s.char_f1, 10.0 / 12.0, 1e-12);
  // A Hangul word is one token: 두바이초콜릿 vs 두바이 초콜릿 share no token, but
  // every character (6 of 6).
  const IntentScores t = score_intent("두바이초콜릿", "두바이 초콜릿");
  EXPECT_EQ(t.rouge_l, 0.0);
  EXPECT_DOUBLE_EQ(t.char_f1, 1.0);
}

TEST(IntentMetrics, NonLatinPairsDoNotScoreZero) {
  // A tokeniser that kept only Latin letters would score all of these 0.
  for (const auto& [pred, gold] :
       std::vector<std::pair<const char*, const char*>>{{"北京大学", "北京大学图书馆"},
                                                        {"에스파", "에스파 일본 앨범"},
                                                        {"ワンピース", "ワンピース 映画"},
                                                        {"สวัสดี", "สวัสดี ครับ"}}) {
    const IntentScores s = score_intent(pred, gold);
    EXPECT_GT(s.rouge_l, 0.0) << pred << " / " << gold;
    EXPECT_GT(s.char_f1, 0.0) << pred << " / " << gold;
  }
  const IntentScores same = score_intent("北京大学", "北京大学");
  EXPECT_EQ(same.exact, 1.0);
  EXPECT_EQ(same.rouge_l, 1.0);
  EXPECT_EQ(same.char_f1, 1.0);
}

TEST(IntentMetrics, MeanOverPairs) {
  IntentScoreMean m;
  EXPECT_EQ(m.mean().exact, 0.0);  // no pairs: zeros
  m.add({1.0, 1.0, 1.0});
  m.add({0.0, 0.5, 0.25});
  EXPECT_EQ(m.count(), 2u);
  EXPECT_DOUBLE_EQ(m.mean().exact, 0.5);
  EXPECT_DOUBLE_EQ(m.mean().rouge_l, 0.75);
  EXPECT_DOUBLE_EQ(m.mean().char_f1, 0.625);
}

}  // namespace
}  // namespace feedscout
