#include "suite_common.h"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "feedscout/eval/baselines.h"
#include "feedscout/eval/collaborative_baseline.h"
#include "feedscout/eval/tuning.h"

namespace feedscout::eval_internal {

std::string fixed(double v, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

std::vector<EngineRun> engine_ablations(const std::string& prefix,
                                        const EngineRecommenderOptions& base, bool surfaces,
                                        bool deeper_labels) {
  std::vector<EngineRun> runs;
  auto add = [&](const std::string& suffix, const std::string& description) -> EngineRun& {
    EngineRun r;
    r.name = prefix + " " + suffix;
    r.description = description;
    r.options = base;
    r.options.name = r.name;
    runs.push_back(std::move(r));
    return runs.back();
  };
  add("-popularity", "popularity_weight 0: quality is freshness only")
      .options.feed.popularity_weight = 0.0;
  add("-freshness", "popularity_weight 1: quality is popularity only")
      .options.feed.popularity_weight = 1.0;
  if (base.feed.related_weight > 0) {
    add("-co-click", "related_weight 0: no co-click candidates or relevance")
        .options.feed.related_weight = 0.0;
  } else {
    add("+co-click", "related_weight 0.5: co-click candidates and relevance on")
        .options.feed.related_weight = 0.5;
  }
  {
    EngineRun& r = add("-topics", "no topic candidates or relevance: the popular source only");
    r.options.feed.max_topics = 0;
    r.options.feed.popular_weight = 1.0;
  }
  if (deeper_labels) {
    add("tier-1", "documents labelled with level-1 topics only (coarse topics)").topic_level = 1;
  }
  if (surfaces) {
    EngineRun& feed = add("feed-only", "preference from the feed surface only (no integration)");
    feed.options.context.light_weights = {0.0, 1.0, 0.0};
    feed.options.context.heavy_weights = {0.0, 1.0, 0.0};
    EngineRun& search = add("search-only", "preference from the search surface only");
    search.options.context.light_weights = {1.0, 0.0, 0.0};
    search.options.context.heavy_weights = {1.0, 0.0, 0.0};
  }
  return runs;
}

Status add_baselines(const EvalDataset& data, const std::vector<std::string>& names, MethodSet& set,
                     const KnnVariant* knn) {
  BaselineOptions options = knn != nullptr ? knn_baseline_options(*knn) : BaselineOptions{};
  for (const Document& d : data.documents) options.catalogue.push_back(d.id);
  for (const std::string& name : names) {
    if (name == "engine" || name == "engine+ranker") continue;
    if (name == "collaborative") {
      auto r = std::make_unique<CollaborativeRecommender>(CollaborativeOptions{});
      set.methods.push_back(r.get());
      set.descriptions.push_back(
          "baseline: implicit ALS over every click (32 factors), user folded in at query time");
      set.owned.push_back(std::move(r));
      continue;
    }
    auto r = make_baseline(name, options);
    if (!r.is_ok()) {
      return r.status().with_context(
          "--methods (valid: the baselines, 'collaborative', 'engine' and 'engine+ranker')");
    }
    set.methods.push_back(r->get());
    set.descriptions.push_back(name == "item-knn" && knn != nullptr
                                   ? "baseline, chosen on validation: " + knn->description()
                                   : std::string("baseline"));
    set.owned.push_back(std::move(r).value());
  }
  return Status::ok();
}

Status add_engine(const EvalDataset& data, const EngineRun& run, MethodSet& set) {
  EngineRecommenderOptions options = run.options;
  options.name = run.name;
  auto r = run.topic_level > 0
               ? EngineRecommender::create(coarsen_topics(data, run.topic_level), options)
               : EngineRecommender::create(data, options);
  if (!r.is_ok()) return r.status().with_context("engine '" + run.name + "'");
  set.methods.push_back(r->get());
  set.engines.push_back(r->get());
  set.descriptions.push_back(run.description);
  set.owned.push_back(std::move(r).value());
  return Status::ok();
}

std::string engine_ingest_notes(const MethodSet& set) {
  std::ostringstream os;
  for (const EngineRecommender* e : set.engines) {
    const auto c = e->counters();
    os << "- " << e->name() << ": ingested " << c.documents_ingested << " documents and "
       << c.events_ingested << " events; rejected " << c.documents_rejected << " documents, "
       << c.events_rejected << " events; " << c.commit_failures << " commit failures"
       << (c.first_error.empty() ? "" : "; first error: " + c.first_error) << "\n";
  }
  return os.str();
}

Status write_file(const std::string& dir, const std::string& name, const std::string& text,
                  std::vector<std::string>& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error("cannot create output folder '" + dir + "': " + ec.message());
  const std::string path = (std::filesystem::path(dir) / name).string();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f.flush()) return Status::io_error("cannot write '" + path + "'");
  files.push_back(path);
  return Status::ok();
}

}  // namespace feedscout::eval_internal
