#include "feedscout/serve/related_pool_cache.h"

#include <utility>

#include "feedscout/common/hash.h"

namespace feedscout {

RelatedPoolCache::RelatedPoolCache(size_t capacity, TimeMs max_stale_ms)
    : capacity_per_shard_(capacity == 0 ? 0 : (capacity + 15) / 16), max_stale_ms_(max_stale_ms) {}

RelatedPoolCache::Shard& RelatedPoolCache::shard_of(std::string_view query) {
  return shards_[fnv1a64(query) % shards_.size()];
}

std::shared_ptr<const RelatedPool> RelatedPoolCache::find(std::string_view query,
                                                          size_t index_version,
                                                          uint64_t context_version, TimeMs now) {
  if (capacity_per_shard_ == 0) return nullptr;
  Shard& s = shard_of(query);
  std::shared_ptr<const RelatedPool> pool;
  {
    std::lock_guard lk(s.mu);
    auto it = s.map.find(query);
    if (it != s.map.end()) {
      const RelatedPool& p = *it->second.pool;
      const bool current = p.index_version == index_version && p.context_version == context_version;
      const bool fresh_enough = max_stale_ms_ > 0 && now - p.computed_ms <= max_stale_ms_ &&
                                now >= p.computed_ms && p.index_version <= index_version;
      if (current || fresh_enough) {
        s.lru.splice(s.lru.begin(), s.lru, it->second.at);
        pool = it->second.pool;
      }
    }
  }
  (pool ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return pool;
}

void RelatedPoolCache::insert(std::string_view query, std::shared_ptr<const RelatedPool> pool) {
  if (capacity_per_shard_ == 0 || pool == nullptr) return;
  Shard& s = shard_of(query);
  std::lock_guard lk(s.mu);
  auto it = s.map.find(query);
  if (it != s.map.end()) {
    // Readers may compute the same query at once, or around a change: the later state wins.
    const RelatedPool& old = *it->second.pool;
    if (std::pair{pool->index_version, pool->context_version} >=
        std::pair{old.index_version, old.context_version}) {
      it->second.pool = std::move(pool);
    }
    s.lru.splice(s.lru.begin(), s.lru, it->second.at);
    return;
  }
  s.lru.emplace_front(query);
  s.map.emplace(std::string(query), Shard::Slot{std::move(pool), s.lru.begin()});
  while (s.map.size() > capacity_per_shard_) {
    s.map.erase(s.lru.back());
    s.lru.pop_back();
  }
}

RelatedPoolCache::Stats RelatedPoolCache::stats() const {
  Stats st;
  st.hits = hits_.load(std::memory_order_relaxed);
  st.misses = misses_.load(std::memory_order_relaxed);
  for (const Shard& s : shards_) {
    std::lock_guard lk(s.mu);
    st.entries += s.map.size();
  }
  return st;
}

}  // namespace feedscout
