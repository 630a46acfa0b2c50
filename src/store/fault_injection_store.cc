#include "feedscout/store/fault_injection_store.h"

namespace feedscout {
namespace {

// Consumes one matching call of an armed fault: true when this call fails.
bool consume(uint64_t& skip, uint64_t& count) {
  if (skip > 0) {
    --skip;
    return false;
  }
  if (count == 0) return false;
  if (count != UINT64_MAX) --count;
  return true;
}

bool matches(FaultSync applies_to, const WriteOptions& options) {
  switch (applies_to) {
    case FaultSync::kAny:
      return true;
    case FaultSync::kSyncedOnly:
      return options.sync;
    case FaultSync::kUnsyncedOnly:
      return !options.sync;
  }
  return true;
}

const char* landing_name(FaultLanding landing) {
  switch (landing) {
    case FaultLanding::kNothing:
      return "nothing written";
    case FaultLanding::kEverything:
      return "batch written, acknowledgement lost";
    case FaultLanding::kPrefix:
      return "torn batch";
  }
  return "?";
}

}  // namespace

FaultInjectionKvStore::FaultInjectionKvStore(std::unique_ptr<KvStore> base)
    : base_(std::move(base)) {}

void FaultInjectionKvStore::arm_writes(const WriteFault& fault) {
  std::lock_guard lk(mu_);
  write_fault_ = fault;
  write_armed_ = true;
}

void FaultInjectionKvStore::arm_reads(const ReadFault& fault) {
  std::lock_guard lk(mu_);
  read_fault_ = fault;
  read_armed_ = true;
}

void FaultInjectionKvStore::heal() {
  std::lock_guard lk(mu_);
  write_armed_ = false;
  read_armed_ = false;
  flush_failures_left_ = 0;
}

uint64_t FaultInjectionKvStore::failed_writes() const {
  std::lock_guard lk(mu_);
  return failed_writes_;
}

uint64_t FaultInjectionKvStore::failed_reads() const {
  std::lock_guard lk(mu_);
  return failed_reads_;
}

uint64_t FaultInjectionKvStore::writes() const {
  std::lock_guard lk(mu_);
  return writes_;
}

uint64_t FaultInjectionKvStore::flushes() const {
  std::lock_guard lk(mu_);
  return flushes_;
}

void FaultInjectionKvStore::arm_flushes(uint64_t count) {
  std::lock_guard lk(mu_);
  flush_failures_left_ = count;
}

Status FaultInjectionKvStore::flush() {
  {
    std::lock_guard lk(mu_);
    ++flushes_;
    if (flush_failures_left_ > 0) {
      if (flush_failures_left_ != UINT64_MAX) --flush_failures_left_;
      return Status::io_error("injected flush fault");
    }
  }
  return base_->flush();
}

bool FaultInjectionKvStore::read_fails() {
  std::lock_guard lk(mu_);
  if (!read_armed_ || !consume(read_fault_.skip, read_fault_.count)) return false;
  ++failed_reads_;
  return true;
}

Result<std::optional<std::string>> FaultInjectionKvStore::get(std::string_view key) {
  if (read_fails()) return Status::io_error("injected read fault (get)");
  return base_->get(key);
}

Status FaultInjectionKvStore::multi_get(const std::vector<std::string>& keys,
                                        std::vector<std::optional<std::string>>& out) {
  if (read_fails()) return Status::io_error("injected read fault (multi_get)");
  return base_->multi_get(keys, out);
}

Status FaultInjectionKvStore::scan_prefix(
    std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& fn) {
  if (read_fails()) return Status::io_error("injected read fault (scan)");
  return base_->scan_prefix(prefix, fn);
}

Status FaultInjectionKvStore::write(const WriteBatch& batch, const WriteOptions& options) {
  FaultLanding landing;
  {
    std::lock_guard lk(mu_);
    ++writes_;
    if (!write_armed_ || !matches(write_fault_.applies_to, options) ||
        !consume(write_fault_.skip, write_fault_.count)) {
      return base_->write(batch, options);
    }
    ++failed_writes_;
    landing = write_fault_.landing;
  }
  if (landing == FaultLanding::kEverything) {
    (void)base_->write(batch, options);  // deliberately ignored: the fault reports failure
  } else if (landing == FaultLanding::kPrefix) {
    WriteBatch prefix;
    const auto& ops = batch.ops();
    for (size_t i = 0; i < ops.size() / 2; ++i) {
      const WriteBatch::Op& op = ops[i];
      if (op.range) {
        prefix.del_range(op.key, *op.value);
      } else if (op.value) {
        prefix.put(op.key, *op.value);
      } else {
        prefix.del(op.key);
      }
    }
    (void)base_->write(prefix, options);  // deliberately ignored: the fault reports failure
  }
  return Status::io_error(std::string("injected write fault (") + landing_name(landing) + ")");
}

std::string FaultInjectionKvStore::describe() const {
  return "fault-injection:" + base_->describe();
}

}  // namespace feedscout
