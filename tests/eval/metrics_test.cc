// Ranking metrics: every expected value is computed by hand in the comment next to it.
// Shorthand: L2(x) = log2(x); 1/L2(3) = 0.6309297535714574, 1/L2(5) = 0.4306765580733931,
// 1/L2(6) = 0.3868528072345416.
#include "feedscout/eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "feedscout/eval/sample_generator.h"

namespace feedscout {
namespace {

constexpr double kEps = 1e-12;
const double kInvL2of3 = 1.0 / std::log2(3.0);
const double kInvL2of5 = 1.0 / std::log2(5.0);
const double kInvL2of6 = 1.0 / std::log2(6.0);
const double kNan = std::numeric_limits<double>::quiet_NaN();

using Items = std::vector<ItemId>;

// ---- next-item metrics ----

// The list [a,b,c,d,e] = [1,2,3,4,5] with relevant {c,e} = {3,5}: hits at ranks 3 and 5.
TEST(MetricsNextItemTest, HandComputedList) {
  const Items ranked{1, 2, 3, 4, 5};
  const Items relevant{3, 5};
  EXPECT_EQ(relevant_ranks(ranked, relevant), (std::vector<size_t>{3, 5}));

  EXPECT_NEAR(hit_rate_at_k(ranked, relevant, 1), 0.0, kEps);
  EXPECT_NEAR(hit_rate_at_k(ranked, relevant, 2), 0.0, kEps);
  EXPECT_NEAR(hit_rate_at_k(ranked, relevant, 3), 1.0, kEps);
  EXPECT_NEAR(hit_rate_at_k(ranked, relevant, 5), 1.0, kEps);

  // nDCG@5 = (1/L2(4) + 1/L2(6)) / (1/L2(2) + 1/L2(3)) = 0.8868528 / 1.6309298 = 0.5437713
  EXPECT_NEAR(ndcg_at_k(ranked, relevant, 5), (0.5 + kInvL2of6) / (1.0 + kInvL2of3), kEps);
  EXPECT_NEAR(ndcg_at_k(ranked, relevant, 5), 0.54377131, 1e-8);
  // nDCG@3 = (1/L2(4)) / (1 + 1/L2(3)) = 0.5 / 1.6309298 = 0.3065736
  EXPECT_NEAR(ndcg_at_k(ranked, relevant, 3), 0.5 / (1.0 + kInvL2of3), kEps);
  // nDCG@2: no hit in the first two.
  EXPECT_NEAR(ndcg_at_k(ranked, relevant, 2), 0.0, kEps);

  // MRR: first relevant at rank 3 -> 1/3; truncated at 2 -> 0, at 3 -> 1/3.
  EXPECT_NEAR(reciprocal_rank(ranked, relevant), 1.0 / 3, kEps);
  EXPECT_NEAR(reciprocal_rank_at_k(ranked, relevant, 2), 0.0, kEps);
  EXPECT_NEAR(reciprocal_rank_at_k(ranked, relevant, 3), 1.0 / 3, kEps);

  // precision@3 = 1/3, @5 = 2/5; recall@3 = 1/2, @5 = 2/2.
  EXPECT_NEAR(precision_at_k(ranked, relevant, 3), 1.0 / 3, kEps);
  EXPECT_NEAR(precision_at_k(ranked, relevant, 5), 2.0 / 5, kEps);
  EXPECT_NEAR(recall_at_k(ranked, relevant, 3), 0.5, kEps);
  EXPECT_NEAR(recall_at_k(ranked, relevant, 5), 1.0, kEps);
}

// k larger than the list: only the list's items can hit; precision still divides by k and
// the ideal DCG still assumes min(k, |relevant|) hits.
TEST(MetricsNextItemTest, CutoffLargerThanList) {
  const Items ranked{1, 2, 3, 4, 5};
  const Items relevant{3, 5};
  EXPECT_NEAR(hit_rate_at_k(ranked, relevant, 10), 1.0, kEps);
  // IDCG@10 over min(10, 2) = 2 items: same as nDCG@5.
  EXPECT_NEAR(ndcg_at_k(ranked, relevant, 10), (0.5 + kInvL2of6) / (1.0 + kInvL2of3), kEps);
  EXPECT_NEAR(precision_at_k(ranked, relevant, 10), 2.0 / 10, kEps);
  EXPECT_NEAR(recall_at_k(ranked, relevant, 10), 1.0, kEps);

  // [7,1] against {1,2,3}, k = 5: one hit at rank 2.
  const Items short_list{7, 1};
  const Items three{1, 2, 3};
  // nDCG@5 = (1/L2(3)) / (1 + 1/L2(3) + 1/L2(4)) = 0.6309298 / 2.1309298 = 0.2960819
  EXPECT_NEAR(ndcg_at_k(short_list, three, 5), kInvL2of3 / (1.0 + kInvL2of3 + 0.5), kEps);
  EXPECT_NEAR(precision_at_k(short_list, three, 5), 1.0 / 5, kEps);
  EXPECT_NEAR(recall_at_k(short_list, three, 5), 1.0 / 3, kEps);
  EXPECT_NEAR(reciprocal_rank(short_list, three), 0.5, kEps);
}

// A relevant item repeated in the ranking counts once, at its first occurrence; repeats in
// the relevant set are ignored.
TEST(MetricsNextItemTest, DuplicatesCountOnce) {
  const Items ranked{3, 3, 1, 5};
  const Items relevant{5, 5, 3};  // the set {3, 5}
  EXPECT_EQ(relevant_ranks(ranked, relevant), (std::vector<size_t>{1, 4}));
  // Top 2 = [3, 3]: one distinct hit. precision@2 = 1/2, recall@2 = 1/2.
  EXPECT_NEAR(precision_at_k(ranked, relevant, 2), 0.5, kEps);
  EXPECT_NEAR(recall_at_k(ranked, relevant, 2), 0.5, kEps);
  // nDCG@2 = (1/L2(2)) / (1 + 1/L2(3)) = 1 / 1.6309298 = 0.6131472 (the repeat gains 0).
  EXPECT_NEAR(ndcg_at_k(ranked, relevant, 2), 1.0 / (1.0 + kInvL2of3), kEps);
  // nDCG@4 = (1 + 1/L2(5)) / (1 + 1/L2(3)) = 1.4306766 / 1.6309298 = 0.8772153
  EXPECT_NEAR(ndcg_at_k(ranked, relevant, 4), (1.0 + kInvL2of5) / (1.0 + kInvL2of3), kEps);
  EXPECT_NEAR(precision_at_k(ranked, relevant, 4), 2.0 / 4, kEps);
  EXPECT_NEAR(recall_at_k(ranked, relevant, 4), 1.0, kEps);
  EXPECT_NEAR(reciprocal_rank(ranked, relevant), 1.0, kEps);

  // A list made only of repeats of one hit cannot exceed one hit: [9,9,9] vs {9}.
  const Items repeats{9, 9, 9};
  const Items nine{9};
  EXPECT_NEAR(ndcg_at_k(repeats, nine, 3), 1.0, kEps);
  EXPECT_NEAR(precision_at_k(repeats, nine, 3), 1.0 / 3, kEps);
  EXPECT_NEAR(recall_at_k(repeats, nine, 3), 1.0, kEps);
}

TEST(MetricsNextItemTest, EmptyInputsAndZeroCutoffGiveZero) {
  const Items ranked{1, 2, 3};
  const Items none;
  const Items two{2};
  for (size_t k : {size_t{0}, size_t{1}, size_t{5}}) {
    EXPECT_EQ(hit_rate_at_k(ranked, none, k), 0.0);
    EXPECT_EQ(ndcg_at_k(ranked, none, k), 0.0);
    EXPECT_EQ(precision_at_k(ranked, none, k), 0.0);
    EXPECT_EQ(recall_at_k(ranked, none, k), 0.0);
    EXPECT_EQ(hit_rate_at_k(none, two, k), 0.0);
    EXPECT_EQ(ndcg_at_k(none, two, k), 0.0);
    EXPECT_EQ(precision_at_k(none, two, k), 0.0);
    EXPECT_EQ(recall_at_k(none, two, k), 0.0);
    EXPECT_EQ(reciprocal_rank_at_k(none, two, k), 0.0);
  }
  EXPECT_EQ(reciprocal_rank(ranked, none), 0.0);
  EXPECT_EQ(reciprocal_rank(none, two), 0.0);
  EXPECT_TRUE(relevant_ranks(none, two).empty());
  // k = 0 with a hit at rank 2 is still 0.
  EXPECT_EQ(hit_rate_at_k(ranked, two, 0), 0.0);
  EXPECT_EQ(ndcg_at_k(ranked, two, 0), 0.0);
  EXPECT_EQ(precision_at_k(ranked, two, 0), 0.0);
  EXPECT_EQ(recall_at_k(ranked, two, 0), 0.0);
  EXPECT_EQ(reciprocal_rank_at_k(ranked, two, 0), 0.0);
}

TEST(MetricsNextItemTest, ReciprocalRankLooksAtTheWholeList) {
  Items ranked;
  for (ItemId i = 1; i <= 30; ++i) ranked.push_back(i);
  const Items relevant{30, 28};
  EXPECT_NEAR(reciprocal_rank(ranked, relevant), 1.0 / 28, kEps);  // first hit: item 28
  EXPECT_NEAR(reciprocal_rank_at_k(ranked, relevant, 20), 0.0, kEps);
  EXPECT_NEAR(reciprocal_rank_at_k(ranked, relevant, 28), 1.0 / 28, kEps);
}

// ---- ranking by score ----

TEST(MetricsOrderTest, StableTiesAndNanLast) {
  const std::vector<double> scores{0.5, kNan, 0.9, 0.5, -0.0, 0.0, kNan};
  // 0.9 (2), the tied 0.5s in input order (0, 3), the tied zeros in input order (4, 5),
  // then the NaNs in input order (1, 6).
  EXPECT_EQ(order_by_score(scores), (std::vector<size_t>{2, 0, 3, 4, 5, 1, 6}));
  EXPECT_TRUE(order_by_score(std::vector<double>{}).empty());
}

// ---- impression metrics ----

TEST(MetricsImpressionTest, AucHandComputed) {
  // Clicked 0.9 beats unclicked 0.8 and 0.1 (2 pairs); clicked 0.3 beats 0.1 but not 0.8
  // (1 pair): 3 of 2 × 2 pairs = 0.75.
  const std::vector<double> scores{0.9, 0.8, 0.3, 0.1};
  const std::vector<int> labels{1, 0, 1, 0};
  ASSERT_TRUE(impression_auc(scores, labels).has_value());
  EXPECT_NEAR(*impression_auc(scores, labels), 0.75, kEps);
  // Perfect and reversed rankings.
  EXPECT_NEAR(*impression_auc(scores, std::vector<int>{1, 1, 0, 0}), 1.0, kEps);
  EXPECT_NEAR(*impression_auc(scores, std::vector<int>{0, 0, 1, 1}), 0.0, kEps);
}

TEST(MetricsImpressionTest, AucTiesCountHalf) {
  // Clicked 0.5 ties unclicked 0.5 (1/2) and beats unclicked 0.2 (1): 1.5 / 2 = 0.75.
  EXPECT_NEAR(*impression_auc(std::vector<double>{0.5, 0.5, 0.2}, std::vector<int>{1, 0, 0}), 0.75,
              kEps);
  // The tie is symmetric: the unclicked candidate first in the input changes nothing.
  EXPECT_NEAR(*impression_auc(std::vector<double>{0.5, 0.5, 0.2}, std::vector<int>{0, 1, 0}), 0.75,
              kEps);
  // All scores equal: every pair is a tie -> 0.5.
  EXPECT_NEAR(*impression_auc(std::vector<double>{1, 1, 1, 1, 1}, std::vector<int>{1, 0, 1, 0, 0}),
              0.5, kEps);
  // Two tied groups: scores [0.7,0.7,0.7,0.2,0.2], labels [1,0,0,1,0].
  // Clicked 0.7: ties 2 unclicked 0.7 (1), beats unclicked 0.2 (1) -> 2.
  // Clicked 0.2: loses to 2 unclicked 0.7 (0), ties unclicked 0.2 (0.5) -> 0.5.
  // (2 + 0.5) / (2 × 3) = 0.4166667
  EXPECT_NEAR(*impression_auc(std::vector<double>{0.7, 0.7, 0.7, 0.2, 0.2},
                              std::vector<int>{1, 0, 0, 1, 0}),
              2.5 / 6, kEps);
}

TEST(MetricsImpressionTest, UndefinedWithoutBothClasses) {
  const std::vector<double> scores{0.3, 0.2};
  EXPECT_FALSE(impression_auc(scores, std::vector<int>{0, 0}).has_value());
  EXPECT_FALSE(impression_auc(scores, std::vector<int>{1, 1}).has_value());
  EXPECT_FALSE(impression_mrr(scores, std::vector<int>{0, 0}).has_value());
  EXPECT_FALSE(impression_ndcg(scores, std::vector<int>{0, 0}, 5).has_value());
  EXPECT_FALSE(impression_ndcg(scores, std::vector<int>{1, 0}, 0).has_value());
  EXPECT_FALSE(impression_auc(std::vector<double>{}, std::vector<int>{}).has_value());
  // With every candidate clicked MRR and nDCG are defined (AUC is not):
  // MRR = (1/1 + 1/2) / 2 = 0.75, nDCG@5 = 1.
  EXPECT_NEAR(*impression_mrr(scores, std::vector<int>{1, 1}), 0.75, kEps);
  EXPECT_NEAR(*impression_ndcg(scores, std::vector<int>{1, 1}, 5), 1.0, kEps);
}

// Five candidates: scores [0.1, 0.7, 0.3, 0.9, 0.5], clicks on candidates 1 and 4.
// Ranked by score: 3 (0.9, no), 1 (0.7, click), 4 (0.5, click), 2 (0.3, no), 0 (0.1, no):
// the clicks are at ranks 2 and 3.
TEST(MetricsImpressionTest, MindMrrAndNdcgOnFiveCandidates) {
  const std::vector<double> scores{0.1, 0.7, 0.3, 0.9, 0.5};
  const std::vector<int> labels{0, 1, 0, 0, 1};
  // MRR = (1/2 + 1/3) / 2 = 5/12 = 0.4166667
  EXPECT_NEAR(*impression_mrr(scores, labels), 5.0 / 12, kEps);
  // nDCG@5: DCG = (2^1-1)/L2(3) + (2^1-1)/L2(4) = 0.6309298 + 0.5 = 1.1309298;
  // ideal (clicks at ranks 1, 2) = 1 + 0.6309298 = 1.6309298; ratio = 0.6934264.
  const double ndcg5 = (kInvL2of3 + 0.5) / (1.0 + kInvL2of3);
  EXPECT_NEAR(*impression_ndcg(scores, labels, 5), ndcg5, kEps);
  EXPECT_NEAR(*impression_ndcg(scores, labels, 5), 0.69342640, 1e-8);
  // nDCG@10 over 5 candidates: the same.
  EXPECT_NEAR(*impression_ndcg(scores, labels, 10), ndcg5, kEps);
  // nDCG@2: DCG = 1/L2(3); ideal = 1 + 1/L2(3) -> 0.3868528.
  EXPECT_NEAR(*impression_ndcg(scores, labels, 2), kInvL2of3 / (1.0 + kInvL2of3), kEps);
  // AUC: 0.7 beats 0.3, 0.1 (2); 0.5 beats 0.3, 0.1 (2); 4 / (2 × 3) = 2/3.
  EXPECT_NEAR(*impression_auc(scores, labels), 2.0 / 3, kEps);
}

TEST(MetricsImpressionTest, TiedScoresRankInInputOrder) {
  // All tied: the order is the input order, so the click at index 1 is at rank 2.
  const std::vector<double> scores{0.5, 0.5, 0.5};
  const std::vector<int> labels{0, 1, 0};
  EXPECT_NEAR(*impression_mrr(scores, labels), 0.5, kEps);
  // nDCG@5 = (1/L2(3)) / 1 = 0.6309298
  EXPECT_NEAR(*impression_ndcg(scores, labels, 5), kInvL2of3, kEps);
}

TEST(MetricsImpressionTest, NdcgTruncatesAtK) {
  // 12 candidates scored 12, 11, …, 1 (input order = rank order); clicks at ranks 1 and 11.
  std::vector<double> scores;
  for (int i = 12; i >= 1; --i) scores.push_back(i);
  std::vector<int> labels(12, 0);
  labels[0] = 1;
  labels[10] = 1;
  // nDCG@10 = nDCG@5 = (1/L2(2)) / (1 + 1/L2(3)) = 0.6131472 (rank 11 is cut off).
  EXPECT_NEAR(*impression_ndcg(scores, labels, 10), 1.0 / (1.0 + kInvL2of3), kEps);
  EXPECT_NEAR(*impression_ndcg(scores, labels, 5), 1.0 / (1.0 + kInvL2of3), kEps);
  // MRR = (1/1 + 1/11) / 2 = 6/11.
  EXPECT_NEAR(*impression_mrr(scores, labels), 6.0 / 11, kEps);
  // AUC: rank 1 beats all 10 unclicked, rank 11 beats 1 (rank 12): 11 / 20 = 0.55.
  EXPECT_NEAR(*impression_auc(scores, labels), 0.55, kEps);
}

TEST(MetricsImpressionTest, CheckImpressionRejectsMalformedInput) {
  EXPECT_TRUE(check_impression(std::vector<double>{0.1, 0.2}, std::vector<int>{0, 1}).is_ok());
  EXPECT_TRUE(check_impression(std::vector<double>{}, std::vector<int>{}).is_ok());
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(check_impression(std::vector<double>{inf, -inf}, std::vector<int>{0, 1}).is_ok());

  Status s = check_impression(std::vector<double>{0.1, 0.2}, std::vector<int>{0});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "impression has 2 scores but 1 labels");
  s = check_impression(std::vector<double>{0.1, 0.2}, std::vector<int>{0, 2});
  EXPECT_EQ(s.message(), "labels[1] = 2: expected 0 or 1");
  s = check_impression(std::vector<double>{0.1, kNan}, std::vector<int>{0, 1});
  EXPECT_EQ(s.message(), "scores[1] is NaN");
}

// ---- catalogue ----

TEST(MetricsCatalogueTest, PopularityRanks) {
  auto c = Catalogue::from_popularity_order({10, 20, 30});
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->size(), 3u);
  EXPECT_EQ(c->popularity_rank(10), 1u);
  EXPECT_EQ(c->popularity_rank(30), 3u);
  EXPECT_EQ(c->popularity_rank(99), 0u);  // not in the catalogue

