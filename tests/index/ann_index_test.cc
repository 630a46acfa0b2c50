// AnnIndex (hnswlib): recall@10 against exact cosine, deletion and slot reuse, replacement,
// filters, persistence and its errors.
#include "feedscout/index/ann_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <unordered_set>

#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr size_t kDim = 64;

// n random unit vectors of kDim floats (Gaussian directions), row-major n * kDim.
std::vector<std::vector<float>> random_unit_vectors(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<std::vector<float>> out(n, std::vector<float>(kDim));
  for (auto& v : out) {
    for (float& x : v) x = normal(rng);
    EXPECT_TRUE(l2_normalize(v));
  }
  return out;
}

float dot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// The exact top-k keys (key = row index) by cosine.
std::vector<uint64_t> brute_force(const std::vector<std::vector<float>>& data,
                                  const std::vector<float>& q, size_t k) {
  std::vector<std::pair<float, uint64_t>> scored;
  scored.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) scored.push_back({dot(data[i], q), i});
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<uint64_t> out;
  for (size_t i = 0; i < k; ++i) out.push_back(scored[i].second);
  return out;
}

std::unique_ptr<AnnIndex> make_index(AnnIndexConfig cfg = {}) {
  auto r = AnnIndex::create(cfg);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

TEST(AnnIndexTest, RecallAt10AgainstBruteForceAtDefaults) {
  const auto data = random_unit_vectors(10000, 1);
  const auto queries = random_unit_vectors(200, 2);
  AnnIndexConfig cfg;  // defaults, except that growth is exercised from a small start
  cfg.initial_capacity = 1000;
  auto index = make_index(cfg);
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index->add(i, data[i]).is_ok());
  EXPECT_EQ(index->size(), data.size());
  EXPECT_GE(index->capacity(), data.size());

  size_t found = 0;
  for (const auto& q : queries) {
    const auto exact = brute_force(data, q, 10);
    auto hits = index->search(q, 10);
    ASSERT_TRUE(hits.is_ok()) << hits.status().to_string();
    ASSERT_EQ(hits->size(), 10u);
    std::unordered_set<uint64_t> truth(exact.begin(), exact.end());
    for (const auto& h : *hits) found += truth.count(h.key);
    EXPECT_NEAR((*hits)[0].similarity, dot(data[(*hits)[0].key], q), 1e-4);
  }
  const double recall = static_cast<double>(found) / (10.0 * queries.size());
  std::printf(
      "[ recall ] recall@10 = %.4f (10000 vectors, d=64, 200 queries, M=%zu, "
      "ef_construction=%zu, ef_search=%zu)\n",
      recall, cfg.m, cfg.ef_construction, cfg.ef_search);
  EXPECT_GE(recall, 0.95);
}

TEST(AnnIndexTest, RemovedKeyIsNeverReturnedAndItsSlotIsReused) {
  const auto data = random_unit_vectors(500, 3);
  AnnIndexConfig cfg;
  cfg.initial_capacity = 500;
  auto index = make_index(cfg);
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index->add(i, data[i]).is_ok());
  for (uint64_t key = 0; key < 100; ++key) ASSERT_TRUE(index->remove(key).is_ok());
  EXPECT_EQ(index->remove(5).code(), Status::Code::kNotFound);
  EXPECT_FALSE(index->contains(5));
  EXPECT_EQ(index->size(), 400u);
  for (uint64_t key = 0; key < 100; ++key) {
    auto hits = index->search(data[key], 20);  // its own vector: would be the top hit
    ASSERT_TRUE(hits.is_ok());
    for (const auto& h : *hits) EXPECT_GE(h.key, 100u);
  }
  // 100 new keys fill the freed slots: the capacity does not grow.
  const auto more = random_unit_vectors(100, 4);
  for (size_t i = 0; i < more.size(); ++i) ASSERT_TRUE(index->add(1000 + i, more[i]).is_ok());
  EXPECT_EQ(index->capacity(), 500u);
  EXPECT_EQ(index->size(), 500u);
  auto hits = index->search(more[7], 1);
  ASSERT_TRUE(hits.is_ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].key, 1007u);
  EXPECT_NEAR((*hits)[0].similarity, 1.0f, 1e-4);
}

