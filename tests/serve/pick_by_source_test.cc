// pick_by_source (serve/feed_builder.h): what a model limited to `cap` candidates scores, the
// rule serving and the cap's validation report share; row_source (ranking_features.h).
#include <gtest/gtest.h>

#include <vector>

#include "feedscout/serve/feed_builder.h"
#include "feedscout/serve/ranking_features.h"

namespace feedscout {
namespace {

constexpr FeedSource kT = FeedSource::kTopic;
constexpr FeedSource kP = FeedSource::kPopular;
constexpr FeedSource kC = FeedSource::kCollaborative;

TEST(PickBySource, EachSourcesFirstInTurnInTheOrderSourcesFirstAppear) {
  // Topic has 4, popular 2, collaborative 1: a cap of 5 takes T0 P0 C0, then T1 P1.
  const std::vector<FeedSource> sources{kT, kT, kP, kT, kT, kP, kC};
  const std::vector<bool> keep = pick_by_source(sources, 5);
  EXPECT_EQ(keep, (std::vector<bool>{true, true, true, false, false, true, true}));
  // A cap ending inside a round: the source that appeared first gets the slot.
  EXPECT_EQ(pick_by_source(sources, 2),
            (std::vector<bool>{true, false, true, false, false, false, false}));
}

TEST(PickBySource, ZeroOrACapAboveTheSizeKeepsEverything) {
  const std::vector<FeedSource> sources{kT, kP, kT};
  EXPECT_EQ(pick_by_source(sources, 0), (std::vector<bool>{true, true, true}));
  EXPECT_EQ(pick_by_source(sources, 3), (std::vector<bool>{true, true, true}));
  EXPECT_TRUE(pick_by_source({}, 4).empty());
}

TEST(RowSource, ReadsTheSourceOneHot) {
  std::vector<float> row(kFeatureCount, 0.0f);
  EXPECT_EQ(row_source(row), FeedSource::kPopular);  // none set
  row[static_cast<size_t>(Feature::kFromCollaborative)] = 1.0f;
  EXPECT_EQ(row_source(row), FeedSource::kCollaborative);
  row[static_cast<size_t>(Feature::kFromCollaborative)] = 0.0f;
  row[static_cast<size_t>(Feature::kFromAfterSearch)] = 1.0f;
  EXPECT_EQ(row_source(row), FeedSource::kAfterSearch);
}

}  // namespace
}  // namespace feedscout