  // Counts [2, 5, 2, 1] for items [7, 8, 9, 6]: 8 (5), then 7 and 9 tied at 2 in input
  // order, then 6 (1).
  auto f = Catalogue::from_counts(Items{7, 8, 9, 6}, std::vector<double>{2, 5, 2, 1});
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  EXPECT_EQ(f->items(), (Items{8, 7, 9, 6}));
  EXPECT_EQ(f->popularity_rank(9), 3u);
}

TEST(MetricsCatalogueTest, BadCataloguesAreRejected) {
  auto empty = Catalogue::from_popularity_order({});
  EXPECT_EQ(empty.status().code(), Status::Code::kInvalidArgument);
  auto repeated = Catalogue::from_popularity_order({1, 2, 1});
  EXPECT_EQ(repeated.status().message(),
            "catalogue item 1 repeated at popularity positions 0 and 2");
  auto mismatch = Catalogue::from_counts(Items{1, 2}, std::vector<double>{1});
  EXPECT_EQ(mismatch.status().code(), Status::Code::kInvalidArgument);
  auto nan = Catalogue::from_counts(Items{1, 2}, std::vector<double>{1, kNan});
  EXPECT_EQ(nan.status().message(), "counts[1] is NaN");
  auto rep = Catalogue::from_counts(Items{4, 4}, std::vector<double>{1, 2});
  EXPECT_EQ(rep.status().message(), "catalogue item 4 repeated at indexes 0 and 1");
}

