// JSON bodies of the HTTP API (private to src/server; docs/API.md shows every shape).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "feedscout/engine/engine.h"

namespace feedscout::server {

// Serialises compactly; invalid UTF-8 (which validated input never contains) is replaced by
// U+FFFD instead of throwing.
std::string dump_json(const nlohmann::ordered_json& j);  // keys in insertion order

// {"error": {"code": code, "message": message}}
nlohmann::ordered_json error_json(std::string_view code, std::string_view message);
std::string error_body(std::string_view code, std::string_view message);

// {"accepted", "duplicates", "rejected", "errors": [{"line"|"item", "field", "message"}]}.
// At most max_errors errors are listed; "errors_omitted" counts the rest when there are any.
nlohmann::ordered_json ingest_report_json(const IngestReport& report, size_t max_errors);

// The context view of `user`; every list has at most `top` entries.
nlohmann::ordered_json context_json(const std::string& user, bool known, const ContextView& view,
                                    const Taxonomy& taxonomy, size_t top);

// With page.explained, each item also has "explain" (source, component scores, rule
// outcomes) and "unserved" lists the candidates left out; otherwise the shape is unchanged.
nlohmann::ordered_json feed_json(const FeedPage& page);
// {"window_h", "now", "trends": [{"label", "label_kind", "topic", "recent_clicks",
// "previous_clicks", "growth", "score", "documents": [...]}]}
nlohmann::ordered_json trends_json(const std::vector<TrendEntry>& trends, size_t window_h,
                                   TimeMs now);
nlohmann::ordered_json search_feed_json(const SearchFeedPage& page);

}  // namespace feedscout::server
