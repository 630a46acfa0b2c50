// Baseline recommenders for the offline evaluation (issue 3): random, most popular, recently
// popular (time-decayed) and item co-occurrence kNN (its neighbourhood is tuned on validation
// by knn_tuning.h). Each implements Recommender (recommender.h) and follows its contract:
// state is a pure function of what was observed, recommend() is deterministic, never returns
// an excluded item, and returns at most k distinct items, best first. score_items() scores
// with the same quantity recommend() ranks by (each class says which), so ranking a candidate
// list by score agrees with recommend()'s order up to ties (score_items has no tie-break:
// equal items get equal scores).
//
// Only clicks carry signal: an Interaction with clicked == false merely makes its item known
// (popularity 0), so it can still fill a list after every clicked item.
//
// Ties are always broken by item id (std::string order, ascending), never by hash order or
// observe order, so equal inputs give identical lists on every platform.
//
// Thread safety: observe() needs exclusive access; recommend() and score_items() may run
// concurrently with other recommend() and score_items() calls (caches are guarded by an internal
// mutex). `exclude` must not call back into the same recommender. Objects are neither copyable nor
// movable: hold them in a std::unique_ptr (as make_baseline does).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "feedscout/common/decay.h"
#include "feedscout/common/status.h"
#include "feedscout/eval/recommender.h"

namespace feedscout {

// Uniformly random items of a fixed catalogue.
//
// A call's list is a uniformly random ordering of the catalogue's non-excluded items, cut at
// k. Its randomness is a std::mt19937_64 seeded from a hash of (seed, user, now) and used
// through its raw 64-bit output only (rejection sampling, no std::*_distribution), so the
// answer depends on nothing but those three values and the catalogue — not on call order,
// not on platform. Excluding items only removes them from the list the same call would
// otherwise give (the underlying permutation is the same).
// observe() is a no-op: the catalogue is fixed at construction.
// Cost per call: O(k + e) expected time and memory for e excluded items met (a sparse
// Fisher–Yates shuffle), independent of the catalogue size.
// score_items: a hash of (seed, user, item) mapped to [0, 1) with 53-bit resolution
// (SplitMix64 mixing of FNV-1a hashes), for any item, in the catalogue or not; it does not
// depend on `now`, and it is not the order recommend() would give. O(1) per item.
class RandomRecommender final : public Recommender {
 public:
  // `catalogue`: the item ids to draw from; repeats are removed and the order does not
  // matter (ids are sorted). An empty catalogue gives empty lists.
  RandomRecommender(uint64_t seed, std::vector<std::string> catalogue);

  std::string name() const override { return "random"; }
  void observe(const Interaction& x) override {}
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                     const ExcludeFn& exclude) const override;
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override;

  const std::vector<std::string>& catalogue() const { return catalogue_; }

 private:
  uint64_t seed_;
  std::vector<std::string> catalogue_;  // sorted, distinct
};

// Most clicked items: score = number of observed clicks (clicked == true) of the item, ties
// by item id; items observed only without a click follow with count 0.
// observe: O(1) expected. recommend: O(n log n) for n known items on the first call after an
// observe (the ranking is cached), then O(k + e) for e excluded items met; the same for
// every user (`user` and `now` are ignored).
// score_items: clicks(item) as a double (0 for unknown items), O(1) expected per item.
class MostPopularRecommender final : public Recommender {
 public:
  MostPopularRecommender() = default;
  MostPopularRecommender(const MostPopularRecommender&) = delete;
  MostPopularRecommender& operator=(const MostPopularRecommender&) = delete;

  std::string name() const override { return "popular"; }
  void observe(const Interaction& x) override;
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                     const ExcludeFn& exclude) const override;
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override;

  // Observed clicks of `item` (0 when unknown).
  uint64_t clicks(const std::string& item) const;
  size_t items() const { return names_.size(); }

 private:
  std::unordered_map<std::string, uint32_t> index_;  // item id -> slot
  std::vector<std::string> names_;                   // slot -> item id
  std::vector<uint64_t> clicks_;                     // slot -> observed clicks

  mutable std::mutex mu_;                // guards the two fields below
  mutable bool order_valid_ = true;      // false after an observe() changed the ranking
  mutable std::vector<uint32_t> order_;  // slots by (clicks desc, id asc)
};

