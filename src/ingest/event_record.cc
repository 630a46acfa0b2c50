#include "feedscout/ingest/event_record.h"

#include <bit>
#include <cstring>

namespace feedscout {
namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

template <typename T>
void put_fixed(std::string& out, T v) {
  static_assert(std::endian::native == std::endian::little, "records are little-endian");
  char buf[sizeof v];
  std::memcpy(buf, &v, sizeof v);
  out.append(buf, sizeof v);
}

// Reads from the front of `in`, consuming what it read; false when `in` is too short.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      const auto b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool string(std::string& s) {
    uint64_t n = 0;
    if (!varint(n) || n > in_.size()) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  template <typename T>
  bool fixed(T& v) {
    if (in_.size() < sizeof v) return false;
    std::memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
    return true;
  }
  bool byte(uint8_t& v) { return fixed(v); }
  size_t left() const { return in_.size(); }

 private:
  std::string_view in_;
};

Status corrupt(const std::string& what) {
  return Status::corruption("event record: " + what);
}

}  // namespace

void encode_event_record(const Event& e, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(kEventRecordFormat));
  out.push_back(static_cast<char>(e.type));
  out.push_back(static_cast<char>(e.surface));
  put_fixed<int64_t>(out, e.time_ms);
  put_fixed<double>(out, e.dwell_s);
  put_string(out, e.id);
  put_string(out, e.user);
  put_string(out, e.query);
  put_varint(out, e.doc_ids.size());
  for (const std::string& d : e.doc_ids) put_string(out, d);
}

std::string encode_event_record(const Event& e) {
  std::string out;
  encode_event_record(e, out);
  return out;
}

bool is_event_record(std::string_view bytes) {
  return !bytes.empty() && static_cast<uint8_t>(bytes[0]) == kEventRecordFormat;
}

Result<Event> decode_event_record(std::string_view bytes) {
  Reader r(bytes);
  uint8_t format = 0, type = 0, surface = 0;
  if (!r.byte(format) || format != kEventRecordFormat) return corrupt("unknown format");
  if (!r.byte(type) || !r.byte(surface)) return corrupt("truncated header");
  if (type > static_cast<uint8_t>(EventType::kClick)) return corrupt("unknown type");
  if (surface >= kNumSurfaces) return corrupt("unknown surface");
  Event e;
  e.type = static_cast<EventType>(type);
  e.surface = static_cast<Surface>(surface);
  if (!r.fixed(e.time_ms) || !r.fixed(e.dwell_s)) return corrupt("truncated header");
  if (!r.string(e.id) || !r.string(e.user) || !r.string(e.query)) {
    return corrupt("truncated id, user or query");
  }
  uint64_t n = 0;
  // Each id takes at least one byte: a count above what is left is corrupt, not a huge alloc.
  if (!r.varint(n) || n > r.left()) return corrupt("bad document count");
  e.doc_ids.resize(n);
  for (std::string& d : e.doc_ids) {
    if (!r.string(d)) return corrupt("truncated document id");
  }
  if (r.left() != 0) return corrupt("trailing bytes");
  return e;
}

}  // namespace feedscout
