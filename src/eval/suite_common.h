// Helpers shared by the evaluation suites (next_item_suite.cc, impression_suite.cc). Not a
// public header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/engine_recommender.h"
#include "feedscout/eval/knn_tuning.h"
#include "feedscout/eval/recommender.h"
#include "feedscout/eval/replay.h"
#include "feedscout/eval/suite.h"
#include "feedscout/eval/tuning.h"

namespace feedscout::eval_internal {

// `v` with `digits` decimals.
std::string fixed(double v, int digits);

// One engine configuration to replay, with the (possibly relabelled) data it ingests.
struct EngineRun {
  std::string name;
  std::string description;
  EngineRecommenderOptions options;
  int topic_level = 0;  // > 0: documents relabelled to this level (coarsen_topics)
};

// The ablations of `base` named "<prefix> -popularity" etc. (see suite.h); `surfaces` and
// `deeper_labels` say which ones apply to the data.
std::vector<EngineRun> engine_ablations(const std::string& prefix,
                                        const EngineRecommenderOptions& base, bool surfaces,
                                        bool deeper_labels);

// The methods of a run: baselines by name (catalogue = every document) and engine runs, in
// the order given. `owned` keeps them alive; `engines` collects the engine-backed ones (for
// their ingest counters). Errors: an unknown name, an engine that does not open.
struct MethodSet {
  std::vector<std::unique_ptr<Recommender>> owned;
  std::vector<Recommender*> methods;
  std::vector<std::string> descriptions;  // parallel to methods
  std::vector<const EngineRecommender*> engines;
};
// `knn` (may be null: the defaults) configures item-knn, e.g. the variant tune_item_knn chose.
[[nodiscard]] Status add_baselines(const EvalDataset& data, const std::vector<std::string>& names,
                                   MethodSet& set, const KnnVariant* knn = nullptr);
[[nodiscard]] Status add_engine(const EvalDataset& data, const EngineRun& run, MethodSet& set);

// The learned-ranker runs (issue 13): a ranker trained on the validation replay of the
// engine as given (`options.engine`) → "engine+ranker", and when `tuned` is given one trained
// on the tuned configuration → "tuned+ranker" (model files in options.out_dir). Returns the
// report's Markdown on their training.
[[nodiscard]] Result<std::string> add_ranker_runs(const EvalDataset& data,
                                                  const ValidationView& view,
                                                  const SuiteOptions& options,
                                                  const EngineRecommenderOptions* tuned,
                                                  const ReplayOptions& replay, MethodSet& set);
// Trains a ranker on the first n_train impression records with the engine as given
// (train_ranker_on_impressions; model file in options.out_dir) and adds the run
// "engine+ranker" to `set`, to be scored on the records after them. Returns the report's
// Markdown on its training (saying so when there was too little to learn from).
[[nodiscard]] Result<std::string> add_impression_ranker_run(const EvalDataset& data, size_t n_train,
                                                            const SuiteOptions& options,
                                                            MethodSet& set);
// The targets for "engine+ranker": nDCG@10 ≥ 1.5 × popular, ≥ 1.3 × engine-tuned,
// above collaborative (only the comparisons whose methods ran).
std::string ranker_target_lines(const ReplayReport& report);

// "engine ingest: ..." lines for the report (a clean replay rejects nothing).
std::string engine_ingest_notes(const MethodSet& set);

// Creates `dir` and writes `name` in it; the path is appended to `files`.
[[nodiscard]] Status write_file(const std::string& dir, const std::string& name,
                                const std::string& text, std::vector<std::string>& files);

}  // namespace feedscout::eval_internal
