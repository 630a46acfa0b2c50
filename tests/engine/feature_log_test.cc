#include "feedscout/engine/feature_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"

namespace feedscout {
namespace {

namespace fs = std::filesystem;

FeatureSchema schema(uint32_t version = 1) {
  return {"test.schema", version, {"f0", "f1", "f2"}};
}

LoggedPage page(const std::string& id, size_t n) {
  LoggedPage p;
  p.request_id = id;
  p.user = "user-" + id;
  p.time_ms = 1'000 + static_cast<TimeMs>(n);
  p.model_version = "m1";
  for (size_t i = 0; i < n; ++i) {
    p.doc_ids.push_back("d" + std::to_string(i));
    p.served.push_back(i < 2 ? 1 : 0);
    for (int f = 0; f < 3; ++f) p.features.push_back(static_cast<float>(i) + 0.25f * f);
  }
  return p;
}

class FeatureLogTest : public ::testing::Test {
 protected:
  testing_support::TempDir tmp_{"feedscout_feature_log_test"};
  std::string dir_ = tmp_.file("log");
};

TEST_F(FeatureLogTest, PagesAndClicksRoundTrip) {
  {
    auto log = FeatureLog::open(dir_, {}, schema());
    ASSERT_TRUE(log.is_ok()) << log.status().to_string();
    (*log)->log_page(page("r1", 3));
    (*log)->log_click("u1", "d1", 5'000);
    (*log)->log_page(page("r2", 1));
    EXPECT_EQ((*log)->pages_logged(), 2u);
    EXPECT_EQ((*log)->clicks_logged(), 1u);
  }
  auto read = read_feature_log(dir_, schema());
  ASSERT_TRUE(read.is_ok());
  ASSERT_EQ(read->pages.size(), 2u);
  const LoggedPage expected = page("r1", 3);
  EXPECT_EQ(read->pages[0].request_id, "r1");
  EXPECT_EQ(read->pages[0].user, expected.user);
  EXPECT_EQ(read->pages[0].time_ms, expected.time_ms);
  EXPECT_EQ(read->pages[0].model_version, "m1");
  EXPECT_EQ(read->pages[0].doc_ids, expected.doc_ids);
  EXPECT_EQ(read->pages[0].served, expected.served);
  EXPECT_EQ(read->pages[0].features, expected.features);
  ASSERT_EQ(read->clicks.size(), 1u);
  EXPECT_EQ(read->clicks[0].user, "u1");
  EXPECT_EQ(read->clicks[0].doc_id, "d1");
  EXPECT_EQ(read->clicks[0].time_ms, 5'000);
  EXPECT_EQ(read->bad_records, 0u);
}

TEST_F(FeatureLogTest, ReopeningContinuesInANewSegment) {
  for (int run = 0; run < 2; ++run) {
    auto log = FeatureLog::open(dir_, {}, schema());
    ASSERT_TRUE(log.is_ok());
    (*log)->log_page(page("r" + std::to_string(run), 2));
  }
  auto read = read_feature_log(dir_, schema());
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(read->segments, 2u);
  ASSERT_EQ(read->pages.size(), 2u);
  EXPECT_EQ(read->pages[0].request_id, "r0");
  EXPECT_EQ(read->pages[1].request_id, "r1");
}

TEST_F(FeatureLogTest, RotationKeepsTheLogBounded) {
  FeatureLogConfig config;
  config.segment_bytes = 4 << 10;
  config.max_segments = 3;
  auto log = FeatureLog::open(dir_, config, schema());
  ASSERT_TRUE(log.is_ok());
  for (int i = 0; i < 400; ++i) (*log)->log_page(page("r" + std::to_string(i), 10));
  (*log)->flush();
  size_t files = 0, bytes = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    ++files;
    bytes += fs::file_size(e.path());
  }
  EXPECT_LE(files, 3u);
  EXPECT_LE(bytes, 3u * ((4u << 10) + 1024u));
  auto read = read_feature_log(dir_, schema());
  ASSERT_TRUE(read.is_ok());
  ASSERT_FALSE(read->pages.empty());
  EXPECT_EQ(read->pages.back().request_id, "r399");  // the newest survive
  EXPECT_LT(read->pages.size(), 400u);
}

TEST_F(FeatureLogTest, TornAndCorruptRecordsAreSkippedAndCounted) {
  {
    auto log = FeatureLog::open(dir_, {}, schema());
    ASSERT_TRUE(log.is_ok());
    (*log)->log_page(page("r1", 2));
    (*log)->log_page(page("r2", 2));
    (*log)->log_page(page("r3", 2));
  }
  const fs::path file = fs::directory_iterator(dir_)->path();
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t record = bytes.size() / 3;
  bytes[record + 20] ^= 0x5a;      // the second record's payload
  bytes.resize(bytes.size() - 7);  // the third record torn
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  auto read = read_feature_log(dir_, schema());
  ASSERT_TRUE(read.is_ok());
  ASSERT_EQ(read->pages.size(), 1u);
  EXPECT_EQ(read->pages[0].request_id, "r1");
  EXPECT_EQ(read->bad_records, 2u);
  EXPECT_NE(read->first_problem.find("checksum"), std::string::npos) << read->first_problem;
}

TEST_F(FeatureLogTest, PagesOfAnotherSchemaAreSkipped) {
  {
    auto log = FeatureLog::open(dir_, {}, schema(1));
    ASSERT_TRUE(log.is_ok());
    (*log)->log_page(page("old", 2));
  }
  auto read = read_feature_log(dir_, schema(2));
  ASSERT_TRUE(read.is_ok());
  EXPECT_TRUE(read->pages.empty());
  EXPECT_EQ(read->other_schema_pages, 1u);
}

TEST_F(FeatureLogTest, WrongWidthIsAFailureNotARecord) {
  auto log = FeatureLog::open(dir_, {}, schema());
  ASSERT_TRUE(log.is_ok());
  LoggedPage p = page("r", 2);
  p.features.pop_back();
  (*log)->log_page(p);
  EXPECT_EQ((*log)->write_failures(), 1u);
  EXPECT_EQ((*log)->pages_logged(), 0u);
}

TEST_F(FeatureLogTest, SamplingFollowsTheRate) {
  FeatureLogConfig none;
  none.sample_rate = 0;
  FeatureLogConfig half;
  half.sample_rate = 0.5;
  auto a = FeatureLog::open(dir_ + "/a", none, schema());
  auto b = FeatureLog::open(dir_ + "/b", half, schema());
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  size_t kept = 0;
  for (int i = 0; i < 2000; ++i) {
    EXPECT_FALSE((*a)->sampled(std::to_string(i)));
    kept += (*b)->sampled(std::to_string(i));
  }
  EXPECT_GT(kept, 900u);
  EXPECT_LT(kept, 1100u);
}

TEST(FeatureLogRead, MissingDirectoryIsNotFound) {
  auto read = read_feature_log("/nonexistent/feature-log", schema());
  EXPECT_EQ(read.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace feedscout
