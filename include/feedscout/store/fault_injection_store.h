// A KvStore that wraps another and fails on command: the storage faults the engine's commit
// and checkpoint must survive (RocksDB's fault-injection file system is the model, one level
// up: whole calls fail rather than files).
//
// Faults are armed per kind of call and fire on the matching calls in order: `skip` matching
// calls pass first, then the next `count` fail. A failed call answers Status::io_error naming
// the injected fault. Write faults choose what reaches the wrapped store before the error:
//   kNothing     nothing (the write was refused: disk full, sync failed before the log)
//   kEverything  the whole batch (the write landed but its acknowledgement was lost)
//   kPrefix      the first half of the batch's operations, rounded down (a torn batch, which
//                the KvStore contract rules out and a careless backend could still produce)
// Write faults can be limited to synced or unsynced writes (the engine's commits sync, its
// checkpoints do not). A failed flush() flushes nothing.
//
// Thread safety: safe for concurrent calls, like the store it wraps.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "feedscout/store/kv_store.h"

namespace feedscout {

enum class FaultLanding { kNothing, kEverything, kPrefix };

// Which writes a write fault matches.
enum class FaultSync { kAny, kSyncedOnly, kUnsyncedOnly };

struct WriteFault {
  FaultLanding landing = FaultLanding::kNothing;
  FaultSync applies_to = FaultSync::kAny;
  uint64_t skip = 0;   // matching writes that pass before the first failure
  uint64_t count = 1;  // matching writes that fail after them (UINT64_MAX: until heal())
};

// Reads are get, multi_get and scan_prefix.
struct ReadFault {
  uint64_t skip = 0;
  uint64_t count = 1;
};

class FaultInjectionKvStore final : public KvStore {
 public:
  explicit FaultInjectionKvStore(std::unique_ptr<KvStore> base);

  // Replaces the armed write (read) fault; the counts start again.
  void arm_writes(const WriteFault& fault);
  void arm_reads(const ReadFault& fault);
  // The next `count` flush() calls fail without flushing (UINT64_MAX: until heal()).
  void arm_flushes(uint64_t count);
  // Disarms every fault.
  void heal();

  // Calls that failed by injection so far.
  uint64_t failed_writes() const;
  uint64_t failed_reads() const;
  // Every write() (flush()) call so far, failed or not.
  uint64_t writes() const;
  uint64_t flushes() const;

  Result<std::optional<std::string>> get(std::string_view key) override;
  Status multi_get(const std::vector<std::string>& keys,
                   std::vector<std::optional<std::string>>& out) override;
  Status write(const WriteBatch& batch, const WriteOptions& options) override;
  Status scan_prefix(std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& fn) override;
  Status flush() override;
  std::string describe() const override;

 private:
  // Whether this read fails (consumes the armed fault's skip/count).
  bool read_fails();

  std::unique_ptr<KvStore> base_;
  mutable std::mutex mu_;
  WriteFault write_fault_;
  bool write_armed_ = false;
  ReadFault read_fault_;
  bool read_armed_ = false;
  uint64_t flush_failures_left_ = 0;
  uint64_t failed_writes_ = 0, failed_reads_ = 0, writes_ = 0, flushes_ = 0;
};

}  // namespace feedscout
