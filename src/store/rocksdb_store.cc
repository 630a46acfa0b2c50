#include "feedscout/store/rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

namespace feedscout {
namespace {

Status from_rocksdb(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::ok();
  if (s.IsNotFound()) return Status::not_found(what + ": " + s.ToString());
  if (s.IsCorruption()) return Status::corruption(what + ": " + s.ToString());
  if (s.IsInvalidArgument()) return Status::invalid_argument(what + ": " + s.ToString());
  return Status::io_error(what + ": " + s.ToString());
}

// The smallest key above every key starting with `prefix` ("" when there is none: every
// byte 0xFF).
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFF) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

class RocksDbStore final : public KvStore {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}

  Result<std::optional<std::string>> get(std::string_view key) override {
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return from_rocksdb(s, "get");
    return std::optional<std::string>(std::move(value));
  }

  Status multi_get(const std::vector<std::string>& keys,
                   std::vector<std::optional<std::string>>& out) override {
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<std::string> values;
    std::vector<rocksdb::Status> statuses = db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
    out.assign(keys.size(), std::nullopt);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].ok()) {
        out[i] = std::move(values[i]);
      } else if (!statuses[i].IsNotFound()) {
        return from_rocksdb(statuses[i], "multi_get");
      }
    }
    return Status::ok();
  }

  Status write(const WriteBatch& batch, const WriteOptions& options) override {
    rocksdb::WriteBatch wb;
    for (const auto& op : batch.ops()) {
      rocksdb::Status s = op.range   ? wb.DeleteRange(op.key, *op.value)
                          : op.value ? wb.Put(op.key, *op.value)
                                     : wb.Delete(op.key);
      if (!s.ok()) return from_rocksdb(s, "write batch");
    }
    rocksdb::WriteOptions wo;
    wo.sync = options.sync;
    return from_rocksdb(db_->Write(wo, &wb), "write");
  }

  Status flush() override {
    rocksdb::FlushOptions fo;
    fo.wait = true;
    return from_rocksdb(db_->Flush(fo), "flush");
  }

  Status scan_prefix(std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& fn) override {
    // A bulk read: sequential readahead, an upper bound so the iterator stops at the
    // prefix's end, and the block cache left to point reads.
    const std::string end = prefix_end(prefix);
    const rocksdb::Slice upper(end);
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
    if (!end.empty()) ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    const rocksdb::Slice p(prefix.data(), prefix.size());
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
      if (!fn(std::string_view(it->key().data(), it->key().size()),
              std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    return from_rocksdb(it->status(), "scan");
  }

  std::string describe() const override { return "rocksdb:" + path_; }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<KvStore>> open_rocksdb_store(const std::string& path,
                                                    const RocksDbStoreOptions& options) {
  std::error_code ec;
  if (options.create_if_missing) std::filesystem::create_directories(path, ec);
  if (ec) return Status::io_error("cannot create data directory '" + path + "': " + ec.message());

  rocksdb::Options opts;
  opts.create_if_missing = options.create_if_missing;
  opts.IncreaseParallelism(2);
  opts.write_buffer_size = options.write_buffer_mb << 20;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_mb << 20);
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(opts, path, &raw);
  if (!s.ok()) {
    const std::string text = s.ToString();
    if (s.IsIOError() && (text.find("lock") != std::string::npos ||
                          text.find("Resource temporarily unavailable") != std::string::npos)) {
      return Status::busy("data directory '" + path +
                          "' is in use by another feedscout process (its RocksDB lock is held); "
                          "stop that process or choose another --data-dir");
    }
    return from_rocksdb(s, "opening data directory '" + path + "'");
  }
  return std::unique_ptr<KvStore>(
      std::make_unique<RocksDbStore>(std::unique_ptr<rocksdb::DB>(raw), path));
}

}  // namespace feedscout
