#include "feedscout/index/document_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <string>
#include <vector>

#include "feedscout/context/user_context.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

using testing_support::taxonomy;
using testing_support::topic;

Document doc(std::string id, std::string title, TimeMs created,
             std::vector<std::string> topics = {}, std::string body = "") {
  Document d;
  d.id = std::move(id);
  d.title = std::move(title);
  d.body = std::move(body);
  d.created_ms = created;
  for (const auto& t : topics) d.topics.push_back({topic(t), 1.0f, TopicSource::kProvided});
  return d;
}

std::vector<std::string> ids_of(const DocumentIndex& index, const std::vector<DocIndex>& v) {
  std::vector<std::string> out;
  for (DocIndex i : v) out.push_back(index.doc(i).id);
  return out;
}

std::vector<std::string> ids_of(const DocumentIndex& index, const std::vector<TextMatch>& v) {
  std::vector<std::string> out;
  for (const auto& m : v) out.push_back(index.doc(m.doc).id);
  return out;
}

TEST(DocumentIndexTest, AddFindAndDuplicates) {
  DocumentIndex index(taxonomy(), IndexConfig{});
  auto a = index.add(doc("a", "제목", kNow, {"533"}));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, 0u);
  EXPECT_FALSE(index.add(doc("a", "다른 제목", kNow)).has_value());
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.doc(0).title, "제목");  // the first one stays
  EXPECT_EQ(index.find("a"), std::optional<DocIndex>(0));
  EXPECT_FALSE(index.find("b").has_value());
  EXPECT_EQ(index.doc(0).key, doc_key("a"));
  EXPECT_TRUE(index.topic_docs(kNoTopic).empty());
}

TEST(DocumentIndexTest, TopicDocsListAncestorsOrderedByTime) {
  DocumentIndex index(taxonomy(), IndexConfig{});
  // Added out of time order.
  (void)index.add(doc("soccer3", "t", kNow - 1 * kMsPerHour, {"533"}));
  (void)index.add(doc("baseball1", "t", kNow - 5 * kMsPerHour, {"545"}));
  (void)index.add(doc("soccer1", "t", kNow - 4 * kMsPerHour, {"533"}));
  (void)index.add(doc("both2", "t", kNow - 3 * kMsPerHour, {"533", "545"}));
  (void)index.add(doc("coupe", "t", kNow - 2 * kMsPerHour, {"9"}));
  (void)index.add(doc("plain", "t", kNow));

  EXPECT_EQ(ids_of(index, index.topic_docs(topic("533"))),
            (std::vector<std::string>{"soccer1", "both2", "soccer3"}));
  EXPECT_EQ(ids_of(index, index.topic_docs(topic("545"))),
            (std::vector<std::string>{"baseball1", "both2"}));
  // 스포츠 lists every sports document once, oldest first (both2 has two sports topics).
  EXPECT_EQ(ids_of(index, index.topic_docs(topic("483"))),
            (std::vector<std::string>{"baseball1", "soccer1", "both2", "soccer3"}));
  // Three levels: 자동차 and 자동차>차체 유형 list the coupe.
  EXPECT_EQ(ids_of(index, index.topic_docs(topic("1"))), std::vector<std::string>{"coupe"});
  EXPECT_EQ(ids_of(index, index.topic_docs(topic("2"))), std::vector<std::string>{"coupe"});
  EXPECT_TRUE(index.topic_docs(topic("547")).empty());  // 농구
}

TEST(DocumentIndexTest, TopicDocsEqualTimesKeepAddOrder) {
  DocumentIndex index(taxonomy(), IndexConfig{});
  (void)index.add(doc("x", "t", kNow, {"533"}));
  (void)index.add(doc("y", "t", kNow, {"533"}));
  (void)index.add(doc("w", "t", kNow - 1, {"533"}));
  EXPECT_EQ(ids_of(index, index.topic_docs(topic("533"))),
            (std::vector<std::string>{"w", "x", "y"}));
}