// Catalogue [10, 20, 30, 40, 50] (ranks 1..5); lists [10, 20, 99], [20, 30, 40], [].
TEST(MetricsCatalogueTest, CoverageAndMeanPopularityRank) {
  auto c = Catalogue::from_popularity_order({10, 20, 30, 40, 50});
  ASSERT_TRUE(c.is_ok());
  const std::vector<Items> lists{{10, 20, 99}, {20, 30, 40}, {}};

  // k = 2: slots 10 (1), 20 (2), 20 (2), 30 (3); distinct {10, 20, 30}.
  // coverage = 3/5 = 0.6, mean rank = (1 + 2 + 2 + 3) / 4 = 2.
  CatalogueStats s2 = catalogue_stats(lists, 2, *c);
  EXPECT_EQ(s2.k, 2u);
  EXPECT_EQ(s2.distinct_items, 3u);
  EXPECT_NEAR(s2.coverage, 0.6, kEps);
  EXPECT_EQ(s2.slots, 4u);
  EXPECT_NEAR(s2.mean_popularity_rank, 2.0, kEps);
  EXPECT_EQ(s2.unknown_slots, 0u);

  // k = 3 adds 99 (not in the catalogue, ignored) and 40 (4): distinct 4 -> 0.8,
  // mean rank = (8 + 4) / 5 = 2.4.
  CatalogueStats s3 = catalogue_stats(lists, 3, *c);
  EXPECT_EQ(s3.distinct_items, 4u);
  EXPECT_NEAR(s3.coverage, 0.8, kEps);
  EXPECT_EQ(s3.slots, 5u);
  EXPECT_NEAR(s3.mean_popularity_rank, 2.4, kEps);
  EXPECT_EQ(s3.unknown_slots, 1u);

  // k = 100 is the same as k = 3 (no list is longer); no lists at all gives zeros.
  EXPECT_NEAR(catalogue_stats(lists, 100, *c).coverage, 0.8, kEps);
  CatalogueStats none = catalogue_stats(std::vector<Items>{}, 3, *c);
  EXPECT_EQ(none.slots, 0u);
  EXPECT_EQ(none.coverage, 0.0);
  EXPECT_EQ(none.mean_popularity_rank, 0.0);
}

