// Training the ranker on a validation replay (eval/ranker_training.h) on a small simulated
// dataset: the label horizon of the replayed pages, and a model file that loads.
#include "feedscout/eval/ranker_training.h"

#include <gtest/gtest.h>

#include <cmath>

#include <filesystem>
#include <string>

#include "feedscout/serve/ranking_features.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

class RankerTrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatedOptions sim;
    sim.sample_dir = FEEDSCOUT_SOURCE_DIR "/data/sample";
    sim.taxonomy_path = testing_support::kTaxonomyPath;
    sim.simulator.users = 60;
    auto data = load_simulated(sim);
    ASSERT_TRUE(data.is_ok()) << data.status().to_string();
    SplitOptions split_options;
    split_options.test_fraction = 0.2;
    split_options.validation_fraction = 0.2;
    auto split = temporal_split(data->interactions, split_options);
    ASSERT_TRUE(split.is_ok()) << split.status().to_string();
    view_ = validation_view(*data, *split);
  }

  Result<RankerTrainingResult> train(LabelHorizon horizon, const std::string& file,
                                     const std::vector<RankerTrainOptions>& grid = {},
                                     size_t pages_per_user = 4) {
    RankerTrainingOptions options;
    options.label_horizon = horizon;
    options.pages_per_user = pages_per_user;
    options.replay.progress = false;
    options.feed = feed_;
    options.refit_on_all = refit_on_all_;
    RankerTrainOptions quick;
    quick.max_rounds = 20;
    options.model_grid = grid.empty() ? default_model_grid(quick, "rank:pairwise", 3) : grid;
    EngineRecommenderOptions engine;
    return train_ranker_on_replay(view_, engine, options, dir_.file(file));
  }

  TempDir dir_{"feedscout_ranker_training"};
  ValidationView view_;
  FeedConfig feed_;  // the recency rule the held-out comparison applies
  bool refit_on_all_ = true;
};

// A page's question is the user's next stretch (as long as their validation part), not every
// later click: the same pages carry fewer positives, and the validation cut-off pages —
// whose next stretch is the whole validation part — keep theirs.
TEST_F(RankerTrainingTest, NextQuestionLabelsAreASubsetOfEveryLaterClick) {
  auto next = train(LabelHorizon::kNextQuestion, "next.model");
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  auto all = train(LabelHorizon::kUntilTestCutoff, "all.model");
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  EXPECT_EQ(next->join.pages, all->join.pages);
  EXPECT_EQ(next->join.rows, all->join.rows);
  EXPECT_GT(next->join.positives, 0u);
  EXPECT_LT(next->join.positives, all->join.positives);
  // The serving cap's cost on the held-out pages, for the caps of 64 to 512 that cut a page
  // (the simulator's pools have a few hundred candidates).
  ASSERT_FALSE(next->holdout_ndcg_by_cap.empty());
  EXPECT_LE(next->holdout_ndcg_by_cap.size(), 4u);
  EXPECT_EQ(next->holdout_ndcg_by_cap[0].first, 64u);
  for (const auto& [cap, ndcg] : next->holdout_ndcg_by_cap) {
    EXPECT_GE(ndcg, 0.0) << cap;
    EXPECT_LE(ndcg, 1.0) << cap;
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.file("next.model")));
  auto model = GbdtRanker::load(dir_.file("next.model"), home_feature_schema());
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
}

// The replay holds out the latest users' validation cut-off pages (the test's question), not
// the latest pages of any kind: with one page per user every page is such a page and a fifth
// of them is held out; with more pages per user still one per held-out user.
TEST_F(RankerTrainingTest, TheReplayHoldsOutTheLatestUsersQuestionPages) {
  auto one = train(LabelHorizon::kUntilTestCutoff, "one.model", {}, 1);
  ASSERT_TRUE(one.is_ok()) << one.status().to_string();
  const size_t questions = one->join.pages;
  EXPECT_EQ(one->holdout_clean.input_groups,
            static_cast<size_t>(std::ceil(0.2 * static_cast<double>(questions))));
  EXPECT_EQ(one->train_clean.input_groups + one->holdout_clean.input_groups, questions);
  EXPECT_NE(ranker_training_markdown(*one).find("validation cut-off, each asking the test's"),
            std::string::npos);

  auto several = train(LabelHorizon::kUntilTestCutoff, "several.model", {}, 4);
  ASSERT_TRUE(several.is_ok()) << several.status().to_string();
  EXPECT_GT(several->join.pages, questions);
  EXPECT_EQ(several->holdout_clean.input_groups, one->holdout_clean.input_groups);
}

