// The next-item replay and the engine-backed recommender on a tiny hand-written MovieLens
// fixture: no information from at or after a user's cut-off is observed before that user's
// query, metrics match hand-computed values, and the real engine answers sensibly.
#include "feedscout/eval/replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "feedscout/eval/datasets.h"
#include "feedscout/eval/engine_recommender.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

// Users (ratings >= 3.5 are clicks; cut-offs from temporal_split's 20% rule):
//   1: clicks Action 1, 2, dislikes Comedy 4; test: Action 3 at 1000 (cut-off 1000).
//   2: clicks Comedy 4, 5, dislikes 1; test: 6 and 7, both at 1100 (cut-off 1100, tie).
//   3: clicks 7; test: 2 rated 2.0 (no click) at 500 — never queried.
//   4: clicks 1, 5; test: 6 at 1200.
constexpr char kMovies[] =
    "movieId,title,genres\n"
    "1,Action One (1990),Action\n"
    "2,Action Two (1991),Action\n"
    "3,Action Three (1992),Action\n"
    "4,Comedy One (1990),Comedy\n"
    "5,Comedy Two (1991),Comedy\n"
    "6,Comedy Three (1992),Comedy\n"
    "7,Drama One (1993),Drama\n";
constexpr char kRatings[] =
    "userId,movieId,rating,timestamp\n"
    "1,1,5.0,100\n1,2,5.0,200\n1,4,1.0,300\n1,3,5.0,1000\n"
    "2,4,5.0,150\n2,5,5.0,250\n2,1,1.0,350\n2,6,5.0,1100\n2,7,4.0,1100\n"
    "3,7,5.0,50\n3,2,2.0,500\n"
    "4,1,5.0,120\n4,5,5.0,900\n4,6,4.0,1200\n";

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("movies.csv")) << kMovies;
    std::ofstream(dir_.file("ratings.csv")) << kRatings;
    auto d = load_movielens(dir_.path().string());
    ASSERT_TRUE(d.is_ok()) << d.status().to_string();
    data_ = std::move(d).value();
    auto s = temporal_split(data_.interactions);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    split_ = std::move(s).value();
  }
  TempDir dir_{"feedscout_replay"};
  EvalDataset data_;
  TemporalSplit split_;
};

// Records every call, in order.
class SpyRecommender final : public Recommender {
 public:
  struct Call {
    bool query = false;
    std::string user;
    TimeMs time_ms = 0;
  };
  std::string name() const override { return "spy"; }
  void observe(const Interaction& x) override { calls.push_back({false, x.user, x.time_ms}); }
  std::vector<std::string> recommend(const std::string& user, size_t, TimeMs now,
                                     const ExcludeFn&) const override {
    calls.push_back({true, user, now});
    return {};
  }
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override {
    calls.push_back({true, user, now});
    return std::vector<double>(items.size(), 0.0);
  }
  mutable std::vector<Call> calls;
};

// Returns a fixed list per user, without the excluded items.
class ScriptedRecommender final : public Recommender {
 public:
  explicit ScriptedRecommender(std::map<std::string, std::vector<std::string>> lists)
      : lists_(std::move(lists)) {}
  std::string name() const override { return "scripted"; }
  void observe(const Interaction&) override {}
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs,
                                     const ExcludeFn& exclude) const override {
    std::vector<std::string> out;
    auto it = lists_.find(user);
    if (it == lists_.end()) return out;
    for (const auto& item : it->second) {
      if (out.size() < k && !exclude(item)) out.push_back(item);
    }
    return out;
  }
  // Earlier in the user's list = higher; unlisted items score 0.
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs) const override {
    std::vector<double> out(items.size(), 0.0);
    auto it = lists_.find(user);
    if (it == lists_.end()) return out;
    for (size_t i = 0; i < items.size(); ++i) {
      auto pos = std::find(it->second.begin(), it->second.end(), items[i]);
      if (pos != it->second.end()) out[i] = static_cast<double>(it->second.end() - pos);
    }
    return out;
  }

 private:
  std::map<std::string, std::vector<std::string>> lists_;
};

