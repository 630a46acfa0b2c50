#include "router.h"

#include "feedscout/text/utf8.h"

namespace feedscout::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes and validates an id segment; on failure fills match.id_error.
void decode_id(std::string_view raw, size_t max_id_bytes, RouteMatch& match) {
  if (raw.empty()) {
    match.id_error = "the id in the path is empty";
    return;
  }
  // Every decoded byte takes at least one raw byte: reject long ids before decoding.
  if (raw.size() > 3 * max_id_bytes) {
    match.id_error = "the id in the path is longer than " + std::to_string(max_id_bytes) + " bytes";
    return;
  }
  if (!percent_decode(raw, match.id)) {
    match.id.clear();
    match.id_error = "the id in the path has a malformed percent-escape";
    return;
  }
  if (match.id.size() > max_id_bytes) {
    match.id_error = "the id in the path is longer than " + std::to_string(max_id_bytes) + " bytes";
  } else if (!text::is_valid_utf8(match.id)) {
    match.id_error = "the id in the path is not valid UTF-8";
  } else {
    for (unsigned char c : match.id) {
      if (c < 0x20 || c == 0x7F) {
        match.id_error = "the id in the path contains control characters";
        break;
      }
    }
  }
  if (!match.id_error.empty()) match.id.clear();
}

bool consume_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

}  // namespace

const char* route_pattern(Route r) {
  switch (r) {
    case Route::kIngestEvents:
      return "/v1/events";
    case Route::kIngestDocuments:
      return "/v1/documents";
    case Route::kGetEvent:
      return "/v1/events/{id}";
    case Route::kGetDocument:
      return "/v1/documents/{id}";
    case Route::kUserContext:
      return "/v1/users/{id}/context";
    case Route::kUserFeed:
      return "/v1/users/{id}/feed";
    case Route::kSuggest:
      return "/v1/suggest";
    case Route::kSearchFeed:
      return "/v1/search-feed";
    case Route::kTrends:
      return "/v1/trends";
    case Route::kHealthz:
      return "/healthz";
    case Route::kMetrics:
      return "/metrics";
    case Route::kOther:
      break;
  }
  return "other";
}

const char* route_method(Route r) {
  switch (r) {
    case Route::kIngestEvents:
    case Route::kIngestDocuments:
      return "POST";
    case Route::kOther:
      return "";
    default:
      return "GET";
  }
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;  // needs two hex digits
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

RouteMatch match_route(std::string_view path, size_t max_id_bytes) {
  RouteMatch m;
  if (path == "/healthz") {
    m.route = Route::kHealthz;
  } else if (path == "/metrics") {
    m.route = Route::kMetrics;
  } else if (path == "/v1/events") {
    m.route = Route::kIngestEvents;
  } else if (path == "/v1/documents") {
    m.route = Route::kIngestDocuments;
  } else if (path == "/v1/suggest") {
    m.route = Route::kSuggest;
  } else if (path == "/v1/search-feed") {
    m.route = Route::kSearchFeed;
  } else if (path == "/v1/trends") {
    m.route = Route::kTrends;
  } else if (consume_prefix(path, "/v1/events/")) {
    if (path.find('/') == std::string_view::npos) {
      m.route = Route::kGetEvent;
      decode_id(path, max_id_bytes, m);
    }
  } else if (consume_prefix(path, "/v1/documents/")) {
    if (path.find('/') == std::string_view::npos) {
      m.route = Route::kGetDocument;
      decode_id(path, max_id_bytes, m);
    }
  } else if (consume_prefix(path, "/v1/users/")) {
    const size_t slash = path.find('/');
    if (slash != std::string_view::npos) {
      const std::string_view rest = path.substr(slash);
      if (rest == "/context") {
        m.route = Route::kUserContext;
      } else if (rest == "/feed") {
        m.route = Route::kUserFeed;
      }
      if (m.route != Route::kOther) decode_id(path.substr(0, slash), max_id_bytes, m);
    }
  }
  return m;
}

}  // namespace feedscout::server
