// The engine's learned models as one stage: the collaborative model and the learned ranker,
// each replaced whole (a new shared_ptr) so that a request keeps the models it started with
// while another is swapped in. Private to src/engine.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "feedscout/common/status.h"
#include "feedscout/models/collaborative_model.h"
#include "feedscout/models/gbdt_ranker.h"

namespace feedscout {

class RankingModels {
 public:
  struct Snapshot {
    std::shared_ptr<const CollaborativeModel> collaborative;
    std::shared_ptr<const GbdtRanker> ranker;
  };
  Snapshot snapshot() const;

  void set_collaborative(std::shared_ptr<const CollaborativeModel> model);
  // Loads a model file trained on home_feature_schema() and swaps it in. A missing,
  // truncated or corrupt file, or one trained on another schema, is refused with its error
  // and the running model (or the hand-set ranking) stays.
  [[nodiscard]] Status load_ranker(const std::string& path);
  // Back to the hand-set ranking.
  void clear_ranker();

  // Clicks applied since the collaborative model was last trained (the writer adds).
  void add_clicks(size_t n) { clicks_since_training_.fetch_add(n, std::memory_order_relaxed); }
  size_t clicks_since_training() const {
    return clicks_since_training_.load(std::memory_order_relaxed);
  }
  // Called with the count read before a training started: clicks that came during it stay.
  void trained_on(size_t clicks) { clicks_since_training_.fetch_sub(clicks); }
  uint64_t trainings() const { return trainings_.load(); }
  uint64_t ranker_loads() const { return ranker_loads_.load(); }
  uint64_t ranker_load_failures() const { return ranker_load_failures_.load(); }

 private:
  mutable std::mutex mu_;
  Snapshot models_;
  std::atomic<size_t> clicks_since_training_{0};
  std::atomic<uint64_t> trainings_{0}, ranker_loads_{0}, ranker_load_failures_{0};
};

}  // namespace feedscout
