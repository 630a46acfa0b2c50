// The interface every method in the offline evaluation (issue 3) implements: the baselines
// now, the engine later. A time-ordered replay drives it:
//
//   for each training interaction, in non-decreasing time order:  r.observe(x);
//   at each point where the ranking is measured:                    r.recommend(user, k, now, ex);
//   at each logged impression (impression_replay.h):                r.score_items(user, items,
//   now);
//
// Contract for implementations:
//   * No peeking: a recommender knows only what it was given through observe(). Its state, and
//     therefore every recommend() and score_items() answer, is a pure function of the
//     sequence of observed interactions (and its construction parameters) — never of
//     wall-clock time, call counts, global state or data it was not shown.
//   * recommend() and score_items() are deterministic: the same state and arguments give the
//     same answer, whatever other recommend() or score_items() calls came before.
//   * The list holds at most k distinct item ids, best first, and never an item for which
//     `exclude` returns true. It may be shorter than k when the method knows fewer items.
//   * score_items() gives exactly one score per item, in the items' order, never NaN, higher
//     = better; only the order among one call's scores is meaningful (no unit, no scale
//     shared across calls). Repeated or unknown items are scored like any other (unknown: as the
//     method scores an item it knows nothing about).
//   * Bad arguments never crash: k == 0 gives an empty list, an empty item list gives no
//     scores, an unknown user is a cold user.
//
// Thread safety (for every implementation in feedscout): observe() needs exclusive access;
// concurrent recommend() and score_items() calls on one object are safe (implementations
// that cache guard the cache internally).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/eval/datasets.h"

namespace feedscout {

class Recommender {
 public:
  // True for items that must not be recommended (e.g. what the user already consumed). An
  // empty std::function excludes nothing. It must be a pure function of the item during a
  // call (it may be asked about the same item more than once).
  using ExcludeFn = std::function<bool(const std::string& item)>;

  virtual ~Recommender() = default;

  // A short stable name for reports, e.g. "popular".
  virtual std::string name() const = 0;

  // Learns from one training interaction. Callers pass interactions in non-decreasing
  // time_ms order and never pass held-out (test) data.
  virtual void observe(const Interaction& x) = 0;

  // Top-k item ids for `user` at time `now` (>= every observed time in an honest replay),
  // best first, none excluded, deterministic (see the contract above).
  virtual std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                             const ExcludeFn& exclude) const = 0;

  // One score per entry of `items`, in the same order, for `user` at time `now` (>= every
  // observed time in an honest replay); higher = ranked higher. Deterministic, never NaN
  // (see the contract above). Used to rank a given candidate list, e.g. a logged impression.
  virtual std::vector<double> score_items(const std::string& user,
                                          const std::vector<std::string>& items,
                                          TimeMs now) const = 0;
};

}  // namespace feedscout
