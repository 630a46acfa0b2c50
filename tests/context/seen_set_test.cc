// The seen set (include/feedscout/context/seen_set.h): exact membership across the switch
// from a scanned list to a hash table and back, and oldest-first forgetting.
#include "feedscout/context/seen_set.h"

#include <gtest/gtest.h>

#include <set>

namespace feedscout {
namespace {

TEST(SeenSetTest, MembershipIsExactBelowAndAboveTheTableThreshold) {
  SeenSet s(1000);
  std::set<uint64_t> reference;
  for (uint64_t i = 0; i < 200; ++i) {
    const uint64_t key = i * 0x9E3779B97F4A7C15ULL;  // key 0 included (i = 0)
    EXPECT_TRUE(s.insert(key));
    EXPECT_FALSE(s.insert(key));  // a repeat is not inserted twice
    reference.insert(key);
    for (uint64_t probe : {key, key + 1, uint64_t{0}, uint64_t{1}}) {
      EXPECT_EQ(s.contains(probe), reference.count(probe) > 0) << i << " " << probe;
    }
  }
  EXPECT_EQ(s.size(), 200u);
}

TEST(SeenSetTest, TheOldestAreForgottenPastCapacityAndSmallSetsStayExact) {
  SeenSet s(20);  // keeps at most 25, drops to 20
  for (uint64_t k = 1; k <= 26; ++k) s.insert(k);
  EXPECT_EQ(s.size(), 20u);
  EXPECT_FALSE(s.contains(1));
  EXPECT_FALSE(s.contains(6));
  EXPECT_TRUE(s.contains(7));
  EXPECT_TRUE(s.contains(26));
  EXPECT_EQ(s.keys().front(), 7u);

  SeenSet big(40);  // past the table threshold, then dropped back under it
  for (uint64_t k = 1; k <= 51; ++k) big.insert(k);
  EXPECT_EQ(big.size(), 40u);
  for (uint64_t k = 1; k <= 51; ++k) EXPECT_EQ(big.contains(k), k > 11) << k;
}

}  // namespace
}  // namespace feedscout
