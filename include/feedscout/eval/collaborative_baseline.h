// The "collaborative" baseline of eval-rec (issue 13): implicit-feedback ALS
// (models/collaborative_model.h) over every observed click, outside the engine.
//
//   observe: a click appends the item to the user's click history (every click, in order).
//   recommend / score_items: first, when the clicks observed since the last training reach
//     retrain_share of those trained on (at least retrain_min; the first training as soon as
//     retrain_min clicks exist), the model is retrained on every user's whole history — on
//     the replay's own clock, so answers depend only on what was observed. The user's
//     vector is folded in from their whole history at query time (a click counts at once);
//     the list is the model's best items, then most-popular to fill.
//   score_items: the factor-space score; items the model does not know score below every
//     known one, ordered among themselves by popularity.
//
// Thread safety: observe() needs exclusive access; recommend() and score_items() may run
// concurrently (the retraining is guarded).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "feedscout/eval/baselines.h"
#include "feedscout/eval/recommender.h"
#include "feedscout/models/collaborative_model.h"

namespace feedscout {

class CollaborativeRecommender final : public Recommender {
 public:
  explicit CollaborativeRecommender(CollaborativeOptions options, double retrain_share = 0.1,
                                    size_t retrain_min = 50);
  CollaborativeRecommender(const CollaborativeRecommender&) = delete;
  CollaborativeRecommender& operator=(const CollaborativeRecommender&) = delete;

  std::string name() const override { return "collaborative"; }
  void observe(const Interaction& x) override;
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                     const ExcludeFn& exclude) const override;
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override;

  size_t trainings() const;

 private:
  // Retrains when due (see the file comment). Requires mu_ held.
  void refresh_locked() const;
  std::vector<uint64_t> history_keys(const std::string& user) const;

  CollaborativeOptions options_;
  double retrain_share_;
  size_t retrain_min_;
  MostPopularRecommender popular_;
  std::unordered_map<std::string, std::vector<uint64_t>> histories_;  // user -> item keys
  std::unordered_map<uint64_t, std::string> item_of_key_;
  size_t clicks_ = 0;

  mutable std::mutex mu_;
  mutable std::shared_ptr<const CollaborativeModel> model_;
  mutable size_t clicks_trained_on_ = 0;
  mutable size_t trainings_ = 0;
};

}  // namespace feedscout
