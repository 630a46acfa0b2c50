// Validation view, tuning and topic coarsening (eval/tuning.h) on a tiny MovieLens fixture
// and a hand-made 3-level taxonomy.
#include "feedscout/eval/tuning.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

// Users 1 and 2 have 5 ratings each, user 3 only 1 (no validation part possible).
constexpr char kMovies[] =
    "movieId,title,genres\n"
    "1,A (1990),Action\n2,B (1990),Action\n3,C (1990),Action\n4,D (1990),Comedy\n"
    "5,E (1990),Comedy\n6,F (1990),Comedy\n7,G (1990),Drama\n";
constexpr char kRatings[] =
    "userId,movieId,rating,timestamp\n"
    "1,1,5.0,100\n1,2,5.0,200\n1,4,4.0,300\n1,3,5.0,400\n1,5,4.0,500\n"
    "2,4,5.0,110\n2,5,5.0,210\n2,1,4.0,310\n2,6,5.0,410\n2,7,4.0,510\n"
    "3,7,5.0,50\n";

class TuningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("movies.csv")) << kMovies;
    std::ofstream(dir_.file("ratings.csv")) << kRatings;
    auto d = load_movielens(dir_.path().string());
    ASSERT_TRUE(d.is_ok()) << d.status().to_string();
    data_ = std::move(d).value();
  }
  TempDir dir_{"feedscout_tuning"};
  EvalDataset data_;
};

TEST_F(TuningTest, ValidationViewHoldsNoTestInteractionAndQueriesAtTheValidationCutoff) {
  SplitOptions options;
  options.test_fraction = 0.2;
  options.validation_fraction = 0.25;
  auto split = temporal_split(data_.interactions, options);
  ASSERT_TRUE(split.is_ok());
  // Users 1 and 2: 5 ratings → 1 test (t 500/510), 4 before → 1 validation (t 400/410).
  const ValidationView view = validation_view(data_, *split);
  EXPECT_EQ(view.data.interactions.size(), 8u);  // 11 minus 3 test ratings (one per user)
  for (const Interaction& x : view.data.interactions) {
    EXPECT_NE(split->part(x.user, x.time_ms), SplitPart::kTest) << x.user << " " << x.item;
  }
  ASSERT_EQ(view.split.users.size(), 2u);  // user 3 has no validation part
  EXPECT_EQ(view.split.users[0].user, "1");
  EXPECT_EQ(view.split.users[0].test_cutoff_ms, 400'000);
  EXPECT_EQ(view.split.users[1].test_cutoff_ms, 410'000);
  // In the view, the validation rating is what gets scored, everything earlier is training.
  EXPECT_EQ(view.split.part("1", 400'000), SplitPart::kTest);
  EXPECT_EQ(view.split.part("1", 300'000), SplitPart::kTrain);
}

TEST_F(TuningTest, TuneEngineRunsEveryVariantAndPicksTheBestNdcg) {
  SplitOptions options;
  options.validation_fraction = 0.25;
  auto split = temporal_split(data_.interactions, options);
  ASSERT_TRUE(split.is_ok());
  const ValidationView view = validation_view(data_, *split);
  std::vector<EngineVariant> grid = tuning_grid({});
  ASSERT_GE(grid.size(), 2u);
  grid.resize(3);
  auto result = tune_engine(view, grid, 10, {});
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  ASSERT_EQ(result->runs.size(), 3u);
  EXPECT_EQ(result->users_queried, 2u);
  double best = -1;
  size_t best_i = 0;
  for (size_t i = 0; i < result->runs.size(); ++i) {
    for (const auto& a : result->runs[i].summary.at_cutoff) {
      if (a.k == 10 && a.ndcg > best) {
        best = a.ndcg;
        best_i = i;
      }
    }
  }
  EXPECT_EQ(result->best, best_i);
  EXPECT_FALSE(tune_engine(view, {}, 10, {}).is_ok());
  EXPECT_FALSE(tune_engine(view, grid, 7, {}).is_ok());  // 7 is not a replay cut-off
}

TEST(CoarsenTopics, MapsDeepLabelsToTheirAncestorAndMergesDuplicates) {
  EvalDataset data;
  data.taxonomy_tsv =
      "id\tparent\tname\n"
      "s\t\tSports\nf\ts\tFootball\nw\tf\tWorld Cup\nb\ts\tBaseball\nm\t\tMusic\n";
  auto t = Taxonomy::parse(data.taxonomy_tsv, "test.tsv");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  data.taxonomy = std::move(t).value();
  auto id = [&](const char* x) { return *data.taxonomy.resolve(x); };
  Document d;
  d.id = "d1";
  d.topics = {{id("w"), 0.9f}, {id("b"), 0.6f}, {id("m"), 0.3f}};
  data.documents.push_back(d);
  EXPECT_EQ(deepest_topic_level(data), 3);

  const EvalDataset tier1 = coarsen_topics(data, 1);
  ASSERT_EQ(tier1.documents[0].topics.size(), 2u);  // w and b both become s
  EXPECT_EQ(tier1.documents[0].topics[0].topic, id("s"));
  EXPECT_FLOAT_EQ(tier1.documents[0].topics[0].score, 0.9f);
  EXPECT_EQ(tier1.documents[0].topics[1].topic, id("m"));
  EXPECT_EQ(deepest_topic_level(tier1), 1);

  const EvalDataset tier2 = coarsen_topics(data, 2);
  ASSERT_EQ(tier2.documents[0].topics.size(), 3u);
  EXPECT_EQ(tier2.documents[0].topics[0].topic, id("f"));
  EXPECT_EQ(data.documents[0].topics[0].topic, id("w"));  // the input is unchanged
}

}  // namespace
}  // namespace feedscout
