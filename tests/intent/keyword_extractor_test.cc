// The embedded statistical keyword extractor (intent/keyword_extractor.h): Korean queries and
// clicked documents, particles and stopwords, entities from recurring bigrams, bounds, and
// inputs without words.
#include "feedscout/intent/keyword_extractor.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace feedscout::intent {
namespace {

class MapWeights final : public WordWeights {
 public:
  explicit MapWeights(std::map<std::string, double> idf, double unknown_idf = 5.0)
      : idf_(std::move(idf)), unknown_idf_(unknown_idf) {}
  double idf(std::string_view w) const override {
    auto it = idf_.find(std::string(w));
    return it == idf_.end() ? unknown_idf_ : it->second;
  }
  bool known(std::string_view w) const override { return idf_.count(std::string(w)) > 0; }

 private:
  std::map<std::string, double> idf_;
  double unknown_idf_;
};

const MapWeights& korean_weights() {
  static const MapWeights w({{"에스파", 4.0},
                             {"일본", 2.5},
                             {"정규", 2.0},
                             {"앨범", 3.0},
                             {"발매", 2.2},
                             {"소식", 0.5},
                             {"두바이", 4.0},
                             {"초콜릿", 3.5},
                             {"만들기", 2.0},
                             {"축구", 2.0}});
  return w;
}

KeywordDocument doc(std::string_view title, const std::vector<std::string_view>& words,
                    size_t title_words) {
  KeywordDocument d;
  d.title = title;
  d.words = words;
  d.title_words = title_words;
  return d;
}

const Keyword* find(const std::vector<Keyword>& v, std::string_view text) {
  for (const Keyword& k : v) {
    if (k.text == text) return &k;
  }
  return nullptr;
}

std::vector<Keyword> extract(const KeywordInput& in, KeywordOptions o = {}) {
  StatisticalKeywordExtractor e(korean_weights(), o);
  auto r = e.extract(in);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : std::vector<Keyword>{};
}

TEST(StatisticalKeywordExtractorTest, KoreanQueryAndClickedDocument) {
  KeywordInput in;
  in.query = "에스파";
  // Salient words as the index keeps them: title words first, then body words.
  in.docs = {
      doc("에스파 일본 정규 앨범 발매",
          {"에스파", "일본", "정규", "앨범", "발매", "에스파가", "일본에서", "앨범을", "소식"}, 5)};
  const auto k = extract(in);
  ASSERT_FALSE(k.empty());
  EXPECT_EQ(k[0].text, "에스파");  // typed and in the title
  EXPECT_DOUBLE_EQ(k[0].weight, 1.0);
  for (const char* w : {"일본", "앨범", "정규", "발매"}) {
    ASSERT_NE(find(k, w), nullptr) << w;
    EXPECT_GT(find(k, w)->weight, 0.0);
    EXPECT_LE(find(k, w)->weight, 1.0);
    EXPECT_EQ(find(k, w)->kind, KeywordKind::kKeyword);
  }
  // Particles stripped ("앨범을" counts as 앨범), rare title words beat common ones, and a
  // word below min_idf ("소식", 0.5) is no candidate.
  EXPECT_EQ(find(k, "앨범을"), nullptr);
  EXPECT_EQ(find(k, "에스파가"), nullptr);
  EXPECT_EQ(find(k, "소식"), nullptr);
  EXPECT_GT(find(k, "앨범")->weight, find(k, "정규")->weight);
  // Sorted by weight, distinct.
  for (size_t i = 1; i < k.size(); ++i) EXPECT_GE(k[i - 1].weight, k[i].weight);
}

TEST(StatisticalKeywordExtractorTest, BigramsRecurringBetweenQueryAndTitleAreEntities) {
  KeywordInput in;
  in.query = "두바이 초콜릿";
  in.docs = {doc("두바이 초콜릿 만들기", {"두바이", "초콜릿", "만들기"}, 3)};
  const auto k = extract(in);
  const Keyword* e = find(k, "두바이 초콜릿");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, KeywordKind::kEntity);
  EXPECT_GT(e->weight, 0.5);
  // "초콜릿 만들기" occurs in one place only: no entity.
  EXPECT_EQ(find(k, "초콜릿 만들기"), nullptr);
  // Two clicked titles agreeing also make an entity, without a query.
  KeywordInput clicks;
  clicks.docs = {doc("", {"두바이", "초콜릿", "만들기"}, 3), doc("", {"두바이", "초콜릿"}, 2)};
  const auto k2 = extract(clicks);
  ASSERT_NE(find(k2, "두바이 초콜릿"), nullptr);
  EXPECT_EQ(find(k2, "두바이 초콜릿")->kind, KeywordKind::kEntity);
  // max_entity_words 0 turns entities off.
  KeywordOptions no_entities;
  no_entities.max_entity_words = 0;
  EXPECT_EQ(find(extract(in, no_entities), "두바이 초콜릿"), nullptr);
}

