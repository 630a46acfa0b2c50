// `feedscout train-ranker`: the learned ranker from an engine's feature log, or from a
// dataset replay (docs/RANKING.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>
#include "cli_common.h"

#include <sstream>

#include "feedscout/engine/feature_log.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/ranker_training.h"
#include "feedscout/eval/tuning.h"
#include "feedscout/llm/ranking_judge.h"
#include "feedscout/serve/ranking_features.h"

namespace feedscout::cli {
namespace {

struct TrainRankerArgs {
  std::string data_dir;  // the engine's data directory (its feature-log/)
  std::string replay;    // movielens | simulated: train on a dataset replay instead
  std::string path;      // the replay's dataset directory ("" = its default)
  std::string config_path;
  std::string out = "var/ranker.model";
  std::string report;  // "" = <out>.md
  double window_h = 24;
  std::string judgements;  // `distill judge-ranking` output, mixed into training
  double judgement_weight = 0.5;
  double holdout = 0.2;
  RankerTrainOptions model;
  std::string objective;  // "" = choose among rank:pairwise and rank:ndcg on held-out pages
  int max_depth = 0;      // 0 = choose among 3 and 6 on held-out pages
};

void print_training(const RankerTrainingResult& r, const std::string& out,
                    const std::string& report_path, const std::string& source) {
  std::ostringstream md;
  md << "# Learned ranker\n\nSource: " << source << "\n\nModel: `" << out << "`\n\n"
     << ranker_training_markdown(r) << "\n"
     << "Rows cleaned out before training: " << r.train_clean.groups_no_positive
     << " training groups without a click, " << r.train_clean.groups_no_negative
     << " with only clicks, " << r.train_clean.rows_non_finite_feature
     << " rows with a non-finite feature; " << r.extra_groups
     << " judged groups (teacher) trained on beside the clicks.\n";
  std::cout << md.str();
  std::ofstream f(report_path, std::ios::binary | std::ios::trunc);
  f << md.str();
  if (!f.flush()) std::cerr << "cannot write report '" << report_path << "'\n";
}

int run_from_log(const TrainRankerArgs& a, const RankerTrainingOptions& training,
                 const std::string& report) {
  const std::string dir = (std::filesystem::path(a.data_dir) / "feature-log").string();
  auto log = read_feature_log(dir, home_feature_schema());
  if (!log.is_ok()) return fail(log.status());
  std::cerr << "feature log " << dir << ": " << log->segments << " segments, " << log->pages.size()
            << " pages, " << log->clicks.size() << " clicks, " << log->bad_records
            << " unreadable records skipped, " << log->other_schema_pages
            << " pages of another schema skipped"
            << (log->first_problem.empty() ? "" : " (first: " + log->first_problem + ")") << "\n";
  const auto window_ms = static_cast<TimeMs>(a.window_h * 3600.0 * 1000.0);
  auto r = train_ranker_on_pages(std::move(log->pages), log->clicks, window_ms, training, a.out);
  if (!r.is_ok()) return fail(r.status());
  r->trained_on = "the engine's feature log";
  print_training(*r, a.out, report, "feature log " + dir);
  return 0;
}

int run_from_replay(const TrainRankerArgs& a, const EngineRecommenderOptions& engine,
                    const RankerTrainingOptions& training, const std::string& report) {
  const std::string path = !a.path.empty()           ? a.path
                           : a.replay == "movielens" ? "../shared/datasets/movielens-small"
                                                     : "data/sample";
  Result<EvalDataset> data = Status::invalid_argument("unknown dataset");
  if (a.replay == "movielens") {
    data = load_movielens(path);
  } else {
    SimulatedOptions sim;
    sim.sample_dir = path;
    data = load_simulated(sim);
  }
  if (!data.is_ok()) return fail(data.status());
  // The same validation view as eval-rec's: each user's last 20% before the test cut-off.
  SplitOptions split_options;
  split_options.validation_fraction = 0.2;
  auto split = temporal_split(data->interactions, split_options);
  if (!split.is_ok()) return fail(split.status());
  const ValidationView view = validation_view(*data, *split);
  auto r = train_ranker_on_replay(view, engine, training, a.out);
  if (!r.is_ok()) return fail(r.status());
  print_training(*r, a.out, report, "validation replay of " + a.replay + " (" + path + ")");
  return 0;
}

// The teacher's judgements as weighted training groups; bad lines are reported and skipped.
Result<RankingData> read_judgements(const std::string& path, float weight) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("judgements file '" + path + "' cannot be opened");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const llm::JudgedFile file = llm::read_judged_jsonl(text, kFeatureCount);
  for (size_t i = 0; i < file.errors.size() && i < 20; ++i) {
    std::cerr << path << ": " << file.errors[i] << " (skipped)\n";
  }
  std::cerr << path << ": " << file.requests.size() << " judged requests, " << file.errors.size()
            << " bad lines skipped, weight " << weight << "\n";
  if (file.requests.empty()) return RankingData{};
  return llm::judgement_rows(file.requests, file.answers, kFeatureCount, weight);
}

}  // namespace

