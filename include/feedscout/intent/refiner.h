// Search-intent refinement (issue 5): a query Q and the documents D clicked for it become a
// refined query Q* that says what the user was after ("에스파" + a document about their
// Japanese album → "에스파 일본 앨범"), served right after the search (AfterSearch) and kept
// as the user's third context.
//
// Refiners behind one interface, chosen in config ([intent] refiner):
//   - ExtractiveRefiner (embedded default): Q followed by the most salient words of D that
//     are not in Q, in the order they appear in D, within a token and byte budget;
//   - MinedRefiner: the (Q, D) → Q* table written by `feedscout mine-intents`, falling back
//     to another refiner when (Q, D) was never seen.
// Several clicked documents are used together (their words pooled), as in the reference.
//
// Contract for every refiner: the answer is never empty, starts with Q's own text (trimmed)
// unless a mined Q* replaces it, and never exceeds the budget (max_tokens words,
// max_bytes bytes, cut at a word boundary). Pure functions of their input and the table;
// safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout::intent {

enum class RefinementSource : uint8_t {
  kNone = 0,
  kExtractive = 1,
  kMined = 2,
  kLanguageModel = 3
};
const char* refinement_source_name(RefinementSource s);  // "none", "extractive", ...

// A clicked document as the refiner sees it.
struct ClickedDocument {
  std::string_view id;
  // Candidate words in text order (title words first), already normalised as text::words
  // does; `title_words` of them come from the title.
  std::vector<std::string_view> words;
  size_t title_words = 0;
  // The raw title and body, when the caller has them (the language-model refiner needs
  // them; the extractive and mined refiners do not).
  std::string_view title;
  std::string_view body;
};

// How rare a word is in the collection: higher is more informative (e.g. BM25's idf).
// Unknown words should get the highest weight. Must be thread-safe.
class WordWeights {
 public:
  virtual ~WordWeights() = default;
  virtual double idf(std::string_view word) const = 0;
  // Whether `word` occurs as a whole word anywhere (used to strip Korean particles only when
  // the stripped form is itself a known word: "축구를" → "축구", but "고양이" stays).
  virtual bool known(std::string_view word) const = 0;
};

struct RefinerOptions {
  size_t max_added_words = 3;  // words of D appended to Q
  size_t max_tokens = 8;       // words in Q* (Q's own words first; Q is cut if longer)
  size_t max_bytes = 120;      // bytes in Q*
  double title_weight = 2.0;   // a title word counts this much more than a body word
  double min_idf = 1.0;        // words at least this rare are candidates
};

struct Refinement {
  std::string query;  // Q*
  RefinementSource source = RefinementSource::kNone;
};

class QueryRefiner {
 public:
  virtual ~QueryRefiner() = default;
  // Errors: a query with no word at all (only punctuation, emoji or spaces) is
  // InvalidArgument; the caller keeps Q as it is.
  [[nodiscard]] virtual Result<Refinement> refine(
      std::string_view query, const std::vector<ClickedDocument>& docs) const = 0;
};

// Q's words, normalised like document words (text::words), with a Korean particle removed
// where `weights` knows the stripped word.
std::vector<std::string> query_words(std::string_view query, const WordWeights& weights);

// "축구를" → "축구" when known("축구"); otherwise the word itself.
std::string strip_korean_particle(std::string_view word, const WordWeights& weights);

// Q* = Q + salient words; see the file comment. `weights` must outlive the refiner.
class ExtractiveRefiner final : public QueryRefiner {
 public:
  ExtractiveRefiner(const WordWeights& weights, RefinerOptions options)
      : weights_(weights), options_(options) {}
  [[nodiscard]] Result<Refinement> refine(std::string_view query,
                                          const std::vector<ClickedDocument>& docs) const override;
  const RefinerOptions& options() const { return options_; }

 private:
  const WordWeights& weights_;
  RefinerOptions options_;
};

// The mined (Q, D) → Q* table. Keys are Q's normalised tokens (query_key) and the
// document id; when several clicked documents have an entry, the longest Q* (most words,
// then bytes, then lexicographically smallest) wins. Q* is cut to the budget like any answer.
class MinedRefiner final : public QueryRefiner {
 public:
  // Reads JSON Lines with string fields "query", "doc" and "refined" (mine-intents output;
  // other fields ignored). Bad lines are errors naming the line; an empty table is allowed.
  [[nodiscard]] static Result<std::unique_ptr<MinedRefiner>> load(
      const std::string& path, std::unique_ptr<QueryRefiner> fallback, RefinerOptions options);
  // For tests and tools: a table built in memory.
  MinedRefiner(std::unordered_map<std::string, std::string> table,
               std::unique_ptr<QueryRefiner> fallback, RefinerOptions options)
      : table_(std::move(table)), fallback_(std::move(fallback)), options_(options) {}

  [[nodiscard]] Result<Refinement> refine(std::string_view query,
                                          const std::vector<ClickedDocument>& docs) const override;
  size_t size() const { return table_.size(); }

 private:
  std::unordered_map<std::string, std::string> table_;  // query_key + '\t' + doc id → Q*
  std::unique_ptr<QueryRefiner> fallback_;
  RefinerOptions options_;
};

// The table key of a query: the tokens of intent::normalize_query (NFKC_Casefold; one token
// per character in scripts written without spaces) joined by single spaces — the mining
// command's tokenisation, so "ＩＵ 콘서트" finds a pair mined as "iu 콘서트". "" when the
// query has no token.
std::string query_key(std::string_view query);

// `text` cut to at most max_tokens whitespace-separated words and max_bytes bytes, at a word
// boundary (a first word longer than max_bytes is cut at a UTF-8 boundary).
std::string fit_budget(std::string_view text, size_t max_tokens, size_t max_bytes);

}  // namespace feedscout::intent
