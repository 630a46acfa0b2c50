// Embedding interest profiles (the fifth context): clicks pull, skips push, the cap, decay,
// pending impressions becoming skips, and the codec round trip.
#include "feedscout/context/interest_profiles.h"

#include <gtest/gtest.h>

#include <cmath>

#include "feedscout/context/user_context.h"

namespace feedscout {
namespace {

constexpr TimeMs kT0 = 1'760'000'000'000;
constexpr TimeMs kHour = 3600 * 1000;

std::vector<float> axis(size_t i, size_t d = 8) {
  std::vector<float> v(d, 0.0f);
  v[i] = 1.0f;
  return v;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    s += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return s / std::sqrt(na * nb);
}

TEST(InterestProfilesTest, ClicksOnSimilarDocumentsMoveOneProfileTowardThem) {
  ProfileContextConfig cfg;
  InterestProfiles p;
  p.on_click(1, axis(0), kT0, cfg);
  ASSERT_EQ(p.profiles().size(), 1u);
  EXPECT_NEAR(cosine(p.profiles()[0].vector(), axis(0)), 1.0, 1e-3);
  // A document 45 degrees away (cos 0.71 >= merge 0.5) moves the same profile toward it.
  std::vector<float> diag = {1, 1, 0, 0, 0, 0, 0, 0};
  p.on_click(2, diag, kT0 + 1000, cfg);
  ASSERT_EQ(p.profiles().size(), 1u);
  const auto v = p.profiles()[0].vector();
  EXPECT_GT(cosine(v, diag), 0.71 + 0.05);
  EXPECT_LT(cosine(v, axis(0)), 0.999);
  EXPECT_EQ(p.profiles()[0].clicks, 2u);
  EXPECT_EQ(p.profiles()[0].anchor_key, 2u);
  EXPECT_NEAR(p.profiles()[0].weight_at(kT0 + 1000, cfg), 2.0, 1e-3);
}

TEST(InterestProfilesTest, AnUnrelatedClickStartsAProfileAndTheCapReplacesTheWeakest) {
  ProfileContextConfig cfg;
  cfg.max_profiles = 2;
  InterestProfiles p;
  p.on_click(1, axis(0), kT0, cfg);
  p.on_click(2, axis(0), kT0 + 1, cfg);  // profile 0: weight 2
  p.on_click(3, axis(1), kT0 + 2, cfg);  // orthogonal: a new profile, weight 1
  ASSERT_EQ(p.profiles().size(), 2u);
  p.on_click(4, axis(2), kT0 + 3, cfg);  // a third direction replaces the weakest (axis 1)
  ASSERT_EQ(p.profiles().size(), 2u);
  EXPECT_NEAR(cosine(p.profiles()[0].vector(), axis(0)), 1.0, 1e-3);
  EXPECT_NEAR(cosine(p.profiles()[1].vector(), axis(2)), 1.0, 1e-3);
}

TEST(InterestProfilesTest, ASkipPushesTheNearestProfileAwayAndFarSkipsDoNothing) {
  ProfileContextConfig cfg;
  InterestProfiles p;
  std::vector<float> diag = {1, 1, 0, 0, 0, 0, 0, 0};
  p.on_click(1, diag, kT0, cfg);
  const auto before = p.profiles()[0].vector();
  p.on_skip(axis(1), cfg);  // cos 0.71 >= 0.3: moves away from axis 1
  const auto after = p.profiles()[0].vector();
  EXPECT_LT(cosine(after, axis(1)), cosine(before, axis(1)) - 0.03);
  EXPECT_GT(cosine(after, axis(0)), cosine(before, axis(0)));
  EXPECT_EQ(p.profiles()[0].skips, 1u);
  p.on_skip(axis(5), cfg);  // orthogonal: below skip_min_similarity
  EXPECT_EQ(p.profiles()[0].skips, 1u);
}

TEST(InterestProfilesTest, WeightsDecayWithTheHalfLifeAndWeakProfilesLeaveTheView) {
  ProfileContextConfig cfg;
  cfg.half_life_s = 3600;
  InterestProfiles p;
  p.on_click(1, axis(0), kT0, cfg);
  EXPECT_NEAR(p.profiles()[0].weight_at(kT0 + kHour, cfg), 0.5, 1e-9);
  EXPECT_NEAR(p.profiles()[0].weight_at(kT0 - kHour, cfg), 1.0, 1e-9);  // never amplified
  EXPECT_EQ(profile_scores(p, kT0 + kHour, cfg).size(), 1u);
  EXPECT_TRUE(profile_scores(p, kT0 + 10 * kHour, cfg).empty());  // 2^-10 < 0.05
}

TEST(InterestProfilesTest, ImpressionsNotClickedWithinTheSessionBecomeSkips) {
  ProfileContextConfig cfg;
  InterestProfiles p;
  p.add_pending(10, kT0, cfg);
  p.add_pending(11, kT0 + 1000, cfg);
  p.add_pending(12, kT0 + 2000, cfg);
  p.clear_pending(11);  // clicked
  EXPECT_TRUE(p.take_skips(kT0 + cfg.skip_after_ms - 1, cfg).empty());
  const auto skips = p.take_skips(kT0 + cfg.skip_after_ms + 1500, cfg);
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_EQ(skips[0].key, 10u);
  ASSERT_EQ(p.pending().size(), 1u);
  EXPECT_EQ(p.pending()[0].key, 12u);
  cfg.max_pending = 2;
  p.add_pending(13, kT0 + 3000, cfg);
  p.add_pending(14, kT0 + 4000, cfg);  // the oldest (12) is dropped
  ASSERT_EQ(p.pending().size(), 2u);
  EXPECT_EQ(p.pending()[0].key, 13u);
}

TEST(InterestProfilesTest, ZeroVectorsAndAnotherDimensionAreHandled) {
  ProfileContextConfig cfg;
  InterestProfiles p;
  p.on_click(1, std::vector<float>(8, 0.0f), kT0, cfg);
  EXPECT_TRUE(p.profiles().empty());
  p.on_click(1, axis(0), kT0, cfg);
  p.on_click(2, axis(0, 16), kT0 + 1, cfg);  // the embedder changed: start over
  ASSERT_EQ(p.profiles().size(), 1u);
  EXPECT_EQ(p.dimension(), 16u);
}

TEST(InterestProfilesTest, UserContextCodecRoundTripsProfilesAndPending) {
  ProfileContextConfig cfg;
  UserContext c;
  c.mutable_profiles().on_click(7, std::vector<float>{0.6f, 0.8f, 0, 0}, kT0, cfg);
  c.mutable_profiles().on_click(8, std::vector<float>{0, 0, 1, 0}, kT0 + 5, cfg);
  c.mutable_profiles().on_skip(std::vector<float>{0.1f, 0.9f, 0, 0}, cfg);
  c.mutable_profiles().add_pending(99, kT0 + 9, cfg);
  auto back = UserContext::decode(c.encode());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  const auto& a = c.profiles().profiles();
  const auto& b = back->profiles().profiles();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].q, b[i].q);
    EXPECT_EQ(a[i].weight, b[i].weight);
    EXPECT_EQ(a[i].ref_ms, b[i].ref_ms);
    EXPECT_EQ(a[i].anchor_key, b[i].anchor_key);
    EXPECT_EQ(a[i].skips, b[i].skips);
  }
  ASSERT_EQ(back->profiles().pending().size(), 1u);
  EXPECT_EQ(back->profiles().pending()[0].key, 99u);
  // Truncations are errors, never a crash.
  const std::string bytes = c.encode();
  for (size_t cut = 1; cut < bytes.size(); cut += 7) {
    EXPECT_FALSE(UserContext::decode(std::string_view(bytes).substr(0, cut)).is_ok()) << cut;
  }
}

}  // namespace
}  // namespace feedscout
