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

}  // namespace feedscout
