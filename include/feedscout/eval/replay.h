// The offline next-item replay (issue 3): one time-ordered pass over a dataset's
// interactions that trains every method on the past and queries each user once at their
// test cut-off.
//
//   for each interaction x in time order (the dataset's order, which must be non-decreasing):
//     first, every pending query point (cut-off c, user u) with c <= x.time_ms is run, in
//     (c, user id) order: each method gets recommend(u, k, c, exclude = u's training items);
//     then, if x is a training interaction of its user (split.part == kTrain), every method
//     observes x.
//   remaining query points run after the last interaction.
// So no interaction at or after a user's cut-off — of any user — has been observed when that
// user is queried, and each user with >= 1 clicked test item is queried exactly once.
// Validation and test interactions are never observed.
//
// Scoring: relevant = the user's clicked test items (users with none are not queried and
// are counted as skipped "no_clicked_test"); the list has k = the largest cutoff; metrics
// from a RankingEvaluator with the given cutoffs and a Catalogue of every document, ranked by
// training clicks (ties in document order).
//
// Errors (InvalidArgument): no method, a null method, bad cutoffs, interactions out of
// time order, a dataset without documents.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/metrics.h"
#include "feedscout/eval/recommender.h"

namespace feedscout {

inline constexpr std::string_view kSkipNoClickedTest = "no_clicked_test";

struct ReplayOptions {
  std::vector<size_t> cutoffs{kDefaultCutoffs.begin(), kDefaultCutoffs.end()};
  // 0 = all users. Otherwise only the first N users by id take part: their interactions are
  // replayed and they are queried; everyone else's interactions are ignored entirely.
  size_t max_users = 0;
  bool progress = false;  // a progress line (rate, ETA) on stderr, at most 4 times a second
};

struct MethodReport {
  std::string name;
  RankingSummary summary;
  double seconds = 0;  // wall time inside this method's observe() and recommend() calls
};

struct ReplayReport {
  size_t users = 0;          // users taking part (after max_users)
  size_t users_queried = 0;  // with >= 1 clicked test item
  size_t users_without_clicked_test = 0;
  size_t observed = 0;                            // training interactions observed (per method)
  size_t test_interactions = 0, test_clicks = 0;  // of the users taking part
  size_t catalogue_size = 0;
  std::vector<MethodReport> methods;  // in the order given
  double seconds = 0;                 // the whole replay
};

[[nodiscard]] Result<ReplayReport> replay_next_item(const EvalDataset& data,
                                                    const TemporalSplit& split,
                                                    std::vector<Recommender*> methods,
                                                    const ReplayOptions& options = {});

}  // namespace feedscout
