// Item co-click kNN baseline. Contract and costs in include/feedscout/eval/baselines.h.
#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "feedscout/eval/baselines.h"

namespace feedscout {

ItemKnnRecommender::ItemKnnRecommender(size_t neighbours, size_t history_len, bool normalize,
                                       double shrink)
    : neighbours_(neighbours), history_len_(history_len), normalize_(normalize), shrink_(shrink) {}

void ItemKnnRecommender::observe(const Interaction& x) {
  popular_.observe(x);
  if (!x.clicked) return;

  auto [item_it, item_added] =
      item_index_.try_emplace(x.item, static_cast<uint32_t>(item_names_.size()));
  if (item_added) {
    item_names_.push_back(x.item);
    item_users_.emplace_back();
  }
  const uint32_t item = item_it->second;
  auto [user_it, user_added] =
      user_index_.try_emplace(x.user, static_cast<uint32_t>(user_items_.size()));
  if (user_added) {
    user_items_.emplace_back();
    user_recent_.emplace_back();
  }
  const uint32_t user = user_it->second;

  const uint64_t pair = (static_cast<uint64_t>(user) << 32) | item;
  const bool new_pair = clicked_pairs_.insert(pair).second;

  // H(u): move (or add) the item to the most recent end, keep the last history_len (all when
  // 0). A click new to the user cannot be in H(u) already, so only a repeat needs the search.
  std::vector<uint32_t>& recent = user_recent_[user];
  if (!new_pair) recent.erase(std::remove(recent.begin(), recent.end(), item), recent.end());
  recent.push_back(item);
  if (history_len_ != 0 && recent.size() > history_len_) {
    recent.erase(recent.begin(), recent.end() - static_cast<std::ptrdiff_t>(history_len_));
  }

  if (!new_pair) return;  // a repeat: no co-count changes
  user_items_[user].push_back(item);
  item_users_[item].push_back(user);
  std::lock_guard<std::mutex> lock(mu_);
  for (uint32_t slot : cached_slots_) cached_[slot] = 0;
  cached_slots_.clear();
}

const std::vector<ItemKnnRecommender::Sim>& ItemKnnRecommender::neighbours_locked(
    uint32_t item) const {
  const size_t n_items = item_names_.size();
  if (cache_.size() < n_items) {
    cache_.resize(n_items);
    cached_.resize(n_items, 0);
  }
  if (cached_[item]) return cache_[item];

  // c(item, j) for every co-clicked j, counted in a dense per-slot array.
  if (scratch_counts_.size() < n_items) scratch_counts_.resize(n_items, 0);
  std::vector<uint32_t>& touched = scratch_touched_;
  touched.clear();
  for (uint32_t u : item_users_[item]) {
    for (uint32_t j : user_items_[u]) {
      if (scratch_counts_[j]++ == 0) touched.push_back(j);
    }
  }
  const double n_i = static_cast<double>(item_users_[item].size());
  std::vector<Sim>& sims = scratch_sims_;
  sims.clear();
  for (uint32_t j : touched) {
    if (j != item) {
      const double n_j = static_cast<double>(item_users_[j].size());
      sims.push_back(
          {j, static_cast<double>(scratch_counts_[j]) / (std::sqrt(n_i * n_j) + shrink_)});
    }
    scratch_counts_[j] = 0;
  }
  auto better = [this](const Sim& a, const Sim& b) {
    if (a.sim != b.sim) return a.sim > b.sim;
    return item_names_[a.item] < item_names_[b.item];
  };
  const size_t keep = std::min(neighbours_, sims.size());
  if (keep > 0 && keep < sims.size()) {
    // The best `keep` by (sim desc, id asc) without comparing ids outside the tie at the
    // boundary: select by sim alone, then among the items whose sim equals the keep-th
    // largest take those with the smallest ids.
    const auto by_sim = [](const Sim& a, const Sim& b) { return a.sim > b.sim; };
    const auto nth = sims.begin() + static_cast<std::ptrdiff_t>(keep - 1);
    std::nth_element(sims.begin(), nth, sims.end(), by_sim);
    const double cut = nth->sim;
    const auto above =
        std::partition(sims.begin(), sims.end(), [cut](const Sim& s) { return s.sim > cut; });
    const auto tied =
        std::partition(above, sims.end(), [cut](const Sim& s) { return s.sim == cut; });
    const auto need = static_cast<std::ptrdiff_t>(keep) - (above - sims.begin());
    std::partial_sort(above, above + need, tied, better);
  }
  std::sort(sims.begin(), sims.begin() + static_cast<std::ptrdiff_t>(keep), better);
  std::vector<Sim>& out = cache_[item];
  out.assign(sims.begin(), sims.begin() + static_cast<std::ptrdiff_t>(keep));
  if (normalize_) {
    double total = 0;
    for (const Sim& s : out) total += s.sim;  // best first: a fixed summation order
    if (total > 0) {
      for (Sim& s : out) s.sim /= total;
    }
  }
  cached_[item] = 1;
  cached_slots_.push_back(item);
  return out;
}

std::vector<ItemKnnRecommender::Neighbour> ItemKnnRecommender::neighbours_of(
    const std::string& item) const {
  std::vector<Neighbour> out;
  auto it = item_index_.find(item);
  if (it == item_index_.end()) return out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const Sim& s : neighbours_locked(it->second)) out.push_back({item_names_[s.item], s.sim});
  return out;
}

