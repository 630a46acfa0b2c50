// The documents a user has seen, as 64-bit keys: bounded, oldest forgotten first.
//
// An open-addressing hash table (linear probing) over a FIFO of keys; up to kLinearMax keys
// there is no table and lookups scan the FIFO (a table costs 16 bytes a key or more, and
// most users have seen few documents). When the FIFO grows a quarter past its capacity, the
// oldest keys are dropped and the table rebuilt, so inserts are amortised O(1) with no
// per-key allocation. Not thread-safe (a plain value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace feedscout {

class SeenSet {
 public:
  explicit SeenSet(size_t capacity = 2000) : capacity_(capacity) {}

  // Adds key; returns false when it was already there.
  bool insert(uint64_t key);
  bool contains(uint64_t key) const;
  // Keys, oldest first: at most capacity * 5/4 of them.
  const std::vector<uint64_t>& keys() const { return order_; }
  size_t size() const { return order_.size(); }
  void set_capacity(size_t capacity) { capacity_ = capacity; }

 private:
  static constexpr size_t kLinearMax = 32;
  void rebuild(size_t drop_oldest);

  size_t capacity_;
  std::vector<uint64_t> order_;
  std::vector<uint64_t> table_;  // size: power of two ≥ 2 × order_.size(); empty while
                                 // order_.size() <= kLinearMax; 0 marks an empty slot
  bool has_zero_ = false;        // key 0 is in the set (table mode; it has no slot)
};

}  // namespace feedscout