// Recently popular: score(item, now) = Σ over its observed clicks of 2^(-(now - t) / h), h the
// half-life in seconds, kept per item as a DecayedCount (common/decay.h) and evaluated at
// `now`; ties (e.g. items without clicks, score 0) by item id. A click later than `now`
// counts with weight 1, never more (decay_factor never amplifies) — an honest replay never
// has one. `user` is ignored.
// observe: O(1) expected. recommend: O(n + n' log k) for n known items and n' of them not
// excluded (every known item is scored at `now`; nothing is cached because the order
// depends on `now`).
// score_items: score(item, now) per item, O(1) expected each.
class RecentPopularRecommender final : public Recommender {
 public:
  // `half_life_s` > 0 (make_baseline checks it; a value <= 0 or NaN means no decay at all,
  // as decay_factor defines).
  explicit RecentPopularRecommender(double half_life_s) : half_life_s_(half_life_s) {}

  std::string name() const override { return "recent-popular"; }
  void observe(const Interaction& x) override;
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                     const ExcludeFn& exclude) const override;
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override;

  // The decayed click count of `item` at `now` (0 when unknown or never clicked).
  double score(const std::string& item, TimeMs now) const;
  double half_life_s() const { return half_life_s_; }

 private:
  double half_life_s_;
  std::unordered_map<std::string, uint32_t> index_;  // item id -> slot
  std::vector<std::string> names_;                   // slot -> item id
  std::vector<DecayedCount> counts_;                 // slot -> decayed clicks
};

// Item-based collaborative filtering on co-clicks: the textbook item kNN (Sarwar et al. 2001;
// Deshpande & Karypis 2004; `implicit`'s CosineRecommender, RecBole's ItemKNN).
//
//   U_i       = distinct users who clicked item i, n_i = |U_i|;
//   c(i, j)   = |U_i ∩ U_j|, distinct users who clicked both i and j;
//   sim(i, j) = c(i, j) / (sqrt(n_i · n_j) + shrink), j != i  (shrink 0: the cosine of the
//               binary user vectors);
//   N(i)      = i's top `neighbours` items by sim (ties by item id), only c(i, j) > 0;
//   w(i, j)   = sim(i, j), or with `normalize` sim(i, j) / Σ_{l ∈ N(i)} sim(i, l) — each
//               item's kept similarities sum to 1 (Deshpande & Karypis's row normalisation);
//   H(u)      = u's distinct clicked items — all of them when history_len == 0, else the last
//               `history_len` (a repeated click moves the item to the most recent end);
//   score(j)  = Σ_{i ∈ H(u), j ∈ N(i)} w(i, j), summed over H(u) oldest first.
// The list is the items with score > 0 by (score desc, id asc), then — to fill k — the most
// popular items (MostPopularRecommender's order) not already listed. History items are
// candidates like any other: pass them in `exclude` to leave them out. A user with no clicks
// gets the most-popular list.
//
// score_items scores in the same two tiers, so that ranking candidates by it matches
// recommend()'s order (up to ties):
//   score(j) > 0                 when j is scored by the history (the formula above);
//   -1 / (1 + clicks(j))         otherwise (a cold user, an item outside every N(i), an
//                                unknown item): the popularity fill, mapped into [-1, 0) —
//                                increasing in the click count and below every kNN score.
// Cost: the same scoring as recommend (O(|H(u)| · neighbours) plus the neighbour lists it has
// to compute), then O(1) expected per item.
//
// Cost. observe of a click new to its user: O(1) expected (the user's and the item's click
// lists grow by one; a finite history_len trims H(u) in O(history_len)); a repeated click
// O(|H(u)|); other interactions O(1). No co-count matrix is stored: memory is O(distinct
// (user, item) clicks + cached neighbour lists). N(i) is computed lazily, for history items of
// queried users only, in O(Σ_{v ∈ U_i} |items of v|) (a dense counting pass) + O(m) selection
// for m co-clicked items + O(neighbours · log neighbours) ordering, and cached until the next
// observe() of a click new to its user (any such click can change sims through n_i, so the
// whole cache is dropped; queries between two observes share it). recommend = the neighbour
// lists of H(u) it has to compute + O(|H(u)| · neighbours) scoring + the popular fill.
// Measured: a next-item replay of MovieLens-small (50k clicks, 476 queried users, whole
// histories) takes about 1.5 s of CPU with 50 neighbours and 2.8 s with 400.
class ItemKnnRecommender final : public Recommender {
 public:
  // `neighbours` >= 1 (0 gives the most-popular list), `history_len` 0 = whole history,
  // `shrink` >= 0 and finite (make_baseline checks them).
  ItemKnnRecommender(size_t neighbours, size_t history_len, bool normalize = false,
                     double shrink = 0.0);
  ItemKnnRecommender(const ItemKnnRecommender&) = delete;
  ItemKnnRecommender& operator=(const ItemKnnRecommender&) = delete;

