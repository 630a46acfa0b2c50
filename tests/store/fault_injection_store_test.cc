// The fault-injecting store over a real RocksDB store: each kind of fault fails the calls
// it is armed for, lands what it says it lands, and leaves the other calls alone.
#include "feedscout/store/fault_injection_store.h"

#include <gtest/gtest.h>

#include <memory>

#include "feedscout/store/rocksdb_store.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

class FaultInjectionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto base = open_rocksdb_store(dir_.file("db"));
    ASSERT_TRUE(base.is_ok()) << base.status().to_string();
    store_ = std::make_unique<FaultInjectionKvStore>(std::move(base).value());
  }

  bool has(std::string_view key) {
    auto v = store_->get(key);
    EXPECT_TRUE(v.is_ok());
    return v.is_ok() && v->has_value();
  }

  static WriteBatch four_puts() {
    WriteBatch b;
    for (const char* k : {"a", "b", "c", "d"}) b.put(k, "v");
    return b;
  }

  TempDir dir_{"feedscout_fault_store"};
  std::unique_ptr<FaultInjectionKvStore> store_;
};

TEST_F(FaultInjectionStoreTest, UnarmedPassesEverythingThrough) {
  ASSERT_TRUE(store_->write(four_puts(), WriteOptions{true}).is_ok());
  EXPECT_TRUE(has("a"));
  EXPECT_TRUE(has("d"));
  EXPECT_EQ(store_->failed_writes(), 0u);
  EXPECT_EQ(store_->writes(), 1u);
  EXPECT_NE(store_->describe().find("rocksdb:"), std::string::npos);
}

TEST_F(FaultInjectionStoreTest, ARefusedWriteLandsNothingAndTheNextWriteWorks) {
  store_->arm_writes({FaultLanding::kNothing});
  const Status st = store_->write(four_puts(), WriteOptions{true});
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_NE(st.message().find("injected"), std::string::npos);
  EXPECT_FALSE(has("a"));
  EXPECT_TRUE(store_->write(four_puts(), WriteOptions{true}).is_ok());
  EXPECT_TRUE(has("a"));
  EXPECT_EQ(store_->failed_writes(), 1u);
}

TEST_F(FaultInjectionStoreTest, ALostAcknowledgementLandsTheWholeBatch) {
  store_->arm_writes({FaultLanding::kEverything});
  EXPECT_FALSE(store_->write(four_puts(), WriteOptions{true}).is_ok());
  for (const char* k : {"a", "b", "c", "d"}) EXPECT_TRUE(has(k)) << k;
}

TEST_F(FaultInjectionStoreTest, ATornBatchLandsItsFirstHalf) {
  store_->arm_writes({FaultLanding::kPrefix});
  EXPECT_FALSE(store_->write(four_puts(), WriteOptions{true}).is_ok());
  EXPECT_TRUE(has("a"));
  EXPECT_TRUE(has("b"));
  EXPECT_FALSE(has("c"));
  EXPECT_FALSE(has("d"));
}

TEST_F(FaultInjectionStoreTest, SkipCountAndSyncFilterChooseTheFailingWrites) {
  // Unsynced writes only, after one passes, twice.
  store_->arm_writes({FaultLanding::kNothing, FaultSync::kUnsyncedOnly, 1, 2});
  WriteBatch b;
  b.put("k", "v");
  EXPECT_TRUE(store_->write(b, WriteOptions{true}).is_ok());    // synced: not matched
  EXPECT_TRUE(store_->write(b, WriteOptions{false}).is_ok());   // skipped
  EXPECT_FALSE(store_->write(b, WriteOptions{false}).is_ok());  // fails
  EXPECT_TRUE(store_->write(b, WriteOptions{true}).is_ok());    // synced: not matched
  EXPECT_FALSE(store_->write(b, WriteOptions{false}).is_ok());  // fails
  EXPECT_TRUE(store_->write(b, WriteOptions{false}).is_ok());   // count spent
  EXPECT_EQ(store_->failed_writes(), 2u);

  store_->arm_writes({FaultLanding::kNothing, FaultSync::kSyncedOnly, 0, UINT64_MAX});
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(store_->write(b, WriteOptions{true}).is_ok());
  EXPECT_TRUE(store_->write(b, WriteOptions{false}).is_ok());
  store_->heal();
  EXPECT_TRUE(store_->write(b, WriteOptions{true}).is_ok());
}

TEST_F(FaultInjectionStoreTest, ReadFaultsFailGetMultiGetAndScan) {
  ASSERT_TRUE(store_->write(four_puts(), WriteOptions{true}).is_ok());
  store_->arm_reads({0, 3});
  EXPECT_FALSE(store_->get("a").is_ok());
  std::vector<std::optional<std::string>> out;
  EXPECT_FALSE(store_->multi_get({"a", "b"}, out).is_ok());
  size_t seen = 0;
  EXPECT_FALSE(store_
                   ->scan_prefix("",
                                 [&](std::string_view, std::string_view) {
                                   ++seen;
                                   return true;
                                 })
                   .is_ok());
  EXPECT_EQ(seen, 0u);
  EXPECT_EQ(store_->failed_reads(), 3u);
  // Spent: reads work again.
  ASSERT_TRUE(store_->multi_get({"a", "x"}, out).is_ok());
  EXPECT_TRUE(out[0].has_value());
  EXPECT_FALSE(out[1].has_value());
}

}  // namespace
}  // namespace feedscout
