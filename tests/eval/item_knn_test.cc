// The item-kNN baseline on tiny hand-made logs; every expected value is computed by hand in
// the comment next to it, and a from-scratch reference checks the incremental code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "eval/baseline_test_support.h"
#include "feedscout/eval/baselines.h"

namespace feedscout {
namespace {

using namespace baseline_testing;  // NOLINT(google-build-using-namespace): test helpers

// ---- item kNN ----

// Clicks:  u1: A B C   u2: A B   u3: B C D   u4: A D
//   n: A 3, B 3, C 2, D 2
//   c(A,B) 2, c(A,C) 1, c(A,D) 1, c(B,C) 2, c(B,D) 1, c(C,D) 1
//   sim(A,B) = 2/√9 = 2/3          sim(A,C) = sim(A,D) = sim(B,D) = 1/√6 = 0.4082483
//   sim(B,C) = 2/√6 = 0.8164966   sim(C,D) = 1/√4 = 0.5
// Neighbours, best first (ties by id):
//   A: B 2/3, C 1/√6, D 1/√6     B: C 2/√6, A 2/3, D 1/√6
//   C: B 2/√6, D 1/2, A 1/√6     D: C 1/2, A 1/√6, B 1/√6
void feed_knn_log(Recommender& r) {
  TimeMs t = kT0;
  for (const auto& [user, item] : std::vector<std::pair<std::string, std::string>>{{"u1", "A"},
                                                                                   {"u2", "A"},
                                                                                   {"u1", "B"},
                                                                                   {"u3", "B"},
                                                                                   {"u2", "B"},
                                                                                   {"u1", "C"},
                                                                                   {"u3", "C"},
                                                                                   {"u3", "D"},
                                                                                   {"u4", "A"},
                                                                                   {"u4", "D"}}) {
    r.observe(click(user, item, t));
    t += 1000;
  }
  r.observe(no_click("u1", "E", t));  // known, never clicked: no co-counts, popularity 0
}

const double kInvSqrt6 = 1.0 / std::sqrt(6.0);

TEST(ItemKnnTest, HandComputedNeighbours) {
  ItemKnnRecommender r(/*neighbours=*/3, /*history_len=*/2);
  feed_knn_log(r);
  using N = ItemKnnRecommender::Neighbour;
  auto expect_neighbours = [&](const std::string& item, const std::vector<N>& want) {
    SCOPED_TRACE(item);
    const std::vector<N> got = r.neighbours_of(item);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].item, want[i].item) << i;
      EXPECT_NEAR(got[i].sim, want[i].sim, kEps) << i;
    }
  };
  expect_neighbours("A", {{"B", 2.0 / 3.0}, {"C", kInvSqrt6}, {"D", kInvSqrt6}});
  expect_neighbours("B", {{"C", 2 * kInvSqrt6}, {"A", 2.0 / 3.0}, {"D", kInvSqrt6}});
  expect_neighbours("C", {{"B", 2 * kInvSqrt6}, {"D", 0.5}, {"A", kInvSqrt6}});
  expect_neighbours("D", {{"C", 0.5}, {"A", kInvSqrt6}, {"B", kInvSqrt6}});
  EXPECT_TRUE(r.neighbours_of("E").empty());
  EXPECT_TRUE(r.neighbours_of("nope").empty());

  ItemKnnRecommender two(/*neighbours=*/2, /*history_len=*/2);
  feed_knn_log(two);
  const auto a = two.neighbours_of("A");  // B, C (C beats D on id)
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].item, "B");
  EXPECT_EQ(a[1].item, "C");
}