  std::string name() const override { return "item-knn"; }
  void observe(const Interaction& x) override;
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                     const ExcludeFn& exclude) const override;
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override;

  struct Neighbour {
    std::string item;
    double sim = 0;  // w(i, j): normalised when normalize()
    bool operator==(const Neighbour&) const = default;
  };
  // N(item) with w(item, ·), best first; empty for an unknown item. Same cost and caching as
  // in recommend.
  std::vector<Neighbour> neighbours_of(const std::string& item) const;
  // H(user), oldest first; empty for an unknown user.
  std::vector<std::string> history(const std::string& user) const;

  size_t neighbours() const { return neighbours_; }
  size_t history_len() const { return history_len_; }
  bool normalize() const { return normalize_; }
  double shrink() const { return shrink_; }

 private:
  struct Sim {
    uint32_t item;
    double sim;
  };
  // N(item) of a slot with w(item, ·); computes and caches it. Requires mu_ held.
  const std::vector<Sim>& neighbours_locked(uint32_t item) const;
  // score(j) > 0 of every item slot j the user's history scores, as (score, slot) in
  // first-touch order (so the summation order, and every bit, is fixed); empty for an
  // unknown user.
  std::vector<std::pair<double, uint32_t>> history_scores(const std::string& user) const;

  size_t neighbours_;
  size_t history_len_;  // 0 = whole history
  bool normalize_;
  double shrink_;
  MostPopularRecommender popular_;  // the fill, fed every observed interaction

  std::unordered_map<std::string, uint32_t> item_index_;  // item id -> slot
  std::vector<std::string> item_names_;                   // slot -> item id
  std::vector<std::vector<uint32_t>> item_users_;         // slot -> users who clicked it
  std::unordered_map<std::string, uint32_t> user_index_;  // user id -> user slot
  std::vector<std::vector<uint32_t>> user_items_;         // user -> distinct clicked items
  std::vector<std::vector<uint32_t>> user_recent_;        // user -> H(u), oldest first
  std::unordered_set<uint64_t> clicked_pairs_;            // (user << 32) | item

  mutable std::mutex mu_;                           // guards the cache and the scratch space
  mutable std::vector<std::vector<Sim>> cache_;     // slot -> N(slot), valid when cached_[slot]
  mutable std::vector<uint8_t> cached_;             // slot -> 1 when cache_[slot] is current
  mutable std::vector<uint32_t> cached_slots_;      // slots with cached_ == 1
  mutable std::vector<uint32_t> scratch_counts_;    // per item slot, all zero between uses
  mutable std::vector<uint32_t> scratch_touched_;   // co-clicked slots of the current item
  mutable std::vector<Sim> scratch_sims_;           // candidates of the current item
  mutable std::vector<uint32_t> scratch_position_;  // per item slot: 1 + index in the scores
};

// ---------------------------------------------------------------------------------------
// Factory.

// The names make_baseline accepts, which are also the recommenders' name().
inline constexpr std::array<std::string_view, 4> kBaselineNames{"random", "popular",
                                                                "recent-popular", "item-knn"};

struct BaselineOptions {
  uint64_t seed = 42;                  // random
  std::vector<std::string> catalogue;  // random: the items to draw from (must be non-empty)
  double half_life_s = 7.0 * 86400.0;  // recent-popular: > 0 and finite
  size_t neighbours = 50;              // item-knn: >= 1
  size_t history_len = 0;              // item-knn: 0 = whole history, else the last N clicks
  bool normalize = false;              // item-knn: row-normalise each N(i) to sum 1
  double shrink = 0.0;                 // item-knn: >= 0 and finite
};

// A fresh baseline by name (one of kBaselineNames). Errors (InvalidArgument): an unknown
// name (the message lists the valid ones), or an option the named baseline uses out of range
// (the message names the option). Options a baseline does not use are not checked.
Result<std::unique_ptr<Recommender>> make_baseline(std::string_view name,
                                                   const BaselineOptions& options = {});

}  // namespace feedscout
