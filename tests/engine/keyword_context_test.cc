// The writer's memo of extracted keywords (src/engine/keyword_context.h): a hit gives the
// user exactly what a fresh extraction gives, for clicks and searches, and adding a document
// (which moves every idf) empties it.
#include "engine/keyword_context.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/search_refinement.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

Document doc(std::string id, std::string title, std::string body) {
  Document d;
  d.id = std::move(id);
  d.title = std::move(title);
  d.body = std::move(body);
  d.created_ms = kNow - 3600 * 1000;
  return d;
}

Event click(std::string id, std::string doc_id, TimeMs t) {
  Event e;
  e.id = std::move(id);
  e.type = EventType::kClick;
  e.user = "u";
  e.surface = Surface::kFeed;
  e.time_ms = t;
  e.doc_ids = {std::move(doc_id)};
  return e;
}

std::vector<KeywordScore> scores(const UserContext& user, const ContextConfig& config) {
  return keyword_scores(user.keywords(), kNow, config.keywords);
}

void expect_same(const std::vector<KeywordScore>& a, const std::vector<KeywordScore>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].text, b[i].text) << i;
    EXPECT_DOUBLE_EQ(a[i].weight, b[i].weight) << a[i].text;
  }
}

TEST(KeywordMemoTest, AHitEqualsAFreshExtractionUntilADocumentIsAdded) {
  DocumentIndex index(testing_support::taxonomy(), IndexConfig{});
  ASSERT_TRUE(index.add(doc("a1", "에스파 일본 정규 앨범 발매", "에스파가 일본에서 첫 앨범")));
  for (int i = 0; i < 12; ++i) {  // a corpus for idf: the clicked document's words are rare
    ASSERT_TRUE(index.add(
        doc("x" + std::to_string(i), "야구 경기 결과 " + std::to_string(i), "경기 결과 요약")));
  }
  const IndexWordWeights weights(index);
  const intent::StatisticalKeywordExtractor extractor(weights, intent::KeywordOptions{});
  const ContextConfig config;
  const DocIndex a1 = *index.find("a1");

  KeywordMemo cache;
  UserContext cached, fresh;
  for (int i = 0; i < 3; ++i) {
    const Event e = click("c" + std::to_string(i), "a1", kNow - (3 - i) * 60000);
    const size_t n = record_keywords(cached, e, {a1, a1}, index, extractor, config, &cache);
    EXPECT_GT(n, 0u);
    EXPECT_EQ(record_keywords(fresh, e, {a1}, index, extractor, config, nullptr), n);
  }
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 2u);
  expect_same(scores(cached, config), scores(fresh, config));

  // A new document moves idf: the memo starts again, and still agrees with the extractor.
  ASSERT_TRUE(index.add(doc("a2", "에스파 일본 앨범 오리콘", "오리콘 차트")));
  EXPECT_EQ(cache.find(KeywordMemo::key("", {a1}), index.size()), nullptr);
  const Event later = click("c9", "a1", kNow);
  record_keywords(cached, later, {a1}, index, extractor, config, &cache);
  record_keywords(fresh, later, {a1}, index, extractor, config, nullptr);
  expect_same(scores(cached, config), scores(fresh, config));

  // A click on several documents is memoised under their distinct set, in any order.
  const DocIndex x0 = *index.find("x0");
  Event pair = click("c10", "a1", kNow);
  pair.doc_ids.push_back("x0");
  const size_t pair_misses = cache.misses();
  for (const std::vector<DocIndex>& docs :
       {std::vector<DocIndex>{a1, x0}, std::vector<DocIndex>{x0, a1, a1}}) {
    const size_t n = record_keywords(cached, pair, docs, index, extractor, config, &cache);
    EXPECT_EQ(record_keywords(fresh, pair, docs, index, extractor, config, nullptr), n);
  }
  EXPECT_EQ(cache.misses(), pair_misses + 1);
  expect_same(scores(cached, config), scores(fresh, config));

  // A search is never memoised (its query takes part, and queries rarely repeat).
  Event search = click("s1", "a1", kNow);
  search.type = EventType::kSearch;
  search.query = "에스파";
  const size_t before = cache.hits() + cache.misses();
  record_keywords(cached, search, {a1}, index, extractor, config, &cache);
  EXPECT_EQ(cache.hits() + cache.misses(), before);
  EXPECT_NE(KeywordMemo::key("에스파", {a1}), KeywordMemo::key("", {a1}));
}

TEST(KeywordMemoTest, AFullMemoStartsAgain) {
  KeywordMemo cache(2);
  const std::string k1 = KeywordMemo::key("", {1}), k2 = KeywordMemo::key("", {2}),
                    k3 = KeywordMemo::key("q", {3});
  cache.put(k1, 10, {{"에스파", intent::KeywordKind::kKeyword, 1.0}});
  cache.put(k2, 10, {});
  ASSERT_NE(cache.find(k1, 10), nullptr);
  cache.put(k3, 10, {{"야구", intent::KeywordKind::kKeyword, 0.5}});  // full: emptied first
  EXPECT_EQ(cache.find(k1, 10), nullptr);
  ASSERT_NE(cache.find(k3, 10), nullptr);
  EXPECT_EQ(cache.find(k3, 10)->at(0).text, "야구");
  EXPECT_EQ(cache.find(k3, 11), nullptr);  // another index size: emptied
}

}  // namespace
}  // namespace feedscout
