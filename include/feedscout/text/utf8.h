// UTF-8 validation and decoding. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace feedscout::text {

// Returns the byte offset of the first byte that does not start a well-formed UTF-8
// sequence (overlongs, surrogates and code points above U+10FFFF are ill-formed), or
// std::string_view::npos when the whole input is valid.
size_t find_invalid_utf8(std::string_view s);

inline bool is_valid_utf8(std::string_view s) {
  return find_invalid_utf8(s) == std::string_view::npos;
}

// Decodes the code point starting at s[pos] and advances pos past it. On an ill-formed
// sequence returns U+FFFD and advances one byte. Requires pos < s.size().
char32_t decode_utf8(std::string_view s, size_t& pos);

// Appends the UTF-8 encoding of cp.
void append_utf8(std::string& out, char32_t cp);

// Truncates s to at most max_bytes without splitting a code point.
std::string_view truncate_utf8(std::string_view s, size_t max_bytes);

}  // namespace feedscout::text
