// A configuration file's tables (TOML), read key by key by the stages that own the keys:
// the engine reads its sections, the server its [server]. Every key read is recorded, so
// that finish() can name any key nobody asked for (a typo must not silently keep a default).
// The TOML library stays inside this stage.
//
// Errors name the file and the key; the first one wins and later reads become no-ops.
// Not thread-safe (one reader at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "feedscout/common/status.h"

namespace feedscout {

class ConfigTable {
 public:
  // Parses `toml_text`; syntax errors name `source` and the line.
  [[nodiscard]] static Result<ConfigTable> parse(std::string_view toml_text,
                                                 const std::string& source);
  ConfigTable(ConfigTable&&) noexcept;
  ConfigTable& operator=(ConfigTable&&) noexcept;
  ~ConfigTable();

  // Overwrites `out` with [section] key when present. Strings, booleans, non-negative integers
  // (any integral T) and numbers (floating T; integers accepted) are read; another TOML type
  // records a "wrong type" error.
  template <typename T>
  void read(const std::string& section, const std::string& key, T& out) {
    if constexpr (std::is_same_v<T, std::string>) {
      read_string(section, key, out);
    } else if constexpr (std::is_same_v<T, bool>) {
      read_bool(section, key, out);
    } else if constexpr (std::is_integral_v<T>) {
      int64_t v = 0;
      if (read_count(section, key, v)) out = static_cast<T>(v);
    } else {
      double v = 0;
      if (read_number(section, key, v)) out = static_cast<T>(v);
    }
  }

  // Overwrites `out` with [section] key when present: an array of exactly out.size()
  // non-negative numbers; `shape` names the expected form in the error ("[search, feed, main]").
  void read_numbers(const std::string& section, const std::string& key, std::span<double> out,
                    std::string_view shape);

  // Records `error` (with the source's name before it) unless an earlier error is recorded.
  void fail(const Status& error);

  // The first error so far, or ok.
  const Status& status() const { return status_; }
  const std::string& source() const { return source_; }

  // The first error, else an error naming a key or top-level value nobody read, else ok.
  [[nodiscard]] Status finish() const;

 private:
  struct Root;
  ConfigTable(std::unique_ptr<Root> root, std::string source);

  void read_string(const std::string& section, const std::string& key, std::string& out);
  void read_bool(const std::string& section, const std::string& key, bool& out);
  bool read_count(const std::string& section, const std::string& key, int64_t& out);
  bool read_number(const std::string& section, const std::string& key, double& out);

  std::unique_ptr<Root> root_;
  std::string source_;
  Status status_;
  std::set<std::string> known_;
};

}  // namespace feedscout
