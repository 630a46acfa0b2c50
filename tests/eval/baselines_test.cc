// Baseline recommenders on tiny hand-made logs; every expected value is computed by hand in
// the comment next to it.
#include "feedscout/eval/baselines.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "eval/baseline_test_support.h"

namespace feedscout {
namespace {

using namespace baseline_testing;  // NOLINT(google-build-using-namespace): test helpers

// ---- most popular ----

// Clicks: c 3, a 2, b 2, d 1; e only seen without a click (0). Ties by id: a before b.
void feed_popularity_log(Recommender& r) {
  for (const Interaction& x :
       {click("u1", "c"), click("u2", "c"), click("u3", "c"), click("u1", "b"), click("u2", "b"),
        click("u3", "a"), click("u1", "a"), no_click("u2", "d"), click("u2", "d"),
        no_click("u1", "e"), no_click("u3", "c")}) {
    r.observe(x);
  }
}

TEST(BaselinePopularTest, CountsClicksAndBreaksTiesById) {
  MostPopularRecommender r;
  feed_popularity_log(r);
  EXPECT_EQ(r.name(), "popular");
  EXPECT_EQ(r.clicks("c"), 3u);
  EXPECT_EQ(r.clicks("a"), 2u);
  EXPECT_EQ(r.clicks("e"), 0u);
  EXPECT_EQ(r.clicks("zzz"), 0u);
  EXPECT_EQ(r.recommend("u1", 3, kT0, nullptr), (Items{"c", "a", "b"}));
  // k beyond the catalogue: every known item once, the unclicked one last.
  EXPECT_EQ(r.recommend("u1", 100, kT0, nullptr), (Items{"c", "a", "b", "d", "e"}));
  // Same answer for every user and time.
  EXPECT_EQ(r.recommend("nobody", 100, kT0 + 99 * kHour, nullptr),
            (Items{"c", "a", "b", "d", "e"}));
  EXPECT_TRUE(r.recommend("u1", 0, kT0, nullptr).empty());
}

TEST(BaselinePopularTest, HonoursExclusionAndUpdatesAfterObserve) {
  MostPopularRecommender r;
  feed_popularity_log(r);
  EXPECT_EQ(r.recommend("u1", 3, kT0, excluding({"c", "b"})), (Items{"a", "d", "e"}));
  // b gains two clicks (4): it overtakes c (3). The cached order must be rebuilt.
  r.observe(click("u4", "b"));
  r.observe(click("u5", "b"));
  EXPECT_EQ(r.recommend("u1", 2, kT0, nullptr), (Items{"b", "c"}));
}

// score_items = training clicks: c 3, a 2, b 2, d 1, e 0 (seen, never clicked), zzz 0
// (unknown); any user, any time; repeats scored like any other.
TEST(BaselinePopularTest, ScoreItemsAreClickCounts) {
  MostPopularRecommender r;
  feed_popularity_log(r);
  const Items items{"e", "a", "zzz", "c", "d", "b", "c"};
  const std::vector<double> want{0, 2, 0, 3, 1, 2, 3};
  EXPECT_EQ(r.score_items("u1", items, kT0), want);
  EXPECT_EQ(r.score_items("nobody", items, kT0 + 99 * kHour), want);
  EXPECT_TRUE(r.score_items("u1", {}, kT0).empty());
  r.observe(click("u4", "e"));
  EXPECT_EQ(r.score_items("u1", {"e"}, kT0), (std::vector<double>{1}));
}

TEST(BaselinePopularTest, EmptyRecommenderGivesEmptyList) {
  MostPopularRecommender r;
  EXPECT_TRUE(r.recommend("u1", 10, kT0, nullptr).empty());
}

// ---- recently popular ----

// Half-life 1 h. "old": 3 clicks at T0. "new": 1 click at T0+1h and 1 at T0+2h.
//   at T0+2h: old = 3 · 2^-2 = 0.75;  new = 1 · 2^-1 + 1 = 1.5      -> new first
//   at T0+3h: old = 3 · 2^-3 = 0.375; new = 1.5 · 2^-1 = 0.75      -> new first
// Before the burst (observed up to T0, asked at T0+1h): old = 1.5, new unknown.
// Plain popularity ranks old (3) above new (2) whatever the time.
TEST(BaselineRecentPopularTest, RecentBurstBeatsOlderLargerCount) {
  RecentPopularRecommender r(3600.0);
  EXPECT_EQ(r.name(), "recent-popular");
  MostPopularRecommender p;
  for (const Interaction& x : {click("u1", "old", kT0), click("u2", "old", kT0),
                               click("u3", "old", kT0), no_click("u4", "quiet", kT0)}) {
    r.observe(x);
    p.observe(x);
  }
  EXPECT_NEAR(r.score("old", kT0 + kHour), 1.5, kEps);
  EXPECT_EQ(r.recommend("u9", 5, kT0 + kHour, nullptr), (Items{"old", "quiet"}));

  for (const Interaction& x :
       {click("u1", "new", kT0 + kHour), click("u2", "new", kT0 + 2 * kHour)}) {
    r.observe(x);
    p.observe(x);
  }
  EXPECT_NEAR(r.score("old", kT0 + 2 * kHour), 0.75, kEps);
  EXPECT_NEAR(r.score("new", kT0 + 2 * kHour), 1.5, kEps);
  EXPECT_NEAR(r.score("old", kT0 + 3 * kHour), 0.375, kEps);
  EXPECT_NEAR(r.score("new", kT0 + 3 * kHour), 0.75, kEps);
  EXPECT_EQ(r.score("quiet", kT0 + 3 * kHour), 0.0);
  EXPECT_EQ(r.score("unknown", kT0 + 3 * kHour), 0.0);
  EXPECT_EQ(r.recommend("u9", 5, kT0 + 2 * kHour, nullptr), (Items{"new", "old", "quiet"}));
  EXPECT_EQ(r.recommend("u9", 5, kT0 + 3 * kHour, nullptr), (Items{"new", "old", "quiet"}));
  EXPECT_EQ(p.recommend("u9", 5, kT0 + 2 * kHour, nullptr), (Items{"old", "new", "quiet"}));
  // Exclusion and k.
  EXPECT_EQ(r.recommend("u9", 1, kT0 + 2 * kHour, excluding({"new"})), (Items{"old"}));
  EXPECT_TRUE(r.recommend("u9", 0, kT0 + 2 * kHour, nullptr).empty());
}

// score_items = score(item, now), the decayed click count (same log as above):
//   at T0+2h: new 1.5, old 0.75, quiet 0, unknown 0.
TEST(BaselineRecentPopularTest, ScoreItemsAreDecayedCounts) {
  RecentPopularRecommender r(3600.0);
  for (const Interaction& x :
       {click("u1", "old", kT0), click("u2", "old", kT0), click("u3", "old", kT0),
        no_click("u4", "quiet", kT0), click("u1", "new", kT0 + kHour),
        click("u2", "new", kT0 + 2 * kHour)}) {
    r.observe(x);
  }
  const std::vector<double> at2h =
      r.score_items("u9", {"quiet", "old", "new", "unknown"}, kT0 + 2 * kHour);
  ASSERT_EQ(at2h.size(), 4u);
  EXPECT_EQ(at2h[0], 0.0);
  EXPECT_NEAR(at2h[1], 0.75, kEps);
  EXPECT_NEAR(at2h[2], 1.5, kEps);
  EXPECT_EQ(at2h[3], 0.0);
  for (const char* item : {"quiet", "old", "new"}) {
    EXPECT_EQ(r.score_items("u1", {item}, kT0 + 3 * kHour),
              (std::vector<double>{r.score(item, kT0 + 3 * kHour)}))
        << item;
  }
  EXPECT_NEAR(r.score_items("u1", {"old"}, kT0 + 3 * kHour)[0], 0.375, kEps);
}

// Half-life 1 h. "a": 2 clicks at T0; "b": 1 click at T0+1h.
//   at T0+1h: a = 2 · 0.5 = 1.0, b = 1.0 -> a tie, broken by id: a, b.
//   at T0+2h: a = 0.5, b = 0.5          -> still tied (the ratio is fixed after the last click).
// "c": 1 click at T0+30min:
//   at T0+1h: c = 2^-0.5 = 0.7071 < 1.0 -> last.
TEST(BaselineRecentPopularTest, ExactTiesBreakById) {
  RecentPopularRecommender r(3600.0);
  r.observe(click("u1", "b", kT0 + kHour));  // out of order: DecayedCount is order-independent
  r.observe(click("u1", "a", kT0));
  r.observe(click("u2", "a", kT0));
  r.observe(click("u3", "c", kT0 + kHour / 2));
  EXPECT_NEAR(r.score("a", kT0 + kHour), 1.0, kEps);
  EXPECT_NEAR(r.score("b", kT0 + kHour), 1.0, kEps);
  EXPECT_NEAR(r.score("c", kT0 + kHour), std::sqrt(0.5), kEps);
  EXPECT_EQ(r.recommend("u", 3, kT0 + kHour, nullptr), (Items{"a", "b", "c"}));
  EXPECT_EQ(r.recommend("u", 3, kT0 + 2 * kHour, nullptr), (Items{"a", "b", "c"}));
}

// ---- random ----

Items catalogue_of(size_t n) {
  Items items;
  for (size_t i = 0; i < n; ++i) items.push_back("i" + std::to_string(100 + i));
  return items;
}

void expect_valid_list(const Items& list, const Items& catalogue, size_t want_size) {
  EXPECT_EQ(list.size(), want_size);
  std::set<std::string> distinct(list.begin(), list.end());
  EXPECT_EQ(distinct.size(), list.size()) << "repeats";
  for (const std::string& item : list) {
    EXPECT_TRUE(std::binary_search(catalogue.begin(), catalogue.end(), item)) << item;
  }
}

TEST(BaselineRandomTest, DeterministicPerSeedUserAndTime) {
  const Items catalogue = catalogue_of(20);
  RandomRecommender r(7, catalogue);
  RandomRecommender same(7, Items(catalogue.rbegin(), catalogue.rend()));  // order irrelevant
  RandomRecommender other_seed(8, catalogue);
  EXPECT_EQ(r.name(), "random");
  EXPECT_EQ(same.catalogue(), catalogue);

  const Items u1 = r.recommend("u1", 10, kT0, nullptr);
  expect_valid_list(u1, catalogue, 10);
  // Call order does not matter: other calls in between change nothing.
  const Items u2 = r.recommend("u2", 10, kT0, nullptr);
  expect_valid_list(u2, catalogue, 10);
  EXPECT_EQ(r.recommend("u1", 10, kT0, nullptr), u1);
  EXPECT_EQ(same.recommend("u1", 10, kT0, nullptr), u1);
  // observe() changes nothing either.
  r.observe(click("u1", "i105", kT0));
  EXPECT_EQ(r.recommend("u1", 10, kT0, nullptr), u1);

  EXPECT_NE(u1, u2);
  EXPECT_NE(r.recommend("u1", 10, kT0 + 1, nullptr), u1);
  EXPECT_NE(other_seed.recommend("u1", 10, kT0, nullptr), u1);
  // A shorter k is a prefix of the longer list.
  const Items u1_3 = r.recommend("u1", 3, kT0, nullptr);
  EXPECT_EQ(u1_3, Items(u1.begin(), u1.begin() + 3));
}

TEST(BaselineRandomTest, KBeyondCatalogueAndExclusion) {
  const Items catalogue = catalogue_of(20);
  RandomRecommender r(7, catalogue);
  const Items all = r.recommend("u1", 50, kT0, nullptr);
  expect_valid_list(all, catalogue, 20);  // a permutation of the catalogue

  // Excluding items removes them from the same call's order and fills from further along.
  const std::set<std::string> ex{all[0], all[2], all[5]};
  Items want;
  for (const std::string& item : all) {
    if (!ex.count(item)) want.push_back(item);
  }
  EXPECT_EQ(r.recommend("u1", 50, kT0, excluding(ex)), want);
  EXPECT_EQ(r.recommend("u1", 4, kT0, excluding(ex)), Items(want.begin(), want.begin() + 4));

  EXPECT_TRUE(r.recommend("u1", 0, kT0, nullptr).empty());
  RandomRecommender empty(7, {});
  EXPECT_TRUE(empty.recommend("u1", 5, kT0, nullptr).empty());
  RandomRecommender dupes(7, {"b", "a", "b", "a"});
  EXPECT_EQ(dupes.catalogue(), (Items{"a", "b"}));
  EXPECT_EQ(dupes.recommend("u1", 5, kT0, nullptr).size(), 2u);
}

// score_items: a hash of (seed, user, item) in [0, 1): independent of the time, of the other
// items in the call, of observe() and of the catalogue (items outside it are scored too).
TEST(BaselineRandomTest, ScoreItemsHashSeedUserAndItem) {
  const Items catalogue = catalogue_of(20);
  RandomRecommender r(7, catalogue);
  RandomRecommender same(7, {"x"});
  RandomRecommender other_seed(8, catalogue);
  const Items items{"i100", "i101", "i102", "elsewhere"};
  const std::vector<double> s = r.score_items("u1", items, kT0);
  ASSERT_EQ(s.size(), items.size());
  for (double v : s) {
    EXPECT_GE(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
  EXPECT_EQ(std::set<double>(s.begin(), s.end()).size(), s.size());
  EXPECT_EQ(r.score_items("u1", items, kT0 + 5 * kHour), s);
  EXPECT_EQ(same.score_items("u1", items, kT0), s);
  EXPECT_EQ(r.score_items("u1", {"elsewhere", "i101"}, kT0), (std::vector<double>{s[3], s[1]}));
  r.observe(click("u1", "i100", kT0));
  EXPECT_EQ(r.score_items("u1", items, kT0), s);
  EXPECT_NE(r.score_items("u2", items, kT0), s);
  EXPECT_NE(other_seed.score_items("u1", items, kT0), s);

  // Loosely uniform: 4000 users' score of one item, 10 equal bins of 400 (sd ≈ 19), allowed
  // 300..500 (> 5 sd). Deterministic, so not flaky.
  std::vector<int> bins(10, 0);
  for (int u = 0; u < 4000; ++u) {
    bins[static_cast<size_t>(r.score_items("user" + std::to_string(u), {"i105"}, kT0)[0] * 10)]++;
  }
  for (int b : bins) {
    EXPECT_GE(b, 300);
    EXPECT_LE(b, 500);
  }
}

// Loose uniformity check: 4000 users, the first item of each list over a 20-item catalogue;
// each item expected 200 times (sd ≈ 13.8), allowed 140..260 (> 4 sd). Deterministic, so not
// flaky.
TEST(BaselineRandomTest, FirstItemRoughlyUniform) {
  const Items catalogue = catalogue_of(20);
  RandomRecommender r(11, catalogue);
  std::map<std::string, int> first;
  for (int u = 0; u < 4000; ++u)
    first[r.recommend("user" + std::to_string(u), 1, kT0, nullptr)[0]]++;
  ASSERT_EQ(first.size(), 20u);
  for (const auto& [item, count] : first) {
    EXPECT_GE(count, 140) << item;
    EXPECT_LE(count, 260) << item;
  }
}

// ---- every baseline ----

std::vector<std::unique_ptr<Recommender>> all_baselines(const Items& catalogue) {
  BaselineOptions options;
  options.catalogue = catalogue;
  options.half_life_s = 3600.0;
  options.neighbours = 3;
  options.history_len = 3;
  std::vector<std::unique_ptr<Recommender>> out;
  for (std::string_view name : kBaselineNames) {
    auto r = make_baseline(name, options);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    if (r.is_ok()) out.push_back(std::move(r).value());
  }
  return out;
}

// A pseudo-random log: 400 interactions of 12 users over 30 items, one per minute, 70%
// clicked. `salt` changes everything after `from`: two logs share a prefix and differ after.
std::vector<Interaction> make_log(uint64_t salt, size_t from) {
  std::mt19937_64 prefix_engine(5), suffix_engine(salt);
  std::vector<Interaction> log;
  for (size_t i = 0; i < 400; ++i) {
    std::mt19937_64& e = i < from ? prefix_engine : suffix_engine;
    const uint64_t r = e();
    log.push_back(Interaction{"u" + std::to_string(r % 12),
                              "i" + std::to_string(100 + (r >> 8) % 30),
                              kT0 + static_cast<TimeMs>(i) * 60'000, 3.0, (r >> 20) % 10 < 7});
  }
  return log;
}

// No peeking: a recommender that observed the interactions before t answers the same whether
// the dataset goes on after t with one future, another, or none — it is a pure function of
// what it observed. (And the future does matter once observed, so the check is not vacuous.)
TEST(RecommenderContractTest, NoPeekingPureFunctionOfObservedPrefix) {
  const Items catalogue = catalogue_of(30);
  const size_t cut = 250;
  const TimeMs t = kT0 + static_cast<TimeMs>(cut) * 60'000;
  const std::vector<Interaction> future_a = make_log(1, cut);
  const std::vector<Interaction> future_b = make_log(2, cut);
  const std::vector<Interaction> prefix_only(future_a.begin(), future_a.begin() + cut);

  auto replay_until = [&](const std::vector<Interaction>& log, TimeMs until) {
    auto recs = all_baselines(catalogue);
    for (const Interaction& x : log) {
      if (x.time_ms >= until) break;
      for (auto& r : recs) r->observe(x);
    }
    return recs;
  };
  auto a = replay_until(future_a, t);
  auto b = replay_until(future_b, t);
  auto p = replay_until(prefix_only, t);
  auto full = replay_until(future_a, t + 1000 * 60'000);
  ASSERT_EQ(a.size(), kBaselineNames.size());
  size_t differs_after_future = 0;
  for (size_t m = 0; m < a.size(); ++m) {
    SCOPED_TRACE(a[m]->name());
    EXPECT_EQ(a[m]->name(), kBaselineNames[m]);
    for (int u = 0; u < 13; ++u) {  // u12 never appears: a cold user
      const std::string user = "u" + std::to_string(u);
      const auto ex = excluding({"i100", "i101"});
      const Items got = a[m]->recommend(user, 10, t, ex);
      EXPECT_EQ(got.size(), 10u);
      for (const std::string& item : got) {
        EXPECT_NE(item, "i100");
        EXPECT_NE(item, "i101");
      }
      EXPECT_EQ(b[m]->recommend(user, 10, t, ex), got) << user;
      EXPECT_EQ(p[m]->recommend(user, 10, t, ex), got) << user;
      if (full[m]->recommend(user, 10, t, ex) != got) ++differs_after_future;
    }
  }
  EXPECT_GT(differs_after_future, 0u);
}

// score_items follows the same contract: a pure function of the observed prefix (equal
// across futures), one score per item, never NaN; and for every baseline but random, ranking
// recommend()'s own list by score keeps its order (scores never increase along the list).
TEST(RecommenderContractTest, ScoreItemsPureAndConsistentWithRecommend) {
  const Items catalogue = catalogue_of(30);
  Items items = catalogue;
  items.push_back("unknown");
  items.push_back("i100");  // a repeat
  const size_t cut = 250;
  const TimeMs t = kT0 + static_cast<TimeMs>(cut) * 60'000;
  auto replay_until = [&](const std::vector<Interaction>& log, TimeMs until) {
    auto recs = all_baselines(catalogue);
    for (const Interaction& x : log) {
      if (x.time_ms >= until) break;
      for (auto& r : recs) r->observe(x);
    }
    return recs;
  };
  auto a = replay_until(make_log(1, cut), t);
  auto b = replay_until(make_log(2, cut), t);
  auto full = replay_until(make_log(1, cut), t + 1000 * 60'000);
  size_t differs_after_future = 0;
  for (size_t m = 0; m < a.size(); ++m) {
    SCOPED_TRACE(a[m]->name());
    for (int u = 0; u < 13; ++u) {
      const std::string user = "u" + std::to_string(u);
      const std::vector<double> got = a[m]->score_items(user, items, t);
      ASSERT_EQ(got.size(), items.size());
      for (double v : got) EXPECT_FALSE(std::isnan(v));
      EXPECT_EQ(got[0], got.back()) << "a repeat scores the same";
      EXPECT_EQ(b[m]->score_items(user, items, t), got) << user;
      EXPECT_EQ(a[m]->score_items(user, items, t), got) << user;
      if (full[m]->score_items(user, items, t) != got) ++differs_after_future;
      if (a[m]->name() == "random") continue;
      const Items list = a[m]->recommend(user, 30, t, nullptr);
      const std::vector<double> along = a[m]->score_items(user, list, t);
      for (size_t i = 1; i < along.size(); ++i) {
        EXPECT_GE(along[i - 1], along[i]) << user << " at " << i << ": " << list[i];
      }
    }
  }
  EXPECT_GT(differs_after_future, 0u);
}

// Several threads asking at once (each rebuilding the caches a fresh observe dropped) get
// what a twin fed the same log answers serially.
TEST(RecommenderContractTest, ConcurrentRecommendCallsAgree) {
  const Items catalogue = catalogue_of(30);
  auto recs = all_baselines(catalogue);
  auto twins = all_baselines(catalogue);
  const TimeMs now = kT0 + 401 * 60'000;
  for (const Interaction& x : make_log(1, 400)) {
    for (auto& r : recs) r->observe(x);
    for (auto& r : twins) r->observe(x);
  }
  for (size_t m = 0; m < recs.size(); ++m) {
    SCOPED_TRACE(recs[m]->name());
    std::vector<Items> serial;
    for (int u = 0; u < 12; ++u) {
      serial.push_back(twins[m]->recommend("u" + std::to_string(u), 5, now, nullptr));
    }
    std::vector<std::vector<Items>> got(4);
    std::vector<std::thread> threads;
    for (size_t th = 0; th < got.size(); ++th) {
      threads.emplace_back([&, th] {
        for (int u = 0; u < 12; ++u) {
          got[th].push_back(recs[m]->recommend("u" + std::to_string(u), 5, now, nullptr));
        }
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& g : got) EXPECT_EQ(g, serial);
  }
}

// ---- factory ----

TEST(BaselineFactoryTest, BuildsEveryNameAndRejectsBadInput) {
  BaselineOptions options;
  options.catalogue = {"a"};
  for (std::string_view name : kBaselineNames) {
    auto r = make_baseline(name, options);
    ASSERT_TRUE(r.is_ok()) << name;
    EXPECT_EQ(r.value()->name(), name);
  }

  auto unknown = make_baseline("bpr", options);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("'bpr'"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("random, popular, recent-popular, item-knn"),
            std::string::npos)
      << unknown.status().message();

  auto expect_invalid = [](std::string_view name, const BaselineOptions& o,
                           std::string_view option) {
    auto r = make_baseline(name, o);
    ASSERT_FALSE(r.is_ok()) << name;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(option), std::string::npos) << r.status().message();
  };
  expect_invalid("random", BaselineOptions{}, "catalogue");
  BaselineOptions bad = options;
  bad.half_life_s = 0;
  expect_invalid("recent-popular", bad, "half_life_s");
  bad.half_life_s = std::nan("");
  expect_invalid("recent-popular", bad, "half_life_s");
  bad = options;
  bad.neighbours = 0;
  expect_invalid("item-knn", bad, "neighbours");
  bad = options;
  bad.shrink = -1;
  expect_invalid("item-knn", bad, "shrink");
  bad.shrink = std::nan("");
  expect_invalid("item-knn", bad, "shrink");
  // history_len 0 is the whole history, no longer an error.
  bad = options;
  bad.history_len = 0;
  EXPECT_TRUE(make_baseline("item-knn", bad).is_ok());
  // Options a baseline does not use are not checked.
  EXPECT_TRUE(make_baseline("popular", BaselineOptions{}).is_ok());
}

}  // namespace
}  // namespace feedscout
