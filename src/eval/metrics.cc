#include "feedscout/eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace feedscout {
namespace {

// Strict weak order of order_by_score: a higher score first, NaN below everything (and
// equivalent to NaN), -0.0 equivalent to +0.0.
bool ranks_before(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a > b;
}

bool same_score(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

// 1 / log2(rank + 1) for a 1-based rank.
double discount(size_t rank) {
  return 1.0 / std::log2(static_cast<double>(rank) + 1.0);
}

// Σ_{i=1..n} discount(i), summed in ascending i (as RankingEvaluator's table is).
double ideal_dcg(size_t n) {
  double sum = 0;
  for (size_t i = 1; i <= n; ++i) sum += discount(i);
  return sum;
}

// The relevant set: sorted, repeats removed.
std::vector<ItemId> relevant_set(std::span<const ItemId> relevant) {
  std::vector<ItemId> rel(relevant.begin(), relevant.end());
  std::sort(rel.begin(), rel.end());
  rel.erase(std::unique(rel.begin(), rel.end()), rel.end());
  return rel;
}

// 1-based ranks, ascending, of the first occurrence in `ranked` of each item of `rel`
// (sorted, distinct). Examines the first `horizon` positions, and beyond them only until
// the first hit is known; stops early once every relevant item is found.
std::vector<size_t> scan_hits(std::span<const ItemId> ranked, const std::vector<ItemId>& rel,
                              size_t horizon) {
  std::vector<size_t> ranks;
  if (rel.empty()) return ranks;
  std::vector<char> found(rel.size(), 0);
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (i >= horizon && !ranks.empty()) break;
    if (ranks.size() == rel.size()) break;
    auto it = std::lower_bound(rel.begin(), rel.end(), ranked[i]);
    if (it == rel.end() || *it != ranked[i]) continue;
    char& f = found[static_cast<size_t>(it - rel.begin())];
    if (f) continue;  // a repeat of an item already credited
    f = 1;
    ranks.push_back(i + 1);
  }
  return ranks;
}

size_t hits_within(const std::vector<size_t>& ranks, size_t k) {
  return static_cast<size_t>(std::upper_bound(ranks.begin(), ranks.end(), k) - ranks.begin());
}

// ---- impression metrics over a precomputed order (n = order.size() candidates) ----

size_t count_clicks(std::span<const int> labels, size_t n) {
  size_t clicks = 0;
  for (size_t i = 0; i < n; ++i) clicks += labels[i] != 0;
  return clicks;
}

std::optional<double> auc_in_order(const std::vector<size_t>& order, std::span<const double> scores,
                                   std::span<const int> labels, size_t clicks) {
  const size_t n = order.size();
  const size_t unclicked = n - clicks;
  if (clicks == 0 || unclicked == 0) return std::nullopt;
  // Walk groups of equal scores from the top. A group with p clicked and q unclicked
  // candidates wins q pairs against every clicked candidate above it and ties p × q pairs
  // (half each). Twice the pair count is an exact integer.
  uint64_t twice_correct = 0, clicked_above = 0;
  for (size_t g = 0; g < n;) {
    size_t end = g;
    uint64_t p = 0, q = 0;
    while (end < n && same_score(scores[order[end]], scores[order[g]])) {
      (labels[order[end]] != 0 ? p : q) += 1;
      ++end;
    }
    twice_correct += 2 * q * clicked_above + p * q;
    clicked_above += p;
    g = end;
  }
  return static_cast<double>(twice_correct) /
         (2.0 * static_cast<double>(clicks) * static_cast<double>(unclicked));
}

std::optional<double> mrr_in_order(const std::vector<size_t>& order, std::span<const int> labels,
                                   size_t clicks) {
  if (clicks == 0) return std::nullopt;
  double sum = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    if (labels[order[i]] != 0) sum += 1.0 / static_cast<double>(i + 1);
  }
  return sum / static_cast<double>(clicks);
}

std::optional<double> ndcg_in_order(const std::vector<size_t>& order, std::span<const int> labels,
                                    size_t clicks, size_t k) {
  if (clicks == 0 || k == 0) return std::nullopt;
  double dcg = 0;
  const size_t top = std::min(k, order.size());
  for (size_t i = 0; i < top; ++i) {
    if (labels[order[i]] != 0) dcg += discount(i + 1);  // gain 2^1 - 1 = 1
  }
  return dcg / ideal_dcg(std::min(k, clicks));
}

