// `feedscout eval-rec`: the offline evaluation (issue 3) — load a dataset, then run the
// whole suite of eval/suite.h (tuning on validation, baselines, engine, ablations) and write
// report.md and PNG charts under --out.
#include <iostream>
#include <memory>
#include <sstream>

#include <spdlog/spdlog.h>

#include "cli_common.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/suite.h"

namespace feedscout::cli {
namespace {

struct EvalRecArgs {
  std::string dataset = "movielens";
  std::string path;  // "" = the dataset's default location
  std::string out = "var/eval";
  std::string config_path;
  size_t limit = 0;
  std::string methods = "random,popular,recent-popular,item-knn,collaborative,engine,engine+ranker";
  bool no_tune = false;
  bool no_ablations = false;
  RankerTrainOptions ranker;
  std::string ranker_objective;  // "" = choose among rank:pairwise and rank:ndcg on held-out pages
  int ranker_depth = 0;          // 0 = choose among 3 and 6 on held-out pages
  size_t ranker_pages_per_user = RankerTrainingOptions{}.pages_per_user;
  bool ranker_labels_next_question = false;
  int sim_users = 600;
  uint64_t sim_seed = 11;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

std::string default_path(const std::string& dataset) {
  if (dataset == "movielens") return "../shared/datasets/movielens-small";
  if (dataset == "mind") return "../shared/datasets/mind-subset";
  return "data/sample";
}

int run_eval_rec(const EvalRecArgs& args) {
  const std::string path = args.path.empty() ? default_path(args.dataset) : args.path;
  SuiteOptions options;
  options.out_dir = args.out;
  options.methods = split_commas(args.methods);
  if (options.methods.empty()) return fail(Status::invalid_argument("--methods is empty"));
  options.limit = args.limit;
  options.ranker.model_grid =
      default_model_grid(args.ranker, args.ranker_objective, args.ranker_depth);
  options.ranker.pages_per_user = args.ranker_pages_per_user;
  options.ranker.label_horizon = args.ranker_labels_next_question ? LabelHorizon::kNextQuestion
                                                                  : LabelHorizon::kUntilTestCutoff;
  options.tune = !args.no_tune;
  options.ablations = !args.no_ablations;
  auto engine = replay_engine_options(args.config_path);
  if (!engine.is_ok()) return fail(engine.status());
  options.engine = std::move(engine).value();
  std::ostringstream command;
  command << "feedscout eval-rec --dataset " << args.dataset << " --path " << path << " --out "
          << args.out;
  if (!args.config_path.empty()) command << " --config " << args.config_path;
  if (args.limit > 0) command << " --limit " << args.limit;
  if (args.no_tune) command << " --no-tune";
  if (args.no_ablations) command << " --no-ablations";
  if (args.dataset == "simulated") {
    command << " --sim-users " << args.sim_users << " --sim-seed " << args.sim_seed;
  }
  command << " --methods " << args.methods;
  const RankerTrainOptions defaults;
  if (!args.ranker_objective.empty()) command << " --ranker-objective " << args.ranker_objective;
  if (args.ranker_depth != 0) command << " --ranker-depth " << args.ranker_depth;
  if (args.ranker.eta != defaults.eta) command << " --ranker-eta " << args.ranker.eta;
  if (args.ranker.subsample != defaults.subsample)
    command << " --ranker-subsample " << args.ranker.subsample;
  if (args.ranker.min_child_weight != defaults.min_child_weight) {
    command << " --ranker-min-child-weight " << args.ranker.min_child_weight;
  }
  if (args.ranker_pages_per_user != RankerTrainingOptions{}.pages_per_user)
    command << " --ranker-pages-per-user " << args.ranker_pages_per_user;
  if (args.ranker_labels_next_question) command << " --ranker-labels-next-question";
  options.command = command.str();

  std::cerr << "loading " << args.dataset << " from " << path << " ...\n";
  Result<EvalDataset> data = Status::invalid_argument("unknown dataset");
  if (args.dataset == "movielens") {
    data = load_movielens(path);
  } else if (args.dataset == "mind") {
    data = load_mind(path);
  } else {
    SimulatedOptions sim;
    sim.sample_dir = path;
    sim.simulator.users = args.sim_users;
    sim.simulator.seed = args.sim_seed;
    data = load_simulated(sim);
  }
  if (!data.is_ok()) return fail(data.status());
  std::cerr << format_dataset_summary(*data) << "\n";

  auto result = args.dataset == "mind" ? run_impression_suite(*data, options)
                                       : run_next_item_suite(*data, options);
  if (!result.is_ok()) return fail(result.status());
  std::cout << result->report_markdown;
  for (const std::string& f : result->files) std::cerr << "wrote " << f << "\n";
  return 0;
}

}  // namespace

void register_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval-rec",
      "Offline evaluation: baselines, the engine (tuned on validation) and its ablations on a "
      "dataset replay; writes report.md and PNG charts");
  auto args = std::make_shared<EvalRecArgs>();
  cmd->add_option("--dataset", args->dataset,
                  "movielens (next item), mind (impressions) or simulated (next item, 3 surfaces)")
      ->check(CLI::IsMember({"movielens", "mind", "simulated"}));
  cmd->add_option("--path", args->path,
                  "dataset directory (default ../shared/datasets/movielens-small, "
                  "../shared/datasets/mind-subset, or data/sample for simulated)");
  cmd->add_option("--out", args->out, "output folder (report.md, metrics.png, tuning.png)");
  cmd->add_option("--config", args->config_path,
                  "TOML file whose [context], [feed], [index] and [collaborative] sections "
                  "configure the engine");
  cmd->add_option("--limit", args->limit,
                  "quick run: only the first N users by id (next item) or N impressions (0 = all)");
  cmd->add_option("--methods", args->methods,
                  "comma-separated: random, popular, recent-popular, item-knn, collaborative, "
                  "engine, engine+ranker (a learned ranker trained on the validation replay)");
  cmd->add_flag("--no-tune", args->no_tune, "skip tuning the engine on the validation split");
  cmd->add_option("--ranker-objective", args->ranker_objective,
                  "engine+ranker: XGBoost objective (default: rank:pairwise or rank:ndcg, "
                  "whichever is better on held-out pages)")
      ->check(CLI::IsMember({"rank:ndcg", "rank:pairwise", "rank:map"}));
  cmd->add_option("--ranker-depth", args->ranker_depth,
                  "engine+ranker: tree depth (default: 3 or 6, whichever is better on held-out "
                  "pages)")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--ranker-eta", args->ranker.eta, "engine+ranker: learning rate")
      ->check(CLI::Range(1e-4, 1.0));
  cmd->add_option("--ranker-subsample", args->ranker.subsample, "engine+ranker: row subsample")
      ->check(CLI::Range(0.05, 1.0));
  cmd->add_option("--ranker-min-child-weight", args->ranker.min_child_weight,
                  "engine+ranker: smallest hessian sum in a leaf")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_option("--ranker-pages-per-user", args->ranker_pages_per_user,
                  "engine+ranker: pages logged per user on the validation replay")
      ->check(CLI::Range(1, 50));
  cmd->add_flag("--ranker-labels-next-question", args->ranker_labels_next_question,
                "engine+ranker: label a replayed page with the user's next stretch of clicks, "
                "as long as their validation part (default: every later click before their "
                "test cut-off)");
  cmd->add_flag("--no-ablations", args->no_ablations, "skip the engine's ablation variants");
  cmd->add_option("--sim-users", args->sim_users, "simulated: number of users")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--sim-seed", args->sim_seed, "simulated: seed");
  cmd->callback([&exit_code, args] {
    setup_logging(false);
    spdlog::set_level(spdlog::level::warn);  // one engine per method: no "opened" lines
    exit_code = run_eval_rec(*args);
  });
}

}  // namespace feedscout::cli
