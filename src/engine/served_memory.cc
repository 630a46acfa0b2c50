#include "served_memory.h"

namespace feedscout {

void ServedMemory::expire(std::deque<std::pair<uint64_t, TimeMs>>& q, TimeMs now) const {
  while (!q.empty() && (now - q.front().second > ttl_ms_ || q.size() > kMaxPerUser)) q.pop_front();
}

std::unordered_set<uint64_t> ServedMemory::snapshot(const std::string& user, TimeMs now) {
  std::unordered_set<uint64_t> out;
  if (ttl_ms_ <= 0) return out;
  Shard& s = shard(user);
  std::lock_guard lk(s.mu);
  auto it = s.by_user.find(user);
  if (it == s.by_user.end()) return out;
  expire(it->second, now);
  for (const auto& [key, t] : it->second) out.insert(key);
  if (it->second.empty()) s.by_user.erase(it);
  return out;
}

void ServedMemory::remember(const std::string& user, const std::vector<uint64_t>& keys,
                            TimeMs now) {
  if (ttl_ms_ <= 0 || keys.empty()) return;
  Shard& s = shard(user);
  std::lock_guard lk(s.mu);
  auto& q = s.by_user[user];
  for (uint64_t k : keys) q.emplace_back(k, now);
  expire(q, now);
  // Users who never come back would otherwise stay forever: sweep the shard now and then.
  if (++s.calls_since_sweep >= kSweepEvery) {
    s.calls_since_sweep = 0;
    for (auto it = s.by_user.begin(); it != s.by_user.end();) {
      expire(it->second, now);
      it = it->second.empty() ? s.by_user.erase(it) : std::next(it);
    }
  }
}

}  // namespace feedscout