TEST_F(ReplayTest, NoObservationAtOrAfterAnyCutoffBeforeTheQuery) {
  SpyRecommender spy;
  auto report = replay_next_item(data_, split_, {&spy});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->users, 4u);
  EXPECT_EQ(report->users_queried, 3u);
  EXPECT_EQ(report->users_without_clicked_test, 1u);
  EXPECT_EQ(report->methods[0].summary.skipped.at(std::string(kSkipNoClickedTest)), 1u);

  std::map<std::string, int> queried;
  size_t observed = 0;
  for (size_t i = 0; i < spy.calls.size(); ++i) {
    const auto& q = spy.calls[i];
    if (!q.query) {
      ++observed;
      // Only training interactions are ever observed.
      EXPECT_EQ(split_.part(q.user, q.time_ms), SplitPart::kTrain) << q.user << "@" << q.time_ms;
      continue;
    }
    ++queried[q.user];
    const UserCutoffs* c = split_.find(q.user);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(q.time_ms, c->test_cutoff_ms) << "user " << q.user;
    for (size_t j = 0; j < i; ++j) {
      if (spy.calls[j].query) continue;
      EXPECT_LT(spy.calls[j].time_ms, q.time_ms)
          << "user " << spy.calls[j].user << "'s interaction at " << spy.calls[j].time_ms
          << " observed before user " << q.user << "'s query at " << q.time_ms;
    }
  }
  EXPECT_EQ(queried, (std::map<std::string, int>{{"1", 1}, {"2", 1}, {"4", 1}}));
  EXPECT_EQ(observed, split_.total(SplitPart::kTrain));
  EXPECT_EQ(report->observed, observed);
  // Every training interaction earlier than a cut-off was observed before that query: user
  // 4's rating at 900 precedes user 1's query at 1000.
  size_t before_first_query = 0;
  for (const auto& c : spy.calls) {
    if (c.query) break;
    ++before_first_query;
  }
  EXPECT_EQ(before_first_query, 9u);  // all training interactions are earlier than 1000
}

TEST_F(ReplayTest, LimitTakesTheFirstUsersById) {
  SpyRecommender spy;
  ReplayOptions options;
  options.max_users = 2;
  auto report = replay_next_item(data_, split_, {&spy}, options);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->users, 2u);
  EXPECT_EQ(report->users_queried, 2u);
  for (const auto& c : spy.calls) EXPECT_TRUE(c.user == "1" || c.user == "2") << c.user;
}

TEST_F(ReplayTest, MetricsMatchHandComputedValues) {
  // Relevant: user 1 {3}, user 2 {6, 7}, user 4 {6}.
  ScriptedRecommender scripted({{"1", {"5", "3"}},         // hit at rank 2
                                {"2", {"7", "2", "6"}},    // hits at ranks 1 and 3
                                {"4", {"5", "4", "1"}}});  // 1 is excluded (training): no hit
  auto report = replay_next_item(data_, split_, {&scripted});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  const RankingSummary& s = report->methods[0].summary;
  EXPECT_EQ(s.lists_evaluated, 3u);
  const double ndcg1 = 1 / std::log2(3.0);                                   // one of one
  const double ndcg2 = (1 + 1 / std::log2(4.0)) / (1 + 1 / std::log2(3.0));  // two of two
  const RankingAtCutoff* at10 = nullptr;
  for (const auto& a : s.at_cutoff) {
    if (a.k == 10) at10 = &a;
  }
  ASSERT_NE(at10, nullptr);
  EXPECT_NEAR(at10->hit_rate, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(at10->ndcg, (ndcg1 + ndcg2 + 0) / 3, 1e-12);
  EXPECT_NEAR(s.mrr, (0.5 + 1 + 0) / 3, 1e-12);
  ASSERT_TRUE(at10->catalogue.has_value());
  // Distinct items shown: 5, 3, 7, 2, 6, 4 of 7 documents.
  EXPECT_EQ(at10->catalogue->distinct_items, 6u);
  EXPECT_NEAR(at10->catalogue->coverage, 6.0 / 7.0, 1e-12);
}

TEST_F(ReplayTest, RejectsBadArguments) {
  EXPECT_FALSE(replay_next_item(data_, split_, {}).is_ok());
  EXPECT_FALSE(replay_next_item(data_, split_, {nullptr}).is_ok());
}

// Wraps the engine-backed recommender and checks, at every query, what the engine itself has
// ingested: exactly the documents created before the query time and exactly the events of
// the interactions observed so far — nothing from at or after the cut-off.
class EngineAudit final : public Recommender {
 public:
  EngineAudit(EngineRecommender& engine, const EvalDataset& data) : engine_(engine), data_(data) {}
  std::string name() const override { return "audit"; }
  void observe(const Interaction& x) override {
    engine_.observe(x);
    expected_events_ += x.clicked ? 2 : 1;  // an impression, and a click when clicked
    latest_observed_ = std::max(latest_observed_, x.time_ms);
  }
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                     const ExcludeFn& exclude) const override {
    auto list = engine_.recommend(user, k, now, exclude);
    size_t docs_before = 0;
    for (const Document& d : data_.documents) docs_before += d.created_ms < now;
    const auto c = engine_.counters();
    EXPECT_EQ(c.documents_ingested, docs_before) << "query at " << now;
    EXPECT_EQ(c.events_ingested, expected_events_) << "query at " << now;
    EXPECT_LT(latest_observed_, now);
    ++queries;
    return list;
  }
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override {
    return engine_.score_items(user, items, now);
  }
  mutable size_t queries = 0;

 private:
  EngineRecommender& engine_;
  const EvalDataset& data_;
  size_t expected_events_ = 0;
  TimeMs latest_observed_ = 0;
};

