// The co-click neighbour index: hand-computed cosine estimates, the Space-Saving bound, and
// persistence through stable keys with renumbering.
#include "feedscout/index/coclick_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <unordered_map>

namespace feedscout {
namespace {

TEST(CoClickIndex, SimilarityIsCoClicksOverGeometricMeanOfClicks) {
  CoClickIndex idx;
  // Users: {0,1}, {0,1}, {0,2}: clicks 0→3, 1→2, 2→1; co(0,1)=2, co(0,2)=1.
  for (int u = 0; u < 3; ++u) idx.add_click(0);
  idx.add_click(1);
  idx.add_click(1);
  idx.add_click(2);
  idx.add_pair(0, 1);
  idx.add_pair(1, 0);
  idx.add_pair(0, 2);
  EXPECT_NEAR(idx.similarity(0, 1), 2.0 / std::sqrt(3.0 * 2.0), 1e-6);
  EXPECT_NEAR(idx.similarity(1, 0), 2.0 / std::sqrt(6.0), 1e-6);
  EXPECT_NEAR(idx.similarity(0, 2), 1.0 / std::sqrt(3.0), 1e-6);
  EXPECT_EQ(idx.similarity(1, 2), 0.0);
  idx.add_pair(2, 2);  // self pairs are ignored
  EXPECT_EQ(idx.neighbours(2).size(), 1u);
  EXPECT_TRUE(idx.neighbours(99).empty());
  EXPECT_EQ(idx.clicks(99), 0.0);
}

TEST(CoClickIndex, FullListsReplaceTheLightestNeighbour) {
  CoClickIndex idx(CoClickConfig{2});
  idx.add_pair(0, 1);
  idx.add_pair(0, 1);
  idx.add_pair(0, 1);  // weight 3
  idx.add_pair(0, 2);  // weight 1
  idx.add_pair(0, 3);  // full: 3 replaces 2 (the lightest) and inherits 1 + 1
  ASSERT_EQ(idx.neighbours(0).size(), 2u);
  std::unordered_map<DocIndex, float> w;
  for (const auto& n : idx.neighbours(0)) w[n.doc] = n.weight;
  EXPECT_EQ(w.count(2), 0u);
  EXPECT_FLOAT_EQ(w[1], 3.0f);
  EXPECT_FLOAT_EQ(w[3], 2.0f);
}

TEST(CoClickIndex, EncodeDecodeThroughKeysRenumbers) {
  CoClickIndex a;
  a.add_click(0);
  a.add_click(0);
  a.add_pair(0, 1);
  a.add_pair(0, 2);
  // Keys 100 + index; after the reload documents 0, 1, 2 are 5, 6 and (gone).
  const std::string bytes = a.encode(0, [](DocIndex d) { return uint64_t{100} + d; });
  CoClickIndex b;
  Status st = b.decode(5, bytes, [](uint64_t key) -> std::optional<DocIndex> {
    if (key == 100) return 5;
    if (key == 101) return 6;
    return std::nullopt;
  });
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  EXPECT_EQ(b.clicks(5), 2.0);
  ASSERT_EQ(b.neighbours(5).size(), 1u);
  EXPECT_EQ(b.neighbours(5)[0].doc, 6u);
  EXPECT_FLOAT_EQ(b.neighbours(5)[0].weight, 1.0f);

  EXPECT_FALSE(b.decode(1, "", [](uint64_t) { return std::optional<DocIndex>(); }).is_ok());
  EXPECT_FALSE(b.decode(1, bytes.substr(0, bytes.size() - 1), [](uint64_t) {
                  return std::optional<DocIndex>();
                }).is_ok());
}

}  // namespace
}  // namespace feedscout
