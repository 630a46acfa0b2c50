// Tokenisation shared by retrieval (query ↔ document matching) and the topic classifier.
//
// Korean is written with spaces between eojeol, but particles attach to nouns
// ("축구를", "축구의") and compounds are spaced inconsistently ("두바이초콜릿" vs
// "두바이 초콜릿"). Retrieval therefore matches on character bigrams inside runs of
// Hangul/CJK, and on whole lower-cased words for Latin letters and digits.
// All functions are pure and thread-safe; input must be valid UTF-8 (ill-formed bytes are
// treated as separators).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace feedscout::text {

// A retrieval term, hashed to 64 bits (FNV-1a of its UTF-8 bytes).
using TermId = uint64_t;

// Splits into normalised words: ASCII letters lower-cased, every non-letter, non-digit
// code point (punctuation, symbols, spaces, emoji) a separator. "Hot Mess!" → "hot","mess".
std::vector<std::string> words(std::string_view s);

// Retrieval terms: for each word, Hangul/CJK runs yield their character bigrams (a run of
// one character yields that character), other runs yield the whole run. Duplicates kept,
// in text order.
std::vector<TermId> retrieval_terms(std::string_view s);

// Text prepared for fastText: words joined by single spaces.
std::string classifier_text(std::string_view title, std::string_view body, size_t max_bytes);

}  // namespace feedscout::text