TEST_F(ReplayTest, TheEngineIngestsNothingFromAtOrAfterTheQueryTime) {
  auto engine = EngineRecommender::create(data_);
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  EngineAudit audit(**engine, data_);
  auto report = replay_next_item(data_, split_, {&audit});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(audit.queries, 3u);  // at 1000 s, Action Three (first rated then) was not known
}

TEST_F(ReplayTest, EngineRecommenderEndToEnd) {
  std::string engine_dir;
  {
    auto engine = EngineRecommender::create(data_);
    ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
    engine_dir = (*engine)->data_dir();
    EXPECT_TRUE(std::filesystem::exists(engine_dir));

    // In the replay: only valid, non-excluded, distinct items.
    auto report = replay_next_item(data_, split_, {engine->get()});
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    EXPECT_EQ(report->methods[0].summary.lists_evaluated, 3u);
    const auto c = (*engine)->counters();
    EXPECT_EQ(c.events_rejected, 0u) << c.first_error;
    EXPECT_EQ(c.documents_rejected, 0u) << c.first_error;
    EXPECT_EQ(c.commit_failures, 0u) << c.first_error;
  }
  EXPECT_FALSE(std::filesystem::exists(engine_dir)) << "the temporary directory is removed";

  // Observed clicks steer the ranking: user 1 clicked Action and disliked Comedy, so with every
  // document known (now = 5000 s) the one Action movie they have not rated comes first.
  // (Co-click relevance is off here: user 4 clicked 1 and 5, which would lift Comedy 5.)
  constexpr TimeMs kNow = 5000 * kMsPerSecond;
  EngineRecommenderOptions topics_only;
  topics_only.feed.related_weight = 0;
  auto engine = EngineRecommender::create(data_, topics_only);
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  std::set<std::string> training_of_1;
  for (const Interaction& x : data_.interactions) {
    if (split_.part(x.user, x.time_ms) != SplitPart::kTrain) continue;
    (*engine)->observe(x);
    if (x.user == "1") training_of_1.insert(x.item);
  }
  const auto exclude = [&](const std::string& item) { return training_of_1.count(item) > 0; };
  const auto list = (*engine)->recommend("1", 10, kNow, exclude);
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.front(), "3");
  std::set<std::string> distinct;
  std::set<std::string> valid{"1", "2", "3", "4", "5", "6", "7"};
  for (const auto& item : list) {
    EXPECT_TRUE(valid.count(item)) << item;
    EXPECT_FALSE(training_of_1.count(item)) << item;
    EXPECT_TRUE(distinct.insert(item).second) << item;
  }
  // User 2 clicked Comedy: their unrated Comedy movie comes first.
  std::set<std::string> training_of_2{"4", "5", "1"};
  const auto list2 = (*engine)->recommend(
      "2", 3, kNow, [&](const std::string& item) { return training_of_2.count(item) > 0; });
  ASSERT_FALSE(list2.empty());
  EXPECT_EQ(list2.front(), "6");
  EXPECT_TRUE((*engine)->recommend("1", 0, kNow, exclude).empty());
}

}  // namespace
}  // namespace feedscout