// The corpus of the search tests. For the query "두바이 초콜릿" (terms 두바 바이 초콜 콜릿;
// 3 of 4 needed at the default coverage 0.6):
//   A "두바이초콜릿 만들기 후기" has all 4 (the compound also has 이초)
//   B "두바이 초콜렛 가게"       has 두바 바이 초콜 (3 of 4)
//   C "두바이 여행 후기"         has 2 — below coverage
//   D "초콜릿 케이크 레시피"     has 2 — below coverage
// BM25 (k1 1.2, b 0.75, title tf ×2, n 5, avg length 10.8): A ≈ 3.018, B ≈ 2.271.
DocumentIndex search_corpus() {
  DocumentIndex index(taxonomy(), IndexConfig{});
  (void)index.add(doc("A", "두바이초콜릿 만들기 후기", kNow - 3 * kMsPerDay));
  (void)index.add(doc("B", "두바이 초콜렛 가게", kNow - 1 * kMsPerDay));
  (void)index.add(doc("C", "두바이 여행 후기", kNow));
  (void)index.add(doc("D", "초콜릿 케이크 레시피", kNow));
  (void)index.add(doc("E", "손흥민 결승골", kNow));
  return index;
}

TEST(DocumentIndexSearchTest, SpacedQueryFindsCompoundTitle) {
  const DocumentIndex index = search_corpus();
  auto m = index.search("두바이 초콜릿", 10, nullptr);
  EXPECT_EQ(ids_of(index, m), (std::vector<std::string>{"A", "B"}));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[0].score, 3.0184, 1e-3);
  EXPECT_NEAR(m[1].score, 2.2707, 1e-3);
  // The compound query finds the same documents.
  EXPECT_EQ(ids_of(index, index.search("두바이초콜릿", 10, nullptr))[0], "A");
  // Case and punctuation do not matter.
  EXPECT_EQ(ids_of(index, index.search("  두바이…초콜릿!! ", 10, nullptr)),
            (std::vector<std::string>{"A", "B"}));
}

TEST(DocumentIndexSearchTest, ExcludeCoverageAndK) {
  const DocumentIndex index = search_corpus();
  auto m = index.search("두바이 초콜릿", 10, [&](DocIndex d) { return index.doc(d).id == "A"; });
  EXPECT_EQ(ids_of(index, m), std::vector<std::string>{"B"});
  EXPECT_EQ(ids_of(index, index.search("두바이 초콜릿", 1, nullptr)),
            std::vector<std::string>{"A"});
  EXPECT_TRUE(index.search("두바이 초콜릿", 0, nullptr).empty());
  EXPECT_TRUE(index.search("", 10, nullptr).empty());
  EXPECT_TRUE(index.search("?!", 10, nullptr).empty());
  EXPECT_TRUE(index.search("없는말", 10, nullptr).empty());

  DocumentIndex all(taxonomy(), IndexConfig{.min_query_coverage = 1.0});
  (void)all.add(doc("A", "두바이초콜릿 만들기 후기", kNow));
  (void)all.add(doc("B", "두바이 초콜렛 가게", kNow));
  EXPECT_EQ(ids_of(all, all.search("두바이 초콜릿", 10, nullptr)), std::vector<std::string>{"A"});
  // A one-term query needs that term (coverage is at least one term).
  DocumentIndex any(taxonomy(), IndexConfig{.min_query_coverage = 0.0});
  (void)any.add(doc("A", "두바이초콜릿", kNow));
  (void)any.add(doc("C", "여행", kNow));
  EXPECT_EQ(ids_of(any, any.search("두바이 초콜릿", 10, nullptr)), std::vector<std::string>{"A"});
}

TEST(DocumentIndexSearchTest, TitleCountsTwiceAndTiesPreferNewer) {
  DocumentIndex index(taxonomy(), IndexConfig{});
  (void)index.add(doc("body", "간식 이야기", kNow, {}, "두바이 초콜릿"));
  (void)index.add(doc("title", "두바이 초콜릿", kNow, {}, "간식 이야기"));
  auto m = index.search("두바이 초콜릿", 10, nullptr);
  EXPECT_EQ(ids_of(index, m), (std::vector<std::string>{"title", "body"}));

  DocumentIndex same(taxonomy(), IndexConfig{});
  (void)same.add(doc("old", "에스파 일본 앨범", kNow - kMsPerDay));
  (void)same.add(doc("new", "에스파 일본 앨범", kNow));
  (void)same.add(doc("mid", "에스파 일본 앨범", kNow - kMsPerHour));
  auto t = same.search("에스파 일본", 10, nullptr);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].score, t[2].score);
  EXPECT_EQ(ids_of(same, t), (std::vector<std::string>{"new", "mid", "old"}));
  // The partial-sort path (k < matches) orders the same way.
  EXPECT_EQ(ids_of(same, same.search("에스파 일본", 2, nullptr)),
            (std::vector<std::string>{"new", "mid"}));
}

