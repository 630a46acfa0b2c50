// The learned-ranker runs of the next-item suite (suite_common.h).
#include <filesystem>
#include <sstream>

#include "feedscout/eval/ranker_training.h"
#include "suite_common.h"

namespace feedscout::eval_internal {
namespace {

const MethodReport* find_method(const ReplayReport& report, const std::string& name) {
  for (const MethodReport& m : report.methods) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

double ndcg10(const MethodReport& m) {
  for (const auto& a : m.summary.at_cutoff) {
    if (a.k == 10) return a.ndcg;
  }
  return 0.0;
}

// The path of model file `file` in options.out_dir, creating the folder.
Result<std::string> model_path(const SuiteOptions& options, const char* file) {
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return Status::io_error("cannot create '" + options.out_dir + "': " + ec.message());
  return (std::filesystem::path(options.out_dir) / file).string();
}

// Writes `heading` and the training report of `trained` to `md` and adds the run `name`
// (`base` ranked by the model at `path`) to `set`. Too little feedback to learn from
// (InvalidArgument, a tiny dataset) is said in the report instead, not fatal.
Status add_trained_run(const EvalDataset& data, const Result<RankerTrainingResult>& trained,
                       const std::string& path, const EngineRecommenderOptions& base,
                       const std::string& name, const std::string& what, const std::string& heading,
                       MethodSet& set, std::ostringstream& md) {
  md << heading;
  if (!trained.is_ok() && trained.status().code() == Status::Code::kInvalidArgument) {
    md << "Not trained, so not in the results: " << trained.status().message() << "\n\n";
    return Status::ok();
  }
  if (!trained.is_ok()) return trained.status().with_context(name);
  md << ranker_training_markdown(*trained) << "\n";
  EngineRun run{name, what + ", ranked by the learned ranker " + trained->model_version, base, 0};
  run.options.ranker_path = path;
  return add_engine(data, run, set);
}

// Trains on `base`'s validation replay and adds the run `name` with the model.
Status add_one(const EvalDataset& data, const ValidationView& view, const SuiteOptions& options,
               const EngineRecommenderOptions& base, const std::string& name,
               const std::string& what, const ReplayOptions& replay, MethodSet& set,
               std::ostringstream& md) {
  auto path =
      model_path(options, name == "engine+ranker" ? "ranker-engine.model" : "ranker-tuned.model");
  if (!path.is_ok()) return path.status();
  RankerTrainingOptions training = options.ranker;
  training.feed = base.feed;
  training.replay = replay;
  training.replay.progress = false;
  return add_trained_run(data, train_ranker_on_replay(view, base, training, *path), *path, base,
                         name, what, "### `" + name + "` (" + what + ")\n\n", set, md);
}

}  // namespace

Result<std::string> add_ranker_runs(const EvalDataset& data, const ValidationView& view,
                                    const SuiteOptions& options,
                                    const EngineRecommenderOptions* tuned,
                                    const ReplayOptions& replay, MethodSet& set) {
  std::ostringstream md;
  md << "Each ranker is trained on the validation replay (train interactions observed, every "
        "user's candidate list logged with its features at their validation cut-off and "
        "before their training interactions, their later clicks in the view joined as labels; "
        "serve/training_rows.h), then ranks the test replay. The test period is never "
        "read.\n\n";
  FEEDSCOUT_RETURN_IF_ERROR(add_one(data, view, options, options.engine, "engine+ranker",
                                    "the engine as given", replay, set, md));
  if (tuned != nullptr) {
    FEEDSCOUT_RETURN_IF_ERROR(add_one(data, view, options, *tuned, "tuned+ranker",
                                      "the tuned configuration", replay, set, md));
  }
  return md.str();
}

Result<std::string> add_impression_ranker_run(const EvalDataset& data, size_t n_train,
                                              const SuiteOptions& options, MethodSet& set) {
  auto path = model_path(options, "ranker-engine.model");
  if (!path.is_ok()) return path.status();
  RankerTrainingOptions training = options.ranker;
  training.feed = options.engine.feed;
  training.replay.progress = false;
  std::ostringstream md;
  md << "The ranker is trained on the first " << n_train
     << " impressions (by time): the engine as given replays them and logs each impression's "
        "candidates with their features before anything at or after its time is observed; the "
        "impression's clicks are the labels. Every method is then measured on the later "
        "impressions only. The later impressions are never read in training.\n\n";
  FEEDSCOUT_RETURN_IF_ERROR(add_trained_run(
      data, train_ranker_on_impressions(data, n_train, options.engine, training, *path), *path,
      options.engine, "engine+ranker", "the engine as given", "", set, md));
  return md.str();
}

std::string ranker_target_lines(const ReplayReport& report) {
  const MethodReport* ranker = find_method(report, "engine+ranker");
  if (ranker == nullptr) return "";
  const double r = ndcg10(*ranker);
  std::ostringstream os;
  os << "Learned-ranker targets (issue 13) for `engine+ranker` (nDCG@10 " << fixed(r, 4)
     << "):\n\n";
  auto compare = [&](const char* name, double factor, const char* label) {
    const MethodReport* m = find_method(report, name);
    if (m == nullptr) return;
    const double base = ndcg10(*m);
    const bool met = r >= factor * base && (base > 0 || r > 0);
    os << "- " << label << " `" << name << "` (" << fixed(base, 4)
       << "): " << (base > 0 ? fixed(r / base, 2) + "×" : std::string("n/a")) << " — "
       << (met ? "met" : "NOT met") << "\n";
  };
  compare("popular", 1.5, "≥ 1.5 ×");
  compare("engine-tuned", 1.3, "≥ 1.3 ×");
  compare("collaborative", 1.0, "above");
  compare("engine", 1.0, "above");
  return os.str();
}

}  // namespace feedscout::eval_internal
