// The two search-log readers (engine events, SogouQ); see search_log_readers.h.
#include "feedscout/intent/search_log_readers.h"

#include <algorithm>
#include <fstream>

#include "feedscout/ingest/parse.h"
#include "feedscout/intent/query_normalizer.h"
#include "feedscout/text/utf8.h"

namespace feedscout::intent {
namespace {

constexpr std::string_view kInvalidUtf8 = "invalid UTF-8";

bool parse_uint(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// "HH:MM:SS" → ms since midnight.
bool parse_clock(std::string_view s, TimeMs& out) {
  uint64_t h, m, sec;
  if (s.size() != 8 || s[2] != ':' || s[5] != ':' || !parse_uint(s.substr(0, 2), h) ||
      !parse_uint(s.substr(3, 2), m) || !parse_uint(s.substr(6, 2), sec) || h > 23 || m > 59 ||
      sec > 60) {
    return false;
  }
  out = static_cast<TimeMs>(((h * 60 + m) * 60 + sec) * 1000);
  return true;
}

// A per-reason label for an ingest parse error, without the parts that vary from row to row
// (sizes, offsets, names), so that skips are counted per kind of problem.
std::string event_error_reason(const ItemError& e) {
  const std::string_view msg = e.message;
  if (e.field.empty()) {
    if (msg.rfind("invalid UTF-8", 0) == 0) return std::string(kInvalidUtf8);
    if (msg.rfind("not valid JSON", 0) == 0) return "broken JSON";
    if (msg.rfind("expected a JSON object", 0) == 0) return "not a JSON object";
    return "unreadable row";
  }
  std::string field = e.field;
  if (const size_t b = field.find('['); b != std::string::npos) field.erase(b);
  if (field == "query" && msg.rfind("too long", 0) == 0) return std::string(kReasonQueryTooLong);
  if (field == "query" && msg == "must not be empty") return std::string(kReasonEmptyQuery);
  std::string_view kind = msg.substr(0, std::min(msg.find_first_of(":'"), msg.size()));
  while (!kind.empty() && kind.back() == ' ') kind.remove_suffix(1);
  return "field '" + field + "': " + std::string(kind);
}

}  // namespace

const char* search_log_format_name(SearchLogFormat f) {
  return f == SearchLogFormat::kEvents ? "events" : "sogouq";
}

std::optional<SearchLogFormat> parse_search_log_format(std::string_view name) {
  if (name == "events") return SearchLogFormat::kEvents;
  if (name == "sogouq") return SearchLogFormat::kSogouQ;
  return std::nullopt;
}

void SkipTally::add(std::string_view reason, std::string_view file, size_t line) {
  for (Entry& e : entries_) {
    if (e.reason == reason) {
      ++e.count;
      return;
    }
  }
  entries_.push_back({std::string(reason), 1, std::string(file) + ":" + std::to_string(line)});
}

uint64_t SkipTally::total() const {
  uint64_t n = 0;
  for (const Entry& e : entries_) n += e.count;
  return n;
}

uint64_t SkipTally::count(std::string_view reason) const {
  for (const Entry& e : entries_) {
    if (e.reason == reason) return e.count;
  }
  return 0;
}

Result<std::unique_ptr<SearchLogReader>> SearchLogReader::open(const std::string& path,
                                                               SearchLogFormat format,
                                                               SearchLogLimits limits) {
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) return Status::not_found("search log '" + path + "' cannot be opened");
  return std::make_unique<SearchLogReader>(std::move(in), path, format, limits);
}

SearchLogReader::SearchLogReader(std::unique_ptr<std::istream> in, std::string name,
                                 SearchLogFormat format, SearchLogLimits limits)
    : in_(std::move(in)), name_(std::move(name)), format_(format), limits_(limits) {}

bool SearchLogReader::next(SearchRow& row) {
  while (std::getline(*in_, buf_)) {
    ++line_;
    std::string_view line = buf_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.remove_prefix(3);
    if (line.size() > limits_.max_line_bytes) {
      skip("line too long");
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      ignored_.add("blank line", name_, line_);
      continue;
    }
    if (!text::is_valid_utf8(line)) {
      skip(kInvalidUtf8);
      continue;
    }
    row.line = line_;
    const bool ok =
        format_ == SearchLogFormat::kEvents ? parse_event(line, row) : parse_sogouq(line, row);
    if (ok) return true;
  }
  return false;
}

bool SearchLogReader::parse_sogouq(std::string_view line, SearchRow& row) {
  std::string_view f[5];
  size_t n = 0, start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    if (n < 5) f[n] = line.substr(start, tab == std::string_view::npos ? tab : tab - start);
    ++n;
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (n != 5) {
    skip("wrong field count (expected 5 tab-separated fields)");
    return false;
  }
  TimeMs t = 0;
  uint64_t rank = 0, order = 0;
  const size_t space = f[3].find(' ');
  if (!parse_clock(f[0], t)) {
    skip("bad time (expected HH:MM:SS)");
  } else if (f[1].empty()) {
    skip("empty user id");
  } else if (f[2].size() < 2 || f[2].front() != '[' || f[2].back() != ']') {
    skip("query not in [brackets]");
  } else if (space == std::string_view::npos || !parse_uint(f[3].substr(0, space), rank) ||
             !parse_uint(f[3].substr(space + 1), order)) {
    skip("bad 'rank clickorder' field");
  } else if (f[4].empty()) {
    skip("empty URL");
  } else if (f[4].size() > limits_.max_doc_id_bytes) {
    skip("URL too long");
  } else {
    row.time_ms = t;
    row.user.assign(f[1]);
    row.query.assign(f[2].substr(1, f[2].size() - 2));
    row.docs.resize(1);
    row.docs[0].assign(f[4]);
    return true;
  }
  return false;
}

bool SearchLogReader::parse_event(std::string_view line, SearchRow& row) {
  static const ParseLimits limits = any_time_limits();
  ParsedBatch<Event> batch = parse_events(line, limits, 0, line_);
  if (!batch.errors.empty()) {
    skip(event_error_reason(batch.errors.front()));
    return false;
  }
  if (batch.items.size() != 1) {
    skip("not one JSON object per line");
    return false;
  }
  Event& e = batch.items.front().second;
  if (e.type != EventType::kSearch) {
    ignored_.add("not a search event", name_, line_);
    return false;
  }
  row.docs.clear();
  for (std::string& d : e.doc_ids) {
    if (d.size() > limits_.max_doc_id_bytes) continue;  // bounded by the ingest limits
    if (std::find(row.docs.begin(), row.docs.end(), d) == row.docs.end()) {
      row.docs.push_back(std::move(d));
    }
  }
  if (row.docs.empty()) {
    ignored_.add("search without clicks", name_, line_);
    return false;
  }
  row.query = std::move(e.query);
  row.user = std::move(e.user);
  row.time_ms = e.time_ms;
  return true;
}

}  // namespace feedscout::intent
