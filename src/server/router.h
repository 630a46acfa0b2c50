// Routing of the HTTP API (private to src/server): maps a raw request path to one of the
// API's route patterns and extracts the percent-decoded id segment. Routing works on the
// raw (still encoded) path so that an id may contain any byte, '/' included ("%2F").
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace feedscout::server {

enum class Route : size_t {
  kIngestEvents = 0,  // POST /v1/events
  kIngestDocuments,   // POST /v1/documents
  kGetEvent,          // GET  /v1/events/{id}
  kGetDocument,       // GET  /v1/documents/{id}
  kUserContext,       // GET  /v1/users/{id}/context
  kUserFeed,          // GET  /v1/users/{id}/feed
  kSuggest,           // GET  /v1/suggest?q=
  kSearchFeed,        // GET  /v1/search-feed?user=&q=&page=
  kTrends,            // GET  /v1/trends?n=&window_h=
  kHealthz,           // GET  /healthz
  kMetrics,           // GET  /metrics
  kOther,             // no route matches (404), or the request line was unreadable
};
inline constexpr size_t kNumRoutes = static_cast<size_t>(Route::kOther) + 1;

// The route's pattern, used as the metrics label: "/v1/users/{id}/feed"; "other" for kOther.
const char* route_pattern(Route r);
// The one method the route answers ("GET" also answers HEAD); "" for kOther.
const char* route_method(Route r);

struct RouteMatch {
  Route route = Route::kOther;
  std::string id;        // decoded id, for routes with {id}
  std::string id_error;  // non-empty when the id segment is not a valid id (answer 400)
};

// `raw_path` is the request target up to '?' (not decoded). Ids must decode to 1..max_id_bytes
// bytes of valid UTF-8 without control characters.
RouteMatch match_route(std::string_view raw_path, size_t max_id_bytes);

// Percent-decodes `in` ('+' stays '+'). Returns false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out);

}  // namespace feedscout::server