TEST(DocumentIndexSearchTest, VeryCommonTermsAreIgnoredInLargePools) {
  // 24 documents (> 20), 8 of them with 후기: df 8 > 0.25·24 = 6, so 후기 is a stop-bigram.
  DocumentIndex index(taxonomy(), IndexConfig{});
  for (int i = 0; i < 24; ++i) {
    (void)index.add(
        doc("d" + std::to_string(i), i < 8 ? "캠핑 후기" : "문서 " + std::to_string(i), kNow));
  }
  EXPECT_TRUE(index.search("후기", 10, nullptr).empty());
  // A rare term still matches: d20 ("문서 20") through the whole-word term "20".
  EXPECT_EQ(ids_of(index, index.search("20", 10, nullptr)), std::vector<std::string>{"d20"});
  // In a small pool (n ≤ 20) common terms still count.
  DocumentIndex small(taxonomy(), IndexConfig{});
  for (int i = 0; i < 10; ++i) (void)small.add(doc("d" + std::to_string(i), "캠핑 후기", kNow));
  EXPECT_EQ(small.search("후기", 20, nullptr).size(), 10u);
}

// A stop-bigram is "ignored", so it must not count against the query's coverage either:
// "캠핑 후기" in a pool where 후기 is a stop-bigram should match on 캠핑 alone. The index
// computes the needed coverage over all distinct query terms (need = ceil(0.6·2) = 2) but
// can match only the 1 non-stop term, so the query finds nothing.
TEST(DocumentIndexSearchTest, StopTermsDoNotCountAgainstCoverage) {
  DocumentIndex index(taxonomy(), IndexConfig{});
  for (int i = 0; i < 24; ++i) {
    (void)index.add(doc("d" + std::to_string(i),
                        i < 8 ? "맛집 후기 " + std::to_string(i) : "문서 " + std::to_string(i),
                        kNow));
  }
  (void)index.add(doc("camp", "캠핑장 추천", kNow));
  // 25 docs: 후기 in 8 > 0.25·25 = 6.25 → stop-bigram; 캠핑 in 1.
  EXPECT_EQ(ids_of(index, index.search("캠핑 후기", 10, nullptr)),
            std::vector<std::string>{"camp"});
}

TEST(DocumentIndexPopularityTest, DecaysWithHalfLife) {
  DocumentIndex index(taxonomy(), IndexConfig{});  // popularity half-life 24 h
  const DocIndex a = *index.add(doc("a", "t", kNow - kMsPerDay));
  const DocIndex b = *index.add(doc("b", "t", kNow - kMsPerDay));
  EXPECT_EQ(index.popularity(a, kNow), 0.0);
  index.record_click(a, kNow - kMsPerDay);
  index.record_click(a, kNow - kMsPerDay);
  EXPECT_DOUBLE_EQ(index.popularity(a, kNow - kMsPerDay), 2.0);
  EXPECT_DOUBLE_EQ(index.popularity(a, kNow), 1.0);  // one half-life later
  EXPECT_DOUBLE_EQ(index.popularity(a, kNow + kMsPerDay), 0.5);
  // A newer click moves the anchor: 2·0.5 + 1 = 2 at kNow.
  index.record_click(a, kNow);
  EXPECT_DOUBLE_EQ(index.popularity(a, kNow), 2.0);
  EXPECT_DOUBLE_EQ(index.popularity_state(a).recent.value, 2.0);
  EXPECT_EQ(index.popularity_state(a).recent.ref_ms, kNow);
  EXPECT_EQ(index.click_count(a), 3u);
  // The lasting half-life (30 days) barely decays over one day: 2·2^(-1/30) + 1.
  EXPECT_NEAR(index.lasting_popularity(a, kNow), 2 * std::exp2(-1.0 / 30) + 1, 1e-12);
  // An older click arriving late is scaled to the anchor: 1 + 0.5 = 1.5, order-independent.
  index.record_click(b, kNow);
  index.record_click(b, kNow - kMsPerDay);
  EXPECT_DOUBLE_EQ(index.popularity(b, kNow), 1.5);
  // Raw state round-trips, through the store's encoding too.
  DocPopularity p;
  p.recent = DecayedCount{4.0, kNow - 2 * kMsPerDay};
  p.lasting = DecayedCount{8.0, kNow - 30 * kMsPerDay};
  p.clicks = 11;
  index.set_popularity(b, p);
  EXPECT_DOUBLE_EQ(index.popularity(b, kNow), 1.0);
  EXPECT_DOUBLE_EQ(index.lasting_popularity(b, kNow), 4.0);
  EXPECT_EQ(index.click_count(b), 11u);
  auto decoded = decode_doc_popularity(encode_doc_popularity(index.popularity_state(b)));
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_DOUBLE_EQ(decoded->recent.value, 4.0);
  EXPECT_EQ(decoded->recent.ref_ms, kNow - 2 * kMsPerDay);
  EXPECT_DOUBLE_EQ(decoded->lasting.value, 8.0);
  EXPECT_EQ(decoded->lasting.ref_ms, kNow - 30 * kMsPerDay);
  EXPECT_EQ(decoded->clicks, 11u);
}

