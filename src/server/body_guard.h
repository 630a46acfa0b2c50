// Cheap structural checks of ingest bodies before they reach the engine's parser (private
// to src/server). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace feedscout::server {

// Items of the API nest at most a few levels; this bounds what an array body may contain.
inline constexpr size_t kMaxArrayBodyDepth = 64;

// Maximum nesting depth of JSON arrays and objects in `text` (brackets inside strings are
// ignored), counting stops at `limit` + 1. Linear, no allocation. Malformed JSON is measured
// as far as it goes; the parser reports the error itself.
size_t json_nesting_depth(std::string_view text, size_t limit);

// True when `body` is a JSON array body (first non-whitespace byte '['), as the engine
// decides between a JSON array and JSON Lines.
bool is_array_body(std::string_view body);

}  // namespace feedscout::server