// u4's history is [A, D]. With 2 neighbours: N(A) = {B 2/3, C 1/√6}, N(D) = {C 1/2, A 1/√6}.
//   score: C = 1/√6 + 1/2 = 0.9082483, B = 2/3 = 0.6666667, A = 1/√6 = 0.4082483
// Popularity (fill): A 3, B 3, C 2, D 2, E 0 -> A B C D E.
TEST(ItemKnnTest, HandComputedScoresAndPopularFill) {
  ItemKnnRecommender r(/*neighbours=*/2, /*history_len=*/2);
  feed_knn_log(r);
  EXPECT_EQ(r.name(), "item-knn");
  EXPECT_EQ(r.history("u4"), (Items{"A", "D"}));
  EXPECT_EQ(r.recommend("u4", 3, kT0, nullptr), (Items{"C", "B", "A"}));
  // k beyond the scored items: D then E come from the popularity fill.
  EXPECT_EQ(r.recommend("u4", 10, kT0, nullptr), (Items{"C", "B", "A", "D", "E"}));
  // Excluding what u4 has seen leaves C, B, then the fill adds only E.
  EXPECT_EQ(r.recommend("u4", 10, kT0, excluding({"A", "D"})), (Items{"C", "B", "E"}));
  EXPECT_EQ(r.recommend("u4", 1, kT0, excluding({"C"})), (Items{"B"}));
  // A cold user gets the popularity order.
  EXPECT_EQ(r.recommend("stranger", 3, kT0, nullptr), (Items{"A", "B", "C"}));
  EXPECT_TRUE(r.recommend("u4", 0, kT0, nullptr).empty());

  // history_len 1: only D. score: C 1/2, A 1/√6; fill B, E (D listed by popularity after C).
  ItemKnnRecommender last_one(/*neighbours=*/2, /*history_len=*/1);
  feed_knn_log(last_one);
  EXPECT_EQ(last_one.history("u4"), (Items{"D"}));
  EXPECT_EQ(last_one.recommend("u4", 10, kT0, nullptr), (Items{"C", "A", "B", "D", "E"}));
}

// score_items, same log and u4's history [A, D] with 2 neighbours: the kNN tier gives
//   C = 1/√6 + 1/2, B = 2/3, A = 1/√6 (as in recommend);
// everything else falls back to -1 / (1 + clicks): D (2 clicks, outside N(A) and N(D)) -1/3,
// E (0 clicks) -1, an unknown item -1. A cold user gets only the fallback:
//   A, B -1/4 (3 clicks), C, D -1/3, E -1 — the popularity order.
TEST(ItemKnnTest, ScoreItemsUseTheSameSimilarityThenScaledPopularity) {
  ItemKnnRecommender r(/*neighbours=*/2, /*history_len=*/2);
  feed_knn_log(r);
  const Items items{"E", "D", "A", "B", "C", "nope"};
  const std::vector<double> got = r.score_items("u4", items, kT0);
  const std::vector<double> want{-1.0, -1.0 / 3, kInvSqrt6, 2.0 / 3, kInvSqrt6 + 0.5, -1.0};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], kEps) << items[i];
  // Ranking the candidates by score gives recommend()'s order.
  Items ranked;
  for (size_t i : order_of(got)) ranked.push_back(items[i]);
  EXPECT_EQ(Items(ranked.begin(), ranked.begin() + 5), r.recommend("u4", 5, kT0, nullptr));

  const std::vector<double> cold = r.score_items("stranger", {"A", "B", "C", "D", "E"}, kT0);
  const std::vector<double> cold_want{-0.25, -0.25, -1.0 / 3, -1.0 / 3, -1.0};
  ASSERT_EQ(cold.size(), cold_want.size());
  for (size_t i = 0; i < cold.size(); ++i) EXPECT_NEAR(cold[i], cold_want[i], kEps) << i;
  EXPECT_TRUE(r.score_items("u4", {}, kT0).empty());
}