std::vector<std::string> ItemKnnRecommender::history(const std::string& user) const {
  std::vector<std::string> out;
  auto it = user_index_.find(user);
  if (it == user_index_.end()) return out;
  for (uint32_t item : user_recent_[it->second]) out.push_back(item_names_[item]);
  return out;
}

std::vector<std::pair<double, uint32_t>> ItemKnnRecommender::history_scores(
    const std::string& user) const {
  // score(j), accumulated over H(u) oldest first, in first-touch order.
  std::vector<std::pair<double, uint32_t>> scored;
  auto u = user_index_.find(user);
  if (u == user_index_.end()) return scored;
  std::lock_guard<std::mutex> lock(mu_);
  if (scratch_position_.size() < item_names_.size()) {
    scratch_position_.resize(item_names_.size(), 0);
  }
  for (uint32_t i : user_recent_[u->second]) {
    for (const Sim& s : neighbours_locked(i)) {
      uint32_t& position = scratch_position_[s.item];  // 1 + index in `scored`, 0 = none
      if (position == 0) {
        scored.emplace_back(s.sim, s.item);
        position = static_cast<uint32_t>(scored.size());
      } else {
        scored[position - 1].first += s.sim;
      }
    }
  }
  for (const auto& s : scored) scratch_position_[s.second] = 0;
  return scored;
}

std::vector<double> ItemKnnRecommender::score_items(const std::string& user,
                                                    const std::vector<std::string>& items,
                                                    TimeMs now) const {
  std::unordered_map<std::string_view, double> knn;  // item id -> score(j) > 0
  for (const auto& [score, slot] : history_scores(user)) {
    if (score > 0) knn.emplace(item_names_[slot], score);
  }
  std::vector<double> out;
  out.reserve(items.size());
  for (const std::string& item : items) {
    auto it = knn.find(item);
    out.push_back(it != knn.end() ? it->second
                                  : -1.0 / (1.0 + static_cast<double>(popular_.clicks(item))));
  }
  return out;
}

std::vector<std::string> ItemKnnRecommender::recommend(const std::string& user, size_t k,
                                                       TimeMs now, const ExcludeFn& exclude) const {
  std::vector<std::string> out;
  if (k == 0) return out;

  std::vector<std::pair<double, uint32_t>> scored = history_scores(user);
  std::erase_if(scored, [&](const auto& s) {
    return s.first <= 0 || (exclude && exclude(item_names_[s.second]));
  });
  const size_t take = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(take),
                    scored.end(), [this](const auto& a, const auto& b) {
                      if (a.first != b.first) return a.first > b.first;
                      return item_names_[a.second] < item_names_[b.second];
                    });
  std::unordered_set<std::string_view> listed;
  for (size_t i = 0; i < take; ++i) {
    out.push_back(item_names_[scored[i].second]);
    listed.insert(item_names_[scored[i].second]);
  }
  if (out.size() < k) {
    // Fill from most popular, skipping what is listed or excluded.
    const ExcludeFn skip = [&](const std::string& item) {
      return listed.count(item) > 0 || (exclude && exclude(item));
    };
    for (std::string& item : popular_.recommend(user, k - out.size(), now, skip)) {
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace feedscout