TEST(AnnIndexTest, ReAddingAKeyReplacesItsVector) {
  const auto data = random_unit_vectors(200, 5);
  auto index = make_index();
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index->add(i, data[i]).is_ok());
  ASSERT_TRUE(index->add(3, data[150]).is_ok());
  EXPECT_EQ(index->size(), 200u);
  auto hits = index->search(data[150], 2);
  ASSERT_TRUE(hits.is_ok());
  ASSERT_EQ(hits->size(), 2u);
  std::vector<uint64_t> keys = {(*hits)[0].key, (*hits)[1].key};
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<uint64_t>{3, 150}));
  auto old = index->search(data[3], 1);
  ASSERT_TRUE(old.is_ok());
  EXPECT_NE((*old)[0].key, 3u);
}

TEST(AnnIndexTest, GetReturnsTheNormalisedVectorAndNotFoundWhenAbsent) {
  const auto data = random_unit_vectors(50, 9);
  auto index = make_index();
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index->add(i, data[i]).is_ok());
  std::vector<float> scaled = data[7];
  for (float& x : scaled) x *= 3.0f;
  ASSERT_TRUE(index->add(7, scaled).is_ok());  // stored normalised
  auto v = index->get(7);
  ASSERT_TRUE(v.is_ok()) << v.status().to_string();
  ASSERT_EQ(v->size(), kDim);
  for (size_t i = 0; i < kDim; ++i) EXPECT_NEAR((*v)[i], data[7][i], 1e-5f);
  ASSERT_TRUE(index->remove(7).is_ok());
  EXPECT_EQ(index->get(7).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(index->get(999).status().code(), Status::Code::kNotFound);
}

TEST(AnnIndexTest, MaxCandidatesBoundsAFilteredSearch) {
  const auto data = random_unit_vectors(2000, 12);
  auto index = make_index();
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index->add(i, data[i]).is_ok());
  // Only every 100th key passes: uncapped, the search widens until 10 pass (20 exist).
  const auto rare = [](uint64_t key) { return key % 100 == 0; };
  auto all = index->search(data[1], 10, rare);
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->size(), 10u);
  // Capped at 64 candidates, at most the passing keys among those 64 come back.
  auto capped = index->search(data[1], 10, rare, 64);
  ASSERT_TRUE(capped.is_ok());
  EXPECT_LT(capped->size(), 10u);
  for (const AnnHit& h : *capped) EXPECT_EQ(h.key % 100, 0u);
}

TEST(AnnIndexTest, FilterKeepsOnlyAllowedKeysAndVectorsAreNormalised) {
  const auto data = random_unit_vectors(1000, 6);
  auto index = make_index();
  for (size_t i = 0; i < data.size(); ++i) {
    std::vector<float> scaled = data[i];
    for (float& x : scaled) x *= 3.5f;  // normalised on the way in
    ASSERT_TRUE(index->add(i, scaled).is_ok());
  }
  auto hits = index->search(data[10], 10, [](uint64_t key) { return key % 50 == 0; });
  ASSERT_TRUE(hits.is_ok());
  ASSERT_EQ(hits->size(), 10u);
  for (const auto& h : *hits) EXPECT_EQ(h.key % 50, 0u);
  for (size_t i = 1; i < hits->size(); ++i)
    EXPECT_GE((*hits)[i - 1].similarity, (*hits)[i].similarity);
  auto self = index->search(data[10], 1);
  ASSERT_TRUE(self.is_ok());
  EXPECT_EQ((*self)[0].key, 10u);
  EXPECT_NEAR((*self)[0].similarity, 1.0f, 1e-4);
}

