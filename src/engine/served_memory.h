// Short-term memory of what the feed served each user, so that a refresh does not repeat
// a page before the platform's impression events arrive. In memory only, by design:
// losing it on restart costs at most one repeated page. Thread-safe (sharded locks).
#pragma once

#include <array>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "feedscout/common/time.h"

namespace feedscout {

class ServedMemory {
 public:
  explicit ServedMemory(TimeMs ttl_ms) : ttl_ms_(ttl_ms) {}

  // Keys served to `user` within the TTL before `now`.
  std::unordered_set<uint64_t> snapshot(const std::string& user, TimeMs now);
  void remember(const std::string& user, const std::vector<uint64_t>& keys, TimeMs now);

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxPerUser = 1000;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::deque<std::pair<uint64_t, TimeMs>>> by_user;
    size_t calls_since_sweep = 0;  // every kSweepEvery remembers, expired users are dropped
  };
  static constexpr size_t kSweepEvery = 4096;
  Shard& shard(const std::string& user) {
    return shards_[std::hash<std::string>{}(user) % kShards];
  }
  void expire(std::deque<std::pair<uint64_t, TimeMs>>& q, TimeMs now) const;

  TimeMs ttl_ms_;
  std::array<Shard, kShards> shards_;
};

}  // namespace feedscout
