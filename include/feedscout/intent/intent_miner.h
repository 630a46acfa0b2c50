// Label mining from search logs (issue 5, item 1; method in docs/INTENTS.md).
//
// For every document D, the queries that led to a click on D are collected. For each such
// query Q, the candidates are the other queries clicked on D whose tokens contain all of
// Q's tokens as a multiset (each token at least as often as in Q) and that have strictly more
// tokens than Q. The refined query Q* is the candidate with
//   1. the most tokens (the most information, as in the reference), then
//   2. the most clicks on D, then
//   3. the smallest normalised text in UTF-8 byte order,
// and Q itself when there is no candidate. (A query with as many tokens as Q that contains
// Q's multiset has exactly Q's tokens — a reordering or respacing — and adds nothing.) The
// rule is total, so the output is deterministic for a given log.
//
// Queries are identified by their token sequence (query_normalizer.h): "아이유IU" and
// "아이유 iu" are one query. A query is shown by the normalised text of the spelling that
// had the most clicks (ties: the one seen first).
//
// Pattern bias: for each (Q, D) with Q* ≠ Q, the tokens Q* adds to Q (multiset difference)
// are counted per pair and per distinct Q; the same is counted over every (Q, candidate, D)
// relation. Added text segments (runs of consecutive added tokens) are counted per pair
// and per distinct Q. Tokens added after many unrelated queries ("인스타", "줄거리", "下载")
// are the habits of searchers rather than the content of D.
//
// Memory: one entry per distinct raw query string, distinct normalised query (its tokens),
// distinct token, distinct document id and distinct (query, document) pair — never per log
// row: the log is streamed through add_click(). finish() needs a further 32 bytes per pair.
//
// Not thread-safe: one thread feeds and reads a miner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/intent/query_normalizer.h"

namespace feedscout::intent {

struct MinerOptions {
  QueryNormalizerOptions normalizer;
  size_t max_doc_id_bytes = 4096;
  // Documents with more distinct queries than this use a per-document inverted index
  // (token → queries) to find candidates; below it a scan with a 64-bit token signature is
  // faster. Either way the result is the same.
  size_t index_threshold = 64;
};

// Reasons add_click rejects a document id with (besides the query reasons of
// query_normalizer.h).
inline constexpr std::string_view kReasonEmptyDoc = "empty document id";
inline constexpr std::string_view kReasonDocTooLong = "document id too long";

// One (Q, D) pair and its refined query. Views are valid while the miner lives.
struct MinedPair {
  std::string_view query;    // Q, normalised text
  std::string_view doc;      // D
  std::string_view refined;  // Q* (equal to query when no candidate extends Q)
  uint32_t query_tokens = 0, refined_tokens = 0;
  uint64_t query_clicks = 0;            // clicks on D from Q
  uint64_t refined_clicks = 0;          // clicks on D from Q*
  uint32_t candidates = 0;              // queries clicked on D that strictly extend Q
  std::vector<std::string_view> added;  // Q*'s tokens not in Q, in Q*'s order
  // The same as text: runs of consecutive added tokens ("哄抢救灾物资" → "哄抢救灾物资照片"
  // adds "照片"; "에스파" → "에스파 일본 앨범" adds "일본 앨범").
  std::vector<std::string> added_text;
  bool refined_differs() const { return candidates > 0; }
};

// An added token or text segment and how often it is added.
struct AddedToken {
  std::string token;          // the token, or the text segment for top_added_phrases()
  uint64_t pairs = 0;         // (Q, D) pairs whose Q* adds the token
  uint64_t base_queries = 0;  // distinct Q among those pairs
  uint64_t relations = 0;     // (Q, candidate, D) relations whose candidate adds it (tokens
                              // only; 0 for text segments)
};

struct MiningSummary {
  uint64_t clicks = 0;         // accepted (query, document) clicks
  uint64_t raw_queries = 0;    // distinct query strings as written (valid ones)
  uint64_t queries = 0;        // distinct normalised queries (token sequences)
  uint64_t tokens = 0;         // distinct tokens
  uint64_t documents = 0;      // distinct document ids
  uint64_t pairs = 0;          // distinct (Q, D)
  uint64_t refined_pairs = 0;  // pairs with Q* ≠ Q (after finish())
  uint64_t relations = 0;      // (Q, candidate, D) relations (after finish())
  size_t memory_bytes = 0;     // the miner's own estimate of its tables
};

class IntentMiner {
 public:
  explicit IntentMiner(MinerOptions options = {});
  ~IntentMiner();
  IntentMiner(const IntentMiner&) = delete;
  IntentMiner& operator=(const IntentMiner&) = delete;

  // Records that `raw_query` led to a click on `doc`. When the query is unusable (see the
  // reasons in query_normalizer.h) or the document id is empty or too long, nothing is
  // recorded and the error is InvalidArgument with the reason as its whole message.
  [[nodiscard]] Status add_click(std::string_view raw_query, std::string_view doc);

  // Computes Q* for every pair and the bias counts. Idempotent; a later add_click() makes
  // the next finish() compute again.
  void finish();

  // Every pair, after finish(): documents in order of first click, within a document in the
  // candidate order of the tie rule (most tokens, most clicks, text).
  void for_each_pair(const std::function<void(const MinedPair&)>& fn) const;

  // The `n` tokens most often added by Q* (by pairs, then relations, then token text).
  std::vector<AddedToken> top_added_tokens(size_t n) const;
  // The same for the added text segments (MinedPair::added_text): for scripts tokenised by
  // character, "图片" rather than "图" and "片".
  std::vector<AddedToken> top_added_phrases(size_t n) const;

  MiningSummary summary() const;

  struct Impl;  // opaque: defined in src/intent/miner_state.h

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace feedscout::intent
