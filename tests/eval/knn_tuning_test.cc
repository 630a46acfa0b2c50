// Item-kNN tuning on validation (knn_tuning.h) on a hand-made log where the neighbourhood
// size decides whether the validation item is found.
#include "feedscout/eval/knn_tuning.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "feedscout/eval/tuning.h"

namespace feedscout {
namespace {

constexpr TimeMs kT0 = 1'700'000'000'000;
constexpr TimeMs kEnd = kT0 + 1'000'000'000;  // after every interaction

// Training clicks, in this order (one second apart):
//   a1 a2 a3: T1 A1   b1 b2: T1 A2   v1: T1 V   c1 c2: T2 B   q: T1 T2
//   f1..f4: F1   g1..g4: F2   h1..h4: F3      (one click each: no co-counts)
// then q's validation click on V. Everyone else's cut-off is after the log: only q is queried.
//   n: T1 7, A1 3, A2 2, V 1, T2 3, B 2, F* 4
//   sim(T1,A1) = 3/√21 = 0.655, sim(T1,A2) = 2/√14 = 0.535, sim(T1,V) = 1/√7 = 0.378,
//   sim(T1,T2) = 1/√21 = 0.218;  sim(T2,B) = 2/√6 = 0.816, sim(T2,T1) = 0.218.
// q's history [T1, T2], T1 and T2 excluded, k = 5. Popular fill: F1 F2 F3 (4), A1 (3), ...
//   neighbours 1:  B A1 | F1 F2 F3            V missing          nDCG@5 0
//   neighbours 2:  B A1 A2 | F1 F2            V missing          nDCG@5 0
//   neighbours 3:  B A1 A2 V | F1             V 4th              nDCG@5 1/log2(5)
//   neighbours 10: the same (N(T1) adds T2, excluded); normalised 3: B .79, A1 .42, A2 .34,
//   V .24 -> V 4th too.
ValidationView make_view() {
  ValidationView view;
  std::vector<std::pair<std::string, std::string>> clicks{
      {"a1", "T1"}, {"a1", "A1"}, {"a2", "T1"}, {"a2", "A1"}, {"a3", "T1"}, {"a3", "A1"},
      {"b1", "T1"}, {"b1", "A2"}, {"b2", "T1"}, {"b2", "A2"}, {"v1", "T1"}, {"v1", "V"},
      {"c1", "T2"}, {"c1", "B"},  {"c2", "T2"}, {"c2", "B"},  {"q", "T1"},  {"q", "T2"}};
  for (const char* filler : {"F1", "F2", "F3"}) {
    for (int n = 1; n <= 4; ++n) {
      clicks.emplace_back(
          std::string(1, static_cast<char>('e' + filler[1] - '0')) + std::to_string(n), filler);
    }
  }
  TimeMs t = kT0;
  for (const auto& [user, item] : clicks) {
    view.data.interactions.push_back(Interaction{user, item, t, 4.0, true});
    t += 1000;
  }
  const TimeMs q_cutoff = t;
  view.data.interactions.push_back(Interaction{"q", "V", q_cutoff, 4.0, true});
  for (const char* item : {"A1", "A2", "B", "F1", "F2", "F3", "T1", "T2", "V"}) {
    Document d;
    d.id = item;
    d.created_ms = kT0;
    view.data.documents.push_back(d);
  }
  std::vector<std::string> users;
  for (const Interaction& x : view.data.interactions) users.push_back(x.user);
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  for (const std::string& user : users) {
    UserCutoffs u;
    u.user = user;
    u.validation_cutoff_ms = u.test_cutoff_ms = user == "q" ? q_cutoff : kEnd;
    for (const Interaction& x : view.data.interactions) {
      if (x.user != user) continue;
      if (x.time_ms < u.test_cutoff_ms) {
        ++u.train;
      } else {
        ++u.test;
      }
    }
    view.split.users.push_back(u);
  }
  return view;
}

ReplayOptions cutoff5() {
  ReplayOptions options;
  options.cutoffs = {5};
  return options;
}

TEST(KnnTuningTest, GridAndOptions) {
  const std::vector<KnnVariant> grid = knn_grid();
  ASSERT_EQ(grid.size(), 24u);
  EXPECT_EQ(grid[0], (KnnVariant{10, false, 0.0}));
  EXPECT_EQ(grid[1], (KnnVariant{10, true, 0.0}));
  EXPECT_EQ(grid[2], (KnnVariant{20, false, 0.0}));
  EXPECT_EQ(grid[11], (KnnVariant{400, true, 0.0}));
  EXPECT_EQ(grid[12], (KnnVariant{10, false, 20.0}));
  EXPECT_EQ(grid[23], (KnnVariant{400, true, 20.0}));
  EXPECT_EQ(grid[0].description(), "neighbours 10");
  EXPECT_EQ(grid[1].description(), "neighbours 10, normalized");
  EXPECT_EQ((KnnVariant{200, false, 10.0}).description(), "neighbours 200, shrink 10");

  BaselineOptions base;
  base.history_len = 20;
  base.seed = 9;
  const BaselineOptions o = knn_baseline_options({200, true, 2.5}, base);
  EXPECT_EQ(o.neighbours, 200u);
  EXPECT_TRUE(o.normalize);
  EXPECT_EQ(o.shrink, 2.5);
  EXPECT_EQ(o.history_len, 0u);
  EXPECT_EQ(o.seed, 9u);
  auto made = make_baseline("item-knn", o);
  ASSERT_TRUE(made.is_ok());
  const auto* knn = dynamic_cast<const ItemKnnRecommender*>(made->get());
  ASSERT_NE(knn, nullptr);
  EXPECT_EQ(knn->neighbours(), 200u);
  EXPECT_TRUE(knn->normalize());
  EXPECT_EQ(knn->shrink(), 2.5);
  EXPECT_EQ(knn->history_len(), 0u);
}

TEST(KnnTuningTest, PicksTheNeighbourhoodWithTheBestValidationScore) {
  const ValidationView view = make_view();
  const std::vector<KnnVariant> grid{
      {1, false, 0.0}, {2, false, 0.0}, {3, false, 0.0}, {3, true, 0.0}, {10, false, 0.0}};
  auto result = tune_item_knn(view, grid, 5, cutoff5());
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  EXPECT_EQ(result->users_queried, 1u);
  ASSERT_EQ(result->runs.size(), grid.size());
  const double found = 1.0 / std::log2(5.0);
  const std::vector<double> want{0, 0, found, found, found};
  for (size_t i = 0; i < grid.size(); ++i) {
    EXPECT_EQ(result->runs[i].first, grid[i]);
    EXPECT_NEAR(result->runs[i].second, want[i], 1e-12) << grid[i].description();
  }
  EXPECT_EQ(result->best, 2u);  // the first of the tied best

  // Best in a different place: the grid order does not decide it.
  const std::vector<KnnVariant> reversed(grid.rbegin(), grid.rend());
  auto again = tune_item_knn(view, reversed, 5, cutoff5());
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->best, 0u);
  const std::vector<KnnVariant> small{{1, false, 0.0}, {2, false, 0.0}, {10, true, 0.0}};
  auto last = tune_item_knn(view, small, 5, cutoff5());
  ASSERT_TRUE(last.is_ok());
  EXPECT_EQ(last->best, 2u);

