// train_ranker_on_impressions; the contract is in include/feedscout/eval/ranker_training.h.
#include <chrono>
#include <limits>

#include "feedscout/eval/impression_replay.h"
#include "feedscout/eval/ranker_training.h"

namespace feedscout {
namespace {

// Logs every list it is asked to score as a page with the engine's features; scores are
// not used (all 0). Observes like the engine it wraps.
class ImpressionLogger final : public Recommender {
 public:
  explicit ImpressionLogger(EngineRecommender& engine) : engine_(engine) {}
  std::string name() const override { return "engine (logging)"; }
  void observe(const Interaction& x) override { engine_.observe(x); }
  std::vector<std::string> recommend(const std::string&, size_t, TimeMs,
                                     const ExcludeFn&) const override {
    return {};
  }
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override {
    pages_.push_back(engine_.log_items(user, items, now));
    return std::vector<double>(items.size(), 0.0);
  }
  std::vector<LoggedPage> take_pages() { return std::move(pages_); }

 private:
  EngineRecommender& engine_;              // borrowed
  mutable std::vector<LoggedPage> pages_;  // in the order asked
};

}  // namespace

Result<RankerTrainingResult> train_ranker_on_impressions(const EvalDataset& data, size_t n_train,
                                                         const EngineRecommenderOptions& engine,
                                                         const RankerTrainingOptions& options,
                                                         const std::string& model_path) {
  const auto start = std::chrono::steady_clock::now();
  if (n_train == 0 || n_train > data.impressions.size()) {
    return Status::invalid_argument("ranker training: " + std::to_string(n_train) +
                                    " training impressions of " +
                                    std::to_string(data.impressions.size()));
  }
  EngineRecommenderOptions logging = engine;
  logging.ranker_path.clear();
  logging.name = "engine (logging)";
  auto recommender = EngineRecommender::create(data, logging);
  if (!recommender.is_ok()) return recommender.status().with_context("ranker training");
  ImpressionLogger logger(**recommender);
  ImpressionReplayOptions replay;
  replay.max_impressions = n_train;
  replay.progress = options.replay.progress;
  auto replayed = replay_impressions(data, {&logger}, replay);
  if (!replayed.is_ok()) return replayed.status().with_context("ranker training");
  std::vector<LoggedPage> pages = logger.take_pages();
  if (pages.size() != n_train) {
    return Status::internal("ranker training: " + std::to_string(pages.size()) +
                            " lists logged for " + std::to_string(n_train) + " impressions");
  }
  // Record i was scored i-th (replay_impressions scores in data.impressions order). Its clicks
  // happen at its own time: the page is dated one millisecond before and labelled up to it.
  std::vector<FeedbackClick> clicks;
  for (size_t i = 0; i < n_train; ++i) {
    const ImpressionRecord& r = data.impressions[i];
    pages[i].time_ms = r.time_ms - 1;
    pages[i].label_until_ms = r.time_ms;
    for (size_t c = 0; c < r.candidates.size() && c < r.labels.size(); ++c) {
      if (r.labels[c] > 0) clicks.push_back({r.user, r.candidates[c], r.time_ms});
    }
  }
  auto result = train_ranker_on_pages(std::move(pages), clicks, 1, options, model_path);
  if (result.is_ok()) {
    result->trained_on = "the first " + std::to_string(n_train) + " impressions replayed";
    result->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return result;
}

}  // namespace feedscout
