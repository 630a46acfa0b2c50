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

// Canonical JSON of a record (one line, no trailing newline), as stored and returned by
// the API; parse_events/parse_documents read it back.
std::string event_to_json(const Event& e);
std::string document_to_json(const Document& d, const Taxonomy& taxonomy);

}  // namespace feedscout
