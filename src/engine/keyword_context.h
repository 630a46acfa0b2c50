// The engine's side of interest keywords (issue 5, the fourth context): the extractor chosen
// in config ([keywords]) over the index's word statistics, and the step that feeds one event's
// keywords into the user's context. Writer thread only (the index and the context are mutated
// under the engine's exclusive lock).
#pragma once

#include <memory>
#include <string>
#include <string_view>
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

// Extracted keywords, memoised per extractor input: a query (empty for a click) with its
// distinct documents. The engine memoises clicks only (record_keywords). An extractor's answer
// depends only on that input and the index's word statistics (idf, known words), which change only
// when a document is added: the memo is emptied whenever the index's size differs from the one it
// was filled at, so a hit equals a fresh extraction. At most max_entries inputs are kept
// (then it starts again empty); each costs about its key and its keywords' text. Not
// thread-safe (the writer thread's).
class KeywordMemo {
 public:
  static constexpr size_t kDefaultMaxEntries = 65536;
  explicit KeywordMemo(size_t max_entries = kDefaultMaxEntries) : max_entries_(max_entries) {}

  // The memo's key for a query ("" for a click) and distinct, sorted documents.
  static std::string key(std::string_view query, const std::vector<DocIndex>& docs);

  // The memoised keywords of `key` at index size `index_size`, or null (a miss).
  const std::vector<intent::Keyword>* find(const std::string& key, size_t index_size);
  // Keeps `keywords` as key's at `index_size`.
  void put(std::string key, size_t index_size, std::vector<intent::Keyword> keywords);

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  size_t max_entries_;
  size_t index_size_ = 0;
  std::unordered_map<std::string, std::vector<intent::Keyword>> by_key_;
  size_t hits_ = 0, misses_ = 0;
};

// Extracts the keywords of a search (its query and clicked documents, on the search surface)
// or a click (the clicked documents, on the event's surface) and adds them to `user`.
// Impressions say nothing about interests and are ignored. `docs` are the event's documents
// the index knows (duplicates allowed). A click's extraction goes through `memo` when it is
// not null (the same keywords, without extracting them again); a search's never does.
// Returns the number of keywords added.
size_t record_keywords(UserContext& user, const Event& event, const std::vector<DocIndex>& docs,
                       const DocumentIndex& index, const intent::KeywordExtractor& extractor,
                       const ContextConfig& config, KeywordMemo* memo);

}  // namespace feedscout