TEST(DocumentIndexPopularityTest, StoredRecordsOfTheEarlierFormatStillRead) {
  // Before the lasting popularity, a record was the recent count alone (16 bytes).
  std::string legacy(16, '\0');
  const double value = 3.0;
  const TimeMs ref = kNow;
  std::memcpy(legacy.data(), &value, 8);
  std::memcpy(legacy.data() + 8, &ref, 8);
  auto p = decode_doc_popularity(legacy);
  ASSERT_TRUE(p.is_ok());
  EXPECT_DOUBLE_EQ(p->recent.value, 3.0);
  EXPECT_DOUBLE_EQ(p->lasting.value, 3.0);
  EXPECT_EQ(p->clicks, 0u);
  EXPECT_EQ(decode_doc_popularity("short").status().code(), Status::Code::kCorruption);
}

TEST(DocumentIndexPopularityTest, LastingPopularListOrdersByTheSlowHalfLife) {
  DocumentIndex index(taxonomy(), IndexConfig{});
  const DocIndex old_hit = *index.add(doc("old", "t", kNow - 20 * kMsPerDay));
  const DocIndex new_hit = *index.add(doc("new", "t", kNow - kMsPerDay));
  for (int i = 0; i < 10; ++i) index.record_click(old_hit, kNow - 10 * kMsPerDay);
  for (int i = 0; i < 3; ++i) index.record_click(new_hit, kNow);
  index.refresh_popular(kNow);
  ASSERT_GE(index.popular().size(), 2u);
  EXPECT_EQ(index.popular().front(), new_hit);  // one-day half-life: today's clicks win
  ASSERT_EQ(index.lasting_popular().size(), 2u);
  EXPECT_EQ(index.lasting_popular().front(), old_hit);  // 30 days: ten clicks ten days ago win
}

TEST(DocumentIndexPopularityTest, PopularFallsBackToNewest) {
  IndexConfig cfg;
  cfg.popular_list_size = 3;
  DocumentIndex index(taxonomy(), cfg);
  for (int i = 0; i < 5; ++i) {
    (void)index.add(doc("d" + std::to_string(i), "t", kNow - (5 - i) * kMsPerHour));  // d4 newest
  }
  EXPECT_TRUE(index.popular().empty());  // not computed yet
  index.refresh_popular(kNow);
  EXPECT_EQ(ids_of(index, index.popular()), (std::vector<std::string>{"d4", "d3", "d2"}));

  // Clicked documents lead, most popular first; the rest is filled with the newest.
  index.record_click(*index.find("d0"), kNow - 2 * kMsPerDay);  // 2 clicks 2 days ago:
  index.record_click(*index.find("d0"), kNow - 2 * kMsPerDay);  //   2·0.25 = 0.5 now
  index.record_click(*index.find("d1"), kNow);                  // 1.0 now
  index.refresh_popular(kNow);
  EXPECT_EQ(ids_of(index, index.popular()), (std::vector<std::string>{"d1", "d0", "d4"}));
  // A fresher burst overtakes: 3 clicks on d2 now (3.0) beat d1 (1.0) and d0 (0.5).
  for (int i = 0; i < 3; ++i) index.record_click(*index.find("d2"), kNow);
  index.refresh_popular(kNow);
  EXPECT_EQ(ids_of(index, index.popular()), (std::vector<std::string>{"d2", "d1", "d0"}));
}

}  // namespace
}  // namespace feedscout