// A repeated click moves the item to the recent end of the history and changes no co-count;
// a new click drops the whole cache. u5 clicks A and C:
//   n_A = 4, n_C = 3, c(A,C) = 2 -> sim(A,C) = 2/√12 = 0.5773503, sim(A,B) = 2/√12 too (tie:
//   B first), sim(A,D) = 1/√8 = 0.3535534.
TEST(ItemKnnTest, RepeatsAndCacheInvalidation) {
  ItemKnnRecommender r(/*neighbours=*/3, /*history_len=*/2);
  feed_knn_log(r);
  const auto before = r.neighbours_of("A");  // fills the cache
  r.observe(click("u4", "A", kT0 + 100'000));
  EXPECT_EQ(r.history("u4"), (Items{"D", "A"}));
  EXPECT_EQ(r.neighbours_of("A"), before);

  r.observe(click("u5", "A", kT0 + 200'000));
  r.observe(click("u5", "C", kT0 + 201'000));
  const auto after = r.neighbours_of("A");
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].item, "B");
  EXPECT_NEAR(after[0].sim, 2.0 / std::sqrt(12.0), kEps);
  EXPECT_EQ(after[1].item, "C");
  EXPECT_NEAR(after[1].sim, 2.0 / std::sqrt(12.0), kEps);
  EXPECT_EQ(after[2].item, "D");
  EXPECT_NEAR(after[2].sim, 1.0 / std::sqrt(8.0), kEps);
}

// Whole history and row normalisation. Clicks (in this order):
//   a: X P   b: X   c: X   e: P   f: P   h: Y Q R   i: Y Q   z: X Y
//   n: X 4, P 3, Y 3, Q 2, R 1;  c(X,P) 1, c(X,Y) 1, c(Y,Q) 2, c(Y,R) 1, c(Q,R) 1
//   sim(X,P) = sim(X,Y) = 1/√12 = 0.2886751   sim(Y,Q) = 2/√6 = 0.8164966
//   sim(Y,R) = 1/√3 = 0.5773503
// With 3 neighbours: N(X) = {P, Y} (both 1/√12, tie by id), N(Y) = {Q, R, X}.
// Normalised: N(X) = {P 1/2, Y 1/2}; N(Y) = {Q, R, X} / S with S = 2/√6 + 1/√3 + 1/√12 =
//   1.6825220: Q 0.4852814, R 0.3431458, X 0.1715729.
// z's whole history [X, Y]:
//   plain:      Q 2/√6, R 1/√3, P = X = Y = 1/√12 (exact ties: all are 1/sqrt(12.0)) -> Q R P X Y
//   normalised: P 1/2, Y 1/2, Q 0.4853, R 0.3431, X 0.1716                      -> P Y Q R X
// z's last click only ([Y]): plain Q, R, X, then the fill by popularity (X 4, P 3, Y 3, Q 2,
// R 1): P, Y. Excluding z's items X, Y: whole history, normalised P Q R; last one Q R P.
void feed_whole_history_log(Recommender& r) {
  TimeMs t = kT0;
  for (const auto& [user, item] : std::vector<std::pair<std::string, std::string>>{{"a", "X"},
                                                                                   {"a", "P"},
                                                                                   {"b", "X"},
                                                                                   {"c", "X"},
                                                                                   {"e", "P"},
                                                                                   {"f", "P"},
                                                                                   {"h", "Y"},
                                                                                   {"h", "Q"},
                                                                                   {"h", "R"},
                                                                                   {"i", "Y"},
                                                                                   {"i", "Q"},
                                                                                   {"z", "X"},
                                                                                   {"z", "Y"}}) {
    r.observe(click(user, item, t));
    t += 1000;
  }
}

const double kInvSqrt12 = 1.0 / std::sqrt(12.0);

TEST(ItemKnnTest, HandComputedPlainAndNormalizedScoresOverTheWholeHistory) {
  using N = ItemKnnRecommender::Neighbour;
  const double s = 2 * kInvSqrt6 + 1 / std::sqrt(3.0) + kInvSqrt12;

  ItemKnnRecommender plain(/*neighbours=*/3, /*history_len=*/0);
  feed_whole_history_log(plain);
  EXPECT_FALSE(plain.normalize());
  EXPECT_EQ(plain.history("z"), (Items{"X", "Y"}));
  EXPECT_EQ(plain.neighbours_of("X"), (std::vector<N>{{"P", kInvSqrt12}, {"Y", kInvSqrt12}}));
  const auto y = plain.neighbours_of("Y");
  ASSERT_EQ(y.size(), 3u);
  EXPECT_EQ(y[0].item, "Q");
  EXPECT_NEAR(y[0].sim, 2 * kInvSqrt6, kEps);
  EXPECT_EQ(y[1].item, "R");
  EXPECT_NEAR(y[1].sim, 1 / std::sqrt(3.0), kEps);
  EXPECT_EQ(y[2].item, "X");
  EXPECT_NEAR(y[2].sim, kInvSqrt12, kEps);
  EXPECT_EQ(plain.recommend("z", 10, kT0, nullptr), (Items{"Q", "R", "P", "X", "Y"}));
  EXPECT_EQ(plain.recommend("z", 10, kT0, excluding({"X", "Y"})), (Items{"Q", "R", "P"}));
  const Items items{"P", "Q", "R", "X", "Y", "nope"};
  std::vector<double> got = plain.score_items("z", items, kT0);
  std::vector<double> want{kInvSqrt12, 2 * kInvSqrt6, 1 / std::sqrt(3.0),
                           kInvSqrt12, kInvSqrt12,    -1.0};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], kEps) << items[i];

  ItemKnnRecommender normalized(/*neighbours=*/3, /*history_len=*/0, /*normalize=*/true);
  feed_whole_history_log(normalized);
  EXPECT_TRUE(normalized.normalize());
  EXPECT_EQ(normalized.neighbours_of("X"), (std::vector<N>{{"P", 0.5}, {"Y", 0.5}}));
  const auto ny = normalized.neighbours_of("Y");
  ASSERT_EQ(ny.size(), 3u);
  EXPECT_NEAR(ny[0].sim, 2 * kInvSqrt6 / s, kEps);
  EXPECT_NEAR(ny[0].sim, 0.4852814, 1e-7);
  EXPECT_NEAR(ny[1].sim, 1 / std::sqrt(3.0) / s, kEps);
  EXPECT_NEAR(ny[2].sim, kInvSqrt12 / s, kEps);
  EXPECT_NEAR(ny[0].sim + ny[1].sim + ny[2].sim, 1.0, kEps);
  EXPECT_EQ(normalized.recommend("z", 10, kT0, nullptr), (Items{"P", "Y", "Q", "R", "X"}));
  EXPECT_EQ(normalized.recommend("z", 10, kT0, excluding({"X", "Y"})), (Items{"P", "Q", "R"}));
  got = normalized.score_items("z", items, kT0);
  want = {0.5, 2 * kInvSqrt6 / s, 1 / std::sqrt(3.0) / s, kInvSqrt12 / s, 0.5, -1.0};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], kEps) << items[i];
}