// The first index j > i with items[j] == items[i], as (i, j); nullopt when all distinct.
std::optional<std::pair<size_t, size_t>> find_repeat(std::span<const ItemId> items) {
  std::unordered_map<ItemId, size_t> first;
  first.reserve(items.size());
  for (size_t j = 0; j < items.size(); ++j) {
    auto [it, inserted] = first.emplace(items[j], j);
    if (!inserted) return std::make_pair(it->second, j);
  }
  return std::nullopt;
}

}  // namespace

std::vector<size_t> order_by_score(std::span<const double> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ranks_before(scores[a], scores[b]); });
  return order;
}

// ---- next-item metrics ----

std::vector<size_t> relevant_ranks(std::span<const ItemId> ranked,
                                   std::span<const ItemId> relevant) {
  return scan_hits(ranked, relevant_set(relevant), std::numeric_limits<size_t>::max());
}

double hit_rate_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k) {
  if (k == 0) return 0;
  const auto ranks = scan_hits(ranked, relevant_set(relevant), k);
  return hits_within(ranks, k) > 0 ? 1.0 : 0.0;
}

double ndcg_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k) {
  const auto rel = relevant_set(relevant);
  if (k == 0 || rel.empty()) return 0;
  const auto ranks = scan_hits(ranked, rel, k);
  double dcg = 0;
  for (size_t r : ranks) {
    if (r > k) break;
    dcg += discount(r);
  }
  return dcg / ideal_dcg(std::min(k, rel.size()));
}

double reciprocal_rank(std::span<const ItemId> ranked, std::span<const ItemId> relevant) {
  const auto ranks = scan_hits(ranked, relevant_set(relevant), 0);
  return ranks.empty() ? 0.0 : 1.0 / static_cast<double>(ranks.front());
}

double reciprocal_rank_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant,
                            size_t k) {
  const auto ranks = scan_hits(ranked, relevant_set(relevant), 0);
  return ranks.empty() || ranks.front() > k ? 0.0 : 1.0 / static_cast<double>(ranks.front());
}

double precision_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k) {
  if (k == 0) return 0;
  const auto ranks = scan_hits(ranked, relevant_set(relevant), k);
  return static_cast<double>(hits_within(ranks, k)) / static_cast<double>(k);
}

double recall_at_k(std::span<const ItemId> ranked, std::span<const ItemId> relevant, size_t k) {
  const auto rel = relevant_set(relevant);
  if (k == 0 || rel.empty()) return 0;
  const auto ranks = scan_hits(ranked, rel, k);
  return static_cast<double>(hits_within(ranks, k)) / static_cast<double>(rel.size());
}

// ---- impression metrics ----

Status check_impression(std::span<const double> scores, std::span<const int> labels) {
  if (scores.size() != labels.size()) {
    return Status::invalid_argument("impression has " + std::to_string(scores.size()) +
                                    " scores but " + std::to_string(labels.size()) + " labels");
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1) {
      return Status::invalid_argument("labels[" + std::to_string(i) +
                                      "] = " + std::to_string(labels[i]) + ": expected 0 or 1");
    }
    if (std::isnan(scores[i])) {
      return Status::invalid_argument("scores[" + std::to_string(i) + "] is NaN");
    }
  }
  return Status::ok();
}

std::optional<double> impression_auc(std::span<const double> scores, std::span<const int> labels) {
  const size_t n = std::min(scores.size(), labels.size());
  const auto order = order_by_score(scores.first(n));
  return auc_in_order(order, scores, labels, count_clicks(labels, n));
}

std::optional<double> impression_mrr(std::span<const double> scores, std::span<const int> labels) {
  const size_t n = std::min(scores.size(), labels.size());
  const auto order = order_by_score(scores.first(n));
  return mrr_in_order(order, labels, count_clicks(labels, n));
}

std::optional<double> impression_ndcg(std::span<const double> scores, std::span<const int> labels,
                                      size_t k) {
  const size_t n = std::min(scores.size(), labels.size());
  const auto order = order_by_score(scores.first(n));
  return ndcg_in_order(order, labels, count_clicks(labels, n), k);
}

// ---- catalogue ----

