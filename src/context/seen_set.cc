#include "feedscout/context/seen_set.h"

namespace feedscout {
namespace {

size_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return static_cast<size_t>(k);
}

}  // namespace

bool SeenSet::contains(uint64_t key) const {
  if (table_.empty()) {
    for (uint64_t k : order_) {
      if (k == key) return true;
    }
    return false;
  }
  if (key == 0) return has_zero_;
  const uint64_t k = key;
  const size_t mask = table_.size() - 1;
  for (size_t i = mix(k) & mask;; i = (i + 1) & mask) {
    if (table_[i] == k) return true;
    if (table_[i] == 0) return false;
  }
}

bool SeenSet::insert(uint64_t key) {
  if (contains(key)) return false;
  order_.push_back(key);
  const size_t limit = capacity_ + capacity_ / 4;
  if (order_.size() > limit) {
    rebuild(order_.size() - capacity_);
  } else if (order_.size() <= kLinearMax) {
    // Small sets are scanned: no table (most users see few documents).
  } else if (table_.size() < 2 * order_.size()) {
    rebuild(0);
  } else if (key == 0) {
    has_zero_ = true;
  } else {
    const size_t mask = table_.size() - 1;
    size_t i = mix(key) & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = key;
  }
  return true;
}

void SeenSet::rebuild(size_t drop_oldest) {
  if (drop_oldest > 0) {
    order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(drop_oldest));
  }
  if (order_.size() <= kLinearMax) {
    table_.clear();
    table_.shrink_to_fit();
    return;
  }
  size_t cap = 16;
  while (cap < 2 * order_.size() + 2) cap *= 2;
  table_.assign(cap, 0);
  has_zero_ = false;
  const size_t mask = cap - 1;
  for (uint64_t key : order_) {
    if (key == 0) {
      has_zero_ = true;
      continue;
    }
    size_t i = mix(key) & mask;
    while (table_[i] != 0 && table_[i] != key) i = (i + 1) & mask;
    table_[i] = key;
  }
}

}  // namespace feedscout
