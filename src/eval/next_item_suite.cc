// run_next_item_suite: split, tune on validation, replay everything on test, report.
// The contract is in include/feedscout/eval/suite.h.
#include <algorithm>
#include <chrono>
#include <sstream>

#include "feedscout/eval/charts.h"
#include "feedscout/eval/knn_tuning.h"
#include "feedscout/eval/replay.h"
#include "feedscout/eval/suite.h"
#include "feedscout/eval/tuning.h"
#include "suite_common.h"

namespace feedscout {
namespace {

using eval_internal::EngineRun;
using eval_internal::fixed;
using eval_internal::MethodSet;

const RankingAtCutoff* at(const RankingSummary& s, size_t k) {
  for (const auto& a : s.at_cutoff) {
    if (a.k == k) return &a;
  }
  return nullptr;
}

double ndcg_at(const RankingSummary& s, size_t k) {
  const RankingAtCutoff* a = at(s, k);
  return a ? a->ndcg : 0.0;
}

std::string results_table(const ReplayReport& report, const std::vector<std::string>& notes) {
  std::ostringstream os;
  os << "| method | HR@10 | nDCG@10 | MRR | HR@20 | nDCG@20 | coverage@10 | mean pop. rank@10 | "
        "seconds | what it is |\n"
     << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  auto cell = [](const RankingAtCutoff* a, double RankingAtCutoff::*field) {
    return a ? fixed(a->*field, 4) : std::string("-");
  };
  for (size_t i = 0; i < report.methods.size(); ++i) {
    const MethodReport& m = report.methods[i];
    const RankingAtCutoff* a10 = at(m.summary, 10);
    const RankingAtCutoff* a20 = at(m.summary, 20);
    os << "| " << m.name << " | " << cell(a10, &RankingAtCutoff::hit_rate) << " | "
       << cell(a10, &RankingAtCutoff::ndcg) << " | " << fixed(m.summary.mrr, 4) << " | "
       << cell(a20, &RankingAtCutoff::hit_rate) << " | " << cell(a20, &RankingAtCutoff::ndcg)
       << " | " << (a10 && a10->catalogue ? fixed(a10->catalogue->coverage, 4) : "-") << " | "
       << (a10 && a10->catalogue ? fixed(a10->catalogue->mean_popularity_rank, 1) : "-") << " | "
       << fixed(m.seconds, 2) << " | " << (i < notes.size() ? notes[i] : "") << " |\n";
  }
  return os.str();
}

// The target: the best engine's nDCG@10 ≥ 1.3 × popular and ≥ item-kNN.
std::string target_lines(const ReplayReport& report, const std::string& engine_name) {
  const MethodReport* engine = nullptr;
  const MethodReport* popular = nullptr;
  const MethodReport* knn = nullptr;
  for (const MethodReport& m : report.methods) {
    if (m.name == engine_name) engine = &m;
    if (m.name == "popular") popular = &m;
    if (m.name == "item-knn") knn = &m;
  }
  if (engine == nullptr) return "";
  std::ostringstream os;
  const double e = ndcg_at(engine->summary, 10);
  os << "Target: nDCG@10 of `" << engine_name << "` ≥ 1.3 × `popular` and ≥ `item-knn`.\n\n";
  // One comparison: met when e >= factor × base (a base of 0 is beaten by any e > 0).
  auto compare = [&](const char* name, double base, double factor) {
    const bool met = e >= factor * base && (base > 0 || e > 0);
    os << "- vs " << name << ": " << fixed(e, 4) << " / " << fixed(base, 4) << " = "
       << (base > 0 ? fixed(e / base, 2) + "×" : std::string("n/a (baseline scores 0)")) << " — "
       << (met ? "met" : "NOT met (short by " + fixed(factor * base - e, 4) + ")") << "\n";
  };
  if (popular != nullptr) compare("popular", ndcg_at(popular->summary, 10), 1.3);
  if (knn != nullptr) compare("item-knn", ndcg_at(knn->summary, 10), 1.0);
  if (os.str().find("NOT met") != std::string::npos) {
    os << "\nWhere the shortfall comes from shows in the variant table below: which parts of "
          "the engine add to popularity and which do not (docs/EVALUATION.md discusses the "
          "MovieLens case).\n";
  }
  return os.str();
}

// What each part of the best engine configuration contributes: every other engine run's
// nDCG@10 and HR@10 relative to it (the ablations remove or add one part each).
std::string ablation_lines(const ReplayReport& report, const std::string& engine_name) {
  const MethodReport* best = nullptr;
  for (const MethodReport& m : report.methods) {
    if (m.name == engine_name) best = &m;
  }
  if (best == nullptr) return "";
  const double b_ndcg = ndcg_at(best->summary, 10);
  const RankingAtCutoff* b10 = at(best->summary, 10);
  const double b_hr = b10 ? b10->hit_rate : 0.0;
  auto delta = [](double v, double base) {
    if (base <= 0) return std::string("-");
    const double pct = (v / base - 1) * 100;
    return std::string(pct >= 0 ? "+" : "") + fixed(pct, 1) + "%";
  };
  std::ostringstream os;
  os << "Each engine variant against `" << engine_name
     << "` (a part removed costs what its delta shows; a negative delta for a removed part "
        "means the part helps):\n\n"
     << "| variant | nDCG@10 | Δ nDCG@10 | HR@10 | Δ HR@10 |\n|---|---:|---:|---:|---:|\n";
  for (const MethodReport& m : report.methods) {
    const bool engine_run = m.name.rfind("engine", 0) == 0 || m.name.rfind("tuned", 0) == 0;
    if (&m == best || !engine_run) continue;
    const RankingAtCutoff* a10 = at(m.summary, 10);
    const double hr = a10 ? a10->hit_rate : 0.0;
    os << "| " << m.name << " | " << fixed(ndcg_at(m.summary, 10), 4) << " | "
       << delta(ndcg_at(m.summary, 10), b_ndcg) << " | " << fixed(hr, 4) << " | " << delta(hr, b_hr)
       << " |\n";
  }
  return os.str();
}

bool has_several_surfaces(const EvalDataset& data) {
  for (const Interaction& x : data.interactions) {
    if (x.surface != data.interactions.front().surface) return true;
  }
  return false;
}

}  // namespace

Result<SuiteResult> run_next_item_suite(const EvalDataset& data, const SuiteOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (data.interactions.empty()) {
    return Status::invalid_argument("eval: dataset '" + data.name + "' has no interactions");
  }
  auto named = [&](const char* name) {
    return std::find(options.methods.begin(), options.methods.end(), name) != options.methods.end();
  };
  const bool with_engine = named("engine");
  const bool with_ranker = named("engine+ranker");
  const bool with_knn = named("item-knn");
  SplitOptions test_options;
  test_options.test_fraction = options.test_fraction;
  auto split = temporal_split(data.interactions, test_options);
  if (!split.is_ok()) return split.status();

  ReplayOptions replay;
  replay.max_users = options.limit;
  replay.progress = options.progress;

  // 1. The validation view; tuning on it.
  std::optional<ValidationView> view;
  if (((with_engine || with_knn) && options.tune) || with_ranker) {
    SplitOptions val_options = test_options;
    val_options.validation_fraction = options.validation_fraction;
    auto val_split = temporal_split(data.interactions, val_options);
    if (!val_split.is_ok()) return val_split.status();
    view = validation_view(data, *val_split);
  }
  std::optional<TuningResult> tuning;
  size_t tuning_users = 0;
  if (with_engine && options.tune) {
    auto t = tune_engine(*view, tuning_grid(options.engine), 10, replay);
    if (!t.is_ok()) return t.status();
    tuning_users = t->users_queried;
    tuning = std::move(t).value();
  }

  // item-kNN's neighbourhood chosen on the same validation view (a weak baseline flatters).
  std::optional<KnnTuningResult> knn_tuning;
  if (with_knn && options.tune) {
    auto k = tune_item_knn(*view, knn_grid(), 10, replay);
    if (!k.is_ok()) return k.status();
    knn_tuning = std::move(k).value();
  }

  // 2. Methods.
  MethodSet set;
  FEEDSCOUT_RETURN_IF_ERROR(eval_internal::add_baselines(
      data, options.methods, set,
      knn_tuning ? &knn_tuning->runs[knn_tuning->best].first : nullptr));
  std::string best_engine;
  if (with_engine) {
    EngineRun defaults{"engine", "the engine with the configuration given", options.engine, 0};
    FEEDSCOUT_RETURN_IF_ERROR(eval_internal::add_engine(data, defaults, set));
    best_engine = "engine";
    EngineRecommenderOptions best = options.engine;
    if (tuning) {
      const EngineVariant& v = tuning->runs[tuning->best].variant;
      EngineRun tuned{"engine-tuned", "chosen on validation: " + v.description, v.options, 0};
      FEEDSCOUT_RETURN_IF_ERROR(eval_internal::add_engine(data, tuned, set));
      best_engine = "engine-tuned";
      best = v.options;
    }
    if (options.ablations) {
      for (const EngineRun& run : eval_internal::engine_ablations(tuning ? "tuned" : "engine", best,
                                                                  has_several_surfaces(data),
                                                                  deepest_topic_level(data) > 1)) {
        FEEDSCOUT_RETURN_IF_ERROR(eval_internal::add_engine(data, run, set));
      }
    }
  }
  // 2b. Learned rankers, trained on the validation replay (ranker_suite.cc).
  std::string ranker_md;
  if (with_ranker) {
    const EngineRecommenderOptions* tuned_options =
        tuning ? &tuning->runs[tuning->best].variant.options : nullptr;
    auto md_or = eval_internal::add_ranker_runs(data, *view, options, tuned_options, replay, set);
    if (!md_or.is_ok()) return md_or.status();
    ranker_md = std::move(md_or).value();
    if (best_engine.empty()) best_engine = "engine+ranker";
  }
  if (set.methods.empty()) return Status::invalid_argument("eval: --methods names no method");

  // 3. The test replay.
  auto report = replay_next_item(data, *split, set.methods, replay);
  if (!report.is_ok()) return report.status();

  // 4. Report and charts.
  SuiteResult result;
  const std::string table = results_table(*report, set.descriptions);
  std::ostringstream md;
  md << "# Offline evaluation: " << data.name << " (next item)\n\n"
     << "Command:\n\n```\n"
     << options.command << "\n```\n\n"
     << "## Results on the test split\n\n"
     << table << "\n"
     << target_lines(*report, best_engine) << "\n"
     << eval_internal::ranker_target_lines(*report) << "\n"
     << ablation_lines(*report, best_engine) << "\n"
     << "Next-item replay: every user is queried once, at their test cut-off, after every "
        "earlier training interaction of every user was observed (nothing at or after the "
        "cut-off); relevant = the user's clicked test items; the user's training items are "
        "excluded. Lists of 20; MRR over the whole list; coverage and popularity rank against "
     << report->catalogue_size << " documents ranked by training clicks.\n\n"
     << "![nDCG@10 and HR@10 per method](metrics.png)\n\n";
  if (!ranker_md.empty()) md << "## Learned ranker\n\n" << ranker_md << "\n";
  if (knn_tuning) {
    md << "## item-kNN on the validation split\n\n"
       << "The textbook item-kNN (cosine over users' clicks, the user's whole history), its "
          "neighbourhood chosen on the same validation view as the engine ("
       << knn_tuning->runs.size() << " variants, " << fixed(knn_tuning->seconds, 1)
       << " s). Chosen: " << knn_tuning->runs[knn_tuning->best].first.description() << ".\n\n"
       << "| variant | validation nDCG@10 |\n|---|---:|\n";
    for (const auto& [v, ndcg] : knn_tuning->runs) {
      md << "| " << v.description() << " | " << fixed(ndcg, 4) << " |\n";
    }
    md << "\n";
  }
  if (tuning) {
    md << "## Tuning on the validation split\n\n"
       << "Each user's last " << fixed(options.validation_fraction * 100, 0)
       << "% of interactions before the test cut-off are validation; each configuration is "
          "replayed on train only and queried at the validation cut-off ("
       << tuning_users << " users). The test period is not read. Chosen (highest nDCG@10): `"
       << tuning->runs[tuning->best].variant.name << "`.\n\n"
       << "| # | configuration | nDCG@10 | HR@10 | MRR | seconds |\n"
       << "|---:|---|---:|---:|---:|---:|\n";
    for (size_t i = 0; i < tuning->runs.size(); ++i) {
      const TuningRun& r = tuning->runs[i];
      const RankingAtCutoff* a10 = at(r.summary, 10);
      md << "| " << i + 1 << " | " << r.variant.name << " | " << (a10 ? fixed(a10->ndcg, 4) : "-")
         << " | " << (a10 ? fixed(a10->hit_rate, 4) : "-") << " | " << fixed(r.summary.mrr, 4)
         << " | " << fixed(r.seconds, 2) << " |\n";
    }
    md << "\n![validation nDCG@10 per configuration](tuning.png)\n\n";
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  md << "## Split\n\n"
     << "Per-user temporal split: the last " << fixed(options.test_fraction * 100, 0)
     << "% of each user's interactions (ties at the cut-off go to test) are test.\n\n"
     << "- users taking part: " << report->users
     << (options.limit > 0 ? " (--limit: the first N by id)" : "") << "\n"
     << "- users queried: " << report->users_queried
     << " (skipped without a clicked test item: " << report->users_without_clicked_test << ")\n"
     << "- training interactions observed: " << report->observed << "\n"
     << "- test interactions: " << report->test_interactions << " (clicked " << report->test_clicks
     << ")\n"
     << "- wall time: test replay " << fixed(report->seconds, 1) << " s, whole run "
     << fixed(total, 1) << " s\n\n";
  if (!set.engines.empty()) {
    md << "## Engine ingest\n\n" << eval_internal::engine_ingest_notes(set) << "\n";
  }
  md << "## Dataset\n\n```\n" << format_dataset_summary(data) << "\n```\n";
  result.report_markdown = md.str();

  for (const MethodReport& m : report->methods) {
    result.headline.emplace_back(m.name, ndcg_at(m.summary, 10));
  }
  FEEDSCOUT_RETURN_IF_ERROR(eval_internal::write_file(options.out_dir, "report.md",
                                                      result.report_markdown, result.files));
  BarChart chart;
  chart.title = data.name + ": test split";
  chart.y_label = "metric value";
  chart.series = {"nDCG@10", "HR@10"};
  chart.values.assign(2, {});
  for (const MethodReport& m : report->methods) {
    chart.groups.push_back(m.name);
    const RankingAtCutoff* a10 = at(m.summary, 10);
    chart.values[0].push_back(a10 ? a10->ndcg : 0.0);
    chart.values[1].push_back(a10 ? a10->hit_rate : 0.0);
  }
  const std::string png = options.out_dir + "/metrics.png";
  FEEDSCOUT_RETURN_IF_ERROR(write_bar_chart(chart, png, {"gnuplot", 1200, 500}));
  result.files.push_back(png);
  if (tuning) {
    BarChart t;
    t.title = data.name + ": validation nDCG@10 per engine configuration (# as in report.md)";
    t.y_label = "nDCG@10";
    t.series = {"nDCG@10"};
    t.values.assign(1, {});
    for (size_t i = 0; i < tuning->runs.size(); ++i) {
      t.groups.push_back(std::to_string(i + 1));
      t.values[0].push_back(ndcg_at(tuning->runs[i].summary, 10));
    }
    const std::string tpng = options.out_dir + "/tuning.png";
    FEEDSCOUT_RETURN_IF_ERROR(write_bar_chart(t, tpng, {"gnuplot", 1200, 450}));
    result.files.push_back(tpng);
  }
  return result;
}

}  // namespace feedscout