Result<Catalogue> Catalogue::from_popularity_order(std::vector<ItemId> most_popular_first) {
  if (most_popular_first.empty()) return Status::invalid_argument("catalogue is empty");
  if (most_popular_first.size() >= std::numeric_limits<uint32_t>::max()) {
    return Status::invalid_argument("catalogue has more than 2^32 - 2 items");
  }
  if (auto rep = find_repeat(most_popular_first)) {
    return Status::invalid_argument(
        "catalogue item " + std::to_string(most_popular_first[rep->first]) +
        " repeated at popularity positions " + std::to_string(rep->first) + " and " +
        std::to_string(rep->second));
  }
  Catalogue c(std::move(most_popular_first));
  c.rank_.reserve(c.items_.size());
  for (size_t i = 0; i < c.items_.size(); ++i) {
    c.rank_.emplace(c.items_[i], static_cast<uint32_t>(i + 1));
  }
  return c;
}

Result<Catalogue> Catalogue::from_counts(std::span<const ItemId> items,
                                         std::span<const double> counts) {
  if (items.size() != counts.size()) {
    return Status::invalid_argument("catalogue has " + std::to_string(items.size()) +
                                    " items but " + std::to_string(counts.size()) + " counts");
  }
  if (auto rep = find_repeat(items)) {
    return Status::invalid_argument("catalogue item " + std::to_string(items[rep->first]) +
                                    " repeated at indexes " + std::to_string(rep->first) + " and " +
                                    std::to_string(rep->second));
  }
  for (size_t i = 0; i < counts.size(); ++i) {
    if (std::isnan(counts[i])) {
      return Status::invalid_argument("counts[" + std::to_string(i) + "] is NaN");
    }
  }
  std::vector<ItemId> ordered;
  ordered.reserve(items.size());
  for (size_t i : order_by_score(counts)) ordered.push_back(items[i]);
  return from_popularity_order(std::move(ordered));
}

size_t Catalogue::popularity_rank(ItemId item) const {
  auto it = rank_.find(item);
  return it == rank_.end() ? 0 : it->second;
}

CatalogueStats catalogue_stats(std::span<const std::vector<ItemId>> lists, size_t k,
                               const Catalogue& catalogue) {
  CatalogueStats s;
  s.k = k;
  std::vector<char> shown(catalogue.size(), 0);
  uint64_t rank_sum = 0;
  for (const auto& list : lists) {
    const size_t top = std::min(k, list.size());
    for (size_t i = 0; i < top; ++i) {
      const size_t r = catalogue.popularity_rank(list[i]);
      if (r == 0) {
        ++s.unknown_slots;
        continue;
      }
      ++s.slots;
      rank_sum += r;
      if (!shown[r - 1]) {
        shown[r - 1] = 1;
        ++s.distinct_items;
      }
    }
  }
  if (catalogue.size() > 0) {
    s.coverage = static_cast<double>(s.distinct_items) / static_cast<double>(catalogue.size());
  }
  if (s.slots > 0) {
    s.mean_popularity_rank = static_cast<double>(rank_sum) / static_cast<double>(s.slots);
  }
  return s;
}

// ---- RankingEvaluator ----

size_t RankingSummary::lists_skipped() const {
  size_t n = 0;
  for (const auto& [reason, count] : skipped) n += count;
  return n;
}

Result<RankingEvaluator> RankingEvaluator::create(std::vector<size_t> cutoffs,
                                                  std::optional<Catalogue> catalogue) {
  if (cutoffs.empty()) return Status::invalid_argument("cutoffs: none given");
  for (size_t k : cutoffs) {
    if (k == 0 || k > kMaxCutoff) {
      return Status::invalid_argument("cutoffs: " + std::to_string(k) + " is not in 1.." +
                                      std::to_string(kMaxCutoff));
    }
  }
  std::sort(cutoffs.begin(), cutoffs.end());
  cutoffs.erase(std::unique(cutoffs.begin(), cutoffs.end()), cutoffs.end());
  return RankingEvaluator(std::move(cutoffs), std::move(catalogue));
}

