// The engine's side of interest keywords (issue 5, the fourth context): the extractor chosen
// in config ([keywords]) over the index's word statistics, and the step that feeds one event's
// keywords into the user's context. Writer thread only (the index and the context are mutated
// under the engine's exclusive lock).
#pragma once

#include <memory>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/context/user_context.h"
#include "feedscout/engine/config.h"
#include "feedscout/index/document_index.h"
#include "feedscout/intent/keyword_extractor.h"

namespace feedscout {

// The extractor config.extractor names: "statistical" (the embedded default) or "none"
// (nullptr). `weights` must outlive it.
[[nodiscard]] Result<std::unique_ptr<intent::KeywordExtractor>> make_keyword_extractor(
    const KeywordsConfig& config, const intent::WordWeights& weights);

// Extracts the keywords of a search (its query and clicked documents, on the search surface)
// or a click (the clicked documents, on the event's surface) and adds them to `user`.
// Impressions say nothing about interests and are ignored. `docs` are the event's documents
// the index knows (duplicates allowed). Returns the number of keywords added.
size_t record_keywords(UserContext& user, const Event& event, const std::vector<DocIndex>& docs,
                       const DocumentIndex& index, const intent::KeywordExtractor& extractor,
                       const ContextConfig& config);

}  // namespace feedscout
