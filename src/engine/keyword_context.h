// The engine's side of interest keywords (issue 5, the fourth context): the extractor chosen
// in config ([keywords]) over the index's word statistics, and the step that feeds one event's
// keywords into the user's context. Writer thread only (the index and the context are mutated
// under the engine's exclusive lock).
#pragma once

#include <memory>
#include <unordered_map>
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

// The keywords of a click on one document, memoised per document. An extractor's answer
// for such a click depends only on the document's words and the index's word statistics
// (idf, known words), which change only when a document is added: the memo is emptied
// whenever the index's size differs from the one it was filled at, so a hit equals a fresh
// extraction. At most max_documents documents are kept (then it starts again empty); each
// costs about its keywords' text. Not thread-safe (the writer thread's).
class ClickKeywordCache {
 public:
  static constexpr size_t kDefaultMaxDocuments = 65536;
  explicit ClickKeywordCache(size_t max_documents = kDefaultMaxDocuments)
      : max_documents_(max_documents) {}

  // The memoised keywords of `doc` at index size `index_size`, or null (a miss).
  const std::vector<intent::Keyword>* find(DocIndex doc, size_t index_size);
  // Keeps `keywords` as doc's at `index_size`.
  void put(DocIndex doc, size_t index_size, std::vector<intent::Keyword> keywords);

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  size_t max_documents_;
  size_t index_size_ = 0;
  std::unordered_map<DocIndex, std::vector<intent::Keyword>> by_doc_;
  size_t hits_ = 0, misses_ = 0;
};

// Extracts the keywords of a search (its query and clicked documents, on the search surface)
// or a click (the clicked documents, on the event's surface) and adds them to `user`.
// Impressions say nothing about interests and are ignored. `docs` are the event's documents
// the index knows (duplicates allowed). A click on one document goes through `cache` when it
// is not null (the same keywords, without extracting them again). Returns the number of
// keywords added.
size_t record_keywords(UserContext& user, const Event& event, const std::vector<DocIndex>& docs,
                       const DocumentIndex& index, const intent::KeywordExtractor& extractor,
                       const ContextConfig& config, ClickKeywordCache* cache);

}  // namespace feedscout