RankingEvaluator::RankingEvaluator(std::vector<size_t> cutoffs, std::optional<Catalogue> catalogue)
    : cutoffs_(std::move(cutoffs)),
      max_cutoff_(cutoffs_.back()),
      discount_(max_cutoff_ + 1, 0.0),
      ideal_(max_cutoff_ + 1, 0.0),
      sums_(cutoffs_.size()),
      catalogue_(std::move(catalogue)) {
  for (size_t i = 1; i <= max_cutoff_; ++i) {
    discount_[i] = discount(i);
    ideal_[i] = ideal_[i - 1] + discount_[i];
  }
  if (catalogue_) {
    best_position_.assign(catalogue_->size(), 0);
    rank_sum_at_.assign(max_cutoff_ + 1, 0);
    known_at_.assign(max_cutoff_ + 1, 0);
    unknown_at_.assign(max_cutoff_ + 1, 0);
  }
}

bool RankingEvaluator::add(std::span<const ItemId> ranked, std::span<const ItemId> relevant) {
  const auto rel = relevant_set(relevant);
  if (rel.empty()) {
    add_skipped(kSkipNoRelevant);
    return false;
  }
  ++evaluated_;
  if (ranked.empty()) ++empty_;

  const auto ranks = scan_hits(ranked, rel, max_cutoff_);
  const double rr = ranks.empty() ? 0.0 : 1.0 / static_cast<double>(ranks.front());
  rr_sum_ += rr;
  for (size_t c = 0; c < cutoffs_.size(); ++c) {
    const size_t k = cutoffs_[c];
    size_t hits = 0;
    double dcg = 0;
    for (size_t r : ranks) {
      if (r > k) break;
      ++hits;
      dcg += discount_[r];
    }
    Sums& s = sums_[c];
    if (hits > 0) {
      s.hit_rate += 1.0;
      s.mrr += rr;
    }
    s.ndcg += dcg / ideal_[std::min(k, rel.size())];
    s.precision += static_cast<double>(hits) / static_cast<double>(k);
    s.recall += static_cast<double>(hits) / static_cast<double>(rel.size());
  }

  if (catalogue_) {
    const size_t top = std::min(ranked.size(), max_cutoff_);
    for (size_t i = 0; i < top; ++i) {
      const size_t p = i + 1;
      const size_t r = catalogue_->popularity_rank(ranked[i]);
      if (r == 0) {
        ++unknown_at_[p];
        continue;
      }
      ++known_at_[p];
      rank_sum_at_[p] += r;
      uint32_t& best = best_position_[r - 1];
      if (best == 0 || p < best) best = static_cast<uint32_t>(p);
    }
  }
  return true;
}

void RankingEvaluator::add_skipped(std::string_view reason, size_t n) {
  auto it = skipped_.find(reason);
  if (it == skipped_.end()) it = skipped_.emplace(std::string(reason), 0).first;
  it->second += n;
}

Status RankingEvaluator::merge(const RankingEvaluator& other) {
  if (other.cutoffs_ != cutoffs_) {
    return Status::invalid_argument("merge: the evaluators have different cutoffs");
  }
  if (catalogue_.has_value() != other.catalogue_.has_value() ||
      (catalogue_ && catalogue_->items() != other.catalogue_->items())) {
    return Status::invalid_argument("merge: the evaluators have different catalogues");
  }
  for (size_t c = 0; c < sums_.size(); ++c) {
    sums_[c].hit_rate += other.sums_[c].hit_rate;
    sums_[c].ndcg += other.sums_[c].ndcg;
    sums_[c].mrr += other.sums_[c].mrr;
    sums_[c].precision += other.sums_[c].precision;
    sums_[c].recall += other.sums_[c].recall;
  }
  rr_sum_ += other.rr_sum_;
  evaluated_ += other.evaluated_;
  empty_ += other.empty_;
  for (const auto& [reason, count] : other.skipped_) add_skipped(reason, count);
  for (size_t i = 0; i < best_position_.size(); ++i) {
    const uint32_t b = other.best_position_[i];
    if (b != 0 && (best_position_[i] == 0 || b < best_position_[i])) best_position_[i] = b;
  }
  for (size_t p = 0; p < rank_sum_at_.size(); ++p) {
    rank_sum_at_[p] += other.rank_sum_at_[p];
    known_at_[p] += other.known_at_[p];
    unknown_at_[p] += other.unknown_at_[p];
  }
  return Status::ok();
}

