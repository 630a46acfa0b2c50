// `feedscout eval-rec`: the offline next-item evaluation (issue 3) — load a dataset, split it
// in time, replay it through the baselines and the engine, print and write a Markdown report.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.h"
#include "feedscout/eval/baselines.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/engine_recommender.h"
#include "feedscout/eval/replay.h"

namespace feedscout::cli {
namespace {

struct EvalRecArgs {
  std::string dataset = "movielens";
  std::string path = "../shared/datasets/movielens-small";
  std::string out = "var/eval";
  size_t limit = 0;
  std::string methods = "random,popular,recent-popular,item-knn,engine";
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

std::string fixed(double v, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

// The Markdown table: method × HR@10, nDCG@10, MRR, coverage@10, mean popularity rank@10, s.
std::string results_table(const ReplayReport& report) {
  std::ostringstream os;
  os << "| method | HR@10 | nDCG@10 | MRR | coverage@10 | mean pop. rank@10 | seconds |\n"
     << "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const MethodReport& m : report.methods) {
    const RankingAtCutoff* at10 = nullptr;
    for (const auto& a : m.summary.at_cutoff) {
      if (a.k == 10) at10 = &a;
    }
    os << "| " << m.name << " | " << (at10 ? fixed(at10->hit_rate, 4) : "-") << " | "
       << (at10 ? fixed(at10->ndcg, 4) : "-") << " | " << fixed(m.summary.mrr, 4) << " | "
       << (at10 && at10->catalogue ? fixed(at10->catalogue->coverage, 4) : "-") << " | "
       << (at10 && at10->catalogue ? fixed(at10->catalogue->mean_popularity_rank, 1) : "-") << " | "
       << fixed(m.seconds, 2) << " |\n";
  }
  return os.str();
}

int run_eval_rec(const EvalRecArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  if (args.dataset != "movielens") {
    return fail(Status::invalid_argument("eval-rec: dataset '" + args.dataset +
                                         "' is not supported yet (only movielens)"));
  }
  const std::vector<std::string> names = split_commas(args.methods);
  if (names.empty()) return fail(Status::invalid_argument("eval-rec: --methods is empty"));

  std::cerr << "loading " << args.path << " ...\n";
  auto data = load_movielens(args.path);
  if (!data.is_ok()) return fail(data.status());
  SplitOptions split_options;  // 20% test, no validation
  auto split = temporal_split(data->interactions, split_options);
  if (!split.is_ok()) return fail(split.status());

  BaselineOptions baseline_options;
  for (const Document& d : data->documents) baseline_options.catalogue.push_back(d.id);
  std::vector<std::unique_ptr<Recommender>> owned;
  EngineRecommender* engine = nullptr;
  for (const std::string& name : names) {
    if (name == "engine") {
      auto r = EngineRecommender::create(*data);
      if (!r.is_ok()) return fail(r.status());
      engine = r->get();
      owned.push_back(std::move(r).value());
      continue;
    }
    auto r = make_baseline(name, baseline_options);
    if (!r.is_ok()) {
      return fail(r.status().with_context("--methods (valid: baselines and 'engine')"));
    }
    owned.push_back(std::move(r).value());
  }
  std::vector<Recommender*> methods;
  for (auto& m : owned) methods.push_back(m.get());

  ReplayOptions options;
  options.max_users = args.limit;
  options.progress = true;
  auto report = replay_next_item(*data, *split, methods, options);
  if (!report.is_ok()) return fail(report.status());
  if (engine != nullptr) {
    const auto c = engine->counters();
    std::cerr << "engine ingest: " << c.documents_ingested << " documents, " << c.events_ingested
              << " events; rejected " << c.documents_rejected << " documents, " << c.events_rejected
              << " events; " << c.commit_failures << " commit failures"
              << (c.first_error.empty() ? "" : "; first error: " + c.first_error) << "\n";
  }

  std::ostringstream command;
  command << "feedscout eval-rec --dataset " << args.dataset << " --path " << args.path << " --out "
          << args.out;
  if (args.limit > 0) command << " --limit " << args.limit;
  command << " --methods " << args.methods;

  const std::string table = results_table(*report);
  std::cout << table;

  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ostringstream md;
  md << "# Offline evaluation: " << data->name << "\n\n"
     << "Command:\n\n```\n"
     << command.str() << "\n```\n\n"
     << "## Results\n\n"
     << table << "\n"
     << "Next-item replay: every user is queried once at their test cut-off with only "
        "earlier training interactions (of all users) observed; relevant = the user's "
        "clicked test items; the user's training items are excluded. Lists of "
     << options.cutoffs.back() << " items; MRR over the whole list; coverage and popularity "
     << "rank against the " << report->catalogue_size << " documents ranked by training clicks.\n\n"
     << "## Split\n\n"
     << "Per-user temporal split, last " << split_options.test_fraction * 100
     << "% of each user's interactions as test (ties at the cut-off go to test).\n\n"
     << "- users taking part: " << report->users
     << (args.limit > 0 ? " (--limit: the first N by id)" : "") << "\n"
     << "- users queried: " << report->users_queried
     << " (skipped without a clicked test item: " << report->users_without_clicked_test << ")\n"
     << "- training interactions observed: " << report->observed << "\n"
     << "- test interactions: " << report->test_interactions << " (clicked " << report->test_clicks
     << ")\n"
     << "- replay wall time: " << fixed(report->seconds, 1) << " s, total " << fixed(total, 1)
     << " s\n\n"
     << "## Dataset\n\n```\n"
     << format_dataset_summary(*data) << "\n```\n";

  std::error_code ec;
  std::filesystem::create_directories(args.out, ec);
  const std::string out_path = (std::filesystem::path(args.out) / "report.md").string();
  std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
  f << md.str();
  if (!f.flush()) return fail(Status::io_error("cannot write '" + out_path + "'"));
  std::cerr << "wrote " << out_path << " (" << fixed(total, 1) << " s)\n";
  return 0;
}

}  // namespace

void register_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval-rec", "Offline next-item evaluation: baselines and the engine on a dataset replay");
  auto args = std::make_shared<EvalRecArgs>();
  cmd->add_option("--dataset", args->dataset, "dataset kind (movielens)")
      ->check(CLI::IsMember({"movielens"}));
  cmd->add_option("--path", args->path, "dataset directory");
  cmd->add_option("--out", args->out, "output folder (report.md)");
  cmd->add_option("--limit", args->limit, "only the first N users by id (0 = all)");
  cmd->add_option("--methods", args->methods,
                  "comma-separated: random, popular, recent-popular, item-knn, engine");
  cmd->callback([&exit_code, args] {
    setup_logging(false);
    exit_code = run_eval_rec(*args);
  });
}

}  // namespace feedscout::cli
