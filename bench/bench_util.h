// Small helpers shared by the plain-main benchmarks: command-line flags, a scratch
// directory under /tmp, chunked reading of a JSON Lines file the way `feedscout ingest`
// reads it, and timing.
#pragma once

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>

#include <sys/resource.h>

namespace feedscout::bench {

// Seconds elapsed since `start` on the steady clock.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU seconds (user + system) used so far by every thread of this process.
inline double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

// The first line of /proc/loadavg ("1.02 0.87 0.55 2/311 4242"), or "" when unreadable.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string line;
  std::getline(in, line);
  return line;
}

// Parses `--name VALUE` pairs. Unknown flags and missing values print usage and exit(2).
class Flags {
 public:
  Flags(int argc, char** argv, std::string usage)
      : argc_(argc), argv_(argv), usage_(std::move(usage)) {
    for (int i = 1; i < argc_; ++i) {
      if (std::strcmp(argv_[i], "--help") == 0 || std::strcmp(argv_[i], "-h") == 0) {
        std::cout << usage_ << "\n";
        std::exit(0);
      }
    }
  }

  // Value of --name as a non-negative integer, or `fallback` when absent.
  size_t get_size(const char* name, size_t fallback) const {
    const char* v = find(name);
    if (v == nullptr) return fallback;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (end == v || *end != '\0') fail(std::string("--") + name + " expects a number");
    return static_cast<size_t>(n);
  }
  double get_double(const char* name, double fallback) const {
    const char* v = find(name);
    if (v == nullptr) return fallback;
    char* end = nullptr;
    const double d = std::strtod(v, &end);
    if (end == v || *end != '\0') fail(std::string("--") + name + " expects a number");
    return d;
  }
  std::string get_string(const char* name, const std::string& fallback) const {
    const char* v = find(name);
    return v == nullptr ? fallback : std::string(v);
  }
  bool has(const char* name) const {
    for (int i = 1; i < argc_; ++i) {
      if (std::string_view(argv_[i]) == std::string("--") + name) return true;
    }
    return false;
  }
  // Exits with usage when an argument is not one of `known` (names without "--"; a name
  // ending in '!' is a switch that takes no value).
  void check(std::initializer_list<std::string_view> known) const {
    for (int i = 1; i < argc_; ++i) {
      std::string_view a = argv_[i];
      bool ok = false;
      for (std::string_view k : known) {
        const bool is_switch = !k.empty() && k.back() == '!';
        if (is_switch) k.remove_suffix(1);
        if (a.size() > 2 && a.substr(0, 2) == "--" && a.substr(2) == k) {
          ok = true;
          if (!is_switch) {
            if (i + 1 >= argc_) fail("missing value for " + std::string(a));
            ++i;
          }
          break;
        }
      }
      if (!ok) fail("unknown argument '" + std::string(a) + "'");
    }
  }

 private:
  const char* find(const char* name) const {
    const std::string flag = std::string("--") + name;
    for (int i = 1; i + 1 < argc_; ++i) {
      if (flag == argv_[i]) return argv_[i + 1];
    }
    return nullptr;
  }
  [[noreturn]] void fail(const std::string& why) const {
    std::cerr << "error: " << why << "\n" << usage_ << "\n";
    std::exit(2);
  }

  int argc_;
  char** argv_;
  std::string usage_;
};

// A fresh directory under `parent` (mkdtemp), removed on destruction unless keep() was
// called. Exits(1) when it cannot be created.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& parent, const char* stem) {
    std::string tmpl = parent + "/" + stem + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::cerr << "error: cannot create a scratch directory under " << parent << "\n";
      std::exit(1);
    }
    path_ = tmpl;
  }
  ~ScratchDir() {
    if (!keep_) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// Total size in bytes of the regular files under `dir`.
inline uintmax_t directory_bytes(const std::string& dir) {
  uintmax_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

// Reads `path` line by line (std::getline, as `feedscout ingest` does) and calls
// fn(chunk, first_line, lines) for every `chunk_lines` lines and once for the rest; chunk
// holds the lines, each ending in '\n'. Returns the number of lines, or -1 when the file
// cannot be opened.
inline long long for_each_chunk(
    const std::string& path, size_t chunk_lines,
    const std::function<void(std::string_view chunk, size_t first_line, size_t lines)>& fn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return -1;
  std::string chunk, line;
  size_t first_line = 1, in_chunk = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    chunk += line;
    chunk += '\n';
    if (++in_chunk >= chunk_lines) {
      fn(chunk, first_line, in_chunk);
      chunk.clear();
      in_chunk = 0;
      first_line = line_no + 1;
    }
  }
  if (in_chunk > 0) fn(chunk, first_line, in_chunk);
  return static_cast<long long>(line_no);
}

}  // namespace feedscout::bench
