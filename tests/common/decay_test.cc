#include "feedscout/common/decay.h"

#include <gtest/gtest.h>

namespace feedscout {
namespace {

constexpr double kWeek = 7 * 24 * 3600.0;

TEST(DecayTest, HalvesEveryHalfLife) {
  EXPECT_DOUBLE_EQ(decay_factor(0, kWeek), 1.0);
  EXPECT_DOUBLE_EQ(decay_factor(7 * kMsPerDay, kWeek), 0.5);
  EXPECT_DOUBLE_EQ(decay_factor(14 * kMsPerDay, kWeek), 0.25);
  EXPECT_DOUBLE_EQ(decay_factor(70 * kMsPerDay, kWeek), 1.0 / 1024);
  // One day of a one-week half-life: 2^(-1/7) = 0.905723664263...
  EXPECT_NEAR(decay_factor(kMsPerDay, kWeek), 0.9057236642639067, 1e-15);
  // Milliseconds count: half an hour of a one-hour half-life is 2^(-1/2).
  EXPECT_NEAR(decay_factor(1800 * kMsPerSecond, 3600.0), 0.7071067811865476, 1e-15);
}

TEST(DecayTest, NeverAmplifies) {
  EXPECT_EQ(decay_factor(-1, kWeek), 1.0);
  EXPECT_EQ(decay_factor(-7 * kMsPerDay, kWeek), 1.0);
  EXPECT_EQ(decay_factor(kMsPerDay, 0.0), 1.0);  // no half-life: no decay
  EXPECT_EQ(decay_factor(kMsPerDay, -5.0), 1.0);
}

TEST(DecayTest, ComposesMultiplicatively) {
  // Moving an anchor in two steps equals moving it in one: f(a)·f(b) = f(a+b).
  for (TimeMs a : {TimeMs{1}, kMsPerHour, 3 * kMsPerDay + 17}) {
    for (TimeMs b : {TimeMs{5}, kMsPerDay, 11 * kMsPerDay}) {
      EXPECT_NEAR(decay_factor(a, kWeek) * decay_factor(b, kWeek), decay_factor(a + b, kWeek),
                  1e-15);
    }
  }
  // Very old evidence underflows gracefully to 0, never NaN.
  const double f = decay_factor(100000 * 365 * kMsPerDay, kWeek);
  EXPECT_GE(f, 0.0);
  EXPECT_LT(f, 1e-300);
}

}  // namespace
}  // namespace feedscout