// The split is by time: training pages end before the first held-out page and their labels
// stop there, whoever's they are; a question page after the cut that is not held out (a tie
// or a later page of the pool) is dropped, not trained on.
TEST(SplitByQuestionTest, NothingThatTrainsReadsTheHeldOutPeriod) {
  auto page = [](const std::string& user, TimeMs t, TimeMs label_until) {
    LoggedPage p;
    p.user = user;
    p.time_ms = t;
    p.label_until_ms = label_until;
    return p;
  };
  // Five question pages (a..e at 10..50) and earlier pages of a, b and e; holdout 0.4 →
  // the latest two questions (d at 40, e at 50) are held out, the cut is 40.
  std::vector<LoggedPage> pages{page("a", 5, 0),   page("a", 10, 0), page("b", 3, 60),
                                page("b", 20, 35), page("c", 30, 0), page("d", 40, 0),
                                page("e", 45, 0),  page("e", 50, 0)};
  const std::vector<bool> question{false, true, false, true, true, true, false, true};
  std::vector<LoggedPage> train, holdout;
  split_by_question(pages, question, 0.4, &train, &holdout);
  ASSERT_EQ(holdout.size(), 2u);
  EXPECT_EQ(holdout[0].user, "d");
  EXPECT_EQ(holdout[1].user, "e");
  EXPECT_EQ(holdout[1].label_until_ms, 0);  // held-out labels run to the test cut-off
  ASSERT_EQ(train.size(), 5u);              // e's page at 45 is after the cut: dropped
  for (const LoggedPage& p : train) {
    EXPECT_LT(p.time_ms, 40) << p.user;
    EXPECT_GT(p.label_until_ms, 0) << p.user << " " << p.time_ms;
    EXPECT_LE(p.label_until_ms, 40) << p.user << " " << p.time_ms;
  }
  EXPECT_EQ(train[3].label_until_ms, 35);  // an earlier end stays
}

// Every model of the grid trains on the same rows; the saved one is the best on the held-out
// pages, and the report lists them all.
TEST_F(RankerTrainingTest, TheGridKeepsTheModelBestOnHeldOutPages) {
  RankerTrainOptions quick;
  quick.max_rounds = 20;
  const auto grid = default_model_grid(quick);
  ASSERT_EQ(grid.size(), 4u);
  auto r = train(LabelHorizon::kNextQuestion, "grid.model", grid);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->trials.size(), grid.size());
  ASSERT_LT(r->chosen, grid.size());
  for (size_t i = 0; i < grid.size(); ++i) {
    EXPECT_EQ(r->trials[i].description, describe_model(grid[i]));
    EXPECT_GE(r->trials[r->chosen].holdout_metric, r->trials[i].holdout_metric) << i;
    EXPECT_GE(r->trials[i].trees, 1u);
  }
  EXPECT_EQ(r->train.best_round + 1, r->trials[r->chosen].trees);
  const std::string md = ranker_training_markdown(*r);
  EXPECT_NE(md.find(describe_model(grid[r->chosen]) + " | "), std::string::npos) << md;
  EXPECT_NE(md.find("kept"), std::string::npos);
  // The kept model is trained again on every page, the held-out ones and the pages after
  // the held-out cut included, and that model is the one saved.
  EXPECT_GT(r->refit_groups, r->train.train_groups + r->train.validation_groups);
  EXPECT_NE(md.find("trained again, for its rounds, on all"), std::string::npos);
  auto saved = GbdtRanker::load(dir_.file("grid.model"), home_feature_schema());
  ASSERT_TRUE(saved.is_ok()) << saved.status().to_string();
  EXPECT_EQ(saved->version(), r->model_version);
}

// The held-out comparison also scores the order served with the recency rule after the
// model, at the weights 0 to 0.3 and the configured one. At weight 0 the rule keeps the
// model's order (relevant candidates by relevance, the others halved below them), so it
// scores what the model alone does.
TEST_F(RankerTrainingTest, TheRecencyRuleAfterTheModelIsScoredAtSeveralWeights) {
  feed_.learned_recency_weight = 0.15;
  refit_on_all_ = false;  // the held-out figures are the saved model's then
  auto r = train(LabelHorizon::kUntilTestCutoff, "rule.model");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->holdout_ndcg_by_recency_weight.size(), 5u);
  EXPECT_EQ(r->holdout_ndcg_by_recency_weight[0].first, 0.0);
  EXPECT_NEAR(r->holdout_ndcg_by_recency_weight[0].second, r->holdout_ndcg_model, 1e-9);
  EXPECT_EQ(r->holdout_ndcg_by_recency_weight.back().first, 0.15);
  EXPECT_EQ(r->configured_recency_weight, 0.15);
  bool differs = false;
  for (const auto& [weight, ndcg] : r->holdout_ndcg_by_recency_weight) {
    EXPECT_GE(ndcg, 0.0) << weight;
    EXPECT_LE(ndcg, 1.0) << weight;
    differs = differs || std::abs(ndcg - r->holdout_ndcg_model) > 1e-9;
  }
  EXPECT_TRUE(differs) << "recency and popularity never moved an item";
  EXPECT_NE(ranker_training_markdown(*r).find("weight 0.15 (feed.learned_recency_weight)"),
            std::string::npos);
  EXPECT_EQ(r->refit_groups, 0u);
  EXPECT_EQ(ranker_training_markdown(*r).find("trained again"), std::string::npos);
}

}  // namespace
}  // namespace feedscout
