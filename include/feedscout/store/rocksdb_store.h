// The embedded backend of KvStore, on RocksDB.
#pragma once

#include <memory>
#include <string>

#include "feedscout/store/kv_store.h"

namespace feedscout {

struct RocksDbStoreOptions {
  bool create_if_missing = true;
  size_t block_cache_mb = 64;
  size_t write_buffer_mb = 64;
};

// Opens (creating if allowed) the store in directory `path`. Only one process may hold a
// data directory: a second open fails with Status::busy naming the directory.
[[nodiscard]] Result<std::unique_ptr<KvStore>> open_rocksdb_store(
    const std::string& path, const RocksDbStoreOptions& options = {});

}  // namespace feedscout
