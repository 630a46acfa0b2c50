// Random, most-popular and recently-popular baselines, and make_baseline. Item kNN is in
// item_knn.cc. Contracts are in include/feedscout/eval/baselines.h.
#include "feedscout/eval/baselines.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "feedscout/common/hash.h"

namespace feedscout {
namespace {

// Uniform in [0, bound), bound > 0, from the raw output of `engine` by rejection: the
// accepted range [2^64 mod bound, 2^64) holds a whole number of copies of every residue.
uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  const uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const uint64_t r = engine();
    if (r >= threshold) return r % bound;
  }
}

bool excluded(const Recommender::ExcludeFn& exclude, const std::string& item) {
  return exclude && exclude(item);
}

// Slot of `item` in an interned table, adding it when new.
uint32_t intern(std::unordered_map<std::string, uint32_t>& index, std::vector<std::string>& names,
                const std::string& item, bool* added) {
  auto [it, inserted] = index.try_emplace(item, static_cast<uint32_t>(names.size()));
  if (inserted) names.push_back(item);
  *added = inserted;
  return it->second;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// RandomRecommender

RandomRecommender::RandomRecommender(uint64_t seed, std::vector<std::string> catalogue)
    : seed_(seed), catalogue_(std::move(catalogue)) {
  std::sort(catalogue_.begin(), catalogue_.end());
  catalogue_.erase(std::unique(catalogue_.begin(), catalogue_.end()), catalogue_.end());
}

std::vector<std::string> RandomRecommender::recommend(const std::string& user, size_t k, TimeMs now,
                                                      const ExcludeFn& exclude) const {
  std::vector<std::string> out;
  const size_t n = catalogue_.size();
  if (k == 0 || n == 0) return out;
  std::mt19937_64 engine(mix64(seed_ ^ mix64(fnv1a64(user) ^ mix64(static_cast<uint64_t>(now)))));
  // Sparse Fisher–Yates: position p holds moved.at(p) when present, else p itself.
  std::unordered_map<size_t, size_t> moved;
  auto at = [&moved](size_t p) {
    auto it = moved.find(p);
    return it == moved.end() ? p : it->second;
  };
  for (size_t i = 0; i < n && out.size() < k; ++i) {
    const size_t j = i + static_cast<size_t>(uniform_below(engine, n - i));
    const size_t pick = at(j);
    moved[j] = at(i);  // position i is never read again
    const std::string& item = catalogue_[pick];
    if (!excluded(exclude, item)) out.push_back(item);
  }
  return out;
}

std::vector<double> RandomRecommender::score_items(const std::string& user,
                                                   const std::vector<std::string>& items,
                                                   TimeMs now) const {
  std::vector<double> out;
  out.reserve(items.size());
  const uint64_t base = seed_ ^ mix64(fnv1a64(user));
  for (const std::string& item : items) {
    const uint64_t h = mix64(base ^ mix64(fnv1a64(item) ^ 0xA5A5A5A5A5A5A5A5ULL));
    out.push_back(static_cast<double>(h >> 11) * 0x1.0p-53);  // [0, 1), 53 bits
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// MostPopularRecommender

void MostPopularRecommender::observe(const Interaction& x) {
  bool added = false;
  const uint32_t slot = intern(index_, names_, x.item, &added);
  if (added) clicks_.push_back(0);
  if (x.clicked) ++clicks_[slot];
  if (added || x.clicked) {
    std::lock_guard<std::mutex> lock(mu_);
    order_valid_ = false;
  }
}

uint64_t MostPopularRecommender::clicks(const std::string& item) const {
  auto it = index_.find(item);
  return it == index_.end() ? 0 : clicks_[it->second];
}

std::vector<std::string> MostPopularRecommender::recommend(const std::string& user, size_t k,
                                                           TimeMs now,
                                                           const ExcludeFn& exclude) const {
  std::vector<std::string> out;
  if (k == 0) return out;
  std::lock_guard<std::mutex> lock(mu_);
  if (!order_valid_) {
    order_.resize(names_.size());
    for (uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::sort(order_.begin(), order_.end(), [this](uint32_t a, uint32_t b) {
      if (clicks_[a] != clicks_[b]) return clicks_[a] > clicks_[b];
      return names_[a] < names_[b];
    });
    order_valid_ = true;
  }
  for (uint32_t slot : order_) {
    if (out.size() >= k) break;
    if (!excluded(exclude, names_[slot])) out.push_back(names_[slot]);
  }
  return out;
}

std::vector<double> MostPopularRecommender::score_items(const std::string& user,
                                                        const std::vector<std::string>& items,
                                                        TimeMs now) const {
  std::vector<double> out;
  out.reserve(items.size());
  for (const std::string& item : items) out.push_back(static_cast<double>(clicks(item)));
  return out;
}

// ---------------------------------------------------------------------------------------
// RecentPopularRecommender

void RecentPopularRecommender::observe(const Interaction& x) {
  bool added = false;
  const uint32_t slot = intern(index_, names_, x.item, &added);
  if (added) counts_.emplace_back();
  if (x.clicked) counts_[slot].add(1.0, x.time_ms, half_life_s_);
}

double RecentPopularRecommender::score(const std::string& item, TimeMs now) const {
  auto it = index_.find(item);
  return it == index_.end() ? 0.0 : counts_[it->second].at(now, half_life_s_);
}

std::vector<std::string> RecentPopularRecommender::recommend(const std::string& user, size_t k,
                                                             TimeMs now,
                                                             const ExcludeFn& exclude) const {
  std::vector<std::string> out;
  if (k == 0) return out;
  std::vector<std::pair<double, uint32_t>> scored;
  scored.reserve(names_.size());
  for (uint32_t slot = 0; slot < names_.size(); ++slot) {
    if (excluded(exclude, names_[slot])) continue;
    scored.emplace_back(counts_[slot].at(now, half_life_s_), slot);
  }
  const size_t take = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(take),
                    scored.end(), [this](const auto& a, const auto& b) {
                      if (a.first != b.first) return a.first > b.first;
                      return names_[a.second] < names_[b.second];
                    });
  out.reserve(take);
  for (size_t i = 0; i < take; ++i) out.push_back(names_[scored[i].second]);
  return out;
}

std::vector<double> RecentPopularRecommender::score_items(const std::string& user,
                                                          const std::vector<std::string>& items,
                                                          TimeMs now) const {
  std::vector<double> out;
  out.reserve(items.size());
  for (const std::string& item : items) out.push_back(score(item, now));
  return out;
}

// ---------------------------------------------------------------------------------------
// make_baseline

Result<std::unique_ptr<Recommender>> make_baseline(std::string_view name,
                                                   const BaselineOptions& options) {
  if (name == "random") {
    if (options.catalogue.empty()) {
      return Status::invalid_argument("random: option 'catalogue' is empty");
    }
    return std::unique_ptr<Recommender>(
        std::make_unique<RandomRecommender>(options.seed, options.catalogue));
  }
  if (name == "popular") {
    return std::unique_ptr<Recommender>(std::make_unique<MostPopularRecommender>());
  }
  if (name == "recent-popular") {
    if (!std::isfinite(options.half_life_s) || options.half_life_s <= 0) {
      return Status::invalid_argument(
          "recent-popular: option 'half_life_s' must be a positive finite number of seconds");
    }
    return std::unique_ptr<Recommender>(
        std::make_unique<RecentPopularRecommender>(options.half_life_s));
  }
  if (name == "item-knn") {
    if (options.neighbours == 0) {
      return Status::invalid_argument("item-knn: option 'neighbours' must be >= 1");
    }
    if (!std::isfinite(options.shrink) || options.shrink < 0) {
      return Status::invalid_argument(
          "item-knn: option 'shrink' must be a non-negative finite number");
    }
    return std::unique_ptr<Recommender>(std::make_unique<ItemKnnRecommender>(
        options.neighbours, options.history_len, options.normalize, options.shrink));
  }
  std::string valid;
  for (std::string_view n : kBaselineNames) {
    if (!valid.empty()) valid += ", ";
    valid += n;
  }
  return Status::invalid_argument("unknown baseline '" + std::string(name) + "' (valid: " + valid +
                                  ")");
}

}  // namespace feedscout
