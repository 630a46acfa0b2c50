// Query normalisation and tokenisation for search-intent mining (issue 5, docs/INTENTS.md).
//
// A query is normalised with Unicode NFKC_Casefold (ICU): full-width forms become ASCII
// ("ＩＵ" → "iu"), compatibility characters are decomposed, every script is case-folded
// ("Straße" → "strasse", "ΑΘΗΝΑ" → "αθηνα") and default-ignorable characters (ZWJ, variation
// selectors) vanish. Whitespace runs then become one space and the ends are trimmed.
//
// Tokens, in text order, duplicates kept:
//   - whitespace, punctuation (P*), symbols (S*, which includes emoji) and controls/format
//     characters (C*) separate tokens;
//   - scripts written without spaces — Han, Hiragana, Katakana, Bopomofo, Thai, Lao, Khmer,
//     Myanmar, Tibetan, Yi — give one token per character (a combining mark stays with the
//     character before it: Thai vowels and tone marks);
//   - everything else (Latin, Hangul, Cyrillic, digits …) gives whitespace-delimited words,
//     split where the script of the letters changes: "아이유IU" → "아이유", "iu"; digits join
//     the word they touch ("iphone14", "5월"; "2024年" → "2024", "年").
// Hangul is written with spaces, so a Hangul word is one token ("두바이 초콜릿" → two tokens).
//
// Pure functions; thread-safe (ICU's normaliser instance is immutable and shared).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout::intent {

struct QueryNormalizerOptions {
  size_t max_query_bytes = 1024;  // raw UTF-8 bytes; longer queries are rejected, not cut
  size_t max_tokens = 64;         // a query with more tokens is rejected
};

struct NormalizedQuery {
  std::string text;                 // NFKC_Casefold, whitespace collapsed and trimmed
  std::vector<std::string> tokens;  // non-empty; in text order, duplicates kept
};

// The reasons an unusable query is rejected with: the error's message is exactly one of
// these (stable, for counting skipped rows per reason). All are InvalidArgument.
inline constexpr std::string_view kReasonInvalidUtf8 = "query is not valid UTF-8";
inline constexpr std::string_view kReasonEmptyQuery = "empty or whitespace-only query";
inline constexpr std::string_view kReasonQueryTooLong = "query too long";
inline constexpr std::string_view kReasonTooManyTokens = "query has too many tokens";
inline constexpr std::string_view kReasonNoTokens =
    "query has no letters or digits (punctuation, symbols or emoji only)";

// Normalises and tokenises `raw`. Never fails on well-formed input that has a letter or a
// digit; errors name the reason above.
[[nodiscard]] Result<NormalizedQuery> normalize_query(std::string_view raw,
                                                      const QueryNormalizerOptions& options = {});

// Whether code point `cp` belongs to a script written without spaces (see above).
bool is_unspaced_script(char32_t cp);

}  // namespace feedscout::intent
