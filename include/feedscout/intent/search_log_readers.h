// Streaming readers of search logs for intent mining (issue 5, docs/INTENTS.md): one row at
// a time, so that reading a log of any size takes memory for one line.
//
// Formats:
//   events  the engine's own events as JSON Lines (docs/FORMATS.md). A `search` event gives
//           its query, user, time and `clicked` document ids (an id listed twice counts
//           once). Other event types and searches without clicks are well-formed rows with
//           nothing to mine: counted as ignored, not as errors.
//   sogouq  SogouQ: `time\tuserid\t[query]\trank clickorder\turl`, UTF-8, one click per row.
//           The URL is the document id; the time (HH:MM:SS, the file has no date) becomes
//           milliseconds since midnight.
// Bad rows (broken JSON, wrong field count, invalid UTF-8, an empty or over-long document id,
// a bad time, …) are skipped and counted per reason with the first "file:line"; the reader
// never fails on a row. Query content (empty, punctuation-only, too long) is judged by the
// miner, which has the normaliser.
//
// Not thread-safe: one reader per thread.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"

namespace feedscout::intent {

enum class SearchLogFormat : uint8_t { kEvents = 0, kSogouQ = 1 };
const char* search_log_format_name(SearchLogFormat f);  // "events", "sogouq"
std::optional<SearchLogFormat> parse_search_log_format(std::string_view name);

// One search and the documents clicked from it.
struct SearchRow {
  std::string query;              // as written in the log (not normalised)
  std::vector<std::string> docs;  // clicked document ids, at least one, no repeats
  std::string user;
  TimeMs time_ms = 0;
  size_t line = 0;  // 1-based line in the file
};

// Rows skipped, per reason, in order of first occurrence.
class SkipTally {
 public:
  struct Entry {
    std::string reason;
    uint64_t count = 0;
    std::string first;  // "file:line" of the first occurrence
  };
  void add(std::string_view reason, std::string_view file, size_t line);
  const std::vector<Entry>& entries() const { return entries_; }
  uint64_t total() const;
  uint64_t count(std::string_view reason) const;  // 0 when never seen

 private:
  std::vector<Entry> entries_;
};

struct SearchLogLimits {
  size_t max_line_bytes = 1 << 20;  // longer lines are skipped ("line too long")
  size_t max_doc_id_bytes = 4096;
};

class SearchLogReader {
 public:
  // Opens `path`; NotFound when it cannot be opened.
  [[nodiscard]] static Result<std::unique_ptr<SearchLogReader>> open(const std::string& path,
                                                                     SearchLogFormat format,
                                                                     SearchLogLimits limits = {});
  // Reads from `in` (tests, pipes); `name` is the file name used in skip locations.
  SearchLogReader(std::unique_ptr<std::istream> in, std::string name, SearchLogFormat format,
                  SearchLogLimits limits = {});

  // The next good row with at least one click, or false at the end of the input. Bad rows
  // and rows with nothing to mine are counted (skips(), ignored()) and passed over.
  bool next(SearchRow& row);

  uint64_t lines() const { return line_; }  // lines read so far (blank ones included)
  const SkipTally& skips() const { return skips_; }
  const SkipTally& ignored() const { return ignored_; }
  const std::string& name() const { return name_; }

 private:
  bool parse_sogouq(std::string_view line, SearchRow& row);
  bool parse_event(std::string_view line, SearchRow& row);
  void skip(std::string_view reason) { skips_.add(reason, name_, line_); }

  std::unique_ptr<std::istream> in_;
  std::string name_;
  SearchLogFormat format_;
  SearchLogLimits limits_;
  std::string buf_;
  uint64_t line_ = 0;
  SkipTally skips_, ignored_;
};

}  // namespace feedscout::intent
