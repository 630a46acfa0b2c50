#include "feedscout/ingest/parse.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "feedscout/text/utf8.h"

namespace feedscout {
namespace {

using nlohmann::json;

// Thrown only inside this file, caught per item: a field-level validation failure.
struct FieldError {
  std::string field;
  std::string message;
};

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    case json::value_t::discarded:
      return "invalid";
    default:
      return "number";
  }
}

const json* find(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string get_string(const json& obj, const char* key, size_t max_bytes, bool required,
                       bool allow_empty = false) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    if (required) throw FieldError{key, "missing required field"};
    return {};
  }
  if (!v->is_string()) {
    throw FieldError{key, std::string("expected a string, got ") + type_name(*v)};
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    throw FieldError{key, "too long: " + std::to_string(s.size()) + " bytes, limit " +
                              std::to_string(max_bytes)};
  }
  if (!allow_empty && required && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw FieldError{key, "must not be empty"};
  }
  return s;
}

std::string get_id(const json& obj, const char* key, const ParseLimits& limits) {
  std::string s = get_string(obj, key, limits.max_id_bytes, true);
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) throw FieldError{key, "must not contain control characters"};
  }
  return s;
}

TimeMs get_time(const json& obj, const char* key, const ParseLimits& limits, TimeMs now) {
  const json* v = find(obj, key);
  if (v == nullptr) throw FieldError{key, "missing required field"};
  TimeMs t;
  if (v->is_string()) {
    auto parsed = parse_rfc3339(v->get_ref<const std::string&>());
    if (!parsed.is_ok()) throw FieldError{key, parsed.status().message()};
    t = *parsed;
  } else if (v->is_number()) {
    const double secs = v->get<double>();
    if (!std::isfinite(secs) || std::fabs(secs) > 1e13) {
      throw FieldError{key, "Unix seconds out of range"};
    }
    t = static_cast<TimeMs>(std::llround(secs * 1000.0));
  } else {
    throw FieldError{
        key, std::string("expected an RFC 3339 string or Unix seconds, got ") + type_name(*v)};
  }
  if (t > now + limits.max_future_ms) {
    throw FieldError{key, "time " + format_rfc3339(t) + " is too far in the future (server time " +
                              format_rfc3339(now) + ", tolerance " +
                              std::to_string(limits.max_future_ms / 1000) + " s)"};
  }
  if (t < now - limits.max_past_ms) {
    throw FieldError{key, "time " + format_rfc3339(t) + " is too far in the past (limit " +
                              std::to_string(limits.max_past_ms / kMsPerDay) + " days)"};
  }
  return t;
}

std::vector<std::string> get_id_list(const json& obj, const char* key, const ParseLimits& limits,
                                     bool required) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    if (required) throw FieldError{key, "missing required field"};
    return {};
  }
  if (!v->is_array()) {
    throw FieldError{key, std::string("expected an array of document ids, got ") + type_name(*v)};
  }
  if (v->size() > limits.max_doc_ids) {
    throw FieldError{key, "too many ids: " + std::to_string(v->size()) + ", limit " +
                              std::to_string(limits.max_doc_ids)};
  }
  std::vector<std::string> out;
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i) {
    const json& e = (*v)[i];
    const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    if (!e.is_string()) {
      throw FieldError{field, std::string("expected a document id string, got ") + type_name(e)};
    }
    const auto& s = e.get_ref<const std::string&>();
    if (s.empty() || s.size() > limits.max_id_bytes) {
      throw FieldError{field,
                       "document id must be 1.." + std::to_string(limits.max_id_bytes) + " bytes"};
    }
    out.push_back(s);
  }
  if (required && out.empty()) throw FieldError{key, "must list at least one document id"};
  return out;
}

Event event_from_json(const json& obj, const ParseLimits& limits, TimeMs now) {
  Event e;
  e.id = get_id(obj, "id", limits);
  const std::string type = get_string(obj, "type", 32, true);
  auto t = parse_event_type(type);
  if (!t) throw FieldError{"type", "unknown event type '" + type + "' (search|impression|click)"};
  e.type = *t;
  e.user = get_id(obj, "user", limits);
  e.time_ms = get_time(obj, "time", limits, now);
  if (e.type == EventType::kSearch) {
    e.surface = Surface::kSearch;
    e.query = get_string(obj, "query", limits.max_query_bytes, true);
    e.doc_ids = get_id_list(obj, "clicked", limits, false);
    return e;
  }
  const std::string surface = get_string(obj, "surface", 32, true);
  auto s = parse_surface(surface);
  if (!s) throw FieldError{"surface", "unknown surface '" + surface + "' (search|feed|main)"};
  e.surface = *s;
  e.doc_ids = get_id_list(obj, "docs", limits, true);
  if (e.type == EventType::kClick) {
    if (const json* d = find(obj, "dwell_s")) {
      if (!d->is_number()) {
        throw FieldError{"dwell_s", std::string("expected a number, got ") + type_name(*d)};
      }
      e.dwell_s = d->get<double>();
      if (!std::isfinite(e.dwell_s) || e.dwell_s < 0 || e.dwell_s > 86400) {
        throw FieldError{"dwell_s", "must be between 0 and 86400 seconds"};
      }
    }
  }
  return e;
}

