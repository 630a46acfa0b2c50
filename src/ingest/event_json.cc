// event_to_json without a DOM: it runs once per ingested event, on the writer's hot path.
#include <charconv>

#include "feedscout/ingest/json_text.h"
#include "feedscout/ingest/parse.h"

namespace feedscout {
namespace {

void append_ids(std::string& out, const std::vector<std::string>& ids) {
  out.push_back('[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, ids[i]);
  }
  out.push_back(']');
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string event_to_json(const Event& e) {
  std::string out;
  out.reserve(96 + e.query.size() + e.doc_ids.size() * 16);
  out += "{\"id\":";
  append_json_string(out, e.id);
  out += ",\"type\":\"";
  out += event_type_name(e.type);
  out += "\",\"user\":";
  append_json_string(out, e.user);
  out += ",\"time\":\"";
  out += format_rfc3339(e.time_ms);
  out += '"';
  if (e.type == EventType::kSearch) {
    out += ",\"query\":";
    append_json_string(out, e.query);
    out += ",\"clicked\":";
    append_ids(out, e.doc_ids);
  } else {
    out += ",\"surface\":\"";
    out += surface_name(e.surface);
    out += "\",\"docs\":";
    append_ids(out, e.doc_ids);
    if (e.type == EventType::kClick && e.dwell_s >= 0) {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, e.dwell_s);
      out += ",\"dwell_s\":";
      out.append(buf, ec == std::errc() ? end : buf);
    }
  }
  out.push_back('}');
  return out;
}

}  // namespace feedscout
