// Search-intent refiners (intent/refiner.h): the extractive default over hand-set word
// weights, the mined table with its fallback, and the budget rules.
#include "feedscout/intent/refiner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/test_support.h"

namespace feedscout::intent {
namespace {

// idf per word; unknown words get `unknown_idf` and are not "known".
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

ClickedDocument doc(std::string_view id, const std::vector<std::string_view>& words,
                    size_t title_words) {
  ClickedDocument d;
  d.id = id;
  d.words = words;
  d.title_words = title_words;
  return d;
}

TEST(ExtractiveRefinerTest, AppendsTheMostSalientWordsInTheirOrder) {
  MapWeights w({{"에스파", 2.0}, {"일본", 1.2}, {"앨범", 1.6}, {"발매", 1.4}, {"소식", 0.5}});
  RefinerOptions o;
  ExtractiveRefiner r(w, o);
  // 소식 is under the 1.0 bar; the other three are kept in title order, not by weight.
  auto q = r.refine("에스파", {doc("a1", {"에스파", "일본", "앨범", "발매", "소식"}, 5)});
  ASSERT_TRUE(q.is_ok()) << q.status().to_string();
  EXPECT_EQ(q->query, "에스파 일본 앨범 발매");
  EXPECT_EQ(q->source, RefinementSource::kExtractive);

  // Only two may be added: the two rarest (앨범 1.6, 발매 1.4), still in text order.
  o.max_added_words = 2;
  ExtractiveRefiner two(w, o);
  EXPECT_EQ(two.refine("에스파", {doc("a1", {"에스파", "일본", "앨범", "발매"}, 4)})->query,
            "에스파 앨범 발매");
}

TEST(ExtractiveRefinerTest, TitleWordsOutweighBodyWordsAndClickedDocumentsPool) {
  MapWeights w({{"데뷔", 2.0}, {"기부", 2.0}, {"콘서트", 2.0}, {"16주년", 2.0}});
  RefinerOptions o;
  o.max_added_words = 1;
  ExtractiveRefiner r(w, o);
  // Same idf: the title word wins over the body word.
  EXPECT_EQ(r.refine("아이유", {doc("d1", {"기부", "콘서트"}, 1)})->query, "아이유 기부");
  // Clicked documents pool: 콘서트 in three bodies (3 × 2.0) beats 기부 in one title (2 × 2.0).
  EXPECT_EQ(r.refine("아이유", {doc("d1", {"기부", "콘서트"}, 1), doc("d2", {"콘서트"}, 0),
                                doc("d3", {"콘서트"}, 0)})
                ->query,
            "아이유 콘서트");
}

TEST(ExtractiveRefinerTest, SkipsQueryWordsTheirVariantsNumbersAndSingleCharacters) {
  MapWeights w({{"두바이", 1.5}, {"초콜릿", 1.5}, {"만들기", 2.0}, {"앨범", 2.0}});
  ExtractiveRefiner r(w, RefinerOptions{});
  auto q =
      r.refine("두바이 초콜릿",
               {doc("d", {"두바이초콜릿", "두바이초콜릿맛", "초콜릿", "2026", "맛", "만들기"}, 6)});
  ASSERT_TRUE(q.is_ok());
  EXPECT_EQ(q->query, "두바이 초콜릿 만들기");
  // Particles come off when the stem is a known word: "앨범을" → "앨범"; "고양이" stays
  // (its stem "고양" is unknown).
  EXPECT_EQ(strip_korean_particle("앨범을", w), "앨범");
  EXPECT_EQ(strip_korean_particle("고양이", w), "고양이");
  EXPECT_EQ(strip_korean_particle("두바이에서", w), "두바이");
  EXPECT_EQ(r.refine("앨범", {doc("d", {"앨범을", "만들기"}, 2)})->query, "앨범 만들기");
}

TEST(ExtractiveRefinerTest, NeverEmptyNeverOverBudget) {
  MapWeights w({});
  RefinerOptions o;
  o.max_tokens = 3;
  o.max_bytes = 30;
  ExtractiveRefiner r(w, o);
  // No clicked document: Q itself.
  EXPECT_EQ(r.refine("  손흥민  ", {})->query, "손흥민");
  // A long query is cut to 3 words; nothing can be added after.
  EXPECT_EQ(r.refine("a b c d e", {doc("d", {"zeta"}, 1)})->query, "a b c");
  // Bytes: "손흥민" (9 bytes) + " 결승골" (10) + " 하이라이트" (16) > 30.
  auto q = r.refine("손흥민", {doc("d", {"결승골", "하이라이트"}, 2)});
  ASSERT_TRUE(q.is_ok());
  EXPECT_EQ(q->query, "손흥민 결승골");
  EXPECT_LE(q->query.size(), 30u);
  // A single enormous word is cut at a UTF-8 boundary.
  std::string huge;
  for (int i = 0; i < 100; ++i) huge += "가";
  auto h = r.refine(huge, {});
  ASSERT_TRUE(h.is_ok());
  EXPECT_LE(h->query.size(), 30u);
  EXPECT_EQ(h->query.size() % 3, 0u);
  EXPECT_FALSE(h->query.empty());
  // Only punctuation or emoji: no words, an error (the caller keeps Q as typed).
  for (const char* bad : {"", "   ", "?!…", "🚀🔥", "~~ ;;"}) {
    EXPECT_FALSE(r.refine(bad, {doc("d", {"결승골"}, 1)}).is_ok()) << bad;
  }
}

TEST(FitBudgetTest, CutsAtWordBoundaries) {
  EXPECT_EQ(fit_budget("a  b\tc\nd", 3, 100), "a b c");
  EXPECT_EQ(fit_budget("abc def", 5, 5), "abc");
  EXPECT_EQ(fit_budget("", 5, 5), "");
}

TEST(MinedRefinerTest, TableFirstThenFallbackLongestWins) {
  testing_support::TempDir dir{"feedscout_mined_refiner"};
  const std::string path = dir.file("pairs.jsonl");
  {
    std::ofstream out(path);
    out << R"({"query":"아이유","doc":"d1","refined":"아이유 데뷔 16주년 기부","pairs":3})"
        << "\n"
        << R"({"query":"아이유","doc":"d2","refined":"아이유 콘서트"})"
        << "\n"
        << R"({"query":"IU","doc":"d3","refined":"IU Palette"})"
        << "\n"
        << "\n";
  }
  MapWeights w({{"드라마", 2.0}});
  RefinerOptions o;
  auto mined = MinedRefiner::load(path, std::make_unique<ExtractiveRefiner>(w, o), o);
  ASSERT_TRUE(mined.is_ok()) << mined.status().to_string();
  EXPECT_EQ((*mined)->size(), 3u);

  auto a = (*mined)->refine("아이유", {doc("d2", {}, 0), doc("d1", {}, 0)});
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->query, "아이유 데뷔 16주년 기부");  // the longer of the two entries
  EXPECT_EQ(a->source, RefinementSource::kMined);
  // Keys are normalised as mine-intents normalises: "iu" and full-width "ＩＵ" match "IU".
  EXPECT_EQ((*mined)->refine("iu", {doc("d3", {}, 0)})->query, "IU Palette");
  EXPECT_EQ((*mined)->refine("ＩＵ", {doc("d3", {}, 0)})->query, "IU Palette");
  EXPECT_EQ(query_key("ＩＵ  콘서트!"), "iu 콘서트");
  EXPECT_EQ(query_key("北京大学"), "北 京 大 学");  // one token per Han character
  EXPECT_EQ(query_key(" ?! "), "");
  // (Q, D) never mined: the extractive fallback answers.
  auto b = (*mined)->refine("아이유", {doc("d9", {"드라마"}, 1)});
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->query, "아이유 드라마");
  EXPECT_EQ(b->source, RefinementSource::kExtractive);
}

TEST(MinedRefinerTest, BadTableLinesAreNamed) {
  testing_support::TempDir dir{"feedscout_mined_refiner_bad"};
  const std::string path = dir.file("bad.jsonl");
  {
    std::ofstream out(path);
    out << R"({"query":"a","doc":"d","refined":"a b"})"
        << "\n"
        << R"({"query":"a","doc":7,"refined":"a b"})"
        << "\n";
  }
  auto r = MinedRefiner::load(path, nullptr, RefinerOptions{});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("bad.jsonl:2"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'doc'"), std::string::npos);
  EXPECT_FALSE(MinedRefiner::load(dir.file("missing.jsonl"), nullptr, RefinerOptions{}).is_ok());
}

}  // namespace
}  // namespace feedscout::intent
