// The storage interface: an ordered key-value store with atomic, optionally durable batches.
//
// Everything the engine persists goes through this interface, so that the embedded
// RocksDB backend (rocksdb_store.h) and a later Redis Cluster backend are interchangeable.
// No backend's types appear here. Keys are byte strings; the engine's key layout is in
// engine/keys.h.
//
// Thread safety: implementations are safe for concurrent calls.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

// A set of puts and deletes applied atomically, in order.
class WriteBatch {
 public:
  void put(std::string key, std::string value) {
    ops_.push_back({std::move(key), std::move(value), false});
  }
  void del(std::string key) { ops_.push_back({std::move(key), std::nullopt, false}); }
  // Deletes every key in [begin, end).
  void del_range(std::string begin, std::string end) {
    ops_.push_back({std::move(begin), std::move(end), true});
  }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  void clear() { ops_.clear(); }

  struct Op {
    std::string key;
    std::optional<std::string> value;  // nullopt = delete; for a range: its end key
    bool range = false;
  };
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

struct WriteOptions {
  // When true, write() returns only after the batch is on stable storage (fsync of the
  // write-ahead log). When false, a process crash keeps it but a machine crash may not.
  bool sync = true;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  // nullopt when the key is absent.
  [[nodiscard]] virtual Result<std::optional<std::string>> get(std::string_view key) = 0;

  // Looks up many keys at once; out[i] answers keys[i].
  [[nodiscard]] virtual Status multi_get(const std::vector<std::string>& keys,
                                         std::vector<std::optional<std::string>>& out) = 0;

  [[nodiscard]] virtual Status write(const WriteBatch& batch, const WriteOptions& options) = 0;

  // Calls fn for each key starting with prefix, in key order, until fn returns false.
  [[nodiscard]] virtual Status scan_prefix(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) = 0;

  // Moves what only the write-ahead log holds into the store's files, so the next open has
  // nothing to replay (a clean shutdown's last step). Durability is unchanged either way.
  // Stores without a log succeed at once.
  [[nodiscard]] virtual Status flush() { return Status::ok(); }

  // A short description for logs: "rocksdb:/path".
  virtual std::string describe() const = 0;
};

}  // namespace feedscout
