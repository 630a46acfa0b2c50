// The whole offline evaluation of one dataset in one call (issue 3): split, tune the engine
// on validation, replay baselines + engine + ablations side by side, write a Markdown report
// and PNG charts. `feedscout eval-rec` is a thin wrapper around these.
//
// Next-item datasets (MovieLens, the simulator): run_next_item_suite
//   1. test split: temporal_split(test_fraction), no validation part;
//   2. when "engine" is among the methods and tuning is on: a second split with a validation
//      part, validation_view, tune_engine over tuning_grid(options.engine) → "engine-tuned"
//      (the test period is never looked at while choosing);
//   3. one replay_next_item over the test split with every method: the baselines named,
//      "engine" (options.engine as given), "engine-tuned", and ablations of the best engine
//      configuration — "−popularity" (popularity_weight 0), "−freshness" (popularity_weight 1),
//      "−co-click" (related_weight 0; "+co-click", related_weight 0.5, when the best
//      configuration has co-clicks off), "−topics" (no topic candidates: the engine's popular
//      source only), "tier-1 topics"
//      (documents relabelled to their level-1 ancestors; only when the data has deeper
//      labels), "feed only" / "search only" (integrated preference restricted to one surface;
//      only when the interactions come from more than one surface);
//   4. report.md, metrics.png (nDCG@10 and HR@10 per method), tuning.png when tuned.
// Impression logs (MIND): run_impression_suite
//   one replay_impressions with the baselines, "engine" and its ablations ("−popularity",
//   "−freshness", "±co-click", "−topics", "tier-1 topics"); with "engine+ranker", a ranker
//   trained on the earliest ranker_impression_share of the records and every method scored
//   on the rest only; report.md and metrics.png (AUC, MRR, nDCG@5, nDCG@10).
//
// Errors: bad options (InvalidArgument naming the method or option), replay errors, an
// output folder or file that cannot be written (IOError naming it). Chart failures (gnuplot
// missing) are errors too: the report promises the charts.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/engine_recommender.h"
#include "feedscout/eval/ranker_training.h"
#include "feedscout/models/gbdt_ranker.h"

namespace feedscout {

struct SuiteOptions {
  std::string out_dir = "var/eval";
  std::string command;  // the command line that reproduces the run, for the report
  std::vector<std::string> methods{"random",        "popular", "recent-popular", "item-knn",
                                   "collaborative", "engine",  "engine+ranker"};
  // The learned rankers' training (engine+ranker, tuned+ranker): models, pages per user and
  // labels on a replay; its replay options are the suite's.
  RankerTrainingOptions ranker;
  // Impressions: the earliest share of the records the ranker trains on; with engine+ranker
  // every method is measured on the rest only. (0, 1).
  double ranker_impression_share = 0.5;
  size_t limit = 0;       // next-item: first N users; impressions: first N records
  bool tune = true;       // next-item only
  bool ablations = true;  // the engine's ablation variants
  bool progress = true;   // progress lines on stderr
  double test_fraction = 0.2;
  double validation_fraction = 0.2;  // of each user's interactions before the test cut-off
  EngineRecommenderOptions engine;   // the engine's configuration as given (e.g. --config)
};

struct SuiteResult {
  std::string report_markdown;     // also written to <out_dir>/report.md
  std::vector<std::string> files;  // every file written
  // Headline numbers for callers and tests: method name → nDCG@10 (next-item) or AUC.
  std::vector<std::pair<std::string, double>> headline;
};

[[nodiscard]] Result<SuiteResult> run_next_item_suite(const EvalDataset& data,
                                                      const SuiteOptions& options);
[[nodiscard]] Result<SuiteResult> run_impression_suite(const EvalDataset& data,
                                                       const SuiteOptions& options);

}  // namespace feedscout
