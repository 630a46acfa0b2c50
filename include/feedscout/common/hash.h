// Stable 64-bit hashing (FNV-1a). The values are persisted (seen-sets, fingerprints), so the
// function must never change.
#pragma once

#include <cstdint>
#include <string_view>

namespace feedscout {

constexpr uint64_t kFnv1aOffset = 14695981039346656037ULL;
constexpr uint64_t kFnv1aPrime = 1099511628211ULL;

// FNV-1a over the bytes of s, continuing from `h` (pass kFnv1aOffset to start).
constexpr uint64_t fnv1a64(std::string_view s, uint64_t h = kFnv1aOffset) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnv1aPrime;
  }
  return h;
}

// SplitMix64's finaliser: a bijective 64-bit mix, so distinct inputs stay distinct and every
// output bit depends on every input bit (FNV-1a's high bits alone are poorly mixed for short,
// similar strings).
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A document's stable 64-bit key: seen sets, co-click lists and the stored indexes name
// documents by it, so a reload may renumber them.
constexpr uint64_t doc_key(std::string_view doc_id) {
  return fnv1a64(doc_id);
}

}  // namespace feedscout