Document document_from_json(const json& obj, const ParseLimits& limits, const Taxonomy& taxonomy,
                            TimeMs now) {
  Document d;
  d.id = get_id(obj, "id", limits);
  d.title = get_string(obj, "title", limits.max_title_bytes, true);
  d.body = get_string(obj, "body", limits.max_body_bytes, false);
  d.url = get_string(obj, "url", limits.max_url_bytes, false);
  d.source = get_string(obj, "source", 64, false);
  d.created_ms = get_time(obj, "created_at", limits, now);
  const json* topics = find(obj, "topics");
  if (topics == nullptr) return d;
  if (!topics->is_array()) {
    throw FieldError{"topics", std::string("expected an array, got ") + type_name(*topics)};
  }
  if (topics->size() > 3) throw FieldError{"topics", "at most 3 topics per document"};
  for (size_t i = 0; i < topics->size(); ++i) {
    const json& t = (*topics)[i];
    const std::string field = "topics[" + std::to_string(i) + "]";
    DocTopic dt;
    std::string label;
    if (t.is_string()) {
      label = t.get<std::string>();
    } else if (t.is_object()) {
      const json* l = find(t, "topic");
      if (l == nullptr || !l->is_string()) {
        throw FieldError{field + ".topic", "expected a topic id or path string"};
      }
      label = l->get<std::string>();
      if (const json* s = find(t, "score")) {
        if (!s->is_number()) throw FieldError{field + ".score", "expected a number"};
        const double score = s->get<double>();
        if (!(score >= 0.0 && score <= 1.0)) {
          throw FieldError{field + ".score", "must be between 0 and 1"};
        }
        dt.score = static_cast<float>(score);
      }
      if (const json* src = find(t, "source")) {
        if (!src->is_string()) throw FieldError{field + ".source", "expected a string"};
        const auto& name = src->get_ref<const std::string&>();
        if (name == "classifier") {
          dt.source = TopicSource::kClassifier;
        } else if (name == "language_model") {
          dt.source = TopicSource::kLanguageModel;
        } else if (name != "provided") {
          throw FieldError{field + ".source",
                           "must be 'provided', 'classifier' or 'language_model'"};
        }
      }
    } else {
      throw FieldError{
          field,
          std::string("expected a string or {\"topic\":..,\"score\":..}, got ") + type_name(t)};
    }
    auto id = taxonomy.resolve(label);
    if (!id) throw FieldError{field, "'" + label + "' is not a topic id or path of the taxonomy"};
    for (const auto& existing : d.topics) {
      if (existing.topic == *id) throw FieldError{field, "topic '" + label + "' listed twice"};
    }
    dt.topic = *id;
    d.topics.push_back(dt);
  }
  return d;
}

// Validates one parsed JSON value as an item. Never serialises the value again, so
// hostile nesting in ignored fields costs nothing.
template <typename T, typename Convert>
void convert_item(const json& obj, size_t position, ParsedBatch<T>& out, Convert&& convert) {
  if (!obj.is_object()) {
    out.errors.push_back(
        {position, "", std::string("expected a JSON object, got ") + type_name(obj)});
    return;
  }
  try {
    out.items.emplace_back(position, convert(obj));
  } catch (const FieldError& fe) {
    out.errors.push_back({position, fe.field, fe.message});
  } catch (const json::exception& je) {
    out.errors.push_back({position, "", je.what()});
  }
}

// Parses text as JSON; on failure returns a discarded value and sets `why`. nlohmann's
// parser is iterative (no recursion on nesting); numbers out of range throw even with
// allow_exceptions=false, so every json::exception stays in here.
json parse_json(std::string_view text, std::string& why) {
  try {
    json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!v.is_discarded()) return v;
    json again = json::parse(text);  // throws: gives the position of the syntax error
    (void)again;
    why = "not valid JSON";
  } catch (const json::parse_error& e) {
    why = "not valid JSON: syntax error at byte " + std::to_string(e.byte);
  } catch (const json::exception& e) {
    why = std::string("not valid JSON: ") +
          (e.id == 406 ? "number out of range" : "unreadable value");
  }
  return json(json::value_t::discarded);
}

template <typename T, typename Convert>
void parse_item(std::string_view text, size_t position, const ParseLimits& limits,
                ParsedBatch<T>& out, Convert&& convert) {
  if (text.size() > limits.max_item_bytes) {
    out.errors.push_back({position, "",
                          "item too large: " + std::to_string(text.size()) + " bytes, limit " +
                              std::to_string(limits.max_item_bytes)});
    return;
  }
  if (size_t bad = text::find_invalid_utf8(text); bad != std::string_view::npos) {
    out.errors.push_back({position, "", "invalid UTF-8 at byte " + std::to_string(bad)});
    return;
  }
  std::string why;
  json obj = parse_json(text, why);
  if (obj.is_discarded()) {
    out.errors.push_back({position, "", why});
    return;
  }
  convert_item<T>(obj, position, out, convert);
}

