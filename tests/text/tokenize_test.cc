#include "feedscout/text/tokenize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "feedscout/text/utf8.h"

namespace feedscout::text {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// The single retrieval term of a bigram (or single character / Latin word).
TermId term(std::string_view s) {
  auto t = retrieval_terms(s);
  EXPECT_EQ(t.size(), 1u) << s;
  return t.empty() ? 0 : t[0];
}

std::multiset<TermId> bag(std::string_view s) {
  auto t = retrieval_terms(s);
  return {t.begin(), t.end()};
}

TEST(TokenizeGoldenTest, WordsMatchGoldenFile) {
  const std::string path = std::string(FEEDSCOUT_SOURCE_DIR) + "/tests/text/golden/tokenize.txt";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot open " << path;
  std::string line;
  int line_no = 0, cases = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << path << ":" << line_no << ": no TAB in golden line";
    const std::string input = line.substr(0, tab);
    const std::string expected = line.substr(tab + 1);
    EXPECT_EQ(join(words(input)), expected)
        << path << ":" << line_no << ": input '" << input << "'";
    ++cases;
  }
  EXPECT_GE(cases, 20);
}

TEST(TokenizeTest, InvalidBytesAreSeparators) {
  EXPECT_EQ(words("ab\xFF"
                  "cd"),
            (std::vector<std::string>{"ab", "cd"}));
  EXPECT_EQ(words("축\xED\x95구"), (std::vector<std::string>{"축", "구"}));
  EXPECT_EQ(retrieval_terms("축\xFF구"), retrieval_terms("축 구"));
  EXPECT_TRUE(words("").empty());
  EXPECT_TRUE(retrieval_terms("").empty());
  EXPECT_TRUE(retrieval_terms("?! 🔥").empty());
}

TEST(TokenizeTest, TermsAreFnv1aOfUtf8) {
  // tokenize.h documents terms as FNV-1a 64 of the UTF-8 bytes. The published test vectors
  // (offset basis 14695981039346656037 = 0xcbf29ce484222325, prime 0x100000001b3) are
  // FNV-1a("a") = 0xaf63dc4c8601ec8c and FNV-1a("foobar") = 0x85944171f73967e8.
  EXPECT_EQ(term("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(term("A"), 0xaf63dc4c8601ec8cULL);  // folded before hashing
  EXPECT_EQ(term("foobar"), 0x85944171f73967e8ULL);
}

TEST(TokenizeTest, HangulRunsGiveBigrams) {
  // "두바이초콜릿" (6 syllables) → 5 bigrams: 두바 바이 이초 초콜 콜릿, in text order.
  const std::vector<TermId> compound = retrieval_terms("두바이초콜릿");
  EXPECT_EQ(compound, (std::vector<TermId>{term("두바"), term("바이"), term("이초"), term("초콜"),
                                           term("콜릿")}));
  // "두바이 초콜릿" → 두바 바이 | 초콜 콜릿: no bigram across the space.
  const std::vector<TermId> spaced = retrieval_terms("두바이 초콜릿");
  EXPECT_EQ(spaced, (std::vector<TermId>{term("두바"), term("바이"), term("초콜"), term("콜릿")}));
  // Every term of the spaced query occurs in the compound, so "두바이 초콜릿" finds
  // "두바이초콜릿" with full coverage; the compound has exactly one extra term (이초).
  std::multiset<TermId> c(compound.begin(), compound.end());
  for (TermId t : spaced) EXPECT_EQ(c.count(t), 1u);
  std::vector<TermId> extra;
  std::multiset<TermId> s(spaced.begin(), spaced.end());
  std::set_difference(c.begin(), c.end(), s.begin(), s.end(), std::back_inserter(extra));
  EXPECT_EQ(extra, std::vector<TermId>{term("이초")});
  // Particles: "축구를" shares 축구 with "축구".
  auto with_particle = retrieval_terms("축구를");
  EXPECT_NE(std::find(with_particle.begin(), with_particle.end(), term("축구")),
            with_particle.end());
}

TEST(TokenizeTest, SingleCharacterRunIsItsOwnTerm) {
  EXPECT_EQ(retrieval_terms("골").size(), 1u);
  EXPECT_NE(term("골"), term("골키"));
  // "축 구" is two one-character words, not the bigram 축구.
  EXPECT_EQ(retrieval_terms("축 구"), (std::vector<TermId>{term("축"), term("구")}));
  EXPECT_NE(term("축"), term("축구"));
}

TEST(TokenizeTest, ScriptChangesSplitRuns) {
  // Latin and Hangul inside one word are separate runs: "BTS정국" == "bts 정국".
  EXPECT_EQ(retrieval_terms("BTS정국"), retrieval_terms("bts 정국"));
  EXPECT_EQ(retrieval_terms("BTS정국"), (std::vector<TermId>{term("bts"), term("정국")}));
  // Digits belong to the Latin run: "2026년" → "2026", "년".
  EXPECT_EQ(retrieval_terms("2026년"), (std::vector<TermId>{term("2026"), term("년")}));
  // Chinese bigrams: 北京烤鸭 → 北京 京烤 烤鸭.
  EXPECT_EQ(retrieval_terms("北京烤鸭"),
            (std::vector<TermId>{term("北京"), term("京烤"), term("烤鸭")}));
}

TEST(TokenizeTest, CaseFolding) {
  EXPECT_EQ(retrieval_terms("Hot MESS"), retrieval_terms("hot mess"));
  EXPECT_EQ(retrieval_terms("ＨＯＴ ｍｅｓｓ"), retrieval_terms("hot mess"));  // fullwidth
  EXPECT_EQ(retrieval_terms("ＢＴＳ１"), retrieval_terms("bts1"));
  EXPECT_NE(term("hot"), term("hat"));
}

TEST(TokenizeTest, PunctuationAndEmojiSeparate) {
  EXPECT_EQ(retrieval_terms("손흥민🔥골"), retrieval_terms("손흥민 골"));
  EXPECT_EQ(retrieval_terms("손흥민!골"), retrieval_terms("손흥민 골"));
  EXPECT_EQ(retrieval_terms("'에스파'…일본"), retrieval_terms("에스파 일본"));
  // 손흥 흥민 | 골
  EXPECT_EQ(retrieval_terms("손흥민 골").size(), 3u);
}

TEST(TokenizeTest, DuplicatesKeptInOrder) {
  EXPECT_EQ(retrieval_terms("축구 축구"), (std::vector<TermId>{term("축구"), term("축구")}));
  EXPECT_EQ(bag("aa bb aa").count(term("aa")), 2u);
}

TEST(TokenizeTest, ClassifierText) {
  EXPECT_EQ(classifier_text("Hot Mess!", "에스파, 일본 앨범", 1000), "hot mess 에스파 일본 앨범");
  EXPECT_EQ(classifier_text("", "본문만", 1000), "본문만");
  EXPECT_EQ(classifier_text("", "", 1000), "");
  // A limit inside a multi-byte character never splits it.
  for (size_t max = 0; max < 30; ++max) {
    const std::string t = classifier_text("Hot Mess", "에스파 일본 앨범", max);
    EXPECT_LE(t.size(), max);
    EXPECT_TRUE(is_valid_utf8(t)) << max;
    EXPECT_EQ(t, std::string("hot mess 에스파 일본 앨범").substr(0, t.size())) << max;
  }
}

}  // namespace
}  // namespace feedscout::text