TEST(ItemKnnTest, WholeHistoryDiffersFromTheLastClicks) {
  ItemKnnRecommender last_one(/*neighbours=*/3, /*history_len=*/1);
  feed_whole_history_log(last_one);
  EXPECT_EQ(last_one.history("z"), (Items{"Y"}));
  EXPECT_EQ(last_one.recommend("z", 10, kT0, nullptr), (Items{"Q", "R", "X", "P", "Y"}));
  // P is scored by the whole history only (N(X)); with only [Y] it is the popularity fill.
  EXPECT_NEAR(last_one.score_items("z", {"P"}, kT0)[0], -0.25, kEps);
  ItemKnnRecommender last_one_normalized(3, 1, true);
  feed_whole_history_log(last_one_normalized);
  EXPECT_EQ(last_one_normalized.recommend("z", 3, kT0, excluding({"X", "Y"})),
            (Items{"Q", "R", "P"}));

  // make_baseline's default is the whole history (history_len 0).
  BaselineOptions options;
  options.neighbours = 3;
  EXPECT_EQ(options.history_len, 0u);
  auto made = make_baseline("item-knn", options);
  ASSERT_TRUE(made.is_ok());
  feed_whole_history_log(**made);
  const auto* knn = dynamic_cast<const ItemKnnRecommender*>(made->get());
  ASSERT_NE(knn, nullptr);
  EXPECT_EQ(knn->history_len(), 0u);
  EXPECT_EQ(knn->history("z"), (Items{"X", "Y"}));
  EXPECT_EQ((*made)->recommend("z", 10, kT0, nullptr), (Items{"Q", "R", "P", "X", "Y"}));
  options.normalize = true;
  auto made_normalized = make_baseline("item-knn", options);
  ASSERT_TRUE(made_normalized.is_ok());
  feed_whole_history_log(**made_normalized);
  EXPECT_EQ((*made_normalized)->recommend("z", 10, kT0, nullptr), (Items{"P", "Y", "Q", "R", "X"}));
}

