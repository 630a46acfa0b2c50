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
    RankerTrainOptions quick;
    quick.max_rounds = 20;
    options.model_grid = grid.empty() ? default_model_grid(quick, "rank:pairwise", 3) : grid;
    EngineRecommenderOptions engine;
    return train_ranker_on_replay(view_, engine, options, dir_.file(file));
  }

  TempDir dir_{"feedscout_ranker_training"};
  ValidationView view_;
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
}

}  // namespace
}  // namespace feedscout
