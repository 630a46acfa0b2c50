// Offline ranking metrics (issue 3): how good is a ranking, measured against what the user
// actually did next.
//
// Three families, each as pure functions plus an accumulator that macro-averages them (every
// list / impression weighs the same, whatever its length):
//   * next-item metrics of one ranked list against a set of held-out relevant items:
//     HR@k, nDCG@k (binary gains), reciprocal rank (MRR) and MRR@k, precision@k, recall@k —
//     RankingEvaluator;
//   * MIND's per-impression metrics of candidate scores against 0/1 click labels: AUC,
//     MRR, nDCG@5 and nDCG@10, as defined by the official MIND evaluate.py —
//     ImpressionEvaluator;
//   * catalogue coverage and mean popularity rank of what is recommended (Catalogue,
//     catalogue_stats, and optionally inside RankingEvaluator).
//
// Items are ItemId (uint64_t): callers map their own ids onto it (a DocIndex, a MovieLens
// movieId, or fnv1a64() of a string id). All values are plain fractions in [0, 1] except
// popularity ranks (1 = most popular) and counts.
//
// Determinism: no randomness, no hash-order dependence; the same inputs in the same order
// give bit-identical results. Whenever items are ranked by score, ties keep their input
// order (stable) and NaN scores rank last (see order_by_score).
//
// Thread safety: the free functions are pure and thread-safe. A Catalogue is immutable
// after construction (concurrent const use is safe). The evaluators are not thread-safe:
// use one per thread and merge() them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

using ItemId = uint64_t;

// ---------------------------------------------------------------------------------------
// Ranking by score.

// Indexes into `scores`, highest score first. Equal scores keep their input order (a
// stable sort), NaN scores come last (in input order); -0.0 and +0.0 are equal.
std::vector<size_t> order_by_score(std::span<const double> scores);

// ---------------------------------------------------------------------------------------
// Next-item metrics of one ranked list.
//
// `ranked` is the recommendation, best first (rank 1 = ranked[0]); `relevant` is the set of
// held-out items (repeats in it are ignored). Conventions shared by all of them:
//   * Duplicates in `ranked`: a relevant item counts only at its first occurrence; a later
//     repeat keeps its slot but gains nothing. So every metric stays in [0, 1] and a list
//     cannot score by repeating a hit.
//   * k larger than the list: only the list's items can hit (a short list is not padded);
//     precision@k still divides by k and the ideal DCG still assumes min(k, |relevant|)
//     hits, so a list shorter than k is penalised rather than rescaled.
//   * k == 0, an empty `relevant` or an empty `ranked` give 0 (RankingEvaluator skips lists
//     without relevant items and counts them; it keeps empty rankings, as zeros).
// Cost: O(n log r) for a list of n items and r relevant items.

// 1-based ranks, ascending, of the first occurrence of each relevant item found in
// `ranked` (at most |relevant| of them). The building block of everything below.
std::vector<size_t> relevant_ranks(std::span<const ItemId> ranked,
                                   std::span<const ItemId> relevant);

// HR@k: 1 when a relevant item is among the first k, else 0.
double hit_rate_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k);

// nDCG@k with binary gains: DCG@k = Σ_{relevant first occurrences at rank i ≤ k} 1/log2(i+1),
// divided by IDCG@k = Σ_{i=1}^{min(k, |relevant|)} 1/log2(i+1).
double ndcg_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k);

// Reciprocal rank: 1 / rank of the first relevant item anywhere in `ranked`, 0 when none.
// Its mean over lists is MRR.
double reciprocal_rank(std::span<const ItemId> ranked, std::span<const ItemId> relevant);

// Truncated reciprocal rank (MRR@k): reciprocal_rank when that rank is ≤ k, else 0.
double reciprocal_rank_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant,
                            size_t k);

// precision@k: distinct relevant items among the first k, divided by k.
double precision_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k);

// recall@k: distinct relevant items among the first k, divided by |relevant|.
double recall_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k);

// ---------------------------------------------------------------------------------------
// Impression metrics, MIND's definitions (msnews/MIND evaluate.py).
//
// One impression: `scores[i]` is the model's score of candidate i (higher = ranked higher)
// and `labels[i]` is 1 when the user clicked it, 0 when not. Candidates are ranked by
// order_by_score (score descending, ties stable by input order). MIND's script ranks with
// np.argsort(score)[::-1], whose order among tied scores is not specified; the official
// submissions are distinct ranks, so its published numbers involve no ties.
//
// Preconditions (checked by check_impression and by ImpressionEvaluator::add, not by these
// functions): equal lengths, labels 0 or 1, no NaN score. If they are violated anyway the
// functions stay memory-safe: only the first min(|scores|, |labels|) candidates are used, a
// nonzero label counts as a click and NaN scores rank last.