TEST(AnnIndexTest, BadVectorsAndConfigsAreErrors) {
  auto index = make_index();
  EXPECT_EQ(index->add(1, std::vector<float>(63, 1.0f)).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(index->add(1, std::vector<float>(64, 0.0f)).code(), Status::Code::kInvalidArgument);
  std::vector<float> nan(64, 1.0f);
  nan[3] = std::nanf("");
  EXPECT_EQ(index->add(1, nan).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(index->search(std::vector<float>(65, 1.0f), 3).status().code(),
            Status::Code::kInvalidArgument);
  auto empty = index->search(std::vector<float>(64, 1.0f), 3);
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->empty());
  AnnIndexConfig bad;
  bad.dimension = 0;
  EXPECT_FALSE(AnnIndex::create(bad).is_ok());
  bad = {};
  bad.m = 1;
  EXPECT_FALSE(AnnIndex::create(bad).is_ok());
}

TEST(AnnIndexTest, SaveLoadRoundTripGivesTheSameResults) {
  testing_support::TempDir dir("feedscout_ann");
  const auto data = random_unit_vectors(2000, 7);
  const auto queries = random_unit_vectors(20, 8);
  auto index = make_index();
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index->add(i * 7 + 1, data[i]).is_ok());
  for (uint64_t i = 0; i < 100; ++i) ASSERT_TRUE(index->remove(i * 7 + 1).is_ok());
  const std::string path = dir.file("ann.idx");
  ASSERT_TRUE(index->save(path).is_ok());
  auto loaded = AnnIndex::load(path, 64);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  auto& copy = *loaded.value();
  EXPECT_EQ(copy.size(), index->size());
  EXPECT_EQ(copy.capacity(), index->capacity());
  EXPECT_EQ(copy.config().ef_search, index->config().ef_search);
  for (const auto& q : queries) {
    auto a = index->search(q, 10);
    auto b = copy.search(q, 10);
    ASSERT_TRUE(a.is_ok() && b.is_ok());
    EXPECT_EQ(*a, *b);
  }
  // The loaded index keeps working: freed slots are reused, a removed key stays removed.
  EXPECT_FALSE(copy.contains(1));
  const size_t cap = copy.capacity();
  ASSERT_TRUE(copy.add(999999, data[0]).is_ok());
  EXPECT_EQ(copy.capacity(), cap);
  auto r = AnnIndex::rebuild({}, {{5, data[1]}, {6, data[2]}, {5, data[3]}});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value()->size(), 2u);
}

TEST(AnnIndexTest, CorruptTruncatedAndMismatchedFilesAreErrorsNamingThePath) {
  testing_support::TempDir dir("feedscout_ann");
  const auto data = random_unit_vectors(300, 9);
  auto index = make_index();
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index->add(i, data[i]).is_ok());
  const std::string path = dir.file("ann.idx");
  ASSERT_TRUE(index->save(path).is_ok());
  const auto size = std::filesystem::file_size(path);

  auto missing = AnnIndex::load(dir.file("none.idx"));
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);

  auto wrong_dim = AnnIndex::load(path, 32);
  EXPECT_EQ(wrong_dim.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(wrong_dim.status().message().find(path), std::string::npos);
  EXPECT_NE(wrong_dim.status().message().find("dimension 64"), std::string::npos);

  const std::string truncated = dir.file("truncated.idx");
  std::filesystem::copy_file(path, truncated);
  std::filesystem::resize_file(truncated, size / 2);
  auto t = AnnIndex::load(truncated);
  EXPECT_EQ(t.status().code(), Status::Code::kCorruption) << t.status().to_string();
  EXPECT_NE(t.status().message().find(truncated), std::string::npos);
  std::filesystem::resize_file(truncated, 10);
  EXPECT_EQ(AnnIndex::load(truncated).status().code(), Status::Code::kCorruption);

  const std::string flipped = dir.file("flipped.idx");
  std::filesystem::copy_file(path, flipped);
  {
    std::fstream f(flipped, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 100));
    f.put('\x5a');
  }
  auto c = AnnIndex::load(flipped);
  EXPECT_EQ(c.status().code(), Status::Code::kCorruption) << c.status().to_string();
  EXPECT_NE(c.status().message().find(flipped), std::string::npos);

  const std::string foreign = dir.file("foreign.idx");
  std::ofstream(foreign) << "{\"not\": \"an index\"} and some more bytes to pass the header size "
                            "check of the loader, which wants ninety-six of them at least";
  EXPECT_EQ(AnnIndex::load(foreign).status().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace feedscout
