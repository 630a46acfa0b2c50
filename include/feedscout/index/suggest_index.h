// Re-search suggestions (issue 5): the refined queries Q* that searches of all users produced
// ("아이유" → "아이유 데뷔 16주년 기부"), counted with exponential time decay, for
// GET /v1/suggest?q=. A suggestion matches q when it contains every word of q (text::words,
// so case and punctuation do not matter) and is not q itself.
//
// Bounded: at most max_entries suggestions; past that the least valuable tenth (decayed count
// at the newest time seen) is dropped. Not thread-safe: the engine mutates it on the writer
// thread under its exclusive lock and reads it under the shared lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/decay.h"
#include "feedscout/common/time.h"

namespace feedscout {

struct SuggestConfig {
  double half_life_s = 7 * 24 * 3600.0;  // a week-old production counts half
  size_t max_entries = 200000;
};

struct Suggestion {
  std::string query;  // as last produced
  double score = 0;   // decayed count at the time asked
  TimeMs last_ms = 0;
};

class SuggestIndex {
 public:
  explicit SuggestIndex(SuggestConfig config) : config_(config) {}

  // Counts one production of `refined` at `t` (queries without words are ignored).
  void add(std::string_view refined, TimeMs t);

  // Suggestions for `q`, best first: decayed count at `now`, then newer, then by text; at
  // most n. Empty when q has no words.
  std::vector<Suggestion> suggest(std::string_view q, size_t n, TimeMs now) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string query;
    std::string key;  // words joined by single spaces
    DecayedCount count;
    TimeMs last_ms = 0;
  };
  void prune();
  void rebuild_postings();

  SuggestConfig config_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, uint32_t> by_key_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> postings_;  // fnv1a64(word) → entries
  TimeMs newest_ms_ = 0;
};

}  // namespace feedscout
