// One `feedscout mine-intents` run as a library: stream a search log into an IntentMiner,
// write the (Q, D, Q*) pairs as JSON Lines, and render the Markdown report (counts, skipped
// rows, examples, pattern bias). docs/INTENTS.md describes the output.
//
// Not thread-safe (drives one reader and one miner).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/intent/intent_miner.h"
#include "feedscout/intent/search_log_readers.h"

namespace feedscout::intent {

struct LogCounts {
  uint64_t lines = 0;   // lines read
  uint64_t rows = 0;    // searches with at least one click, well-formed
  uint64_t clicks = 0;  // (query, document) clicks accepted by the miner
  SkipTally rejected;   // rows (or clicks) whose query or document id was unusable
};

// Reads every row of `reader` into `miner`. A row whose query is unusable is counted once in
// `rejected` (reason and first file:line) and skipped; an unusable document id rejects only
// that click. Reader-level bad rows stay in reader.skips(). Never fails on input; an internal
// error (ICU unavailable) stops the run.
[[nodiscard]] Result<LogCounts> feed_search_log(SearchLogReader& reader, IntentMiner& miner);

struct PairsWritten {
  uint64_t lines = 0;               // JSON Lines written
  std::vector<MinedPair> examples;  // Q* ≠ Q, at most one per document, most clicks first
  // Views in `examples` point into the miner.
};

// Writes one JSON object per pair (after miner.finish()), fields in this order: query, doc,
// refined, query_clicks, refined_clicks, query_tokens, refined_tokens, candidates, added,
// added_text. `only_refined` keeps the pairs with Q* ≠ Q. Picks up to `examples` examples.
[[nodiscard]] Result<PairsWritten> write_mined_pairs(const IntentMiner& miner,
                                                     const std::string& path, bool only_refined,
                                                     size_t examples);

// Appends one pair as its JSON line (no newline) to `out`.
void append_mined_pair_json(std::string& out, const MinedPair& p);
inline std::string mined_pair_json(const MinedPair& p) {
  std::string out;
  append_mined_pair_json(out, p);
  return out;
}

struct MiningReport {
  std::string command;  // as the user would type it
  std::string input;
  SearchLogFormat format = SearchLogFormat::kSogouQ;
  LogCounts counts;
  std::vector<SkipTally::Entry> skipped;  // reader skips
  std::vector<SkipTally::Entry> ignored;  // rows with nothing to mine
  MiningSummary summary;
  std::vector<MinedPair> examples;
  std::vector<AddedToken> top_tokens;
  std::vector<AddedToken> top_phrases;
  double seconds = 0;
  long peak_rss_kib = 0;
};

std::string render_mining_report(const MiningReport& r);

}  // namespace feedscout::intent
