// CollaborativeRecommender; the contract is in include/feedscout/eval/collaborative_baseline.h.
#include "feedscout/eval/collaborative_baseline.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "feedscout/common/hash.h"

namespace feedscout {

CollaborativeRecommender::CollaborativeRecommender(CollaborativeOptions options,
                                                   double retrain_share, size_t retrain_min)
    : options_(std::move(options)), retrain_share_(retrain_share), retrain_min_(retrain_min) {}

void CollaborativeRecommender::observe(const Interaction& x) {
  popular_.observe(x);
  if (!x.clicked) return;
  const uint64_t key = fnv1a64(x.item);
  item_of_key_.emplace(key, x.item);
  histories_[x.user].push_back(key);
  ++clicks_;
}

void CollaborativeRecommender::refresh_locked() const {
  const size_t fresh = clicks_ - clicks_trained_on_;
  const double due = std::max(static_cast<double>(retrain_min_),
                              retrain_share_ * static_cast<double>(clicks_trained_on_));
  if (fresh == 0 || static_cast<double>(fresh) < due) return;
  // Users in id order: the model is a function of the observed clicks alone.
  std::map<std::string, const std::vector<uint64_t>*> ordered;
  for (const auto& [user, keys] : histories_) ordered.emplace(user, &keys);
  std::vector<std::vector<uint64_t>> histories;
  histories.reserve(ordered.size());
  for (const auto& [user, keys] : ordered) histories.push_back(*keys);
  auto model = CollaborativeModel::train(histories, options_, "baseline");
  if (!model.is_ok()) return;  // nothing to learn from yet: popular answers
  model_ = std::move(model).value();
  clicks_trained_on_ = clicks_;
  ++trainings_;
}

std::vector<uint64_t> CollaborativeRecommender::history_keys(const std::string& user) const {
  auto it = histories_.find(user);
  return it == histories_.end() ? std::vector<uint64_t>{} : it->second;
}

std::vector<std::string> CollaborativeRecommender::recommend(const std::string& user, size_t k,
                                                             TimeMs now,
                                                             const ExcludeFn& exclude) const {
  std::vector<std::string> out;
  if (k == 0) return out;
  std::unordered_set<std::string> listed;
  {
    std::lock_guard lk(mu_);
    refresh_locked();
    if (model_) {
      const auto keys = history_keys(user);
      const auto vec = model_->user_vector(keys);
      const auto best = model_->top_k(vec, k, [&](uint64_t key) {
        const auto it = item_of_key_.find(key);
        return it == item_of_key_.end() || (exclude && exclude(it->second));
      });
      for (const auto& [key, score] : best) {
        out.push_back(item_of_key_.at(key));
        listed.insert(out.back());
      }
    }
  }
  if (out.size() < k) {
    const auto fill = popular_.recommend(user, k + listed.size(), now, exclude);
    for (const std::string& item : fill) {
      if (out.size() >= k) break;
      if (listed.insert(item).second) out.push_back(item);
    }
  }
  return out;
}

std::vector<double> CollaborativeRecommender::score_items(const std::string& user,
                                                          const std::vector<std::string>& items,
                                                          TimeMs now) const {
  const std::vector<double> pop = popular_.score_items(user, items, now);
  std::vector<double> out(items.size());
  std::lock_guard lk(mu_);
  refresh_locked();
  std::vector<float> vec;
  if (model_) vec = model_->user_vector(history_keys(user));
  // Known items: 1e6 + score (scores are far below 1e6 in magnitude); unknown: popularity
  // squeezed into (-1, 0].
  for (size_t i = 0; i < items.size(); ++i) {
    const auto s = model_ ? model_->score(vec, fnv1a64(items[i])) : std::nullopt;
    out[i] = s ? 1e6 + *s : -1.0 / (1.0 + pop[i]);
  }
  return out;
}

size_t CollaborativeRecommender::trainings() const {
  std::lock_guard lk(mu_);
  return trainings_;
}

}  // namespace feedscout
