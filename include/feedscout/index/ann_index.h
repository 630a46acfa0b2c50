// Approximate nearest-neighbour search over document embeddings (issue 6), on hnswlib
// (Debian libhnswlib-dev 0.6.2, header-only; no hnswlib type appears here).
//
// Similarity is cosine: every vector is L2-normalised on the way in (add and search), and
// the index runs hnswlib's inner-product space, so similarity = dot(q, v) in -1..1. A zero,
// non-finite or wrong-length vector is InvalidArgument.
//
// Keys are the caller's 64-bit document keys (e.g. fnv1a64 of the document id); the index
// maps them to hnswlib slots itself. add() of a new key takes a slot freed by remove() when
// there is one (hnswlib 0.6.2 has no allow_replace_deleted, so the index keeps its own free
// list and re-uses the slot by overwriting it), else a fresh slot, growing the capacity by
// doubling when full. add() of a present key replaces its vector in place.
//
// Thread safety: all methods may be called from any thread. An internal reader/writer lock
// lets searches, save(), size() etc. run concurrently with each other, while add(), remove()
// take it exclusively. The engine must still keep the index consistent with its own
// document store (e.g. add/remove under its writer); filters run under the shared lock and
// must not call back into this index.
//
// Errors: hnswlib's exceptions are caught inside the module and returned as Status.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

struct AnnIndexConfig {
  size_t dimension = 64;  // vector length d, >= 1
  // hnswlib graph degree (2*M links on the base layer), >= 2.
  size_t m = 24;
  size_t ef_construction = 200;  // candidate list while inserting, >= 1
  // Candidate list while searching (raised to k when k is larger), >= 1. With the defaults,
  // recall@10 against exact cosine is >= 0.95 on 10,000 random unit vectors of d = 64
  // (tests/index/ann_index_test.cc prints the measured value; docs/EMBEDDINGS.md).
  size_t ef_search = 128;
  size_t initial_capacity = 1024;  // slots allocated up front; doubles when full
  uint64_t seed = 100;             // hnswlib's level generator
};

struct AnnHit {
  uint64_t key = 0;
  float similarity = 0;  // cosine, -1..1

  bool operator==(const AnnHit&) const = default;
};

// max_candidates of the serving paths' filtered searches (home feed, search feed): a heavy
// reader has seen most neighbours of a vector, and an uncapped filtered search would then
// widen to the whole index (docs/EMBEDDINGS.md, docs/PERFORMANCE.md).
inline constexpr size_t kServingAnnCandidates = 256;

// Returns true for keys the search may return.
using AnnFilter = std::function<bool(uint64_t key)>;

class AnnIndex {
 public:
  // InvalidArgument on a zero dimension, m < 2, ef_construction or ef_search 0.
  [[nodiscard]] static Result<std::unique_ptr<AnnIndex>> create(const AnnIndexConfig& config);

  // A fresh index holding `items` (key, vector of d floats); a repeated key keeps its last
  // vector. Fails on the first bad vector (InvalidArgument naming its key). Used on start
  // when no saved index exists or the saved one is unusable.
  [[nodiscard]] static Result<std::unique_ptr<AnnIndex>> rebuild(
      const AnnIndexConfig& config,
      const std::vector<std::pair<uint64_t, std::vector<float>>>& items);

  // Reads a file written by save(). `expected_dimension` (0: any) must equal the stored
  // dimension, else InvalidArgument naming both. A missing file is NotFound; a truncated,
  // corrupt or foreign file is Corruption; every message names the path. ef_search and the
  // other parameters come from the file.
  [[nodiscard]] static Result<std::unique_ptr<AnnIndex>> load(const std::string& path,
                                                              size_t expected_dimension = 0);

  ~AnnIndex();
  AnnIndex(const AnnIndex&) = delete;
  AnnIndex& operator=(const AnnIndex&) = delete;

  // Inserts or replaces `key`. `vector` has d floats (normalised here).
  [[nodiscard]] Status add(uint64_t key, std::span<const float> vector);
  // NotFound when `key` is absent. Its slot is reused by a later add().
  [[nodiscard]] Status remove(uint64_t key);
  bool contains(uint64_t key) const;
  // The stored (normalised) vector of `key`, d floats; NotFound when absent.
  [[nodiscard]] Result<std::vector<float>> get(uint64_t key) const;

  // At most k hits, most similar first (ties: smaller key first), only keys for which
  // `filter` (when set) is true. With a filter the search asks hnswlib for more
  // candidates (4k + 16, doubling up to every live key, or up to max_candidates when that is
  // not 0) until k pass or none are left: without a cap a very selective filter costs up to
  // an exhaustive search; with one, fewer than k hits may come back. Serving paths cap it.
  [[nodiscard]] Result<std::vector<AnnHit>> search(std::span<const float> query, size_t k,
                                                   const AnnFilter& filter = {},
                                                   size_t max_candidates = 0) const;

  // Writes the whole index to `path` atomically (a temporary file in the same directory,
  // then rename). Format, little-endian: docs/EMBEDDINGS.md ("FSANNIX1" header with the
  // dimension, parameters and counts, the key table, hnswlib's own bytes, FNV-1a checksum).
  [[nodiscard]] Status save(const std::string& path) const;

  size_t size() const;      // live keys
  size_t capacity() const;  // allocated slots (live + free + unused)
  size_t dimension() const { return config_.dimension; }
  const AnnIndexConfig& config() const { return config_; }

 private:
  struct Impl;
  AnnIndex(const AnnIndexConfig& config, std::unique_ptr<Impl> impl);

  AnnIndexConfig config_;
  std::unique_ptr<Impl> impl_;
};

// L2-normalises `v` in place; false (v unchanged) when v is zero or has a non-finite value.
bool l2_normalize(std::vector<float>& v);

}  // namespace feedscout
