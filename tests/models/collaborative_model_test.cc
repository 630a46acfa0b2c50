#include "feedscout/models/collaborative_model.h"

#include <gtest/gtest.h>

namespace feedscout {
namespace {

// Two taste groups: users 0..19 click documents 100..109, users 20..39 documents 200..209,
// each user 5 of their group's 10.
std::vector<std::vector<uint64_t>> two_groups() {
  std::vector<std::vector<uint64_t>> h(40);
  for (int u = 0; u < 40; ++u) {
    const uint64_t base = u < 20 ? 100 : 200;
    for (int k = 0; k < 5; ++k) h[u].push_back(base + static_cast<uint64_t>((u + k * 3) % 10));
  }
  return h;
}

// Few factors for 40 users: more would fit noise within each group.
CollaborativeOptions small() {
  CollaborativeOptions o;
  o.als.factors = 4;
  return o;
}

TEST(CollaborativeModel, ScoresTheUsersGroupAboveTheOther) {
  auto model = CollaborativeModel::train(two_groups(), small(), "v1");
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  EXPECT_EQ((*model)->version(), "v1");
  EXPECT_EQ((*model)->summary().items, 20u);
  EXPECT_EQ((*model)->summary().users, 40u);
  const std::vector<uint64_t> history{100, 101, 102};
  const auto v = (*model)->user_vector(history);
  ASSERT_EQ(v.size(), (*model)->factors());
  for (uint64_t d = 103; d < 110; ++d) {
    for (uint64_t o = 200; o < 210; ++o) {
      EXPECT_GT(*(*model)->score(v, d), *(*model)->score(v, o)) << d << " vs " << o;
    }
  }
  const auto best = (*model)->top_k(v, 5, [&](uint64_t key) { return key <= 102; });
  ASSERT_EQ(best.size(), 5u);
  for (const auto& [key, score] : best) {
    EXPECT_GE(key, 103u);
    EXPECT_LT(key, 110u);
    EXPECT_GT(score, 0.0f);
  }
}

TEST(CollaborativeModel, UnknownDocumentsAndEmptyHistories) {
  auto model = CollaborativeModel::train(two_groups(), small(), "v1");
  ASSERT_TRUE(model.is_ok());
  EXPECT_FALSE((*model)->knows(999));
  const std::vector<uint64_t> unknown{999, 998};
  const auto v = (*model)->user_vector(unknown);
  for (float x : v) EXPECT_EQ(x, 0.0f);
  EXPECT_FALSE((*model)->score(v, 999).has_value());
  EXPECT_TRUE((*model)->top_k(v, 5, nullptr).empty());  // only positive scores
  EXPECT_FALSE((*model)->nearest_in_history(unknown, 100).has_value());
}

TEST(CollaborativeModel, NearestInHistoryPicksTheSameGroup) {
  auto model = CollaborativeModel::train(two_groups(), small(), "v1");
  ASSERT_TRUE(model.is_ok());
  const std::vector<uint64_t> mixed{200, 101, 205};
  const auto anchor = (*model)->nearest_in_history(mixed, 104);
  ASSERT_TRUE(anchor.has_value());
  EXPECT_EQ(*anchor, 101u);
}

TEST(CollaborativeModel, RareDocumentsAreLeftOutAndNothingToLearnIsAnError) {
  std::vector<std::vector<uint64_t>> h{{1, 2}, {1, 3}, {1}};
  CollaborativeOptions o;
  o.min_item_users = 2;
  auto model = CollaborativeModel::train(h, o, "v");
  ASSERT_TRUE(model.is_ok());
  EXPECT_TRUE((*model)->knows(1));
  EXPECT_FALSE((*model)->knows(2));
  o.min_item_users = 4;
  EXPECT_EQ(CollaborativeModel::train(h, o, "v").status().code(), Status::Code::kInvalidArgument);
  o.min_item_users = 0;
  EXPECT_FALSE(CollaborativeModel::train(h, o, "v").is_ok());
}

TEST(CollaborativeModel, TrainingIsDeterministic) {
  auto a = CollaborativeModel::train(two_groups(), {}, "a");
  auto b = CollaborativeModel::train(two_groups(), {}, "b");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  const std::vector<uint64_t> h{200, 203};
  EXPECT_EQ((*a)->user_vector(h), (*b)->user_vector(h));
}

}  // namespace
}  // namespace feedscout