// Shrink 1 on the first log: sim(A,B) = 2/(3 + 1) = 1/2, sim(A,C) = sim(A,D) = 1/(√6 + 1),
// sim(B,C) = 2/(√6 + 1), sim(C,D) = 1/(2 + 1).
TEST(ItemKnnTest, ShrinkDampsSimilarities) {
  ItemKnnRecommender r(/*neighbours=*/3, /*history_len=*/0, /*normalize=*/false, /*shrink=*/1.0);
  feed_knn_log(r);
  EXPECT_EQ(r.shrink(), 1.0);
  const auto a = r.neighbours_of("A");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].item, "B");
  EXPECT_NEAR(a[0].sim, 0.5, kEps);
  EXPECT_EQ(a[1].item, "C");
  EXPECT_NEAR(a[1].sim, 1 / (std::sqrt(6.0) + 1), kEps);
  const auto c = r.neighbours_of("C");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].item, "B");
  EXPECT_NEAR(c[0].sim, 2 / (std::sqrt(6.0) + 1), kEps);
  EXPECT_EQ(c[1].item, "D");
  EXPECT_NEAR(c[1].sim, 1.0 / 3, kEps);
}

// The definition in baselines.h computed from scratch with ordered containers, in the same
// floating-point order as the recommender (so every bit agrees): the reference for the
// cached implementation.
class ReferenceKnn {
 public:
  ReferenceKnn(size_t neighbours, size_t history_len, bool normalize, double shrink)
      : neighbours_(neighbours),
        history_len_(history_len),
        normalize_(normalize),
        shrink_(shrink) {}

  void observe(const Interaction& x) {
    clicks_.try_emplace(x.item, 0);
    if (!x.clicked) return;
    ++clicks_[x.item];
    users_of_[x.item].insert(x.user);
    Items& h = history_[x.user];
    std::erase(h, x.item);
    h.push_back(x.item);
    if (history_len_ != 0 && h.size() > history_len_) h.erase(h.begin());
  }