// OK, or InvalidArgument naming the problem: lengths differ, a label other than 0/1, a NaN
// score (±infinity is allowed). An empty impression is valid (its metrics are undefined).
Status check_impression(std::span<const double> scores, std::span<const int> labels);

// ROC AUC: the share of (clicked, not clicked) pairs whose clicked candidate scores higher,
// a tie counting one half (the Mann–Whitney statistic; equal to sklearn's roc_auc_score,
// which MIND uses). nullopt when there is no clicked or no unclicked candidate.
std::optional<double> impression_auc(std::span<const double> scores, std::span<const int> labels);

// MIND MRR: Σ over clicked candidates of 1/rank, divided by the number of clicked ones.
// nullopt when nothing is clicked.
std::optional<double> impression_mrr(std::span<const double> scores, std::span<const int> labels);

// MIND nDCG@k: DCG of the labels in ranked order, gain (2^label − 1)/log2(rank + 1) over the
// first k ranks, divided by the DCG of the ideal order (clicked first). With 0/1 labels the
// gain is the label itself. nullopt when nothing is clicked or k == 0.
std::optional<double> impression_ndcg(std::span<const double> scores, std::span<const int> labels,
                                      size_t k);

// ---------------------------------------------------------------------------------------
// Catalogue coverage and popularity.

// The item catalogue with a popularity ranking (rank 1 = most popular). Immutable.
class Catalogue {
 public:
  // From the items most popular first. Errors (InvalidArgument): empty, an id repeated
  // (the message names both indexes).
  static Result<Catalogue> from_popularity_order(std::vector<ItemId> most_popular_first);

  // From popularity counts (e.g. clicks in the training period; any unit): ordered by count
  // descending, ties by input order. Errors (InvalidArgument): lengths differ, empty, an id
  // repeated, a NaN count.
  static Result<Catalogue> from_counts(std::span<const ItemId> items,
                                       std::span<const double> counts);

  size_t size() const { return items_.size(); }
  // The items, most popular first.
  const std::vector<ItemId>& items() const { return items_; }
  // 1-based popularity rank of `item`; 0 when it is not in the catalogue.
  size_t popularity_rank(ItemId item) const;

 private:
  explicit Catalogue(std::vector<ItemId> items) : items_(std::move(items)) {}
  std::vector<ItemId> items_;
  std::unordered_map<ItemId, uint32_t> rank_;  // item -> 1-based rank
};

// What a set of recommendation lists shows of the catalogue, over the first k slots of
// each list (a list shorter than k fills fewer slots).
struct CatalogueStats {
  size_t k = 0;
  size_t distinct_items = 0;  // distinct catalogue items in the top k of at least one list
  double coverage = 0;        // distinct_items / catalogue size
  size_t slots = 0;           // top-k slots holding a catalogue item (repeats count)
  // Mean popularity rank over those slots (1 = most popular; lower = more mainstream);
  // 0 when slots == 0.
  double mean_popularity_rank = 0;
  size_t unknown_slots = 0;  // top-k slots holding an item outside the catalogue (ignored)
};

CatalogueStats catalogue_stats(std::span<const std::vector<ItemId>> lists, size_t k,
                               const Catalogue& catalogue);

// ---------------------------------------------------------------------------------------
// Accumulators.

// The cutoffs used when none are given, and the largest one allowed (RankingEvaluator keeps
// a few O(max cutoff) tables).
inline constexpr std::array<size_t, 3> kDefaultCutoffs{5, 10, 20};
inline constexpr size_t kMaxCutoff = 1'000'000;

// Skip reasons recorded by the evaluators themselves. Callers may add their own
// (add_skipped), e.g. "cold_user".
inline constexpr std::string_view kSkipNoRelevant = "no_relevant";  // empty relevant set
inline constexpr std::string_view kSkipEmpty = "empty";             // impression without candidates
inline constexpr std::string_view kSkipNoClick = "no_click";        // all labels 0
inline constexpr std::string_view kSkipAllClicked = "all_clicked";  // all labels 1
inline constexpr std::string_view kSkipInvalid = "invalid";         // check_impression failed

// Reason -> number of skipped lists / impressions, in name order.
using SkipCounts = std::map<std::string, size_t, std::less<>>;

// Means at one cutoff k, over the evaluated lists.
struct RankingAtCutoff {
  size_t k = 0;
  double hit_rate = 0;   // HR@k
  double ndcg = 0;       // nDCG@k
  double mrr = 0;        // MRR@k (truncated)
  double precision = 0;  // precision@k
  double recall = 0;     // recall@k
  // Only with a catalogue: coverage and popularity of the evaluated lists' top k.
  std::optional<CatalogueStats> catalogue;
};