// ---- RankingEvaluator ----

TEST(MetricsRankingEvaluatorTest, CutoffsAreValidatedSortedAndDeduplicated) {
  auto def = RankingEvaluator::create();
  ASSERT_TRUE(def.is_ok());
  EXPECT_EQ(def->cutoffs(), (std::vector<size_t>{5, 10, 20}));
  auto e = RankingEvaluator::create({10, 5, 10});
  ASSERT_TRUE(e.is_ok());
  EXPECT_EQ(e->cutoffs(), (std::vector<size_t>{5, 10}));
  EXPECT_EQ(RankingEvaluator::create({}).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(RankingEvaluator::create({5, 0}).status().message(), "cutoffs: 0 is not in 1..1000000");
  EXPECT_FALSE(RankingEvaluator::create({kMaxCutoff + 1}).is_ok());
}

TEST(MetricsRankingEvaluatorTest, NothingAddedGivesZeroMeans) {
  auto e = RankingEvaluator::create();
  ASSERT_TRUE(e.is_ok());
  RankingSummary s = e->summary();
  EXPECT_EQ(s.lists_evaluated, 0u);
  EXPECT_EQ(s.lists_skipped(), 0u);
  EXPECT_EQ(s.mrr, 0.0);
  ASSERT_EQ(s.at_cutoff.size(), 3u);
  EXPECT_EQ(s.at_cutoff[0].ndcg, 0.0);
  EXPECT_FALSE(s.at_cutoff[0].catalogue.has_value());
}

// Lists (cutoffs {2, 3}, catalogue [10, 20, 30, 40, 50]):
//   A [10, 20, 99] relevant {20}: hit at rank 2.
//   B [20, 30, 40] relevant {50}: no hit.
//   C []           relevant {10}: empty ranking, evaluated as zeros.
//   D [50]         relevant {}  : skipped "no_relevant"; not in coverage either.
TEST(MetricsRankingEvaluatorTest, MeansCountsAndCatalogue) {
  auto c = Catalogue::from_popularity_order({10, 20, 30, 40, 50});
  ASSERT_TRUE(c.is_ok());
  auto e = RankingEvaluator::create({3, 2}, std::move(c).value());
  ASSERT_TRUE(e.is_ok());
  EXPECT_TRUE(e->add(Items{10, 20, 99}, Items{20}));
  EXPECT_TRUE(e->add(Items{20, 30, 40}, Items{50}));
  EXPECT_TRUE(e->add(Items{}, Items{10}));
  EXPECT_FALSE(e->add(Items{50}, Items{}));
  e->add_skipped("cold_user", 2);

  RankingSummary s = e->summary();
  EXPECT_EQ(s.lists_evaluated, 3u);
  EXPECT_EQ(s.empty_lists, 1u);
  EXPECT_EQ(s.skipped.at("no_relevant"), 1u);
  EXPECT_EQ(s.skipped.at("cold_user"), 2u);
  EXPECT_EQ(s.lists_skipped(), 3u);
  // MRR = (1/2 + 0 + 0) / 3 = 1/6.
  EXPECT_NEAR(s.mrr, 1.0 / 6, kEps);

  ASSERT_EQ(s.at_cutoff.size(), 2u);
  const RankingAtCutoff& at2 = s.at_cutoff[0];
  EXPECT_EQ(at2.k, 2u);
  EXPECT_NEAR(at2.hit_rate, 1.0 / 3, kEps);    // (1 + 0 + 0) / 3
  EXPECT_NEAR(at2.ndcg, kInvL2of3 / 3, kEps);  // A: (1/L2(3)) / 1; / 3
  EXPECT_NEAR(at2.mrr, 1.0 / 6, kEps);         // (1/2) / 3
  EXPECT_NEAR(at2.precision, 0.5 / 3, kEps);   // A: 1/2; / 3
  EXPECT_NEAR(at2.recall, 1.0 / 3, kEps);      // A: 1/1; / 3
  const RankingAtCutoff& at3 = s.at_cutoff[1];
  EXPECT_EQ(at3.k, 3u);
  EXPECT_NEAR(at3.precision, (1.0 / 3) / 3, kEps);  // A: 1/3; / 3

  // Catalogue statistics as in MetricsCatalogueTest.CoverageAndMeanPopularityRank (the
  // skipped list D does not count: 50 would otherwise raise coverage).
  ASSERT_TRUE(at2.catalogue.has_value());
  EXPECT_EQ(at2.catalogue->distinct_items, 3u);
  EXPECT_NEAR(at2.catalogue->coverage, 0.6, kEps);
  EXPECT_EQ(at2.catalogue->slots, 4u);
  EXPECT_NEAR(at2.catalogue->mean_popularity_rank, 2.0, kEps);
  EXPECT_EQ(at2.catalogue->unknown_slots, 0u);
  ASSERT_TRUE(at3.catalogue.has_value());
  EXPECT_EQ(at3.catalogue->distinct_items, 4u);
  EXPECT_NEAR(at3.catalogue->coverage, 0.8, kEps);
  EXPECT_EQ(at3.catalogue->slots, 5u);
  EXPECT_NEAR(at3.catalogue->mean_popularity_rank, 2.4, kEps);
  EXPECT_EQ(at3.catalogue->unknown_slots, 1u);
}

TEST(MetricsRankingEvaluatorTest, FirstHitBeyondTheLargestCutoff) {
  auto e = RankingEvaluator::create();  // {5, 10, 20}
  ASSERT_TRUE(e.is_ok());
  Items ranked;
  for (ItemId i = 1; i <= 30; ++i) ranked.push_back(i);
  EXPECT_TRUE(e->add(ranked, Items{30}));
  RankingSummary s = e->summary();
  EXPECT_NEAR(s.mrr, 1.0 / 30, kEps);  // untruncated
  for (const auto& at : s.at_cutoff) {
    EXPECT_EQ(at.hit_rate, 0.0) << at.k;
    EXPECT_EQ(at.mrr, 0.0) << at.k;
    EXPECT_EQ(at.ndcg, 0.0) << at.k;
  }
}

// Deterministic pseudo-random lists (with repeats, misses and lists shorter than the
// cutoffs): the evaluator's means equal the means of the free functions, and splitting the
// lists over two evaluators and merging gives the same summary.
TEST(MetricsRankingEvaluatorTest, AgreesWithFreeFunctionsAndMerges) {
  SampleRng rng(7);
  std::vector<Items> ranked(200), relevant(200);
  for (size_t i = 0; i < ranked.size(); ++i) {
    const size_t n = rng.below(30);
    for (size_t j = 0; j < n; ++j) ranked[i].push_back(rng.below(40));
    const size_t r = rng.below(4);  // 0 -> skipped
    for (size_t j = 0; j < r; ++j) relevant[i].push_back(rng.below(40));
  }
  Items catalogue_items;
  for (ItemId i = 0; i < 35; ++i) catalogue_items.push_back(34 - i);  // 35..39 unknown
  auto cat = Catalogue::from_popularity_order(catalogue_items);
  ASSERT_TRUE(cat.is_ok());
  const std::vector<size_t> cutoffs{1, 5, 10, 20};
  auto all = RankingEvaluator::create(cutoffs, cat.value());
  auto first = RankingEvaluator::create(cutoffs, cat.value());
  auto second = RankingEvaluator::create(cutoffs, cat.value());
  ASSERT_TRUE(all.is_ok() && first.is_ok() && second.is_ok());

  double rr = 0;
  std::vector<double> hr(cutoffs.size()), nd(cutoffs.size()), pr(cutoffs.size()),
      re(cutoffs.size()), mr(cutoffs.size());
  size_t evaluated = 0;
  std::vector<Items> evaluated_lists;
  for (size_t i = 0; i < ranked.size(); ++i) {
    const bool added = all->add(ranked[i], relevant[i]);
    EXPECT_EQ(added, (i < 100 ? first : second)->add(ranked[i], relevant[i]));
    if (!added) continue;
    ++evaluated;
    evaluated_lists.push_back(ranked[i]);
    rr += reciprocal_rank(ranked[i], relevant[i]);
    for (size_t c = 0; c < cutoffs.size(); ++c) {
      hr[c] += hit_rate_at_k(ranked[i], relevant[i], cutoffs[c]);
      nd[c] += ndcg_at_k(ranked[i], relevant[i], cutoffs[c]);
      pr[c] += precision_at_k(ranked[i], relevant[i], cutoffs[c]);
      re[c] += recall_at_k(ranked[i], relevant[i], cutoffs[c]);
      mr[c] += reciprocal_rank_at_k(ranked[i], relevant[i], cutoffs[c]);
    }
  }
  ASSERT_GT(evaluated, 100u);
  ASSERT_TRUE(first->merge(second.value()).is_ok());

  const RankingSummary s = all->summary();
  const RankingSummary m = first->summary();
  const double n = static_cast<double>(evaluated);
  EXPECT_EQ(s.lists_evaluated, evaluated);
  EXPECT_EQ(s.lists_evaluated + s.lists_skipped(), ranked.size());
  EXPECT_EQ(m.lists_evaluated, s.lists_evaluated);
  EXPECT_EQ(m.skipped, s.skipped);
  EXPECT_EQ(m.empty_lists, s.empty_lists);
  EXPECT_NEAR(s.mrr, rr / n, kEps);
  EXPECT_NEAR(m.mrr, s.mrr, kEps);
  for (size_t c = 0; c < cutoffs.size(); ++c) {
    const auto& a = s.at_cutoff[c];
    const auto& b = m.at_cutoff[c];
    EXPECT_NEAR(a.hit_rate, hr[c] / n, kEps);
    EXPECT_NEAR(a.ndcg, nd[c] / n, kEps);
    EXPECT_NEAR(a.precision, pr[c] / n, kEps);
    EXPECT_NEAR(a.recall, re[c] / n, kEps);
    EXPECT_NEAR(a.mrr, mr[c] / n, kEps);
    EXPECT_NEAR(b.hit_rate, a.hit_rate, kEps);
    EXPECT_NEAR(b.ndcg, a.ndcg, kEps);
    EXPECT_NEAR(b.precision, a.precision, kEps);
    EXPECT_NEAR(b.recall, a.recall, kEps);
    EXPECT_NEAR(b.mrr, a.mrr, kEps);

    const CatalogueStats expected = catalogue_stats(evaluated_lists, cutoffs[c], cat.value());
    for (const auto* got : {&*a.catalogue, &*b.catalogue}) {
      EXPECT_EQ(got->distinct_items, expected.distinct_items);
      EXPECT_NEAR(got->coverage, expected.coverage, kEps);
      EXPECT_EQ(got->slots, expected.slots);
      EXPECT_NEAR(got->mean_popularity_rank, expected.mean_popularity_rank, kEps);
      EXPECT_EQ(got->unknown_slots, expected.unknown_slots);
    }
  }
}

TEST(MetricsRankingEvaluatorTest, MergeRejectsDifferentConfigurations) {
  auto a = RankingEvaluator::create({5, 10});
  auto b = RankingEvaluator::create({5, 20});
  auto c1 = Catalogue::from_popularity_order({1, 2});
  auto c2 = Catalogue::from_popularity_order({2, 1});
  ASSERT_TRUE(c1.is_ok() && c2.is_ok());
  auto with1 = RankingEvaluator::create({5, 10}, c1.value());
  auto with2 = RankingEvaluator::create({5, 10}, c2.value());
  auto with1b = RankingEvaluator::create({10, 5}, c1.value());
  ASSERT_TRUE(a.is_ok() && b.is_ok() && with1.is_ok() && with2.is_ok() && with1b.is_ok());
  EXPECT_EQ(a->merge(b.value()).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(a->merge(with1.value()).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(with1->merge(with2.value()).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(with1->merge(with1b.value()).is_ok());  // same cutoffs and catalogue
}

// ---- ImpressionEvaluator ----

TEST(MetricsImpressionEvaluatorTest, MeansOverEvaluatedImpressionsAndSkipCounts) {
  ImpressionEvaluator e;
  // X: scores [0.9, 0.8, 0.3, 0.1], labels [1, 0, 1, 0]: AUC 0.75; clicks at ranks 1, 3:
  //    MRR = (1 + 1/3) / 2 = 2/3; nDCG@5 = nDCG@10 = (1 + 1/L2(4)) / (1 + 1/L2(3)).
  EXPECT_TRUE(e.add(std::vector<double>{0.9, 0.8, 0.3, 0.1}, std::vector<int>{1, 0, 1, 0}).is_ok());
  // Y: the five-candidate impression above: AUC 2/3, MRR 5/12,
  //    nDCG@5 = nDCG@10 = (1/L2(3) + 1/L2(4)) / (1 + 1/L2(3)).
  EXPECT_TRUE(
      e.add(std::vector<double>{0.1, 0.7, 0.3, 0.9, 0.5}, std::vector<int>{0, 1, 0, 0, 1}).is_ok());
  // Skipped, OK: no click, all clicked, empty.
  EXPECT_TRUE(e.add(std::vector<double>{0.2, 0.1}, std::vector<int>{0, 0}).is_ok());
  EXPECT_TRUE(e.add(std::vector<double>{0.2, 0.1}, std::vector<int>{1, 1}).is_ok());
  EXPECT_TRUE(e.add(std::vector<double>{0.2}, std::vector<int>{0}).is_ok());
  EXPECT_TRUE(e.add(std::vector<double>{}, std::vector<int>{}).is_ok());
  // Skipped, InvalidArgument: lengths differ, label 2, NaN score.
  EXPECT_FALSE(e.add(std::vector<double>{0.2, 0.1}, std::vector<int>{1}).is_ok());
  EXPECT_FALSE(e.add(std::vector<double>{0.2, 0.1}, std::vector<int>{2, 0}).is_ok());
  EXPECT_FALSE(e.add(std::vector<double>{kNan, 0.1}, std::vector<int>{1, 0}).is_ok());
  e.add_skipped("unknown_news", 4);

  const ImpressionSummary s = e.summary();
  EXPECT_EQ(s.impressions_evaluated, 2u);
  EXPECT_EQ(s.candidates, 9u);              // 4 + 5
  EXPECT_EQ(s.clicks, 4u);                  // 2 + 2
  EXPECT_EQ(s.skipped.at("no_click"), 2u);  // [0, 0] and [0]
  EXPECT_EQ(s.skipped.at("all_clicked"), 1u);
  EXPECT_EQ(s.skipped.at("empty"), 1u);
  EXPECT_EQ(s.skipped.at("invalid"), 3u);
  EXPECT_EQ(s.skipped.at("unknown_news"), 4u);
  EXPECT_EQ(s.impressions_skipped(), 11u);

  // AUC = (0.75 + 2/3) / 2 = 17/24 = 0.7083333
  EXPECT_NEAR(s.auc, 17.0 / 24, kEps);
  // MRR = (2/3 + 5/12) / 2 = 13/24 = 0.5416667
  EXPECT_NEAR(s.mrr, 13.0 / 24, kEps);
  // nDCG@5 = ((1.5 + (1/L2(3) + 0.5)) / 1.6309298) / 2 = (0.9197208 + 0.6934264) / 2
  //        = 0.8065736
  const double ndcg = ((1.5 / (1.0 + kInvL2of3)) + (kInvL2of3 + 0.5) / (1.0 + kInvL2of3)) / 2;
  EXPECT_NEAR(s.ndcg5, ndcg, kEps);
  EXPECT_NEAR(s.ndcg5, 0.80657359, 1e-8);
  EXPECT_NEAR(s.ndcg10, ndcg, kEps);

  // Merging into an empty evaluator reproduces the summary.
  ImpressionEvaluator m;
  m.merge(e);
  const ImpressionSummary ms = m.summary();
  EXPECT_EQ(ms.impressions_evaluated, 2u);
  EXPECT_EQ(ms.skipped, s.skipped);
  EXPECT_NEAR(ms.auc, s.auc, kEps);
  EXPECT_NEAR(ms.ndcg10, s.ndcg10, kEps);
}

TEST(MetricsImpressionEvaluatorTest, NothingAddedGivesZeroMeans) {
  const ImpressionSummary s = ImpressionEvaluator().summary();
  EXPECT_EQ(s.impressions_evaluated, 0u);
  EXPECT_EQ(s.impressions_skipped(), 0u);
  EXPECT_EQ(s.auc, 0.0);
  EXPECT_EQ(s.mrr, 0.0);
}

}  // namespace
}  // namespace feedscout