  std::vector<std::pair<std::string, double>> neighbours_of(const std::string& i) const {
    std::vector<std::pair<std::string, double>> sims;
    const auto& ui = users_of_.at(i);
    for (const auto& [j, uj] : users_of_) {
      if (j == i) continue;
      size_t c = 0;
      for (const std::string& u : ui) c += uj.count(u);
      if (c == 0) continue;
      sims.emplace_back(j, static_cast<double>(c) / (std::sqrt(static_cast<double>(ui.size()) *
                                                               static_cast<double>(uj.size())) +
                                                     shrink_));
    }
    std::sort(sims.begin(), sims.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (sims.size() > neighbours_) sims.resize(neighbours_);
    if (normalize_) {
      double total = 0;
      for (const auto& s : sims) total += s.second;
      for (auto& s : sims) s.second /= total;
    }
    return sims;
  }

  std::map<std::string, double> scores(const std::string& user) const {
    std::map<std::string, double> out;
    auto h = history_.find(user);
    if (h == history_.end()) return out;
    for (const std::string& i : h->second) {
      for (const auto& [j, w] : neighbours_of(i)) out[j] += w;
    }
    return out;
  }

  Items recommend(const std::string& user, size_t k, const Recommender::ExcludeFn& ex) const {
    std::vector<std::pair<std::string, double>> scored;
    for (const auto& [j, v] : scores(user)) {
      if (v > 0 && !(ex && ex(j))) scored.emplace_back(j, v);
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    Items out;
    for (const auto& s : scored) {
      if (out.size() < k) out.push_back(s.first);
    }
    std::vector<std::pair<std::string, uint64_t>> popular(clicks_.begin(), clicks_.end());
    std::stable_sort(popular.begin(), popular.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [item, n] : popular) {
      if (out.size() >= k) break;
      if (std::find(out.begin(), out.end(), item) == out.end() && !(ex && ex(item))) {
        out.push_back(item);
      }
    }
    return out;
  }

  std::vector<double> score_items(const std::string& user, const Items& items) const {
    const auto s = scores(user);
    std::vector<double> out;
    for (const std::string& item : items) {
      auto it = s.find(item);
      auto c = clicks_.find(item);
      out.push_back(it != s.end() && it->second > 0
                        ? it->second
                        : -1.0 / (1.0 + static_cast<double>(c == clicks_.end() ? 0 : c->second)));
    }
    return out;
  }

 private:
  size_t neighbours_, history_len_;
  bool normalize_;
  double shrink_;
  std::map<std::string, uint64_t> clicks_;
  std::map<std::string, std::set<std::string>> users_of_;
  std::map<std::string, Items> history_;
};

// Queries interleaved with observes (the replay's pattern) give exactly the from-scratch
// definition, whatever was asked before: the neighbour cache never serves a stale list.
TEST(ItemKnnTest, MatchesTheDefinitionFromScratchThroughInterleavedObserves) {
  struct Config {
    size_t neighbours, history_len;
    bool normalize;
    double shrink;
  };
  // Skewed item popularity so lists have ties, repeats and unclicked items.
  std::vector<Interaction> log;
  std::mt19937_64 engine(17);
  for (size_t n = 0; n < 700; ++n) {
    const uint64_t r = engine();
    const size_t item = static_cast<size_t>(((r >> 8) % 30) * ((r >> 16) % 30) / 30);
    log.push_back(Interaction{"u" + std::to_string(r % 14), "i" + std::to_string(100 + item),
                              kT0 + static_cast<TimeMs>(n) * 1000, 3.0, (r >> 40) % 10 < 8});
  }
  const Items items{"i100", "i101", "i105", "i117", "i129", "unknown", "i101"};
  const auto ex = [](const std::string& item) { return item.back() == '3'; };
  for (const Config& c :
       {Config{2, 0, false, 0.0}, Config{3, 0, true, 0.0}, Config{5, 4, false, 0.0},
        Config{50, 0, true, 2.5}, Config{1, 1, false, 0.0}, Config{10, 0, false, 0.5}}) {
    SCOPED_TRACE(::testing::Message()
                 << c.neighbours << "/" << c.history_len << "/" << c.normalize << "/" << c.shrink);
    ItemKnnRecommender r(c.neighbours, c.history_len, c.normalize, c.shrink);
    ItemKnnRecommender twin(c.neighbours, c.history_len, c.normalize, c.shrink);
    ReferenceKnn ref(c.neighbours, c.history_len, c.normalize, c.shrink);
    for (size_t n = 0; n < log.size(); ++n) {
      r.observe(log[n]);
      twin.observe(log[n]);
      ref.observe(log[n]);
      if (n % 53 != 0 && n + 1 != log.size()) continue;
      for (int u = 0; u < 15; ++u) {  // u14 never clicks: a cold user
        const std::string user = "u" + std::to_string(u);
        const Items want = ref.recommend(user, 8, ex);
        EXPECT_EQ(r.recommend(user, 8, kT0, ex), want) << user << " after " << n;
        EXPECT_EQ(r.score_items(user, items, kT0), ref.score_items(user, items)) << user;
        EXPECT_EQ(r.recommend(user, 8, kT0, ex), want) << "repeat call " << user;
        for (const std::string& item : r.recommend(user, 30, kT0, ex)) {
          EXPECT_FALSE(ex(item)) << item;
        }
      }
    }
    // The twin was never asked before: the same state gives the same answers.
    for (int u = 0; u < 15; ++u) {
      const std::string user = "u" + std::to_string(u);
      EXPECT_EQ(twin.recommend(user, 8, kT0, ex), r.recommend(user, 8, kT0, ex)) << user;
      EXPECT_EQ(twin.score_items(user, items, kT0), r.score_items(user, items, kT0)) << user;
    }
    for (const std::string item : {"i100", "i103", "i120"}) {
      const auto got = r.neighbours_of(item);
      const auto want = ref.neighbours_of(item);
      ASSERT_EQ(got.size(), want.size()) << item;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].item, want[i].first);
        EXPECT_EQ(got[i].sim, want[i].second);
      }
    }
  }
}

}  // namespace
}  // namespace feedscout