TEST(StatisticalKeywordExtractorTest, StopwordsParticlesAndPredicatesAreDropped) {
  KeywordInput in;
  in.query = "축구를 관련 후기 the 2024 a";
  in.docs = {doc("", {"축구", "발표했다", "있습니다", "및", "등", "x"}, 2)};
  const auto k = extract(in);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].text, "축구");
  EXPECT_TRUE(is_keyword_stopword("후기"));
  EXPECT_TRUE(is_keyword_stopword("2024"));
  EXPECT_TRUE(is_keyword_stopword("가"));
  EXPECT_FALSE(is_keyword_stopword("에스파"));
  EXPECT_FALSE(is_keyword_stopword("바다"));
}

TEST(StatisticalKeywordExtractorTest, NothingUsableGivesNothingAndNeverFails) {
  for (const char* q : {"", "   ", "😀🎉", "!!! ??? ...", "\xff\xfe", "ㅋ", "1234"}) {
    KeywordInput in;
    in.query = q;
    in.docs = {doc("", {}, 0), doc("😀", {"😀"}, 1)};
    const auto k = extract(in);
    EXPECT_TRUE(k.empty()) << q;
  }
  EXPECT_TRUE(extract(KeywordInput{}).empty());
}

TEST(StatisticalKeywordExtractorTest, BoundedAndDeterministic) {
  KeywordInput in;
  in.query = "에스파 일본 정규 앨범 발매 두바이 초콜릿 만들기 축구";
  KeywordOptions o;
  o.max_keywords = 3;
  const auto a = extract(in, o);
  ASSERT_EQ(a.size(), 3u);
  // Equal weights: ties by text.
  EXPECT_LT(a[0].text, a[1].text);
  EXPECT_LT(a[1].text, a[2].text);
  // The same input, documents in another order: the same answer.
  KeywordInput x, y;
  x.docs = {doc("", {"에스파", "일본"}, 2), doc("", {"두바이", "초콜릿"}, 2)};
  y.docs = {x.docs[1], x.docs[0]};
  const auto kx = extract(x), ky = extract(y);
  ASSERT_EQ(kx.size(), ky.size());
  for (size_t i = 0; i < kx.size(); ++i) {
    EXPECT_EQ(kx[i].text, ky[i].text);
    EXPECT_DOUBLE_EQ(kx[i].weight, ky[i].weight);
  }
}

TEST(StatisticalKeywordExtractorTest, FinishMergesClampsAndSorts) {
  std::vector<Keyword> k{{"b", KeywordKind::kKeyword, 0.5},
                         {"a", KeywordKind::kKeyword, 2.0},
                         {"b", KeywordKind::kEntity, 0.7},
                         {"c", KeywordKind::kKeyword, 0.0},
                         {"", KeywordKind::kKeyword, 0.9}};
  finish_keywords(k, 10);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0].text, "a");
  EXPECT_DOUBLE_EQ(k[0].weight, 1.0);
  EXPECT_EQ(k[1].text, "b");
  EXPECT_DOUBLE_EQ(k[1].weight, 0.7);
  EXPECT_EQ(k[1].kind, KeywordKind::kEntity);
  EXPECT_EQ(normalize_keyword("  에스파, 일본!  Hot"), "에스파 일본 hot");
}

}  // namespace
}  // namespace feedscout::intent
