// The feature log: served home-feed pages with each item's ranking features (as computed
// when it was served, serve/ranking_features.h), and the clicks the engine applied, in
// rotated segment files under <data_dir>/feature-log/. Joining the two
// (serve/training_rows.h) gives the learned ranker's training rows: `feedscout
// train-ranker --data-dir`.
//
// Bounded: a segment is closed at segment_bytes and the oldest are deleted beyond
// max_segments, so the log never holds more than max_segments × segment_bytes (plus one
// record). Records are length-prefixed and checksummed; a reader skips (and counts) a torn
// or corrupt record — a crash mid-write loses at most that record, never the segment.
// Not durable on purpose: the log is training data, not state; nothing is fsync'd.
//
// Record: u32 payload length, u64 FNV-1a 64 of the payload, payload. Payload: u8 kind
// (1 page, 2 click), then fields as u32-length-prefixed strings, i64 times, u32 counts and
// float32 features (little-endian, the machine's order here).
//
// Thread safety: FeatureLog's methods may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/models/gbdt_ranker.h"
#include "feedscout/serve/training_rows.h"

namespace feedscout {

struct FeatureLogConfig {
  bool enabled = true;
  double sample_rate = 1.0;  // share of served pages logged (by request id hash), 0..1
  size_t segment_bytes = 64 << 20;
  size_t max_segments = 8;
};

class FeatureLog {
 public:
  // Creates `dir` when missing and continues after its newest segment. IOError when the
  // directory or a segment cannot be made.
  [[nodiscard]] static Result<std::unique_ptr<FeatureLog>> open(const std::string& dir,
                                                                const FeatureLogConfig& config,
                                                                const FeatureSchema& schema);
  ~FeatureLog();

  // Whether a page with this request id is sampled for logging.
  bool sampled(const std::string& request_id) const;
  // Appends a page (its features must be doc_ids.size() × the schema's width) or a click.
  // Failures to write are counted, never returned: serving does not wait on the log.
  void log_page(const LoggedPage& page);
  void log_click(const std::string& user, const std::string& doc_id, TimeMs time_ms);
  // Hands buffered records to the OS.
  void flush();

  uint64_t pages_logged() const;
  uint64_t clicks_logged() const;
  uint64_t write_failures() const;

 private:
  FeatureLog(std::string dir, FeatureLogConfig config, FeatureSchema schema, uint64_t next);
  void append_locked(const std::string& payload);
  [[nodiscard]] Status rotate_locked();

  std::string dir_;
  FeatureLogConfig config_;
  FeatureSchema schema_;
  std::string fingerprint_;
  mutable std::mutex mu_;
  std::ofstream out_;
  uint64_t segment_ = 0;  // number of the open segment
  size_t segment_size_ = 0;
  uint64_t pages_ = 0, clicks_ = 0, failures_ = 0;
};

struct FeatureLogContents {
  std::vector<LoggedPage> pages;  // in log order
  std::vector<FeedbackClick> clicks;
  size_t segments = 0;
  size_t bad_records = 0;         // torn or failing their checksum: skipped
  size_t other_schema_pages = 0;  // logged under another feature schema: skipped
  std::string first_problem;      // "" when none, else "<file>: <what>"
};

// Reads every segment of `dir`, oldest first, keeping pages of `schema`. NotFound when the
// directory does not exist; unreadable records are counted, not errors.
[[nodiscard]] Result<FeatureLogContents> read_feature_log(const std::string& dir,
                                                          const FeatureSchema& schema);

}  // namespace feedscout
