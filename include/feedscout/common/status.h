// Status and Result<T>: how every fallible operation in feedscout reports failure.
//
// Modelled on rocksdb::Status and absl::StatusOr. Nothing that can fail on input or I/O
// throws across a module boundary; it returns one of these instead. Both are
// [[nodiscard]] so that an ignored error is a compiler warning.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace feedscout {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // the caller's input is malformed; message names the field
    kNotFound,
    kAlreadyExists,
    kIOError,
    kCorruption,  // stored or shipped data is unreadable
    kBusy,        // a resource is held by someone else (e.g. a locked data directory)
    kUnavailable,
    kInternal,
  };

  Status() = default;

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status not_found(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status already_exists(std::string msg) {
    return Status(Code::kAlreadyExists, std::move(msg));
  }
  static Status io_error(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }
  static Status unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: line 3: field 'time': ..." — for logs and CLI output.
  std::string to_string() const;

  // Returns a copy whose message is prefixed with `context + ": "`.
  Status with_context(const std::string& context) const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

const char* status_code_name(Status::Code code);

// Either a value of T or a non-OK Status. Accessing value() of an error is a programmer
// error (asserted), never an input error: check is_ok() first.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).is_ok() && "Result built from an OK status");
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    assert(is_ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace feedscout

// Propagates a non-OK Status from an expression returning Status.
#define FEEDSCOUT_RETURN_IF_ERROR(expr)         \
  do {                                          \
    ::feedscout::Status _fs_status = (expr);    \
    if (!_fs_status.is_ok()) return _fs_status; \
  } while (0)
