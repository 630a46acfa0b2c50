// Helpers shared by the test files: the shipped taxonomy, topic lookup, a temporary
// directory, Event builders and the engine configuration the engine-level tests start from.
// Header-only; include it as "support/test_support.h".
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "feedscout/engine/config.h"
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout::testing_support {

// The shipped Korean IAB Content Taxonomy 3.1.
inline constexpr char kTaxonomyPath[] =
    FEEDSCOUT_SOURCE_DIR "/data/taxonomy/iab-content-3.1-ko.tsv";

// The shipped taxonomy, loaded once per process (a failed load fails the first test that
// asks for it).
inline const Taxonomy& taxonomy() {
  static const std::unique_ptr<const Taxonomy> t = [] {
    auto r = Taxonomy::load_file(kTaxonomyPath);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return std::make_unique<const Taxonomy>(std::move(r).value());
  }();
  return *t;
}

// The topic with this external id or path in `t`; a name that does not resolve fails the
// test and gives topic 0, so that the caller can go on safely.
inline TopicId topic(const Taxonomy& t, std::string_view id_or_path) {
  auto id = t.resolve(id_or_path);
  EXPECT_TRUE(id.has_value()) << id_or_path;
  return id.value_or(0);
}

// The same in the shipped taxonomy.
inline TopicId topic(std::string_view id_or_path) {
  return topic(taxonomy(), id_or_path);
}

// A fresh empty directory under the system temp directory, named
// <prefix>_<pid>_<n> (unique per process and per object), removed with everything in it
// when the object is destroyed.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "feedscout_test") {
    static std::atomic<unsigned> counter{0};
    path_ =
        std::filesystem::temp_directory_path() /
        (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the directory (not created).
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Event builders: user "u", no id; dwell_s < 0 means not reported.
inline Event click(Surface s, TimeMs t, std::vector<std::string> docs, double dwell_s = -1) {
  Event e;
  e.type = EventType::kClick;
  e.user = "u";
  e.surface = s;
  e.time_ms = t;
  e.doc_ids = std::move(docs);
  e.dwell_s = dwell_s;
  return e;
}

inline Event impression(Surface s, TimeMs t, std::vector<std::string> docs) {
  Event e = click(s, t, std::move(docs));
  e.type = EventType::kImpression;
  return e;
}

inline Event search(TimeMs t, std::string query, std::vector<std::string> clicked = {}) {
  Event e;
  e.type = EventType::kSearch;
  e.user = "u";
  e.surface = Surface::kSearch;
  e.time_ms = t;
  e.query = std::move(query);
  e.doc_ids = std::move(clicked);
  return e;
}

// A shell command's exit code and its stdout and stderr together (for CLI tests that run
// the real binary).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// An engine on `data_dir` with the shipped taxonomy, no classifier and a small block cache.
inline EngineConfig engine_config(std::string data_dir) {
  EngineConfig c;
  c.data_dir = std::move(data_dir);
  c.taxonomy_path = kTaxonomyPath;
  c.classifier.kind = "none";
  c.block_cache_mb = 8;
  return c;
}

}  // namespace feedscout::testing_support
