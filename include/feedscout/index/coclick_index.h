// Document-to-document co-click neighbours ("people who clicked this also clicked"): the
// engine's item-to-item signal. When a user clicks document a and, within a time window,
// document b, the pair (a, b) gains weight 1 in both directions. Similarity is the cosine of
// the two documents' click-user vectors, estimated as co(a, b) / sqrt(clicks(a) · clicks(b)).
//
// Memory is bounded: each document keeps at most `max_neighbours` neighbours, maintained
// with the Space-Saving rule (a new neighbour of a full list replaces the lightest one and
// inherits its weight + 1), so heavy co-click partners are kept exactly or over-estimated by
// at most the evicted weight, and light ones may be forgotten. Counts do not decay (documents
// expire instead).
//
// Order: the same multiset of pairs gives the same counts in any order until a list fills;
// after that, which light neighbours survive depends on the order.
//
// Not thread-safe: the engine mutates it on its writer thread under its exclusive lock and
// reads it under the shared lock. DocIndex values are those of the DocumentIndex it serves;
// encode/decode use stable 64-bit document keys (doc_key) so a reload can renumber.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

using DocIndex = uint32_t;

struct CoClickConfig {
  size_t max_neighbours = 32;  // per document, >= 1
};

struct CoClickNeighbour {
  DocIndex doc = 0;
  float weight = 0;  // co-click count (Space-Saving estimate)
};

class CoClickIndex {
 public:
  explicit CoClickIndex(CoClickConfig config = {}) : config_(config) {}

  // One click on `doc` (the cosine's denominator).
  void add_click(DocIndex doc);
  // One user clicked both (a != b; a == b is ignored).
  void add_pair(DocIndex a, DocIndex b);

  // Clicks recorded for `doc` (0 when none).
  double clicks(DocIndex doc) const;
  // The neighbour list of `doc`, unordered; empty when none.
  const std::vector<CoClickNeighbour>& neighbours(DocIndex doc) const;
  // co(a, b) / sqrt(clicks(a) · clicks(b)) from a's list, in [0, 1] (capped); 0 when b is
  // not a kept neighbour of a.
  double similarity(DocIndex a, DocIndex b) const;

  // Persistence of one document's state: clicks and neighbours as (doc key, weight).
  // `key_of` maps a DocIndex to its stable key.
  std::string encode(DocIndex doc, const std::function<uint64_t(DocIndex)>& key_of) const;
  // Restores one document's state; neighbours whose key `index_of` cannot resolve are
  // dropped. Corruption on malformed bytes.
  [[nodiscard]] Status decode(DocIndex doc, std::string_view bytes,
                              const std::function<std::optional<DocIndex>(uint64_t)>& index_of);

  size_t documents() const { return lists_.size(); }

 private:
  struct Entry {
    float clicks = 0;
    std::vector<CoClickNeighbour> list;
  };
  Entry& entry(DocIndex doc);
  void bump(DocIndex from, DocIndex to);

  CoClickConfig config_;
  std::vector<Entry> lists_;  // by DocIndex, grown on demand
};

}  // namespace feedscout
