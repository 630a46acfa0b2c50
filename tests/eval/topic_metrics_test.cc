// Topic classification metrics on a hand-checked fixture (values worked out in comments).
#include "feedscout/eval/topic_metrics.h"

#include <gtest/gtest.h>

namespace feedscout {
namespace {

// Two levels: A > {A1, A2}, B > {B1}, C. TopicIds in file order: A=0 A1=1 A2=2 B=3 B1=4 C=5.
Taxonomy fixture_taxonomy() {
  auto t = Taxonomy::parse(
      "id\tparent\tname\n"
      "A\t\ta\nA1\tA\ta1\nA2\tA\ta2\nB\t\tb\nB1\tB\tb1\nC\t\tc\n",
      "fixture");
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return std::move(t).value();
}

constexpr TopicId A = 0, A1 = 1, A2 = 2, B = 3, B1 = 4, C = 5;

TEST(TopicMetrics, TopicAtLevelMapsToAncestors) {
  const Taxonomy tax = fixture_taxonomy();
  EXPECT_EQ(topic_at_level(tax, A1, 1), A);
  EXPECT_EQ(topic_at_level(tax, A1, 2), A1);
  EXPECT_EQ(topic_at_level(tax, A, 2), kNoTopic);
  EXPECT_EQ(topic_at_level(tax, kNoTopic, 1), kNoTopic);
}

TEST(TopicMetrics, HandComputedPerLevel) {
  const Taxonomy tax = fixture_taxonomy();
  const std::vector<TopicExample> examples = {
      {A1, {A1, B1}},      // 1
      {A2, {A1, A2, B1}},  // 2
      {B1, {A2, B1}},      // 3
      {B, {B1}},           // 4: gold at level 1 only
      {A1, {}},            // 5: no prediction
      {C, {B}},            // 6: gold at level 1 only
  };
  const std::unordered_set<TopicId> train = {A1, B1};
  const auto m = evaluate_topics(tax, examples, train);
  ASSERT_EQ(m.size(), 2u);

  // Level 1, n = 6. Top-1 predictions: A (gold A, TP), A (gold A, TP), A (gold B, FP),
  // B (gold B, TP), none (gold A), B (gold C, FP). TP 3, FP 2.
  const TopicLevelMetrics& l1 = m[0];
  EXPECT_EQ(l1.level, 1);
  EXPECT_EQ(l1.examples, 6u);
  EXPECT_DOUBLE_EQ(l1.micro_precision, 3.0 / 5);         // 0.6
  EXPECT_DOUBLE_EQ(l1.micro_recall, 3.0 / 6);            // 0.5
  EXPECT_NEAR(l1.micro_f1, 2 * 0.6 * 0.5 / 1.1, 1e-12);  // 0.5454...
  // Top-1 hits: 1, 2, 4. Top-3 (distinct level-1 labels): 1 [A,B], 2 [A,B], 3 [A,B] hit
  // B, 4 [B]; 5 [] and 6 [B] (gold C) miss.
  EXPECT_DOUBLE_EQ(l1.top1, 3.0 / 6);
  EXPECT_DOUBLE_EQ(l1.top3, 4.0 / 6);
  // Per label: A gold 3 (1,2,5), predicted 3 (1,2,3), TP 2 → P = R = F1 = 2/3.
  //            B gold 2 (3,4), predicted 2 (4,6), TP 1 → P = R = F1 = 1/2.
  //            C gold 1, never predicted → P = R = F1 = 0.
  // Macro = (2/3 + 1/2 + 0) / 3 = 7/18.
  EXPECT_NEAR(l1.macro_precision, 7.0 / 18, 1e-12);
  EXPECT_NEAR(l1.macro_recall, 7.0 / 18, 1e-12);
  EXPECT_NEAR(l1.macro_f1, 7.0 / 18, 1e-12);
  // Predicted {A, B} of taxonomy level 1 {A, B, C}; gold {A, B, C}, of which training
  // (A1 → A, B1 → B) has A and B.
  EXPECT_EQ(l1.taxonomy_labels, 3u);
  EXPECT_EQ(l1.predicted_labels, 2u);
  EXPECT_NEAR(l1.predicted_coverage, 2.0 / 3, 1e-12);
  EXPECT_EQ(l1.eval_labels, 3u);
  EXPECT_EQ(l1.eval_labels_in_train, 2u);
  EXPECT_NEAR(l1.train_coverage, 2.0 / 3, 1e-12);

  // Level 2, n = 4 (examples 1, 2, 3, 5). Predictions: A1 (gold A1, TP), A1 (gold A2, FP),
  // A2 (gold B1, FP), none (gold A1). TP 1, FP 2 → P 1/3, R 1/4, F1 = (1/6)/(7/12) = 2/7.
  const TopicLevelMetrics& l2 = m[1];
  EXPECT_EQ(l2.level, 2);
  EXPECT_EQ(l2.examples, 4u);
  EXPECT_NEAR(l2.micro_precision, 1.0 / 3, 1e-12);
  EXPECT_NEAR(l2.micro_recall, 1.0 / 4, 1e-12);
  EXPECT_NEAR(l2.micro_f1, 2.0 / 7, 1e-12);
  // Top-1: only 1. Top-3: 1, 2 [A1,A2,B1], 3 [A2,B1]; 5 misses.
  EXPECT_DOUBLE_EQ(l2.top1, 1.0 / 4);
  EXPECT_DOUBLE_EQ(l2.top3, 3.0 / 4);
  // A1: gold 2 (1,5), predicted 2 (1,2), TP 1 → 1/2 each; A2: gold 1, predicted 1 (ex 3),
  // TP 0 → 0; B1: gold 1, never predicted → 0. Macro = (1/2) / 3 = 1/6.
  EXPECT_NEAR(l2.macro_precision, 1.0 / 6, 1e-12);
  EXPECT_NEAR(l2.macro_recall, 1.0 / 6, 1e-12);
  EXPECT_NEAR(l2.macro_f1, 1.0 / 6, 1e-12);
  EXPECT_EQ(l2.taxonomy_labels, 3u);   // A1, A2, B1
  EXPECT_EQ(l2.predicted_labels, 2u);  // A1, A2
  EXPECT_EQ(l2.eval_labels, 3u);       // A1, A2, B1
  EXPECT_EQ(l2.eval_labels_in_train, 2u);
}

TEST(TopicMetrics, MacroPrecisionAndRecallDiffer) {
  const Taxonomy tax = fixture_taxonomy();
  // Gold A, A, B, C; predicted A, B, B, B.
  // A: predicted 1, gold 2, TP 1 → P 1, R 1/2, F1 2/3.
  // B: predicted 3, gold 1, TP 1 → P 1/3, R 1, F1 (2/3)/(4/3) = 1/2.
  // C: never predicted → 0. Macro P = (1 + 1/3) / 3 = 4/9, R = (1/2 + 1) / 3 = 1/2,
  // F1 = (2/3 + 1/2) / 3 = 7/18. Micro: TP 2, FP 2 → 1/2 everywhere.
  const auto m = evaluate_topics(tax, {{A, {A}}, {A, {B}}, {B, {B}}, {C, {B}}}, {});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NEAR(m[0].macro_precision, 4.0 / 9, 1e-12);
  EXPECT_NEAR(m[0].macro_recall, 0.5, 1e-12);
  EXPECT_NEAR(m[0].macro_f1, 7.0 / 18, 1e-12);
  EXPECT_NEAR(m[0].micro_precision, 0.5, 1e-12);
  EXPECT_NEAR(m[0].micro_f1, 0.5, 1e-12);
  EXPECT_EQ(m[0].eval_labels_in_train, 0u);
  EXPECT_EQ(m[0].train_coverage, 0.0);
}

TEST(TopicMetrics, MajorityRankingByFrequencyThenId) {
  EXPECT_EQ(majority_ranking({B1, A1, B1, A2, A1, B1}), (std::vector<TopicId>{B1, A1, A2}));
  EXPECT_EQ(majority_ranking({A2, A1}), (std::vector<TopicId>{A1, A2}));
  EXPECT_TRUE(majority_ranking({}).empty());
}

TEST(TopicMetrics, TableNamesMethodAndLevel) {
  const Taxonomy tax = fixture_taxonomy();
  const auto m = evaluate_topics(tax, {{A, {A}}}, {A});
  const std::string rows = topic_metrics_table_rows("majority baseline", m);
  EXPECT_EQ(rows.rfind("| majority baseline | 1 | 1 | 1.0000 |", 0), 0u) << rows;
}

}  // namespace
}  // namespace feedscout
