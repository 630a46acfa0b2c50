// Private to src/intent: the state of IntentMiner, shared by intent_miner.cc (collecting
// clicks, reading results) and refine_pairs.cc (computing Q* and the bias counts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "feedscout/intent/intent_miner.h"
#include "interning.h"

namespace feedscout::intent {

struct IntentMiner::Impl {
  static constexpr uint32_t kNone = detail::StringInterner::kNone;

  // A distinct query string as written: the payload of its entry in `raw`.
  struct RawQuery {
    uint32_t query = kNone;  // normalised query id, kNone when the string is unusable
    uint32_t aux = 0;        // clicks (saturated), or the index into kQueryReasons if unusable
    uint64_t pack() const { return uint64_t{aux} << 32 | query; }
    static RawQuery unpack(uint64_t v) {
      return {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
    }
  };
  // A distinct normalised query: its tokens live in ordered_tokens / sorted_tokens at
  // [begin, begin + count).
  struct Query {
    uint32_t begin = 0;
    uint32_t count = 0;
    uint64_t signature = 0;  // bit (token hash % 64) set for every token
    uint32_t first_raw = 0;  // the spelling whose text display[] holds (first seen, until
                             // choose_display() picks the most clicked one)
  };
  // One (Q, D) pair with its result. `order` sorts pairs by document, then by the tie rule
  // (doc << 32 | (0xFFFF - tokens) << 16 | (0xFFFF - clicks), both saturated; exact ties
  // of the saturated fields are resolved by clicks, then text).
  struct Pair {
    uint64_t order = 0;
    uint32_t query = 0, refined = 0;
    uint32_t clicks = 0, refined_clicks = 0;
    uint32_t candidates = 0, tokens = 0;
    uint32_t doc() const { return static_cast<uint32_t>(order >> 32); }
  };
  struct TokenCounts {
    uint64_t pairs = 0, base_queries = 0, relations = 0;
  };

  MinerOptions options;
  detail::StringInterner raw, tokens, docs;  // raw: payload RawQuery
  std::vector<Query> queries;                // by query id
  detail::IdTable query_ids;                 // token-id sequence → query id
  std::vector<uint32_t> ordered_tokens, sorted_tokens;
  std::vector<uint8_t> token_unspaced;    // by token id: its first character is_unspaced_script
  std::vector<std::string_view> display;  // by query id: normalised text of a spelling
  detail::StringArena display_text;       // the bytes of display[]
  std::vector<uint32_t> scratch_ids;
  mutable std::vector<uint32_t> scratch_remaining;  // added_phrases()
  detail::CountMap pair_clicks;                     // (doc << 32 | query) → clicks
  uint64_t clicks = 0, valid_raw = 0;

  // Results of finish().
  bool finished = false;
  std::vector<Pair> pairs;
  std::vector<TokenCounts> token_counts;   // by token id
  detail::StringInterner phrases;          // added text segments ("图片", "줄거리")
  std::vector<TokenCounts> phrase_counts;  // by phrase id
  uint64_t refined_pairs = 0, relations = 0;

  uint32_t ntok(uint32_t q) const { return queries[q].count; }
  const uint32_t* sorted_begin(uint32_t q) const { return &sorted_tokens[queries[q].begin]; }
  const uint32_t* sorted_end(uint32_t q) const { return sorted_begin(q) + queries[q].count; }
  const uint32_t* ordered_begin(uint32_t q) const { return &ordered_tokens[queries[q].begin]; }

  // Whether query c's token multiset contains query q's.
  bool contains(uint32_t c, uint32_t q) const;
  // Distinct tokens of c not in q (multiset difference), ascending ids.
  void added_tokens(uint32_t c, uint32_t q, std::vector<uint32_t>& out) const;
  // The text segments c adds to q: runs of consecutive added tokens in c's order (each of
  // q's tokens matches its first unmatched occurrence in c), joined without a space between
  // two characters of an unspaced script, with one space otherwise.
  void added_phrases(uint32_t c, uint32_t q, std::vector<std::string>& out) const;
  // Sets display[] to the normalised text of each query's most clicked spelling (ties: the
  // first seen).
  void choose_display();
};

}  // namespace feedscout::intent
