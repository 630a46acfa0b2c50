// The held-out evaluation of search-intent refiners (eval/intent_eval.h) on tiny hand-made
// logs: the time split, gold labels mined on the full log, no leakage of test pairs into the
// mined lookup, the query-only baseline, the extractive refiner over a documents file, and
// bad input.
#include "feedscout/eval/intent_eval.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/test_support.h"

namespace feedscout {
namespace {

// SogouQ rows `time user [query] rank click url`. Written out of time order on purpose: the
// split sorts by time.
void write_sogouq(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  auto row = [&](const char* time, const char* query, const char* url) {
    out << time << "\tu1\t[" << query << "]\t1 1\t" << url << "\n";
  };
  // TEST (the last 6 of 11 rows by time)
  row("00:00:06", "에스파", "d1");             // seen in train; gold 에스파 일본 앨범
  row("00:00:07", "블랙핑크", "d3");           // only in test
  row("00:00:08", "블랙핑크 월드투어", "d3");  // makes the gold of (블랙핑크, d3) refined
  out << "garbage without tabs\n";             // a bad row: skipped, counted
  row("00:00:09", "아이유", "d2");             // seen in train; gold 아이유 콘서트
  row("00:00:10", "뉴진스", "d4");             // gold = Q
  row("00:00:11", "!!!", "d5");                // unusable query: counted, no pair
  // TRAIN (the first 5)
  row("00:00:01", "에스파", "d1");
  row("00:00:02", "에스파 일본 앨범", "d1");
  row("00:00:03", "에스파", "d1");
  row("00:00:04", "아이유", "d2");
  row("00:00:05", "아이유 콘서트", "d2");
}

const IntentEvalPair* find_pair(const IntentEvalResult& r, const std::string& q,
                                const std::string& d) {
  for (const IntentEvalPair& p : r.pairs) {
    if (p.query == q && p.doc == d) return &p;
  }
  return nullptr;
}

size_t method(const IntentEvalResult& r, const std::string& name) {
  for (size_t i = 0; i < r.methods.size(); ++i) {
    if (r.methods[i] == name) return i;
  }
  ADD_FAILURE() << "no method " << name;
  return 0;
}

IntentEvalOptions sogouq_options(const testing_support::TempDir& dir) {
  IntentEvalOptions o;
  o.input = dir.file("log.txt");
  o.format = intent::SearchLogFormat::kSogouQ;
  o.holdout = 0.5;
  o.work_dir = dir.file("out");
  return o;
}

TEST(IntentEval, SplitsByTimeAndMinesGoldOnTheFullLog) {
  const testing_support::TempDir dir("feedscout_intent_eval");
  write_sogouq(dir.file("log.txt"));
  auto r = run_intent_eval(sogouq_options(dir));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->rows, 11u);
  EXPECT_EQ(r->train_rows, 5u);  // floor(0.5 × 11)
  EXPECT_EQ(r->test_rows, 6u);
  EXPECT_EQ(r->split_ms, 6000);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_EQ(r->skipped[0].count, 1u);
  ASSERT_EQ(r->rejected.size(), 1u);  // the "!!!" query
  // Pairs clicked in TEST: (에스파,d1) (블랙핑크,d3) (블랙핑크 월드투어,d3) (아이유,d2)
  // (뉴진스,d4).
  ASSERT_EQ(r->pairs.size(), 5u);
  EXPECT_EQ(r->refined_pairs, 3u);
  EXPECT_EQ(r->pairs_seen_in_train, 2u);
  ASSERT_NE(find_pair(*r, "블랙핑크", "d3"), nullptr);
  EXPECT_EQ(find_pair(*r, "블랙핑크", "d3")->gold, "블랙핑크 월드투어");  // from the test part
  EXPECT_EQ(find_pair(*r, "에스파", "d1")->gold, "에스파 일본 앨범");
  EXPECT_EQ(find_pair(*r, "뉴진스", "d4")->gold, "뉴진스");
  // Pairs clicked only in TRAIN are not evaluated.
  EXPECT_EQ(find_pair(*r, "에스파 일본 앨범", "d1"), nullptr);
  EXPECT_TRUE(r->surrogate_documents);
  EXPECT_EQ(r->collection_documents, 2u);  // d1 and d2 were clicked in train
  EXPECT_FALSE(r->language_model_run);
}

TEST(IntentEval, MinedLookupSeesOnlyTheTrainPart) {
  const testing_support::TempDir dir("feedscout_intent_eval");
  write_sogouq(dir.file("log.txt"));
  auto r = run_intent_eval(sogouq_options(dir));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const size_t mined = method(*r, "mined lookup (train)");
  // (블랙핑크, d3) and its refinement occur only in TEST: the lookup must not know them.
  const IntentEvalPair* only_test = find_pair(*r, "블랙핑크", "d3");
  ASSERT_NE(only_test, nullptr);
  EXPECT_FALSE(only_test->seen_in_train);
  EXPECT_EQ(only_test->answers[mined], "블랙핑크");
  EXPECT_EQ(only_test->scores[mined].exact, 0.0);
  // Pairs refined in TRAIN are found.
  EXPECT_EQ(find_pair(*r, "에스파", "d1")->answers[mined], "에스파 일본 앨범");
  EXPECT_EQ(find_pair(*r, "아이유", "d2")->answers[mined], "아이유 콘서트");
  EXPECT_EQ(r->results[mined].table_hits, 2u);
  EXPECT_EQ(r->table_entries, 2u);  // train pairs with Q* != Q
  // Exact match: 4 of 5 pairs, 2 of the 3 refined ones.
  EXPECT_DOUBLE_EQ(r->results[mined].all.exact, 0.8);
  EXPECT_DOUBLE_EQ(r->results[mined].refined.exact, 2.0 / 3.0);
}

TEST(IntentEval, QueryOnlyBaselineIsExactWhereGoldIsTheQuery) {
  const testing_support::TempDir dir("feedscout_intent_eval");
  write_sogouq(dir.file("log.txt"));
  auto r = run_intent_eval(sogouq_options(dir));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const size_t q = method(*r, "query only (Q* = Q)");
  for (const IntentEvalPair& p : r->pairs) {
    EXPECT_EQ(p.answers[q], p.query);
    if (!p.refined()) {
      EXPECT_EQ(p.scores[q].exact, 1.0) << p.query;
    } else {
      EXPECT_EQ(p.scores[q].exact, 0.0) << p.query;
      EXPECT_GT(p.scores[q].rouge_l, 0.0) << p.query;  // Q is a prefix of its Q*
    }
  }
  EXPECT_DOUBLE_EQ(r->results[q].all.exact, 0.4);
  EXPECT_DOUBLE_EQ(r->results[q].refined.exact, 0.0);
  // 에스파 vs 에스파 일본 앨범: ROUGE-L 2·1·(1/3)/(4/3) = 0.5.
  EXPECT_DOUBLE_EQ(find_pair(*r, "에스파", "d1")->scores[q].rouge_l, 0.5);
  // Every refiner starts from Q.
  for (const IntentEvalPair& p : r->pairs) {
    for (const std::string& a : p.answers) EXPECT_EQ(a.rfind(p.query, 0), 0u) << a;
  }
}

std::string search(int n, const std::string& query, const std::string& doc) {
  return "{\"id\":\"e" + std::to_string(n) + "\",\"type\":\"search\",\"user\":\"u1\",\"time\":" +
         "\"2026-11-23T10:00:" + (n < 10 ? "0" : "") + std::to_string(n) + "Z\",\"query\":\"" +
         query + "\",\"clicked\":[\"" + doc + "\"]}\n";
}

TEST(IntentEval, ExtractiveReadsTheDocumentsFile) {
  const testing_support::TempDir dir("feedscout_intent_eval");
  {
    std::ofstream out(dir.file("events.jsonl"), std::ios::binary);
    out << search(1, "에스파", "d1") << search(2, "에스파 일본 앨범", "d1")
        << search(3, "축구", "d2") << search(4, "에스파", "d1");  // TEST: the last one
  }
  {
    std::ofstream out(dir.file("docs.jsonl"), std::ios::binary);
    out << "{\"id\":\"d1\",\"title\":\"에스파 일본 앨범\",\"body\":\"\"}\n"
        << "{\"id\":\"d2\",\"title\":\"축구 경기 결과\"}\n"
        << "{\"id\":\"d3\",\"title\":\"야구 중계\"}\n"
        << "{\"id\":\"d4\",\"title\":\"날씨 예보\",\"body\":\"비 소식\"}\n"
        << "not json\n"
        << "{\"title\":\"no id\"}\n";
  }
  IntentEvalOptions o;
  o.input = dir.file("events.jsonl");
  o.format = intent::SearchLogFormat::kEvents;
  o.documents = dir.file("docs.jsonl");
  o.holdout = 0.25;
  o.work_dir = dir.file("out");
  auto r = run_intent_eval(o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_FALSE(r->surrogate_documents);
  EXPECT_EQ(r->collection_documents, 4u);
  ASSERT_EQ(r->document_skips.size(), 2u);  // broken JSON, missing id
  ASSERT_EQ(r->pairs.size(), 1u);
  const IntentEvalPair& p = r->pairs[0];
  EXPECT_EQ(p.gold, "에스파 일본 앨범");
  EXPECT_TRUE(p.doc_has_text);
  // 일본 and 앨범 are in one document of four: idf = ln(1 + 3.5 / 1.5) ≈ 1.20 ≥ min_idf 1.
  EXPECT_EQ(p.answers[method(*r, "extractive")], "에스파 일본 앨범");
  EXPECT_EQ(p.scores[method(*r, "extractive")].exact, 1.0);
  EXPECT_EQ(p.answers[method(*r, "mined + extractive fallback")], "에스파 일본 앨범");
}

TEST(IntentEval, BadInputIsNamed) {
  const testing_support::TempDir dir("feedscout_intent_eval");
  IntentEvalOptions o = sogouq_options(dir);
  auto missing = run_intent_eval(o);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find(dir.file("log.txt")), std::string::npos);

  write_sogouq(dir.file("log.txt"));
  o.documents = dir.file("nope.jsonl");
  auto no_docs = run_intent_eval(o);
  ASSERT_FALSE(no_docs.is_ok());
  EXPECT_NE(no_docs.status().message().find("nope.jsonl"), std::string::npos);

  o.documents.clear();
  o.holdout = 1.5;
  EXPECT_FALSE(run_intent_eval(o).is_ok());

  o.holdout = 0.5;
  o.limit = 1;  // one row cannot be split
  EXPECT_FALSE(run_intent_eval(o).is_ok());
}

}  // namespace
}  // namespace feedscout