struct RankingSummary {
  size_t lists_evaluated = 0;  // lists in the means (empty rankings included)
  size_t empty_lists = 0;      // evaluated lists that recommended nothing (all zeros)
  SkipCounts skipped;          // lists not in the means, by reason
  double mrr = 0;              // untruncated MRR (mean reciprocal rank over whole lists)
  std::vector<RankingAtCutoff> at_cutoff;  // one per cutoff, ascending k
  // All means are 0 when lists_evaluated == 0.

  size_t lists_skipped() const;
};

// Accumulates next-item metrics list by list and reports their macro-averages.
class RankingEvaluator {
 public:
  // `cutoffs`: the k of the @k metrics (sorted, repeats removed). `catalogue`: when given,
  // coverage and mean popularity rank of the evaluated lists' top k are tracked per
  // cutoff. Errors (InvalidArgument): no cutoff, a cutoff of 0 or above kMaxCutoff.
  static Result<RankingEvaluator> create(std::vector<size_t> cutoffs = {kDefaultCutoffs.begin(),
                                                                        kDefaultCutoffs.end()},
                                         std::optional<Catalogue> catalogue = std::nullopt);

  // Evaluates one ranked list against its relevant items (same conventions as the free
  // functions, whose values it averages). Returns false, counting the list as skipped
  // "no_relevant", when `relevant` is empty. O(n log r), and O(max cutoff) memory.
  bool add(std::span<const ItemId> ranked, std::span<const ItemId> relevant);

  // Counts `n` lists skipped by the caller for `reason`.
  void add_skipped(std::string_view reason, size_t n = 1);

  // Adds everything `other` has accumulated. The result equals adding its lists here,
  // up to floating-point summation order (so merge in a fixed order for reproducible
  // digits). Errors (InvalidArgument): different cutoffs or a different catalogue.
  Status merge(const RankingEvaluator& other);

  RankingSummary summary() const;
  const std::vector<size_t>& cutoffs() const { return cutoffs_; }

 private:
  RankingEvaluator(std::vector<size_t> cutoffs, std::optional<Catalogue> catalogue);

  struct Sums {
    double hit_rate = 0, ndcg = 0, mrr = 0, precision = 0, recall = 0;
  };
  std::vector<size_t> cutoffs_;  // ascending, distinct, ≥ 1
  size_t max_cutoff_ = 0;
  std::vector<double> discount_;  // discount_[i] = 1/log2(i+1), i = 1..max_cutoff_
  std::vector<double> ideal_;     // ideal_[n] = Σ_{i=1..n} discount_[i]
  std::vector<Sums> sums_;        // per cutoff
  double rr_sum_ = 0;
  size_t evaluated_ = 0, empty_ = 0;
  SkipCounts skipped_;
  // Catalogue tracking (empty vectors without a catalogue). Per 1-based slot position p:
  std::optional<Catalogue> catalogue_;
  std::vector<uint32_t> best_position_;  // per catalogue rank - 1: best slot seen, 0 = never
  std::vector<uint64_t> rank_sum_at_;    // [p]: Σ popularity ranks of catalogue items at p
  std::vector<uint64_t> known_at_;       // [p]: catalogue items seen at slot p
  std::vector<uint64_t> unknown_at_;     // [p]: non-catalogue items seen at slot p
};

// Means over the evaluated impressions.
struct ImpressionSummary {
  size_t impressions_evaluated = 0;
  SkipCounts skipped;     // impressions not in the means, by reason
  size_t candidates = 0;  // candidates of the evaluated impressions
  size_t clicks = 0;      // clicked candidates of the evaluated impressions
  double auc = 0, mrr = 0, ndcg5 = 0, ndcg10 = 0;  // 0 when impressions_evaluated == 0

  size_t impressions_skipped() const;
};

// Accumulates MIND's impression metrics and reports their macro-averages. As in MIND, all
// four means are over the same impressions: those with at least one clicked and one
// unclicked candidate (MIND's evaluate.py would fail on the others, where AUC is undefined;
// here they are skipped and counted as "empty", "no_click" or "all_clicked").
class ImpressionEvaluator {
 public:
  // Evaluates one impression (see the impression metrics above). Returns InvalidArgument
  // from check_impression, counting it as skipped "invalid", when the input is malformed;
  // OK otherwise, including when it is skipped for undefined metrics.
  Status add(std::span<const double> scores, std::span<const int> labels);

  // Counts `n` impressions skipped by the caller for `reason`.
  void add_skipped(std::string_view reason, size_t n = 1);

  // Adds everything `other` has accumulated (equal to adding its impressions here, up to
  // floating-point summation order).
  void merge(const ImpressionEvaluator& other);

  ImpressionSummary summary() const;

 private:
  size_t evaluated_ = 0, candidates_ = 0, clicks_ = 0;
  double auc_sum_ = 0, mrr_sum_ = 0, ndcg5_sum_ = 0, ndcg10_sum_ = 0;
  SkipCounts skipped_;
};

}  // namespace feedscout
