// Documents as the search-intent refiner sees them during evaluation (issue 5, eval-intents),
// built the way the engine builds them, so that the evaluated ExtractiveRefiner gets the same
// input it gets in production:
//   - candidate words: DocumentIndex's DocRecord::salient rule — the distinct text::words of
//     the title, then of the body, in text order, at most `max_words` (the engine's
//     IndexConfig::salient_words, 16), the first `title_words` of them from the title;
//   - word weights: DocumentIndex::word_idf's formula over the evaluation collection,
//     idf(w) = ln(1 + (N - df(w) + 0.5) / (df(w) + 0.5)), df counting documents whose title
//     or body has w as a text::words word; an unknown word gets the highest weight.
// Document text comes from the engine's document JSON Lines (read_document_texts) or, when a
// log has no document text (SogouQ), from a query-click surrogate made by the caller (the
// queries that led to clicks on the document, as its body).
//
// CorpusWordWeights is immutable after the last add_document() and then thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/intent/search_log_readers.h"

namespace feedscout {

// A document's candidate words for intent::ExtractiveRefiner (see the file comment).
struct RefinerDocument {
  std::string id;
  std::vector<std::string> words;
  size_t title_words = 0;
  std::string title, body;  // the raw text, for refiners that read it (language model)
  // The refiner's view; valid while this object lives unchanged.
  intent::ClickedDocument view() const;
};

RefinerDocument make_refiner_document(std::string id, std::string_view title, std::string_view body,
                                      size_t max_words = 16);

// intent::WordWeights over a document collection (see the file comment).
class CorpusWordWeights final : public intent::WordWeights {
 public:
  void add_document(std::string_view title, std::string_view body);
  double idf(std::string_view word) const override;
  bool known(std::string_view word) const override { return df_.count(std::string(word)) > 0; }
  size_t documents() const { return documents_; }

 private:
  std::unordered_map<std::string, uint32_t> df_;
  size_t documents_ = 0;
};

// A document's id and text from the engine's document JSON Lines (docs/FORMATS.md).
struct DocumentText {
  std::string id, title, body;
};

// Reads `path`: one JSON object per line with a non-empty string "id" and optional string
// "title" and "body" (other fields ignored, so a labelled or unlabelled file works without a
// taxonomy). Bad lines — invalid UTF-8, broken JSON, a missing or empty id, a non-string
// title/body, a repeated id (the first one is kept), a line over `max_line_bytes` — are
// skipped and counted in `skips` with their first "path:line"; blank lines are ignored.
// Errors: NotFound naming the path when it cannot be opened.
[[nodiscard]] Result<std::vector<DocumentText>> read_document_texts(
    const std::string& path, intent::SkipTally& skips, size_t max_line_bytes = size_t{1} << 22);

}  // namespace feedscout
