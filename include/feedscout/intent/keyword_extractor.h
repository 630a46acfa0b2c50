// Interest keywords (issue 5, the fourth user context): a search's query and the documents
// clicked for it — or a clicked document alone — become weighted keywords and entities that
// say what the user cares about ("에스파" + "에스파 일본 정규 앨범 발매" → 에스파, 일본, 앨범,
// ...). The user context (context/interest_keywords.h) accumulates them over time and tells
// lasting interests from one-off errands; extractors only look at one event.
//
// Extractors behind one interface:
//   - StatisticalKeywordExtractor (embedded default, here): the query's words (Korean particles
//     stripped) and the clicked documents' salient words weighted by idf, plus adjacent-word
//     bigrams as entities when they recur within the event;
//   - LlmKeywordExtractor (llm_keyword_extractor.h): a language model with JSON-schema-
//     constrained output, guarded, falling back to an extractor of this file.
//
// Contract for every extractor: keywords are normalised (normalize_keyword: text::words joined
// by single spaces, so lower-case ASCII), distinct, non-empty, each with a weight in (0, 1],
// highest weight first (ties by text), at most the extractor's max_keywords. Input without a
// usable word (empty, emoji, punctuation only) gives an empty list, not an error. extract() is
// a pure function of the input (and, for the language model, its answer); safe to call from
// many threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/intent/refiner.h"

namespace feedscout::intent {

enum class KeywordKind : uint8_t { kKeyword = 0, kEntity = 1 };
const char* keyword_kind_name(KeywordKind k);  // "keyword", "entity"

struct Keyword {
  std::string text;  // normalised (normalize_keyword)
  KeywordKind kind = KeywordKind::kKeyword;
  double weight = 0;  // (0, 1]
};

// A clicked document as extractors see it. Views into the caller's storage, which must
// outlive the call.
struct KeywordDocument {
  std::string_view title;  // the raw title (prompts, guards); may be empty
  std::string_view body;   // the raw body (prompts, guards); may be empty (the index keeps none)
  // Candidate words in text order, title words first, normalised as text::words does
  // (DocRecord::salient split at spaces); the first `title_words` come from the title.
  std::vector<std::string_view> words;
  size_t title_words = 0;
};

struct KeywordInput {
  std::string_view query;  // the search query; empty for a click outside search
  std::vector<KeywordDocument> docs;
};

struct KeywordOptions {
  size_t max_keywords = 8;      // keywords (entities included) per event, >= 1
  double min_idf = 1.0;         // document words at least this rare are candidates
  double title_weight = 1.0;    // weight of a title word of idf ≥ the event's highest idf
  double body_weight = 0.5;     // the same for a body word (salient words after the title)
  double query_weight = 1.0;    // weight of a word the user typed
  size_t max_entity_words = 2;  // entities are adjacent-word n-grams up to this length (2..4)
};

// text::words of `text` joined by single spaces ("" when none): "  에스파, 일본!" → "에스파 일본".
std::string normalize_keyword(std::string_view text);

// True for words never worth keeping as an interest: a small built-in list of Korean and
// English function words and generic nouns ("관련", "후기", "방법", "the", ...), digits only, or
// a single code point. `word` is one normalised word.
bool is_keyword_stopword(std::string_view word);

class KeywordExtractor {
 public:
  virtual ~KeywordExtractor() = default;
  // Errors: only extractors that call out (the language model without a fallback).
  [[nodiscard]] virtual Result<std::vector<Keyword>> extract(const KeywordInput& input) const = 0;
  virtual std::string describe() const = 0;
};

// The embedded default. For every candidate word w (Korean particles stripped with
// strip_korean_particle, stopwords dropped), summed over the places it occurs once each:
//   typed in the query:            query_weight
//   a title word of a clicked doc: title_weight · min(1, idf(w) / idf_max)
//   a body word of a clicked doc:  body_weight  · min(1, idf(w) / idf_max)
// where idf_max is the highest idf among the event's document candidates (document words
// with idf < min_idf are skipped; query words are always kept). weight(w) = min(1, sum).
// Entities: n-grams (2..max_entity_words) of adjacent words in the query or in a document
// title that occur in at least two of those places (the query, each clicked title) — the
// user typed it and the document says it, or two clicked documents agree — weighted by the
// mean of their words' weights. Deterministic. `weights` must outlive the extractor.
class StatisticalKeywordExtractor final : public KeywordExtractor {
 public:
  StatisticalKeywordExtractor(const WordWeights& weights, KeywordOptions options)
      : weights_(weights), options_(options) {}
  [[nodiscard]] Result<std::vector<Keyword>> extract(const KeywordInput& input) const override;
  std::string describe() const override { return "statistical"; }
  const KeywordOptions& options() const { return options_; }

 private:
  const WordWeights& weights_;
  KeywordOptions options_;
};

// Sorts by weight (highest first, ties by text), merges equal texts (larger weight; entity
// wins over keyword), clamps weights to (0, 1] dropping non-positive ones, and keeps at most
// `max_keywords`. Shared by the extractors.
void finish_keywords(std::vector<Keyword>& keywords, size_t max_keywords);

}  // namespace feedscout::intent
