// Item-kNN neighbourhood tuning on validation; the contract is in eval/knn_tuning.h.
#include "feedscout/eval/knn_tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "feedscout/eval/tuning.h"

namespace feedscout {

std::string KnnVariant::description() const {
  char text[96];
  std::snprintf(text, sizeof text, "neighbours %zu", neighbours);
  std::string out = text;
  if (normalize) out += ", normalized";
  if (shrink != 0) {
    std::snprintf(text, sizeof text, ", shrink %g", shrink);
    out += text;
  }
  return out;
}

std::vector<KnnVariant> knn_grid() {
  std::vector<KnnVariant> grid;
  for (double shrink : {0.0, 20.0}) {
    for (size_t neighbours : {10, 20, 50, 100, 200, 400}) {
      for (bool normalize : {false, true}) grid.push_back({neighbours, normalize, shrink});
    }
  }
  return grid;
}

BaselineOptions knn_baseline_options(const KnnVariant& variant, BaselineOptions base) {
  base.neighbours = variant.neighbours;
  base.normalize = variant.normalize;
  base.shrink = variant.shrink;
  base.history_len = 0;
  return base;
}

Result<KnnTuningResult> tune_item_knn(const ValidationView& view,
                                      const std::vector<KnnVariant>& grid, size_t cutoff,
                                      const ReplayOptions& options) {
  if (grid.empty()) return Status::invalid_argument("tune_item_knn: empty grid");
  if (std::find(options.cutoffs.begin(), options.cutoffs.end(), cutoff) == options.cutoffs.end()) {
    return Status::invalid_argument("tune_item_knn: cut-off " + std::to_string(cutoff) +
                                    " is not among the replay's cut-offs");
  }
  const auto start = std::chrono::steady_clock::now();
  KnnTuningResult result;
  double best_ndcg = -1;
  ReplayOptions quiet = options;
  quiet.progress = false;
  for (size_t i = 0; i < grid.size(); ++i) {
    const std::string context = "tune_item_knn: " + grid[i].description();
    auto knn = make_baseline("item-knn", knn_baseline_options(grid[i]));
    if (!knn.is_ok()) return knn.status().with_context(context);
    auto report = replay_next_item(view.data, view.split, {knn->get()}, quiet);
    if (!report.is_ok()) return report.status().with_context(context);
    double ndcg = 0;
    for (const auto& a : report->methods.front().summary.at_cutoff) {
      if (a.k == cutoff) ndcg = a.ndcg;
    }
    if (ndcg > best_ndcg) {
      best_ndcg = ndcg;
      result.best = i;
    }
    result.users_queried = report->users_queried;
    result.runs.emplace_back(grid[i], ndcg);
    if (options.progress) {
      std::fprintf(stderr, "item-knn tuning %zu/%zu: %s nDCG@%zu %.4f (%.1f s)\n", i + 1,
                   grid.size(), grid[i].description().c_str(), cutoff, ndcg,
                   report->methods.front().seconds);
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace feedscout
