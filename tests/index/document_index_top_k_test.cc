// The early-terminating DocumentIndex::search against the exhaustive merge
// (search_exhaustive) on random pools: the same documents, scores and order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "feedscout/index/document_index.h"
#include "feedscout/index/query_graph.h"
#include "feedscout/text/tokenize.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

// A word of 1-4 syllables from a small alphabet, so that bigrams are shared widely.
std::string random_word(std::mt19937_64& rng) {
  static const std::vector<std::string> kSyllables = {"가", "나", "다", "라", "마", "바",
                                                      "사", "아", "자", "차", "카", "타"};
  std::string w;
  const size_t len = 1 + rng() % 4;
  for (size_t i = 0; i < len; ++i) w += kSyllables[rng() % kSyllables.size()];
  return w;
}

std::string random_text(std::mt19937_64& rng, const std::vector<std::string>& vocabulary,
                        size_t max_words) {
  std::string t;
  const size_t n = rng() % (max_words + 1);
  for (size_t i = 0; i < n; ++i) {
    if (!t.empty()) t += ' ';
    t += vocabulary[rng() % vocabulary.size()];
  }
  return t;
}

void expect_same(const std::vector<TextMatch>& got, const std::vector<TextMatch>& want,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].doc, want[i].doc) << what << " at " << i;
    EXPECT_EQ(got[i].score, want[i].score) << what << " at " << i;  // bit for bit
  }
}

TEST(DocumentIndexTopKTest, EqualsExhaustiveMergeOnRandomPools) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::string> vocabulary;
    for (int i = 0; i < 60 + static_cast<int>(seed) * 20; ++i) {
      vocabulary.push_back(random_word(rng));
    }
    IndexConfig config;
    if (seed % 3 == 0) config.min_query_coverage = 1.0;
    if (seed % 3 == 1) config.min_query_coverage = 0.3;
    DocumentIndex index(testing_support::taxonomy(), config);
    const size_t n_docs = 200 + seed * 300;
    for (size_t i = 0; i < n_docs; ++i) {
      Document d;
      d.id = "d" + std::to_string(i);
      d.title = random_text(rng, vocabulary, 5);
      d.body = random_text(rng, vocabulary, 12);
      d.created_ms = kNow - static_cast<TimeMs>(rng() % 50) * kMsPerHour;  // many equal times
      (void)index.add(d);
    }
    for (int q = 0; q < 300; ++q) {
      const std::string query = random_text(rng, vocabulary, 5) + (q % 7 == 0 ? " 없는말" : "");
      const std::string gate = q % 4 == 0 ? random_text(rng, vocabulary, 2) : std::string();
      const size_t k = 1 + rng() % 60;
      const uint64_t salt = rng();
      const std::function<bool(DocIndex)> exclude =
          q % 3 == 0 ? std::function<bool(DocIndex)>{}
                     : [salt](DocIndex d) { return ((d * 2654435761u) ^ salt) % 5 == 0; };
      const std::string what = "seed " + std::to_string(seed) + " query '" + query + "' gate '" +
                               gate + "' k " + std::to_string(k);
      expect_same(index.search(query, k, exclude, gate),
                  index.search_exhaustive(query, k, exclude, gate), what);
      if (HasFailure()) return;
    }
  }
}

TEST(DocumentIndexTopKTest, EqualScoresAndTimesPreferTheLaterAdded) {
  DocumentIndex index(testing_support::taxonomy(), IndexConfig{});
  for (int i = 0; i < 5; ++i) {
    Document d;
    d.id = "d" + std::to_string(i);
    d.title = "에스파 일본 앨범";
    d.created_ms = kNow;
    (void)index.add(d);
  }
  const auto m = index.search("에스파 일본", 3, nullptr);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].doc, 4u);
  EXPECT_EQ(m[1].doc, 3u);
  EXPECT_EQ(m[2].doc, 2u);
}

// Postings keep a copy of short documents' lengths; a document too long for it (over 65,534
// terms) must score with its real length, in both the top-k and the exhaustive search.
TEST(DocumentIndexTopKTest, LongDocumentsScoreWithTheirRealLength) {
  DocumentIndex index(testing_support::taxonomy(), IndexConfig{});
  std::string long_body = "alpha";
  for (int i = 0; i < 70000; ++i) long_body += " zz";
  const std::vector<std::pair<std::string, std::string>> docs = {{"long", long_body},
                                                                 {"short", "alpha beta"}};
  for (const auto& [id, body] : docs) {
    Document d;
    d.id = id;
    d.body = body;
    d.created_ms = kNow;
    ASSERT_TRUE(index.add(d).has_value());
  }
  const double idf = std::log(1.0 + 0.5 / 2.5);  // 2 documents, both with "alpha"
  const double avg = (70001.0 + 2.0) / 2.0;
  const auto bm25 = [&](double len) { return idf * 2.2 / (1 + 1.2 * (0.25 + 0.75 * len / avg)); };
  for (const auto& found :
       {index.search("alpha", 10, nullptr), index.search_exhaustive("alpha", 10, nullptr)}) {
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(index.doc(found[0].doc).id, "short");
    EXPECT_DOUBLE_EQ(found[0].score, bm25(2));
    EXPECT_EQ(index.doc(found[1].doc).id, "long");
    EXPECT_DOUBLE_EQ(found[1].score, bm25(70001));
  }
}

TEST(DocumentIndexTopKTest, TitleWordKeysAreTheTitlesDistinctWords) {
  IndexConfig config;
  config.salient_words = 4;  // the third title is longer than the salient words kept
  DocumentIndex index(testing_support::taxonomy(), config);
  const std::vector<std::string> titles = {"두바이 초콜릿 두바이 후기", "",
                                           "가나 나다 다라 라마 마바 바사", "에스파 일본 앨범 a"};
  for (size_t i = 0; i < titles.size(); ++i) {
    Document d;
    d.id = "d" + std::to_string(i);
    d.title = titles[i];
    d.body = "본문 단어 여럿 본문 초콜릿";
    d.created_ms = kNow;
    (void)index.add(d);
  }
  for (size_t i = 0; i < titles.size(); ++i) {
    std::vector<std::string> distinct;
    for (std::string& w : text::words(titles[i])) {
      if (std::find(distinct.begin(), distinct.end(), w) == distinct.end()) {
        distinct.push_back(std::move(w));
      }
    }
    std::vector<uint64_t> want;
    for (const std::string& w : distinct) QueryGraph::SenseScorer::add_word(w, want);
    const auto got = index.title_word_keys(static_cast<DocIndex>(i));
    EXPECT_EQ(std::vector<uint64_t>(got.begin(), got.end()), want) << titles[i];
  }
  EXPECT_EQ(index.title_word_keys(2).size(), 6u);  // every title word, past salient_words
  EXPECT_EQ(index.title_word_keys(3).size(), 3u);  // "a" is one code point: never counted
}

}  // namespace
}  // namespace feedscout
