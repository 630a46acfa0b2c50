// Writing JSON text without a DOM, for hot paths (event_to_json) and generators.
#pragma once

#include <string>
#include <string_view>

namespace feedscout {

// Appends s as a JSON string literal, quotes included. s must be valid UTF-8 (it is copied
// as is); '"', '\\' and control characters are escaped.
void append_json_string(std::string& out, std::string_view s);

}  // namespace feedscout
