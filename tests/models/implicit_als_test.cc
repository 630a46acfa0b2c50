// Confidence-weighted ALS on small generated data sets: argument checks, a planted
// two-group structure, the objective (monotone, equal to a brute-force recomputation, item
// factors stationary), fold-in, top_k, the binary codec, determinism and training time.
#include "feedscout/models/implicit_als.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>

namespace feedscout {
namespace {

// Users [0, n_users / 2) click items of the first half, the others items of the second half;
// each user clicks `per_user` distinct items of their half, with weights in [1, 3).
std::vector<AlsInteraction> two_groups(uint32_t n_users, uint32_t n_items, uint32_t per_user,
                                       uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> weight(1.0f, 3.0f);
  std::vector<AlsInteraction> out;
  const uint32_t half = n_items / 2;
  for (uint32_t u = 0; u < n_users; ++u) {
    const uint32_t base = u < n_users / 2 ? 0 : half;
    std::vector<uint32_t> items(half);
    for (uint32_t i = 0; i < half; ++i) items[i] = base + i;
    std::shuffle(items.begin(), items.end(), rng);
    for (uint32_t k = 0; k < per_user; ++k) out.push_back({u, items[k], weight(rng)});
  }
  return out;
}

// `n` interactions with clustered users and Zipf-like item popularity: user u belongs to
// cluster u % clusters and clicks mostly (80%) items of that cluster's slice.
std::vector<AlsInteraction> synthetic(size_t n, uint32_t n_users, uint32_t n_items,
                                      uint32_t clusters, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint32_t> user(0, n_users - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const uint32_t slice = n_items / clusters;
  std::vector<AlsInteraction> out;
  out.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    const uint32_t u = user(rng);
    // Zipf-like rank in [0, slice): small ranks are popular.
    const auto rank = static_cast<uint32_t>(std::pow(unit(rng), 2.5) * slice);
    const uint32_t cluster = unit(rng) < 0.8 ? u % clusters : user(rng) % clusters;
    out.push_back({u, cluster * slice + std::min(rank, slice - 1), 1.0f});
  }
  return out;
}

ImplicitAls train_ok(const std::vector<AlsInteraction>& data, uint32_t n_users, uint32_t n_items,
                     const AlsOptions& options) {
  auto r = ImplicitAls::train(data, n_users, n_items, options);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

std::vector<std::pair<uint32_t, float>> items_of(const std::vector<AlsInteraction>& data,
                                                 uint32_t user) {
  std::vector<std::pair<uint32_t, float>> out;
  for (const auto& in : data) {
    if (in.user == user) out.emplace_back(in.item, in.weight);
  }
  return out;
}

std::set<uint32_t> top_items(const ImplicitAls& m, std::span<const float> v, size_t k) {
  std::set<uint32_t> out;
  for (const auto& [item, s] : m.top_k(v, k, {})) out.insert(item);
  return out;
}

void expect_invalid(const std::vector<AlsInteraction>& data, uint32_t n_users, uint32_t n_items,
                    const AlsOptions& options, const std::string& needle) {
  auto r = ImplicitAls::train(data, n_users, n_items, options);
  ASSERT_FALSE(r.is_ok()) << needle;
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST(ImplicitAlsTest, RejectsInvalidArguments) {
  const std::vector<AlsInteraction> good = {{0, 0, 1.0f}, {1, 2, 2.0f}};
  AlsOptions o;
  o.factors = 0;
  expect_invalid(good, 2, 3, o, "options.factors");
  o.factors = ImplicitAls::kMaxFactors + 1;
  expect_invalid(good, 2, 3, o, "options.factors");
  o = {};
  o.regularization = 0;
  expect_invalid(good, 2, 3, o, "options.regularization");
  o.regularization = std::nan("");
  expect_invalid(good, 2, 3, o, "options.regularization");
  o = {};
  o.alpha = -1;
  expect_invalid(good, 2, 3, o, "options.alpha");
  o.alpha = INFINITY;
  expect_invalid(good, 2, 3, o, "options.alpha");
  o = {};
  o.iterations = 0;
  expect_invalid(good, 2, 3, o, "options.iterations");
  o = {};
  expect_invalid(good, 2, 0, o, "n_items");

  auto with = [&good](AlsInteraction bad) {
    auto v = good;
    v.push_back(bad);
    return v;
  };
  expect_invalid(with({2, 0, 1.0f}), 2, 3, o, "interactions[2]: user 2 out of range [0, 2)");
  expect_invalid(with({0, 3, 1.0f}), 2, 3, o, "interactions[2]: item 3 out of range [0, 3)");
  expect_invalid(with({0, 1, 0.0f}), 2, 3, o, "interactions[2]: weight");
  expect_invalid(with({0, 1, -1.0f}), 2, 3, o, "interactions[2]: weight");
  expect_invalid(with({0, 1, NAN}), 2, 3, o, "interactions[2]: weight");
  expect_invalid(with({0, 1, INFINITY}), 2, 3, o, "interactions[2]: weight");

  EXPECT_TRUE(ImplicitAls::train(good, 2, 3, o).is_ok());
  EXPECT_TRUE(ImplicitAls::train({}, 0, 3, o).is_ok());
}

TEST(ImplicitAlsTest, PlantedGroupsScoreTheirOwnItemsHigher) {
  const uint32_t n_users = 40, n_items = 60;
  const auto data = two_groups(n_users, n_items, 8, 3);
  auto in_group = [&](uint32_t u, uint32_t i) { return (u < n_users / 2) == (i < n_items / 2); };

  // Rank 2 is the planted rank: every in-group item beats every out-group item.
  AlsOptions o;
  o.factors = 2;
  const ImplicitAls m2 = train_ok(data, n_users, n_items, o);
  for (uint32_t u = 0; u < n_users; ++u) {
    const auto trained = m2.user_vector(u);
    for (const auto& v :
         {std::vector<float>(trained.begin(), trained.end()), m2.fold_in(items_of(data, u))}) {
      float worst_in = INFINITY, best_out = -INFINITY;
      for (uint32_t i = 0; i < n_items; ++i) {
        const float s = m2.score(v, i);
        if (in_group(u, i)) {
          worst_in = std::min(worst_in, s);
        } else {
          best_out = std::max(best_out, s);
        }
      }
      EXPECT_GT(worst_in, best_out) << "user " << u;
    }
  }

  // A higher rank also fits noise within a group, but with more users every user's top 5
  // unclicked items stay in-group and unclicked in-group items score higher on average.
  const uint32_t many_users = 200;
  const auto more = two_groups(many_users, n_items, 16, 4);
  o.factors = 8;
  const ImplicitAls m8 = train_ok(more, many_users, n_items, o);
  for (uint32_t u = 0; u < many_users; ++u) {
    std::set<uint32_t> clicked;
    for (const auto& [item, w] : items_of(more, u)) clicked.insert(item);
    const auto exclude = [&clicked](uint32_t i) { return clicked.count(i) > 0; };
    for (const auto& [item, s] : m8.top_k(m8.user_vector(u), 5, exclude)) {
      EXPECT_EQ(item < n_items / 2, u < many_users / 2) << "user " << u << " item " << item;
    }
    double sum_in = 0, sum_out = 0;
    for (uint32_t i = 0; i < n_items; ++i) {
      if (clicked.count(i) > 0) continue;
      ((i < n_items / 2) == (u < many_users / 2) ? sum_in : sum_out) +=
          m8.score(m8.user_vector(u), i);
    }
    EXPECT_GT(sum_in / (n_items / 2 - clicked.size()), sum_out / (n_items / 2) + 0.3)
        << "user " << u;
  }
}

TEST(ImplicitAlsTest, LossIsNonIncreasingAndMatchesBruteForce) {
  const uint32_t n_users = 60, n_items = 80;
  const auto data = synthetic(900, n_users, n_items, 4, 5);
  AlsOptions o;
  o.factors = 6;
  o.iterations = 15;
  o.alpha = 5.0;
  const ImplicitAls m = train_ok(data, n_users, n_items, o);
  const auto& loss = m.loss_history();
  ASSERT_EQ(loss.size(), o.iterations);
  for (size_t i = 1; i < loss.size(); ++i) {
    EXPECT_LE(loss[i], loss[i - 1] * (1 + 1e-9)) << "iteration " << i;
  }
  EXPECT_LT(loss.back(), loss.front());

  // L over every cell, from the stored (float) factors.
  std::vector<double> weight(size_t{n_users} * n_items, 0.0);
  for (const auto& in : data) weight[size_t{in.user} * n_items + in.item] += in.weight;
  double brute = 0;
  for (uint32_t u = 0; u < n_users; ++u) {
    for (uint32_t i = 0; i < n_items; ++i) {
      const double w = weight[size_t{u} * n_items + i];
      const double p = w > 0 ? 1.0 : 0.0;
      const double s = m.score(m.user_vector(u), i);
      brute += (1 + o.alpha * w) * (p - s) * (p - s);
    }
  }
  for (uint32_t u = 0; u < n_users; ++u) {
    for (float v : m.user_vector(u)) brute += o.regularization * v * v;
  }
  for (uint32_t i = 0; i < n_items; ++i) {
    for (float v : m.item_vector(i)) brute += o.regularization * v * v;
  }
  EXPECT_NEAR(loss.back(), brute, 1e-4 * brute);
}

TEST(ImplicitAlsTest, ItemFactorsAreStationary) {
  // The last half-step solves the items exactly: dL/dy_i = 0 for every item, both for items
  // with at most factors / 2 interactions (Woodbury solve) and for the others (Cholesky).
  const uint32_t n_users = 50, n_items = 40;
  const auto data = synthetic(600, n_users, n_items, 2, 9);
  AlsOptions o;
  o.factors = 16;
  o.iterations = 3;
  const ImplicitAls m = train_ok(data, n_users, n_items, o);
  std::vector<double> weight(size_t{n_users} * n_items, 0.0);
  std::vector<size_t> count(n_items, 0);
  for (const auto& in : data) {
    if (weight[size_t{in.user} * n_items + in.item] == 0) ++count[in.item];
    weight[size_t{in.user} * n_items + in.item] += in.weight;
  }
  size_t short_rows = 0, long_rows = 0;
  for (size_t c : count) (c <= o.factors / 2 ? short_rows : long_rows) += c > 0 ? 1 : 0;
  EXPECT_GE(short_rows, 5u);
  EXPECT_GE(long_rows, 5u);

  for (uint32_t i = 0; i < n_items; ++i) {
    std::vector<double> grad(o.factors, 0.0);
    double scale = 0;
    for (uint32_t u = 0; u < n_users; ++u) {
      const double w = weight[size_t{u} * n_items + i];
      const double c = 1 + o.alpha * w;
      const double r = m.score(m.user_vector(u), i) - (w > 0 ? 1.0 : 0.0);
      for (size_t f = 0; f < o.factors; ++f) {
        grad[f] += c * r * m.user_vector(u)[f];
        scale += std::abs(c * m.user_vector(u)[f]);
      }
    }
    for (size_t f = 0; f < o.factors; ++f) {
      grad[f] += o.regularization * m.item_vector(i)[f];
      EXPECT_LT(std::abs(grad[f]), 1e-4 * scale + 1e-6) << "item " << i << " factor " << f;
    }
  }
}

TEST(ImplicitAlsTest, FoldInRanksLikeTheTrainedUser) {
  const uint32_t n_users = 300, n_items = 600;
  const auto data = synthetic(9000, n_users, n_items, 6, 13);
  AlsOptions o;
  o.factors = 16;
  const ImplicitAls m = train_ok(data, n_users, n_items, o);
  double overlap = 0, min_cos = 1;
  const uint32_t checked = 50;
  for (uint32_t u = 0; u < checked; ++u) {
    const auto trained = m.user_vector(u);
    const std::vector<float> folded = m.fold_in(items_of(data, u));
    ASSERT_EQ(folded.size(), m.factors());
    const auto a = top_items(m, trained, 10), b = top_items(m, folded, 10);
    for (uint32_t item : a) overlap += b.count(item);
    double dot = 0, na = 0, nb = 0;
    for (size_t f = 0; f < m.factors(); ++f) {
      dot += trained[f] * folded[f];
      na += trained[f] * trained[f];
      nb += folded[f] * folded[f];
    }
    min_cos = std::min(min_cos, dot / std::sqrt(na * nb));
  }
  std::printf("fold-in: mean top-10 overlap %.2f, min cosine %.4f\n", overlap / checked, min_cos);
  EXPECT_GE(overlap / checked, 8.5);
  EXPECT_GT(min_cos, 0.95);
}

TEST(ImplicitAlsTest, FoldInEdgeCases) {
  const auto data = two_groups(20, 30, 5, 1);
  const ImplicitAls m = train_ok(data, 20, 30, AlsOptions{});
  const std::vector<float> zero(m.factors(), 0.0f);
  EXPECT_EQ(m.fold_in({}), zero);
  const std::vector<std::pair<uint32_t, float>> unusable = {{30, 1.0f}, {2, 0.0f}, {3, NAN}};
  EXPECT_EQ(m.fold_in(unusable), zero);

  const std::vector<std::pair<uint32_t, float>> base = {{3, 3.0f}, {7, 1.0f}};
  const std::vector<std::pair<uint32_t, float>> split = {
      {7, 1.0f}, {3, 1.0f}, {99, 1.0f}, {3, 2.0f}, {5, -1.0f}};
  const std::vector<float> v = m.fold_in(base);
  EXPECT_NE(v, zero);
  EXPECT_EQ(m.fold_in(split), v);
}

TEST(ImplicitAlsTest, TopKOrdersAndExcludes) {
  const uint32_t n_items = 50;
  const auto data = synthetic(400, 30, n_items, 2, 21);
  const ImplicitAls m = train_ok(data, 30, n_items, AlsOptions{});
  const auto v = m.user_vector(4);

  auto brute = [&](const std::function<bool(uint32_t)>& exclude) {
    std::vector<std::pair<uint32_t, float>> all;
    for (uint32_t i = 0; i < n_items; ++i) {
      if (!exclude || !exclude(i)) all.emplace_back(i, m.score(v, i));
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return all;
  };
  auto full = brute({});
  full.resize(7);
  EXPECT_EQ(m.top_k(v, 7, {}), full);

  const auto even = [](uint32_t i) { return i % 2 == 0; };
  const auto odd_only = brute(even);
  const auto got = m.top_k(v, 100, even);
  EXPECT_EQ(got, odd_only);
  EXPECT_EQ(got.size(), n_items / 2);
  for (const auto& [item, s] : got) EXPECT_EQ(item % 2, 1u);

  EXPECT_TRUE(m.top_k(v, 0, {}).empty());
  EXPECT_TRUE(m.top_k(v.subspan(1), 5, {}).empty());
  EXPECT_TRUE(m.top_k(v, 5, [](uint32_t) { return true; }).empty());

  // Equal scores: ascending item index; NaN ranks last.
  const std::vector<float> zero(m.factors(), 0.0f);
  const auto ties = m.top_k(zero, 4, [](uint32_t i) { return i < 3; });
  ASSERT_EQ(ties.size(), 4u);
  for (uint32_t k = 0; k < 4; ++k) EXPECT_EQ(ties[k], std::make_pair(k + 3, 0.0f));
  std::vector<float> nan_vec(m.factors(), NAN);
  EXPECT_EQ(m.top_k(nan_vec, 3, {}).front().first, 0u);

  EXPECT_EQ(m.score(v, n_items), 0.0f);
  EXPECT_TRUE(m.user_vector(30).empty());
  EXPECT_TRUE(m.item_vector(n_items).empty());
}

TEST(ImplicitAlsTest, EmptyRowsGetZeroVectors) {
  // User 2 and item 4 have no interactions.
  const std::vector<AlsInteraction> data = {
      {0, 0, 1.0f}, {0, 1, 1.0f}, {1, 2, 1.0f}, {1, 3, 2.0f}, {3, 0, 1.0f}};
  const ImplicitAls m = train_ok(data, 4, 5, AlsOptions{});
  for (float x : m.user_vector(2)) EXPECT_EQ(x, 0.0f);
  for (float x : m.item_vector(4)) EXPECT_EQ(x, 0.0f);
  double norm = 0;
  for (float x : m.user_vector(0)) norm += x * x;
  EXPECT_GT(norm, 0.0);
}

void expect_same_factors(const ImplicitAls& a, const ImplicitAls& b) {
  ASSERT_EQ(a.n_users(), b.n_users());
  ASSERT_EQ(a.n_items(), b.n_items());
  ASSERT_EQ(a.factors(), b.factors());
  for (uint32_t u = 0; u < a.n_users(); ++u) {
    EXPECT_TRUE(std::ranges::equal(a.user_vector(u), b.user_vector(u))) << "user " << u;
  }
  for (uint32_t i = 0; i < a.n_items(); ++i) {
    EXPECT_TRUE(std::ranges::equal(a.item_vector(i), b.item_vector(i))) << "item " << i;
  }
  EXPECT_EQ(a.loss_history(), b.loss_history());
}

TEST(ImplicitAlsTest, DeterministicAndOrderIndependent) {
  auto data = synthetic(2000, 80, 120, 3, 17);
  data.push_back(data[5]);  // a repeated pair
  AlsOptions o;
  o.factors = 12;
  const ImplicitAls a = train_ok(data, 80, 120, o);
  const ImplicitAls b = train_ok(data, 80, 120, o);
  expect_same_factors(a, b);

  auto shuffled = data;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(2));
  expect_same_factors(a, train_ok(shuffled, 80, 120, o));

  o.seed = 8;
  const ImplicitAls c = train_ok(data, 80, 120, o);
  EXPECT_FALSE(std::ranges::equal(a.item_vector(0), c.item_vector(0)));
}

TEST(ImplicitAlsTest, RepeatedPairsAddUp) {
  const std::vector<AlsInteraction> split = {{0, 1, 1.0f}, {1, 2, 1.0f}, {0, 1, 2.0f},
                                             {1, 0, 0.5f}, {2, 1, 1.0f}, {1, 0, 0.5f}};
  const std::vector<AlsInteraction> merged = {
      {0, 1, 3.0f}, {1, 2, 1.0f}, {1, 0, 1.0f}, {2, 1, 1.0f}};
  AlsOptions o;
  o.factors = 4;
  expect_same_factors(train_ok(split, 3, 3, o), train_ok(merged, 3, 3, o));
}

TEST(ImplicitAlsTest, EncodeDecodeRoundTrip) {
  const auto data = synthetic(700, 40, 70, 3, 23);
  AlsOptions o;
  o.factors = 7;
  o.iterations = 4;
  o.seed = 99;
  o.alpha = 3.5;
  o.regularization = 0.2;
  const ImplicitAls m = train_ok(data, 41, 70, o);
  const std::string bytes = m.encode();
  EXPECT_EQ(bytes.size(), 4 + 1 + 4 + 8 + 8 + 4 + 8 + 4 + 4 + 4 * 8 + (41 + 70) * 7 * 4 + 8);

  auto r = ImplicitAls::decode(bytes);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const ImplicitAls& d = r.value();
  expect_same_factors(m, d);
  EXPECT_EQ(d.options().alpha, 3.5);
  EXPECT_EQ(d.options().regularization, 0.2);
  EXPECT_EQ(d.options().seed, 99u);
  EXPECT_EQ(d.options().iterations, 4u);
  EXPECT_EQ(d.encode(), bytes);
  const auto items = items_of(data, 3);
  EXPECT_EQ(d.fold_in(items), m.fold_in(items));
}

TEST(ImplicitAlsTest, DecodeRejectsMalformedBytes) {
  const auto data = two_groups(10, 20, 4, 2);
  AlsOptions o;
  o.factors = 4;
  const std::string bytes = train_ok(data, 10, 20, o).encode();
  auto expect_corrupt = [](std::string_view b, const std::string& what) {
    auto r = ImplicitAls::decode(b);
    ASSERT_FALSE(r.is_ok()) << what;
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << what;
  };
  for (size_t len : {size_t{0}, size_t{3}, size_t{4}, size_t{12}, size_t{40}, bytes.size() / 2,
                     bytes.size() - 8, bytes.size() - 1}) {
    expect_corrupt(std::string_view(bytes).substr(0, len), "truncated to " + std::to_string(len));
  }
  expect_corrupt(bytes + '\0', "trailing byte");
  for (size_t at : {size_t{0}, size_t{4}, size_t{5}, size_t{60}, bytes.size() / 2, bytes.size() - 9,
                    bytes.size() - 1}) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x40);
    expect_corrupt(bad, "byte " + std::to_string(at) + " flipped");
  }
  expect_corrupt(std::string(bytes.size(), '\0'), "zeros");
}

TEST(ImplicitAlsTest, TrainTime66kInteractions) {
  const uint32_t n_users = 500, n_items = 10000;
  const auto data = synthetic(66000, n_users, n_items, 10, 29);
  AlsOptions o;  // 32 factors, 12 iterations
  const auto start = std::chrono::steady_clock::now();
  const ImplicitAls m = train_ok(data, n_users, n_items, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "train: 66000 interactions, 500 users, 10000 items, %zu factors, %zu iterations: "
      "%.3f s\n",
      o.factors, o.iterations, seconds);
  EXPECT_EQ(m.loss_history().size(), o.iterations);
  EXPECT_LT(seconds, 20.0);
}

// Run with --gtest_also_run_disabled_tests to measure a larger training.
TEST(ImplicitAlsTest, DISABLED_TrainTime1MInteractions) {
  const uint32_t n_users = 20000, n_items = 50000;
  const auto data = synthetic(1000000, n_users, n_items, 20, 31);
  AlsOptions o;
  const auto start = std::chrono::steady_clock::now();
  const ImplicitAls m = train_ok(data, n_users, n_items, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "train: 1M interactions, 20000 users, 50000 items, %zu factors, %zu iterations: "
      "%.3f s\n",
      o.factors, o.iterations, seconds);
  EXPECT_EQ(m.loss_history().size(), o.iterations);
}

}  // namespace
}  // namespace feedscout
