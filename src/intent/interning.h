// Private to src/intent: compact storage for the miner — an append-only string arena, an
// open-addressing id table, a string interner with dense ids built from both, and an
// open-addressing map from 64-bit keys to counts. No per-entry heap allocation; memory is
// proportional to the distinct strings / keys stored, never to the number of lookups.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace feedscout::intent::detail {

inline uint32_t hash32(std::string_view s) {
  return static_cast<uint32_t>(std::hash<std::string_view>{}(s));
}

// Bytes that stay where they are: views returned by store() are valid for the arena's
// lifetime.
class StringArena {
 public:
  // `n` bytes, 8-byte aligned.
  char* allocate(size_t n) {
    if (n > kBlock / 4) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(n));
      bytes_ += n;
      return blocks_.back().get();
    }
    used_ = (used_ + 7) & ~size_t{7};
    if (tail_ == nullptr || used_ + n > kBlock) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));
      tail_ = blocks_.back().get();
      used_ = 0;
      bytes_ += kBlock;
    }
    char* p = tail_ + used_;
    used_ += n;
    return p;
  }
  std::string_view store(std::string_view s) {
    if (s.size() > kBlock / 4) {  // big strings get their own block
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(s.size()));
      std::memcpy(blocks_.back().get(), s.data(), s.size());
      bytes_ += s.size();
      return {blocks_.back().get(), s.size()};
    }
    if (tail_ == nullptr || used_ + s.size() > kBlock) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));
      tail_ = blocks_.back().get();
      used_ = 0;
      bytes_ += kBlock;
    }
    char* p = tail_ + used_;
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return {p, s.size()};
  }
  size_t memory_bytes() const { return bytes_; }

 private:
  static constexpr size_t kBlock = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* tail_ = nullptr;
  size_t used_ = 0, bytes_ = 0;
};

// Ids found by a 32-bit hash and a caller's equality test: linear probing over 8-byte slots
// (id + 1, hash), grown at 70% load by re-placing the stored hashes.
class IdTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  template <typename Equal>
  uint32_t find(uint32_t hash, Equal&& equal) const {
    if (slots_.empty()) return kNone;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.id_plus_1 == 0) return kNone;
      if (s.hash == hash && equal(s.id_plus_1 - 1)) return s.id_plus_1 - 1;
    }
  }
  // Adds `id` (not present yet) under `hash`.
  void insert(uint32_t hash, uint32_t id) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    place(slots_, {id + 1, hash});
    ++size_;
  }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint32_t id_plus_1 = 0;
    uint32_t hash = 0;
  };
  static void place(std::vector<Slot>& slots, Slot slot) {
    const size_t mask = slots.size() - 1;
    size_t i = slot.hash & mask;
    while (slots[i].id_plus_1 != 0) i = (i + 1) & mask;
    slots[i] = slot;
  }
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 1024 : slots_.size() * 2);
    for (const Slot& s : slots_) {
      if (s.id_plus_1 != 0) place(bigger, s);
    }
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Distinct strings → dense ids 0, 1, 2 … in order of first insertion, each with a 64-bit
// payload for the caller. A string is stored once, in a record [size, payload, bytes] in
// the arena, and its slot points at the record: a lookup touches the slot and the record
// (two cache lines), not a separate id → string table. Views returned by str() stay valid
// for the interner's lifetime.
class StringInterner {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Entry {
    uint32_t id = kNone;
    uint64_t* payload = nullptr;  // valid while the interner lives
  };

  Entry find(std::string_view s) const { return find(s, hash32(s)); }
  // `hash` must be hash32(s).
  Entry find(std::string_view s, uint32_t hash) const {
    if (slots_.empty()) return {};
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.record == nullptr) return {};
      if (slot.hash == hash && text(slot.record) == s) return {slot.id, payload_of(slot.record)};
    }
  }
  // Adds `s`, which find() did not find, with hash32(s) == hash.
  Entry add(std::string_view s, uint32_t hash, uint64_t payload = 0) {
    if ((records_.size() + 1) * 10 > slots_.size() * 7) grow();
    const auto id = static_cast<uint32_t>(records_.size());
    char* record = arena_.allocate(kHeader + s.size());
    const auto size = static_cast<uint32_t>(s.size());
    std::memcpy(record, &size, sizeof size);
    std::memcpy(record + 8, &payload, sizeof payload);
    if (!s.empty()) std::memcpy(record + kHeader, s.data(), s.size());
    records_.push_back(record);
    place(slots_, {record, hash, id});
    return {id, payload_of(record)};
  }
  // The id of `s`, adding it (payload 0) when new; `added` tells which.
  uint32_t intern(std::string_view s, bool* added = nullptr) {
    const uint32_t h = hash32(s);
    Entry e = find(s, h);
    if (added != nullptr) *added = e.id == kNone;
    return e.id != kNone ? e.id : add(s, h).id;
  }
  std::string_view str(uint32_t id) const { return text(records_[id]); }
  uint64_t payload(uint32_t id) const { return *payload_of(records_[id]); }
  size_t size() const { return records_.size(); }
  size_t memory_bytes() const {
    return arena_.memory_bytes() + slots_.capacity() * sizeof(Slot) +
           records_.capacity() * sizeof(char*);
  }

 private:
  static constexpr size_t kHeader = 16;  // uint32 size, 4 bytes padding, uint64 payload
  struct Slot {
    char* record = nullptr;
    uint32_t hash = 0;
    uint32_t id = 0;
  };
  static std::string_view text(const char* record) {
    uint32_t size;
    std::memcpy(&size, record, sizeof size);
    return {record + kHeader, size};
  }
  static uint64_t* payload_of(char* record) { return reinterpret_cast<uint64_t*>(record + 8); }
  static void place(std::vector<Slot>& slots, const Slot& slot) {
    const size_t mask = slots.size() - 1;
    size_t i = slot.hash & mask;
    while (slots[i].record != nullptr) i = (i + 1) & mask;
    slots[i] = slot;
  }
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 1024 : slots_.size() * 2);
    for (const Slot& s : slots_) {
      if (s.record != nullptr) place(bigger, s);
    }
    slots_.swap(bigger);
  }

  StringArena arena_;
  std::vector<Slot> slots_;
  std::vector<char*> records_;  // by id
};

// uint64 key → uint32 count, linear probing, grows at 70% load. Key UINT64_MAX is reserved.
class CountMap {
 public:
  static constexpr uint64_t kEmpty = UINT64_MAX;

  // Adds n to key's count; true when the key was new.
  bool add(uint64_t key, uint32_t n = 1) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    Slot& s = probe(slots_, key);
    const bool added = s.key == kEmpty;
    if (added) {
      s.key = key;
      ++size_;
    }
    s.count += n;
    return added;
  }
  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) fn(s.key, s.count);
    }
  }

 private:
  struct Slot {
    uint64_t key = kEmpty;
    uint32_t count = 0;
  };
  static uint64_t mix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
  }
  static Slot& probe(std::vector<Slot>& slots, uint64_t key) {
    const size_t mask = slots.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots[i].key == key || slots[i].key == kEmpty) return slots[i];
    }
  }
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 1024 : slots_.size() * 2);
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) probe(bigger, s.key) = s;
    }
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace feedscout::intent::detail
