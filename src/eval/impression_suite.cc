// run_impression_suite: replay an impression log with the baselines, the engine and its
// ablations; report. The contract is in include/feedscout/eval/suite.h.
#include <algorithm>
#include <chrono>
#include <sstream>

#include "feedscout/eval/charts.h"
#include "feedscout/eval/impression_replay.h"
#include "feedscout/eval/suite.h"
#include "feedscout/eval/tuning.h"
#include "suite_common.h"

namespace feedscout {

Result<SuiteResult> run_impression_suite(const EvalDataset& data, const SuiteOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (data.impressions.empty()) {
    return Status::invalid_argument("eval: dataset '" + data.name + "' has no usable impressions");
  }
  eval_internal::MethodSet set;
  FEEDSCOUT_RETURN_IF_ERROR(eval_internal::add_baselines(data, options.methods, set));
  const bool with_engine =
      std::find(options.methods.begin(), options.methods.end(), "engine") != options.methods.end();
  if (with_engine) {
    eval_internal::EngineRun defaults{"engine", "the engine with the configuration given",
                                      options.engine, 0};
    FEEDSCOUT_RETURN_IF_ERROR(eval_internal::add_engine(data, defaults, set));
    if (options.ablations) {
      for (const auto& run : eval_internal::engine_ablations("engine", options.engine, false,
                                                             deepest_topic_level(data) > 1)) {
        FEEDSCOUT_RETURN_IF_ERROR(eval_internal::add_engine(data, run, set));
      }
    }
  }
  // The learned ranker learns from the earlier impressions; then every method is measured
  // on the later ones only.
  const size_t records = options.limit == 0 ? data.impressions.size()
                                            : std::min(options.limit, data.impressions.size());
  std::string ranker_md;
  size_t first_scored = 0;
  if (std::find(options.methods.begin(), options.methods.end(), "engine+ranker") !=
      options.methods.end()) {
    first_scored =
        static_cast<size_t>(options.ranker_impression_share * static_cast<double>(records));
    if (first_scored == 0 || first_scored >= records) {
      return Status::invalid_argument(
          "eval: engine+ranker needs impressions both to train on and "
          "to measure (" +
          std::to_string(records) + " records)");
    }
    auto md = eval_internal::add_impression_ranker_run(data, first_scored, options, set);
    if (!md.is_ok()) return md.status();
    ranker_md = std::move(md).value();
  }
  if (set.methods.empty()) return Status::invalid_argument("eval: --methods names no method");

  ImpressionReplayOptions replay;
  replay.max_impressions = options.limit;
  replay.first_scored = first_scored;
  replay.progress = options.progress;
  auto report = replay_impressions(data, set.methods, replay);
  if (!report.is_ok()) return report.status();

  using eval_internal::fixed;
  SuiteResult result;
  std::ostringstream md;
  md << "# Offline evaluation: " << data.name << " (impressions)\n\n"
     << "Command:\n\n```\n"
     << options.command << "\n```\n\n"
     << "## Results\n\n"
     << "| method | AUC | MRR | nDCG@5 | nDCG@10 | impressions | skipped | seconds | what it "
        "is |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (size_t i = 0; i < report->methods.size(); ++i) {
    const ImpressionMethodReport& m = report->methods[i];
    md << "| " << m.name << " | " << fixed(m.summary.auc, 4) << " | " << fixed(m.summary.mrr, 4)
       << " | " << fixed(m.summary.ndcg5, 4) << " | " << fixed(m.summary.ndcg10, 4) << " | "
       << m.summary.impressions_evaluated << " | " << m.summary.impressions_skipped() << " | "
       << fixed(m.seconds, 2) << " | " << set.descriptions[i]
       << (m.first_invalid.empty() ? "" : "; first invalid answer: " + m.first_invalid) << " |\n";
    result.headline.emplace_back(m.name, m.summary.auc);
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  md << "\nEach logged impression is scored by every method before anything at or after its "
        "time is observed (its own clicks included); the candidates are those of the "
        "impression present in the catalogue, labels as logged. Metrics as in MIND: "
        "per-impression AUC, MRR, nDCG@5 and nDCG@10, averaged over impressions with at least "
        "one clicked and one unclicked known candidate. No tuning: the engine runs with the "
        "configuration given.\n\n"
     << "![AUC, MRR, nDCG per method](metrics.png)\n\n";
  if (!ranker_md.empty()) md << "## Learned ranker\n\n" << ranker_md << "\n";
  md << "## Replay\n\n"
     << "- impressions scored: " << report->impressions
     << (report->first_scored > 0 ? " (after the first " + std::to_string(report->first_scored) +
                                        ", which trained the learned ranker)"
                                  : std::string())
     << (options.limit > 0 ? " (--limit: the first N in time)" : "") << "\n"
     << "- interactions derived from the events: " << report->interactions << ", observed "
     << report->observed << " (clicked " << report->observed_clicks << "), events giving none "
     << report->events_ignored << "\n"
     << "- wall time: replay " << fixed(report->seconds, 1) << " s, whole run " << fixed(total, 1)
     << " s\n\n";
  if (!set.engines.empty()) {
    md << "## Engine ingest\n\n" << eval_internal::engine_ingest_notes(set) << "\n";
  }
  md << "## Dataset\n\n```\n" << format_dataset_summary(data) << "\n```\n";
  result.report_markdown = md.str();
  FEEDSCOUT_RETURN_IF_ERROR(eval_internal::write_file(options.out_dir, "report.md",
                                                      result.report_markdown, result.files));

  BarChart chart;
  chart.title = data.name + ": impressions";
  chart.y_label = "metric value";
  chart.series = {"AUC", "MRR", "nDCG@5", "nDCG@10"};
  chart.values.assign(4, {});
  for (const ImpressionMethodReport& m : report->methods) {
    chart.groups.push_back(m.name);
    chart.values[0].push_back(m.summary.auc);
    chart.values[1].push_back(m.summary.mrr);
    chart.values[2].push_back(m.summary.ndcg5);
    chart.values[3].push_back(m.summary.ndcg10);
  }
  const std::string png = options.out_dir + "/metrics.png";
  FEEDSCOUT_RETURN_IF_ERROR(write_bar_chart(chart, png, {"gnuplot", 1200, 500}));
  result.files.push_back(png);
  return result;
}

}  // namespace feedscout