RankingSummary RankingEvaluator::summary() const {
  RankingSummary out;
  out.lists_evaluated = evaluated_;
  out.empty_lists = empty_;
  out.skipped = skipped_;
  const double n = static_cast<double>(evaluated_);
  auto mean = [&](double sum) { return evaluated_ == 0 ? 0.0 : sum / n; };
  out.mrr = mean(rr_sum_);

  // Running totals over slot positions 1..k for the catalogue statistics.
  uint64_t rank_sum = 0, known = 0, unknown = 0;
  size_t p = 0;
  for (size_t c = 0; c < cutoffs_.size(); ++c) {
    const size_t k = cutoffs_[c];
    RankingAtCutoff at;
    at.k = k;
    at.hit_rate = mean(sums_[c].hit_rate);
    at.ndcg = mean(sums_[c].ndcg);
    at.mrr = mean(sums_[c].mrr);
    at.precision = mean(sums_[c].precision);
    at.recall = mean(sums_[c].recall);
    if (catalogue_) {
      for (; p < k; ++p) {
        rank_sum += rank_sum_at_[p + 1];
        known += known_at_[p + 1];
        unknown += unknown_at_[p + 1];
      }
      CatalogueStats s;
      s.k = k;
      for (uint32_t best : best_position_) s.distinct_items += best != 0 && best <= k;
      s.coverage = static_cast<double>(s.distinct_items) / static_cast<double>(catalogue_->size());
      s.slots = known;
      s.mean_popularity_rank =
          known == 0 ? 0.0 : static_cast<double>(rank_sum) / static_cast<double>(known);
      s.unknown_slots = unknown;
      at.catalogue = s;
    }
    out.at_cutoff.push_back(std::move(at));
  }
  return out;
}

// ---- ImpressionEvaluator ----

size_t ImpressionSummary::impressions_skipped() const {
  size_t n = 0;
  for (const auto& [reason, count] : skipped) n += count;
  return n;
}

Status ImpressionEvaluator::add(std::span<const double> scores, std::span<const int> labels) {
  Status st = check_impression(scores, labels);
  if (!st.is_ok()) {
    add_skipped(kSkipInvalid);
    return st;
  }
  const size_t n = scores.size();
  const size_t clicks = count_clicks(labels, n);
  if (n == 0) {
    add_skipped(kSkipEmpty);
    return Status::ok();
  }
  if (clicks == 0) {
    add_skipped(kSkipNoClick);
    return Status::ok();
  }
  if (clicks == n) {
    add_skipped(kSkipAllClicked);
    return Status::ok();
  }
  const auto order = order_by_score(scores);
  auc_sum_ += *auc_in_order(order, scores, labels, clicks);
  mrr_sum_ += *mrr_in_order(order, labels, clicks);
  ndcg5_sum_ += *ndcg_in_order(order, labels, clicks, 5);
  ndcg10_sum_ += *ndcg_in_order(order, labels, clicks, 10);
  ++evaluated_;
  candidates_ += n;
  clicks_ += clicks;
  return Status::ok();
}

void ImpressionEvaluator::add_skipped(std::string_view reason, size_t n) {
  auto it = skipped_.find(reason);
  if (it == skipped_.end()) it = skipped_.emplace(std::string(reason), 0).first;
  it->second += n;
}

void ImpressionEvaluator::merge(const ImpressionEvaluator& other) {
  evaluated_ += other.evaluated_;
  candidates_ += other.candidates_;
  clicks_ += other.clicks_;
  auc_sum_ += other.auc_sum_;
  mrr_sum_ += other.mrr_sum_;
  ndcg5_sum_ += other.ndcg5_sum_;
  ndcg10_sum_ += other.ndcg10_sum_;
  for (const auto& [reason, count] : other.skipped_) add_skipped(reason, count);
}

ImpressionSummary ImpressionEvaluator::summary() const {
  ImpressionSummary out;
  out.impressions_evaluated = evaluated_;
  out.skipped = skipped_;
  out.candidates = candidates_;
  out.clicks = clicks_;
  if (evaluated_ > 0) {
    const double n = static_cast<double>(evaluated_);
    out.auc = auc_sum_ / n;
    out.mrr = mrr_sum_ / n;
    out.ndcg5 = ndcg5_sum_ / n;
    out.ndcg10 = ndcg10_sum_ / n;
  }
  return out;
}

}  // namespace feedscout
