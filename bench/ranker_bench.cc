// The learned ranker's kernels (issue 13): candidate scores per second per core with the
// XGBoost model in one batch per request, and the collaborative fold-in of a user.
//
//   ./build-bench/bench/feedscout_ranker_bench
//
// BM_RankerPredict/<trees>/<batch>: a rank:ndcg model of <trees> trees of depth 6 over the
// home feature schema scores <batch> candidates per call, as the feed does once per request;
// items_per_second is candidate scores per second on one core (prediction uses 1 thread).
// BM_HandSetScore is the same batch scored by the hand-set rule (the baseline, same run).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "feedscout/models/collaborative_model.h"
#include "feedscout/models/gbdt_ranker.h"
#include "feedscout/serve/ranking_features.h"

namespace feedscout {

std::map<size_t, std::unique_ptr<GbdtRanker>>& models();

namespace {

std::vector<float> random_rows(size_t rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> out(rows * kFeatureCount);
  for (float& x : out) x = u(rng);
  return out;
}

const GbdtRanker& model_with(size_t trees) {
  auto& slot = models()[trees];
  if (!slot) {
    RankingData d;
    d.n_features = kFeatureCount;
    d.features = random_rows(20000, 7);
    std::mt19937 rng(3);
    for (size_t i = 0; i < 20000; ++i) {
      const float* r = &d.features[i * kFeatureCount];
      d.labels.push_back(r[14] + 0.5f * r[10] + 0.2f * r[18] > 1.0f ? 1.0f : 0.0f);
    }
    d.group_sizes.assign(200, 100);
    RankerTrainOptions o;
    o.max_rounds = trees;
    o.early_stopping_rounds = 0;
    o.max_depth = 6;
    o.nthread = 2;
    auto m = GbdtRanker::train(home_feature_schema(), d, {}, o, nullptr);
    if (!m.is_ok()) std::abort();
    slot = std::make_unique<GbdtRanker>(std::move(m).value());
  }
  return *slot;
}

void BM_RankerPredict(benchmark::State& state) {
  const GbdtRanker& model = model_with(static_cast<size_t>(state.range(0)));
  const size_t batch = static_cast<size_t>(state.range(1));
  const std::vector<float> rows = random_rows(batch, 11);
  std::vector<float> scores;
  for (auto _ : state) {
    if (!model.predict(rows, batch, &scores).is_ok()) state.SkipWithError("predict failed");
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_RankerPredict)
    ->Args({100, 200})
    ->Args({300, 200})
    ->Args({100, 50})
    ->ArgNames({"trees", "batch"});

void BM_HandSetScore(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const std::vector<float> rows = random_rows(batch, 11);
  std::vector<double> scores(batch);
  for (auto _ : state) {
    for (size_t i = 0; i < batch; ++i) {
      const float* r = &rows[i * kFeatureCount];
      const double relevance = r[14] + r[15] + r[16] + r[17];
      scores[i] =
          relevance >= 0.25 ? 0.7 * relevance + 0.3 * (0.7 * r[7] + 0.3 * r[8]) : 0.35 * relevance;
    }
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_HandSetScore)->Arg(200)->ArgName("batch");

void BM_CollaborativeFoldIn(benchmark::State& state) {
  static std::shared_ptr<const CollaborativeModel> model;
  if (!model) {
    std::mt19937 rng(5);
    std::uniform_int_distribution<uint64_t> doc(1, 20000);
    std::vector<std::vector<uint64_t>> histories(20000);
    for (auto& h : histories) {
      for (int i = 0; i < 20; ++i) h.push_back(doc(rng));
    }
    auto m = CollaborativeModel::train(histories, {}, "bench");
    if (!m.is_ok()) std::abort();
    model = std::move(m).value();
  }
  std::vector<uint64_t> history;
  for (uint64_t k = 1; k <= 20; ++k) history.push_back(k * 37);
  for (auto _ : state) {
    const std::vector<float> v = model->user_vector(history);
    benchmark::DoNotOptimize(v.data());
  }
}
BENCHMARK(BM_CollaborativeFoldIn);

}  // namespace

// Cleared before main returns (XGBoost boosters must not die in static destruction).
std::map<size_t, std::unique_ptr<GbdtRanker>>& models() {
  static std::map<size_t, std::unique_ptr<GbdtRanker>> m;
  return m;
}

}  // namespace feedscout

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  feedscout::models().clear();
  return 0;
}
