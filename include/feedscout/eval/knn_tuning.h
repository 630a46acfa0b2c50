// Choosing the item-kNN baseline's neighbourhood on validation (issue 3), the same protocol as
// tune_engine (tuning.h): a weak, untuned baseline would flatter the engine.
//
// Usage in a suite:
//   auto tuned = tune_item_knn(view, knn_grid(), /*cutoff=*/10, replay_options);
//   BaselineOptions options = knn_baseline_options(tuned->runs[tuned->best].first);
//   auto knn = make_baseline("item-knn", options);  // then replay the test split with it
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/baselines.h"
#include "feedscout/eval/replay.h"

namespace feedscout {

struct ValidationView;  // tuning.h

// One item-kNN configuration (ItemKnnRecommender, baselines.h); always the whole history.
struct KnnVariant {
  size_t neighbours = 50;
  bool normalize = false;
  double shrink = 0.0;
  // e.g. "neighbours 50, normalized" or "neighbours 200, shrink 10".
  std::string description() const;
  bool operator==(const KnnVariant&) const = default;
};

// shrink {0, 20} × neighbours {10, 20, 50, 100, 200, 400} × normalize {false, true}: 24
// variants in that nesting order (shrink 0 first, neighbours ascending, unnormalised first;
// first wins ties). Shrink is in because it is free and helped on MovieLens-small (validation
// nDCG@10 of the best variant 0.077 without, 0.084 with shrink 20). Replaying the grid on
// MovieLens-small costs about 24 × 1.5 s of CPU.
std::vector<KnnVariant> knn_grid();

// `base` with the variant's neighbours, normalize and shrink, and history_len = 0 (whole
// history): what make_baseline("item-knn", ·) needs to build the variant.
BaselineOptions knn_baseline_options(const KnnVariant& variant, BaselineOptions base = {});

struct KnnTuningResult {
  std::vector<std::pair<KnnVariant, double>> runs;  // in grid order, with nDCG@cutoff
  size_t best = 0;           // index into runs: highest nDCG@cutoff (first on ties)
  size_t users_queried = 0;  // validation users scored
  double seconds = 0;        // all replays
};

// Replays `view` (validation_view in tuning.h) once per variant, each on a fresh item-kNN
// (make_baseline with knn_baseline_options(variant)), and keeps nDCG@cutoff. Errors
// (InvalidArgument): an empty grid, a cut-off not in options.cutoffs, a variant
// make_baseline rejects; or whatever the replay returns. options.progress prints one line
// per variant on stderr (the replays themselves run quietly).
[[nodiscard]] Result<KnnTuningResult> tune_item_knn(const ValidationView& view,
                                                    const std::vector<KnnVariant>& grid,
                                                    size_t cutoff, const ReplayOptions& options);

}  // namespace feedscout
