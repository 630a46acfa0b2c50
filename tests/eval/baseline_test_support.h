// Shared by the baseline tests (baselines_test.cc, item_knn_test.cc): tiny hand-made logs.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "feedscout/eval/recommender.h"

namespace feedscout::baseline_testing {

using Items = std::vector<std::string>;

inline constexpr TimeMs kT0 = 1'700'000'000'000;  // any nonzero epoch ms (0 means "empty" in decay)
inline constexpr TimeMs kHour = 3'600'000;
inline constexpr double kEps = 1e-12;

inline Interaction click(const std::string& user, const std::string& item, TimeMs t = kT0) {
  return Interaction{user, item, t, 4.0, true};
}
inline Interaction no_click(const std::string& user, const std::string& item, TimeMs t = kT0) {
  return Interaction{user, item, t, 2.0, false};
}

inline Recommender::ExcludeFn excluding(std::set<std::string> items) {
  return [items = std::move(items)](const std::string& item) { return items.count(item) > 0; };
}

// Indexes of `scores`, highest first, ties in input order.
inline std::vector<size_t> order_of(const std::vector<double>& scores) {
  std::vector<size_t> order(scores.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return scores[x] > scores[y]; });
  return order;
}

}  // namespace feedscout::baseline_testing
