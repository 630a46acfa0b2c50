// The engine's side of search-intent refinement (issue 5): word statistics from the document
// index for the refiner, the refiner chosen in config, and the step that refines a user's
// recent search after a search event with clicks. Writer thread only (the index and the
// user's context are mutated under the engine's exclusive lock).
#pragma once

#include <memory>
#include <string_view>

#include "feedscout/common/status.h"
#include "feedscout/context/user_context.h"
#include "feedscout/engine/config.h"
#include "feedscout/index/document_index.h"
#include "feedscout/intent/refiner.h"

namespace feedscout {

// intent::WordWeights over the document index's word document frequencies. Reads the index
// without locking: callers hold the engine's lock (shared or exclusive).
class IndexWordWeights final : public intent::WordWeights {
 public:
  explicit IndexWordWeights(const DocumentIndex& index) : index_(index) {}
  double idf(std::string_view word) const override { return index_.word_idf(word); }
  bool known(std::string_view word) const override { return index_.word_doc_count(word) > 0; }

 private:
  const DocumentIndex& index_;
};

// The refiner config.intent names (nullptr for "none"). Errors: an unreadable mined table.
[[nodiscard]] Result<std::unique_ptr<intent::QueryRefiner>> make_refiner(
    const IntentConfig& config, const intent::WordWeights& weights);

// Refines `user`'s recent search `query` from its clicked documents (those the index knows).
// Returns the source used (kNone: nothing stored — no known clicked document, a query without
// words, or the search already left the list).
intent::RefinementSource refine_recent_search(UserContext& user, std::string_view query,
                                              const DocumentIndex& index,
                                              const intent::QueryRefiner& refiner);

}  // namespace feedscout
