// The stored form of an accepted event: a compact binary record (the event log's e/<id>
// values), written and read without JSON.
//
// Layout (integers little-endian; lengths and counts as LEB128 varints):
//   u8 format (kEventRecordFormat = 1; a stored JSON event starts with '{' = 0x7B instead)
//   u8 type, u8 surface, i64 time_ms, f64 dwell_s
//   id, user, query: each a varint length and that many bytes
//   varint count of doc ids, each a varint length and bytes
// Nothing is validated beyond the framing: the record holds what ingest validated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "feedscout/common/status.h"
#include "feedscout/ingest/records.h"

namespace feedscout {

inline constexpr uint8_t kEventRecordFormat = 1;

// Appends e's record to `out` (cleared first).
void encode_event_record(const Event& e, std::string& out);
std::string encode_event_record(const Event& e);

// True when `bytes` is a record of this form (not a legacy JSON event).
bool is_event_record(std::string_view bytes);

// Reads a record. Corruption (naming what is wrong) for a wrong format byte, a length that
// runs past the end, an unknown type or surface, or trailing bytes.
[[nodiscard]] Result<Event> decode_event_record(std::string_view bytes);

}  // namespace feedscout
