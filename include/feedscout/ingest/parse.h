// Parsing and validation of ingest batches: JSON Lines or a JSON array of objects.
//
// A batch never fails as a whole because of one bad item: every item is parsed on its own,
// the bad ones come back as ItemErrors naming the position and the field, the good ones as
// records ready to apply. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct ParseLimits {
  size_t max_item_bytes = 1 << 20;  // one JSON line or array element
  size_t max_id_bytes = 256;        // event, user and document ids
  size_t max_query_bytes = 1024;
  size_t max_doc_ids = 1000;  // per event
  size_t max_title_bytes = 4096;
  size_t max_body_bytes = 256 * 1024;
  size_t max_url_bytes = 4096;
  TimeMs max_future_ms = kMsPerDay;           // clock skew tolerated ahead of the server's clock
  TimeMs max_past_ms = 20 * 365 * kMsPerDay;  // older times are rejected
};

// The default size limits with no time window: for offline data (training files, the
// shipped sample, dataset replays) whose times are legitimately far from the clock.
ParseLimits any_time_limits();
// No limits at all: for re-reading records the engine itself validated and stored (their
// canonical form may be longer than what was sent, and limits may have been lowered since).
ParseLimits stored_record_limits();

// Position of an item: 1-based line number for JSON Lines, 0-based index for arrays.
struct ItemError {
  size_t position = 0;
  std::string field;  // "" when the whole item is unreadable
  std::string message;
};

template <typename T>
struct ParsedBatch {
  bool is_array = false;  // positions are array indexes (else line numbers)
  std::vector<std::pair<size_t, T>> items;
  std::vector<ItemError> errors;
};

// `first_line` offsets line numbers when a file is parsed in chunks. `now` bounds times.
ParsedBatch<Event> parse_events(std::string_view body, const ParseLimits& limits, TimeMs now,
                                size_t first_line = 1);
ParsedBatch<Document> parse_documents(std::string_view body, const ParseLimits& limits,
                                      const Taxonomy& taxonomy, TimeMs now, size_t first_line = 1);

// "line 3: field 'time': <message>" (or "item 3" for arrays) — for terminals and logs.
std::string describe_item_error(const ItemError& error, bool is_array = false);

// Reads a whole JSON Lines file of documents with any_time_limits(). Fails on a missing file
// (NotFound) or on the first bad line (InvalidArgument naming file, line and field).
[[nodiscard]] Result<std::vector<Document>> read_documents_file(const std::string& path,
                                                                const Taxonomy& taxonomy);

// Canonical JSON of a record (one line, no trailing newline), as stored and returned by
// the API; parse_events/parse_documents read it back.
std::string event_to_json(const Event& e);
std::string document_to_json(const Document& d, const Taxonomy& taxonomy);

}  // namespace feedscout
