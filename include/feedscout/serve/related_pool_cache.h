// A cache of the search feed's query-only work (issue 6's load target): for a query, its best
// related_pool text matches and each one's similarity to the query's context text — what every
// page of every user's search feed for that query starts from, and most of its cost (BM25 over
// long bigram posting lists, the sense of 200 titles).
//
// Validity, not time-to-live: an entry is stamped with the versions of what it was computed
// from — the document index's size (it only grows; nothing else changes its matches) and the
// query graph's context_version of the query (time alone does not change the similarities) —
// and is served only while both are unchanged, so a cached page equals an uncached one.
// `max_stale_ms` > 0 relaxes that like a search engine's refresh interval: an entry computed at
// most that long ago is served even if documents or context arrived since (they show within
// max_stale_ms). The per-request parts (freshness, the user's preferences, exclusions) are
// never cached.
//
// Bounded: at most `capacity` entries, least recently used evicted, in 16 shards, each under
// its own mutex. Thread-safe; entries are immutable and shared (a reader keeps its entry alive
// after eviction).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/index/document_index.h"

namespace feedscout {

struct RelatedPool {
  std::vector<TextMatch> matches;  // the query's best text matches, best first
  std::vector<double> sense;       // per match: similarity to the query's context (0: none)
  bool has_context = false;        // the query graph knows a context text for the query
  size_t on_sense = 0;             // matches with sense ≥ the config's min_context_similarity
  // What it was computed from (see the file comment).
  size_t index_version = 0;
  uint64_t context_version = 0;
  TimeMs computed_ms = 0;
};

class RelatedPoolCache {
 public:
  // capacity 0 disables the cache (find never hits, insert keeps nothing).
  explicit RelatedPoolCache(size_t capacity, TimeMs max_stale_ms = 0);

  // The entry for `query` if it is still valid for these versions at `now` (see above).
  std::shared_ptr<const RelatedPool> find(std::string_view query, size_t index_version,
                                          uint64_t context_version, TimeMs now);
  void insert(std::string_view query, std::shared_ptr<const RelatedPool> pool);

  struct Stats {
    uint64_t hits = 0, misses = 0;
    size_t entries = 0;
  };
  Stats stats() const;

 private:
  struct Shard {
    mutable std::mutex mu;
    std::list<std::string> lru;  // most recently used first
    struct Slot {
      std::shared_ptr<const RelatedPool> pool;
      std::list<std::string>::iterator at;
    };
    // Looked up by string_view without building a key (transparent hash and equality).
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, Slot, Hash, std::equal_to<>> map;
  };
  Shard& shard_of(std::string_view query);

  const size_t capacity_per_shard_;
  const TimeMs max_stale_ms_;
  std::array<Shard, 16> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace feedscout
