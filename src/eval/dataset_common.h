// Internals shared by the dataset adapters (movielens.cc, mind.cc): file reading, line and
// field splitting, strict number parsing, skipped-row accounting and the final assembly of
// an EvalDataset. Not a public header.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/datasets.h"

namespace feedscout::dataset_internal {

// `dir`/`name`.
std::string join_path(const std::string& dir, std::string_view name);

// The whole file. NotFound naming the path when it cannot be opened or read.
Result<std::string> read_file(const std::string& path);

// Walks text line by line ('\n'-terminated, a trailing '\r' removed), counting lines from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  // The next line, false at the end of the text.
  bool next(std::string_view& line);
  size_t line_no() const { return line_no_; }  // of the line last returned

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_no_ = 0;
};

// True when the line is empty or only spaces and tabs.
bool is_blank(std::string_view line);
// Without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

// Splits one CSV record (RFC 4180: fields optionally in double quotes, "" inside quotes is a
// quote; no line breaks inside fields). False when quoting is malformed.
bool split_csv(std::string_view line, std::vector<std::string>& fields);
// Splits at every `sep` (no quoting); "a\t\tb" gives three fields.
void split_on(std::string_view line, char sep, std::vector<std::string_view>& fields);
// Splits at runs of spaces; no empty fields.
void split_words(std::string_view s, std::vector<std::string_view>& words);

// Decimal digits only (no sign, no spaces), no overflow.
bool parse_uint(std::string_view s, uint64_t& out);
// A finite decimal number as std::from_chars reads it (no spaces, no leading '+').
bool parse_double(std::string_view s, double& out);

// Ids taken from dataset rows (users, items, impressions) are at most this long, so that event
// ids built from them stay within the engine's 256-byte id limit.
constexpr size_t kMaxDatasetIdBytes = 200;

// An id usable by the engine: 1..kMaxDatasetIdBytes bytes, valid UTF-8, no control characters.
bool is_valid_id(std::string_view s);

// Counts unusable input by reason, remembering the first "file:line" of each reason and the
// order in which reasons first occurred.
class SkipCounter {
 public:
  void add(const std::string& reason, std::string_view file, size_t line, size_t count = 1);
  std::vector<SkippedCount> take() { return std::move(list_); }

 private:
  std::vector<SkippedCount> list_;
  std::map<std::string, size_t, std::less<>> index_;
};

// A taxonomy name from dataset text: trimmed, with tabs, line breaks and '>' (the path
// separator) replaced by spaces. May come back empty.
std::string taxonomy_name(std::string_view raw);

// Sets dataset.taxonomy from dataset.taxonomy_tsv. A failure is Internal: the adapter wrote
// a taxonomy it should not have.
Status parse_taxonomy(EvalDataset& dataset);

// Completes a dataset whose documents, events, interactions, impressions and dataset-specific
// stats are filled: sorts documents by created_ms and events, interactions and impressions
// by time (all stable) and computes the generic stats (documents, documents without topics,
// users, events by type, first and last time).
void finish_dataset(EvalDataset& dataset);

}  // namespace feedscout::dataset_internal