  // Deterministic: the same runs again.
  auto repeat = tune_item_knn(view, grid, 5, cutoff5());
  ASSERT_TRUE(repeat.is_ok());
  EXPECT_EQ(repeat->runs, result->runs);
  EXPECT_EQ(repeat->best, result->best);

  // The chosen variant, built the way the suite builds it, scores the same in a replay.
  auto chosen = make_baseline("item-knn", knn_baseline_options(result->runs[result->best].first));
  ASSERT_TRUE(chosen.is_ok());
  auto report = replay_next_item(view.data, view.split, {chosen->get()}, cutoff5());
  ASSERT_TRUE(report.is_ok());
  EXPECT_NEAR(report->methods.front().summary.at_cutoff.front().ndcg, found, 1e-12);
}

TEST(KnnTuningTest, RejectsBadArguments) {
  const ValidationView view = make_view();
  auto empty = tune_item_knn(view, {}, 5, cutoff5());
  ASSERT_FALSE(empty.is_ok());
  EXPECT_EQ(empty.status().code(), Status::Code::kInvalidArgument);
  auto bad_cutoff = tune_item_knn(view, knn_grid(), 10, cutoff5());
  ASSERT_FALSE(bad_cutoff.is_ok());
  EXPECT_NE(bad_cutoff.status().message().find("10"), std::string::npos);
  auto bad_variant = tune_item_knn(view, {{0, false, 0.0}}, 5, cutoff5());
  ASSERT_FALSE(bad_variant.is_ok());
  EXPECT_NE(bad_variant.status().message().find("neighbours"), std::string::npos);
  auto bad_shrink = tune_item_knn(view, {{5, false, -1.0}}, 5, cutoff5());
  ASSERT_FALSE(bad_shrink.is_ok());
  EXPECT_NE(bad_shrink.status().message().find("shrink"), std::string::npos);
}

}  // namespace
}  // namespace feedscout