void register_train_ranker_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "train-ranker",
      "Train the learned ranker (XGBoost, grouped by page, split by time, early stopping) from "
      "an engine's feature log or a dataset replay; writes the model and a report");
  auto a = std::make_shared<TrainRankerArgs>();
  cmd->add_option("--data-dir", a->data_dir,
                  "an engine's data directory: train on its feature log");
  cmd->add_option("--replay", a->replay,
                  "train on a dataset's validation replay instead: movielens or simulated")
      ->check(CLI::IsMember({"movielens", "simulated"}));
  cmd->add_option("--path", a->path, "the replay's dataset directory");
  cmd->add_option("--config", a->config_path,
                  "TOML file configuring the replayed engine and the recency rule the report "
                  "applies after the model");
  cmd->add_option("--out", a->out, "model file to write (atomically)");
  cmd->add_option("--report", a->report, "Markdown report (default: <out>.md)");
  cmd->add_option("--window-h", a->window_h,
                  "feature log: a click within this many hours of a "
                  "page counts for it")
      ->check(CLI::Range(0.001, 24.0 * 365));
  cmd->add_option("--holdout", a->holdout,
                  "share of the latest pages held out (early stopping, "
                  "report)")
      ->check(CLI::Range(0.01, 0.99));
  cmd->add_option("--judgements", a->judgements,
                  "a teacher's judgements (`distill judge-ranking`) mixed into training");
  cmd->add_option("--judgement-weight", a->judgement_weight,
                  "weight of a judged group against a clicked page's (1)")
      ->check(CLI::Range(0.001, 1000.0));
  cmd->add_option("--objective", a->objective,
                  "rank:ndcg, rank:pairwise or rank:map (default: rank:pairwise or rank:ndcg, "
                  "whichever is better on the held-out pages)")
      ->check(CLI::IsMember({"rank:ndcg", "rank:pairwise", "rank:map"}));
  cmd->add_option("--rounds", a->model.max_rounds, "most boosting rounds")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--early-stopping", a->model.early_stopping_rounds,
                  "rounds without improvement before stopping (0: never)");
  cmd->add_option("--eta", a->model.eta, "learning rate")->check(CLI::Range(1e-4, 1.0));
  cmd->add_option("--max-depth", a->max_depth,
                  "tree depth (default: 3 or 6, whichever is better on the held-out pages)")
      ->check(CLI::Range(1, 16));
  cmd->callback([&exit_code, a] {
    setup_logging(false);
    spdlog::set_level(spdlog::level::warn);
    if (a->data_dir.empty() == a->replay.empty()) {
      exit_code = fail(Status::invalid_argument("give exactly one of --data-dir and --replay"));
      return;
    }
    auto engine = replay_engine_options(a->config_path);
    if (!engine.is_ok()) {
      exit_code = fail(engine.status());
      return;
    }
    RankerTrainingOptions training;
    training.feed = engine->feed;
    training.model_grid = default_model_grid(a->model, a->objective, a->max_depth);
    if (!a->judgements.empty()) {
      auto judged = read_judgements(a->judgements, static_cast<float>(a->judgement_weight));
      if (!judged.is_ok()) {
        exit_code = fail(judged.status());
        return;
      }
      training.extra_train = std::move(judged).value();
    }
    training.holdout_share = a->holdout;
    training.replay.progress = true;
    const std::string report = a->report.empty() ? a->out + ".md" : a->report;
    std::error_code ec;
    const auto parent = std::filesystem::path(a->out).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    exit_code = a->data_dir.empty() ? run_from_replay(*a, *engine, training, report)
                                    : run_from_log(*a, training, report);
  });
}

}  // namespace feedscout::cli
