// The collaborative signal: implicit-feedback matrix factorisation (implicit_als.h) over
// users' clicked documents, keyed by document key (context/user_context.h doc_key), for the
// home feed's collaborative candidate source and ranking feature.
//
// Users are not kept: a user's vector is folded in at request time from their current
// clicks (ImplicitAls::fold_in), so a click counts the moment it is applied, and a model
// trained an hour ago serves users it never saw. Documents clicked by fewer than
// min_item_users users are left out of training (their factors would be noise).
//
// Immutable after train(); every const method is safe to call from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/models/implicit_als.h"

namespace feedscout {

struct CollaborativeOptions {
  AlsOptions als;
  size_t min_item_users = 2;  // documents clicked by fewer users are left out (>= 1)
};

// What train() learned from, for logs, /metrics and reports.
struct CollaborativeSummary {
  size_t users = 0;         // users with at least one kept click
  size_t items = 0;         // documents with factors
  size_t interactions = 0;  // kept (user, document) pairs
  double seconds = 0;       // wall time of the ALS training
};

class CollaborativeModel {
 public:
  // `histories[u]` are user u's clicked document keys (any order; repeats add weight).
  // InvalidArgument when options are out of range (ImplicitAls::train's message) or
  // nothing is left to learn from (no document clicked by min_item_users users).
  [[nodiscard]] static Result<std::shared_ptr<const CollaborativeModel>> train(
      const std::vector<std::vector<uint64_t>>& histories, const CollaborativeOptions& options,
      std::string version);

  // The user's vector folded in from their clicked document keys; unknown keys are ignored,
  // none known gives the zero vector (then every score is 0). Size factors().
  std::vector<float> user_vector(std::span<const uint64_t> history) const;
  // The factor-space score of a document for a user vector, or nullopt for a document the
  // model does not know.
  std::optional<float> score(std::span<const float> user_vector, uint64_t doc_key) const;
  // The k best-scoring documents, best first (ties by training order), skipping those for
  // which exclude(key) is true; only positive scores.
  std::vector<std::pair<uint64_t, float>> top_k(
      std::span<const float> user_vector, size_t k,
      const std::function<bool(uint64_t doc_key)>& exclude) const;
  // Of `history`, the known document most similar to `doc_key` (cosine of item factors): the
  // anchor a collaborative reason names. nullopt when either is unknown.
  std::optional<uint64_t> nearest_in_history(std::span<const uint64_t> history,
                                             uint64_t doc_key) const;

  bool knows(uint64_t doc_key) const { return item_of_.count(doc_key) > 0; }
  size_t factors() const { return als_.factors(); }
  const std::string& version() const { return version_; }
  const CollaborativeSummary& summary() const { return summary_; }

  // Built by train() only (the key is private).
  struct ConstructionKey {
   private:
    friend class CollaborativeModel;
    ConstructionKey() = default;
  };
  CollaborativeModel(ConstructionKey, ImplicitAls als, std::vector<uint64_t> keys,
                     std::string version, CollaborativeSummary summary);

 private:
  ImplicitAls als_;
  std::vector<uint64_t> key_of_;                    // item index -> document key
  std::unordered_map<uint64_t, uint32_t> item_of_;  // document key -> item index
  std::string version_;
  CollaborativeSummary summary_;
};

}  // namespace feedscout
