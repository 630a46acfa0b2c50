// Validation view, tuning grid and topic coarsening; contracts in eval/tuning.h.
#include "feedscout/eval/tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace feedscout {

ValidationView validation_view(const EvalDataset& data, const TemporalSplit& split) {
  ValidationView view;
  view.data.name = data.name;
  view.data.taxonomy_tsv = data.taxonomy_tsv;
  view.data.taxonomy = data.taxonomy;
  view.data.documents = data.documents;
  view.data.skipped = data.skipped;
  view.data.stats = data.stats;
  for (const Interaction& x : data.interactions) {
    if (split.part(x.user, x.time_ms) != SplitPart::kTest) view.data.interactions.push_back(x);
  }
  for (const UserCutoffs& u : split.users) {
    if (u.validation == 0) continue;
    UserCutoffs v = u;
    v.test_cutoff_ms = u.validation_cutoff_ms;
    v.test = u.validation;
    v.validation = 0;
    view.split.users.push_back(v);
  }
  return view;
}

std::vector<EngineVariant> tuning_grid(const EngineRecommenderOptions& base) {
  std::vector<EngineVariant> grid;
  constexpr double kDay = 86400.0;
  for (bool impressions : {true, false}) {
    for (double pop_weight : {0.3, 0.6, 0.9}) {
      for (double pop_days : {1.0, 3650.0}) {
        for (double fresh_days : {3.0, 365.0}) {
          for (double related : {0.0, 0.5, 1.0}) {
            EngineVariant v;
            v.options = base;
            v.options.emit_impressions = impressions;
            v.options.feed.popularity_weight = pop_weight;
            v.options.index.popularity_half_life_s = pop_days * kDay;
            v.options.feed.fresh_half_life_s = fresh_days * kDay;
            v.options.feed.related_weight = related;
            char name[96];
            std::snprintf(name, sizeof name, "pw=%.1f pop=%gd fresh=%gd rw=%g%s", pop_weight,
                          pop_days, fresh_days, related, impressions ? "" : " clicks-only");
            v.name = name;
            char description[192];
            std::snprintf(description, sizeof description,
                          "popularity_weight %g, popularity half-life %g d, freshness half-life "
                          "%g d, related_weight %g, %s",
                          pop_weight, pop_days, fresh_days, related,
                          impressions ? "impressions and clicks" : "clicks only");
            v.description = description;
            v.options.name = v.name;
            grid.push_back(std::move(v));
          }
        }
      }
    }
  }
  return grid;
}

Result<TuningResult> tune_engine(const ValidationView& view, const std::vector<EngineVariant>& grid,
                                 size_t cutoff, const ReplayOptions& options) {
  if (grid.empty()) return Status::invalid_argument("tune_engine: empty grid");
  if (std::find(options.cutoffs.begin(), options.cutoffs.end(), cutoff) == options.cutoffs.end()) {
    return Status::invalid_argument("tune_engine: cut-off " + std::to_string(cutoff) +
                                    " is not among the replay's cut-offs");
  }
  TuningResult result;
  double best_ndcg = -1;
  for (size_t i = 0; i < grid.size(); ++i) {
    auto engine = EngineRecommender::create(view.data, grid[i].options);
    if (!engine.is_ok()) return engine.status().with_context("tune_engine: " + grid[i].name);
    ReplayOptions quiet = options;
    quiet.progress = false;
    const auto start = std::chrono::steady_clock::now();
    auto report = replay_next_item(view.data, view.split, {engine->get()}, quiet);
    if (!report.is_ok()) return report.status().with_context("tune_engine: " + grid[i].name);
    TuningRun run{grid[i], report->methods.front().summary,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
    double ndcg = 0;
    for (const auto& a : run.summary.at_cutoff) {
      if (a.k == cutoff) ndcg = a.ndcg;
    }
    if (ndcg > best_ndcg) {
      best_ndcg = ndcg;
      result.best = i;
    }
    result.users_queried = report->users_queried;
    result.runs.push_back(std::move(run));
    if (options.progress) {
      std::fprintf(stderr,
                   "\rtuning: %zu/%zu configurations on validation, best nDCG@%zu %.4f   %s", i + 1,
                   grid.size(), cutoff, best_ndcg, i + 1 == grid.size() ? "\n" : "");
      std::fflush(stderr);
    }
  }
  return result;
}

EvalDataset coarsen_topics(const EvalDataset& data, int max_level) {
  EvalDataset out = data;
  for (Document& d : out.documents) {
    std::vector<DocTopic> topics;
    for (const DocTopic& t : d.topics) {
      TopicId id = t.topic;
      while (id != kNoTopic && data.taxonomy.node(id).level > max_level) {
        id = data.taxonomy.node(id).parent;
      }
      if (id == kNoTopic) continue;
      auto same = std::find_if(topics.begin(), topics.end(),
                               [&](const DocTopic& o) { return o.topic == id; });
      if (same == topics.end()) {
        DocTopic c = t;
        c.topic = id;
        topics.push_back(c);
      } else {
        same->score = std::max(same->score, t.score);
      }
    }
    d.topics = std::move(topics);
  }
  return out;
}

int deepest_topic_level(const EvalDataset& data) {
  int deepest = 0;
  for (const Document& d : data.documents) {
    for (const DocTopic& t : d.topics)
      deepest = std::max(deepest, data.taxonomy.node(t.topic).level);
  }
  return deepest;
}

}  // namespace feedscout
