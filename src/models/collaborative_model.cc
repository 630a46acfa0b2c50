#include "feedscout/models/collaborative_model.h"

#include <chrono>
#include <cmath>

namespace feedscout {

CollaborativeModel::CollaborativeModel(ConstructionKey, ImplicitAls als, std::vector<uint64_t> keys,
                                       std::string version, CollaborativeSummary summary)
    : als_(std::move(als)),
      key_of_(std::move(keys)),
      version_(std::move(version)),
      summary_(summary) {
  item_of_.reserve(key_of_.size());
  for (uint32_t i = 0; i < key_of_.size(); ++i) item_of_.emplace(key_of_[i], i);
}

Result<std::shared_ptr<const CollaborativeModel>> CollaborativeModel::train(
    const std::vector<std::vector<uint64_t>>& histories, const CollaborativeOptions& options,
    std::string version) {
  if (options.min_item_users < 1) {
    return Status::invalid_argument("collaborative.min_item_users must be >= 1");
  }
  // Distinct users per document decide which documents are kept.
  std::unordered_map<uint64_t, uint32_t> users_of;
  for (const auto& history : histories) {
    std::unordered_map<uint64_t, bool> once;
    for (uint64_t key : history) {
      if (once.emplace(key, true).second) ++users_of[key];
    }
  }
  std::vector<uint64_t> keys;
  std::unordered_map<uint64_t, uint32_t> item_of;
  for (const auto& history : histories) {  // first-seen order: deterministic
    for (uint64_t key : history) {
      if (users_of[key] >= options.min_item_users && item_of.emplace(key, keys.size()).second) {
        keys.push_back(key);
      }
    }
  }
  if (keys.empty()) {
    return Status::invalid_argument("collaborative training: no document was clicked by " +
                                    std::to_string(options.min_item_users) + " users or more");
  }
  std::vector<AlsInteraction> interactions;
  CollaborativeSummary summary;
  uint32_t user = 0;
  for (const auto& history : histories) {
    bool any = false;
    for (uint64_t key : history) {
      auto it = item_of.find(key);
      if (it == item_of.end()) continue;
      interactions.push_back({user, it->second, 1.0f});
      any = true;
    }
    if (any) ++user;
  }
  summary.users = user;
  summary.items = keys.size();
  summary.interactions = interactions.size();
  const auto start = std::chrono::steady_clock::now();
  auto als =
      ImplicitAls::train(interactions, user, static_cast<uint32_t>(keys.size()), options.als);
  if (!als.is_ok()) return als.status();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::shared_ptr<const CollaborativeModel>(std::make_shared<CollaborativeModel>(
      ConstructionKey{}, std::move(als).value(), std::move(keys), std::move(version), summary));
}

std::vector<float> CollaborativeModel::user_vector(std::span<const uint64_t> history) const {
  std::vector<std::pair<uint32_t, float>> items;
  items.reserve(history.size());
  for (uint64_t key : history) {
    auto it = item_of_.find(key);
    if (it != item_of_.end()) items.emplace_back(it->second, 1.0f);
  }
  return als_.fold_in(items);
}

std::optional<float> CollaborativeModel::score(std::span<const float> user_vector,
                                               uint64_t doc_key) const {
  auto it = item_of_.find(doc_key);
  if (it == item_of_.end()) return std::nullopt;
  return als_.score(user_vector, it->second);
}

std::vector<std::pair<uint64_t, float>> CollaborativeModel::top_k(
    std::span<const float> user_vector, size_t k,
    const std::function<bool(uint64_t)>& exclude) const {
  std::vector<std::pair<uint64_t, float>> out;
  const auto best =
      als_.top_k(user_vector, k, [&](uint32_t item) { return exclude && exclude(key_of_[item]); });
  for (const auto& [item, s] : best) {
    if (!(s > 0)) break;
    out.emplace_back(key_of_[item], s);
  }
  return out;
}

std::optional<uint64_t> CollaborativeModel::nearest_in_history(std::span<const uint64_t> history,
                                                               uint64_t doc_key) const {
  auto target = item_of_.find(doc_key);
  if (target == item_of_.end()) return std::nullopt;
  const auto y = als_.item_vector(target->second);
  auto norm = [](std::span<const float> v) {
    double s = 0;
    for (float x : v) s += static_cast<double>(x) * x;
    return std::sqrt(s);
  };
  const double ny = norm(y);
  std::optional<uint64_t> best;
  double best_cos = -2;
  for (uint64_t key : history) {
    auto it = item_of_.find(key);
    if (it == item_of_.end() || key == doc_key) continue;
    const auto h = als_.item_vector(it->second);
    double dot = 0;
    for (size_t f = 0; f < h.size(); ++f) dot += static_cast<double>(h[f]) * y[f];
    const double denom = norm(h) * ny;
    const double c = denom > 0 ? dot / denom : 0.0;
    if (c > best_cos) {
      best_cos = c;
      best = key;
    }
  }
  return best;
}

}  // namespace feedscout
