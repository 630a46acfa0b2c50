// Choosing the engine's configuration for an offline evaluation without touching the test
// period (issue 3), and the dataset transforms behind the ablations.
//
// Validation protocol: temporal_split with a validation fraction gives each user
//   train t < validation_cutoff_ms <= validation t < test_cutoff_ms <= test t.
// validation_view() drops every test interaction and moves each user's "test" cut-off to the
// validation cut-off, so replay_next_item on the view queries users at their validation
// cut-off, scores against their clicked validation items, and has observed only training
// interactions. tune_engine() runs every candidate configuration that way and picks the best
// nDCG at the chosen cut-off; the test run then uses a split without validation (the same
// test cut-offs), so the chosen configuration learns from train + validation before being
// scored on test — the usual "select on validation, refit, report on test".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/engine_recommender.h"
#include "feedscout/eval/replay.h"

namespace feedscout {

struct ValidationView {
  EvalDataset data;     // the input without test interactions (documents, taxonomy unchanged)
  TemporalSplit split;  // test_cutoff_ms := validation_cutoff_ms; users without validation
                        // interactions are left out (they cannot be scored)
};

// `split` must come from temporal_split on data.interactions with validation_fraction > 0.
ValidationView validation_view(const EvalDataset& data, const TemporalSplit& split);

// One engine configuration under test.
struct EngineVariant {
  std::string name;         // short, for tables ("engine", "engine-tuned", "−popularity")
  std::string description;  // what differs, in words
  EngineRecommenderOptions options;
};

// The candidate configurations tune_engine tries, built on `base` (whose name is ignored):
// whether unclicked impressions count against a topic (2) × popularity weight 0.3/0.6/0.9 ×
// popularity half-life 1/3650 days × freshness half-life 3/365 days × co-click weight
// 0/0.5/1 — 72 configurations. The order is fixed (first wins ties).
std::vector<EngineVariant> tuning_grid(const EngineRecommenderOptions& base);

struct TuningRun {
  EngineVariant variant;
  RankingSummary summary;
  double seconds = 0;
};

struct TuningResult {
  std::vector<TuningRun> runs;  // in grid order
  size_t best = 0;              // index into runs: highest nDCG@cutoff (first on ties)
  size_t users_queried = 0;
};

// Replays `view` once per variant (each on a fresh engine). Errors: an empty grid, a cut-off
// not in options.cutoffs, or whatever creating an engine or the replay returns.
[[nodiscard]] Result<TuningResult> tune_engine(const ValidationView& view,
                                               const std::vector<EngineVariant>& grid,
                                               size_t cutoff, const ReplayOptions& options);

// A copy of `data` whose documents carry only topics at `max_level` or above: every deeper
// label is replaced by its ancestor at `max_level` (duplicates merged, the highest score
// kept). For the "tier 1 only" ablation. The taxonomy itself is unchanged.
EvalDataset coarsen_topics(const EvalDataset& data, int max_level);

// The deepest level any document of `data` is labelled at (0 when none has topics).
int deepest_topic_level(const EvalDataset& data);

}  // namespace feedscout