// Splits a JSON array body into the text of its top-level elements (strings and nesting
// respected; elements themselves are not validated here). nullopt when the array itself is
// malformed: unterminated, unbalanced, or followed by anything but whitespace.
std::optional<std::vector<std::string_view>> split_json_array(std::string_view body) {
  std::vector<std::string_view> out;
  size_t i = body.find('[');
  if (i == std::string_view::npos) return std::nullopt;
  ++i;
  size_t depth = 0, start = i;
  bool in_string = false, escaped = false;
  auto trim = [](std::string_view v) {
    const size_t b = v.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return std::string_view();
    return v.substr(b, v.find_last_not_of(" \t\r\n") - b + 1);
  };
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) {
        if (c != ']') return std::nullopt;
        const auto last = trim(body.substr(start, i - start));
        if (last.empty() && !out.empty()) return std::nullopt;  // trailing comma
        if (!last.empty()) out.push_back(last);
        if (!trim(body.substr(i + 1)).empty()) return std::nullopt;
        return out;
      }
      --depth;
    } else if (c == ',' && depth == 0) {
      const auto element = trim(body.substr(start, i - start));
      if (element.empty()) return std::nullopt;
      out.push_back(element);
      start = i + 1;
    }
  }
  return std::nullopt;  // unterminated
}

template <typename T, typename Convert>
ParsedBatch<T> parse_batch(std::string_view body, const ParseLimits& limits, size_t first_line,
                           Convert&& convert) {
  ParsedBatch<T> out;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] == '[') {
    // A JSON array: each element is cut out and parsed on its own, so a broken element is
    // one error and the item size limit applies per element.
    out.is_array = true;
    if (size_t bad = text::find_invalid_utf8(body); bad != std::string_view::npos) {
      out.errors.push_back({0, "",
                            "invalid UTF-8 at byte " + std::to_string(bad) +
                                " of the body; the array was not read"});
      return out;
    }
    auto elements = split_json_array(body);
    if (!elements) {
      out.errors.push_back({0, "", "body starts with '[' but is not a valid JSON array"});
      return out;
    }
    for (size_t i = 0; i < elements->size(); ++i) {
      parse_item<T>((*elements)[i], i, limits, out, convert);
    }
    return out;
  }
  size_t line_no = first_line;
  size_t start = 0;
  while (start < body.size()) {
    size_t nl = body.find('\n', start);
    std::string_view line =
        body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? body.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      parse_item<T>(line, line_no, limits, out, convert);
    }
    ++line_no;
  }
  return out;
}

}  // namespace

ParsedBatch<Event> parse_events(std::string_view body, const ParseLimits& limits, TimeMs now,
                                size_t first_line) {
  return parse_batch<Event>(body, limits, first_line,
                            [&](const json& obj) { return event_from_json(obj, limits, now); });
}

ParsedBatch<Document> parse_documents(std::string_view body, const ParseLimits& limits,
                                      const Taxonomy& taxonomy, TimeMs now, size_t first_line) {
  return parse_batch<Document>(body, limits, first_line, [&](const json& obj) {
    return document_from_json(obj, limits, taxonomy, now);
  });
}

std::string document_to_json(const Document& d, const Taxonomy& taxonomy) {
  json j;
  j["id"] = d.id;
  j["title"] = d.title;
  j["body"] = d.body;
  if (!d.url.empty()) j["url"] = d.url;
  if (!d.source.empty()) j["source"] = d.source;
  j["created_at"] = format_rfc3339(d.created_ms);
  json topics = json::array();
  for (const auto& t : d.topics) {
    topics.push_back({{"topic", taxonomy.node(t.topic).external_id},
                      {"path", taxonomy.node(t.topic).path},
                      {"score", t.score},
                      {"source", topic_source_name(t.source)}});
  }
  j["topics"] = topics;
  return j.dump();
}

ParseLimits any_time_limits() {
  ParseLimits l;
  l.max_past_ms = l.max_future_ms = INT64_MAX / 4;
  return l;
}

ParseLimits stored_record_limits() {
  ParseLimits l = any_time_limits();
  l.max_item_bytes = l.max_body_bytes = l.max_title_bytes = SIZE_MAX / 4;
  l.max_url_bytes = l.max_id_bytes = l.max_query_bytes = l.max_doc_ids = SIZE_MAX / 4;
  return l;
}

std::string describe_item_error(const ItemError& e, bool is_array) {
  std::string out = (is_array ? "item " : "line ") + std::to_string(e.position);
  if (!e.field.empty()) out += ": field '" + e.field + "'";
  return out + ": " + e.message;
}

Result<std::vector<Document>> read_documents_file(const std::string& path,
                                                  const Taxonomy& taxonomy) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("documents file '" + path + "' cannot be opened");
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = parse_documents(body, any_time_limits(), taxonomy, 0);
  if (!parsed.errors.empty()) {
    return Status::invalid_argument(path + ": " + describe_item_error(parsed.errors.front()));
  }
  std::vector<Document> docs;
  docs.reserve(parsed.items.size());
  for (auto& [pos, d] : parsed.items) docs.push_back(std::move(d));
  return docs;
}

}  // namespace feedscout
