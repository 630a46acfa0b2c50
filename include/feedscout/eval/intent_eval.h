// Evaluation of search-intent refinement on held-out mined pairs (issue 5, `feedscout
// eval-intents`; numbers and commands in docs/EVALUATION.md).
//
// Split, without look-ahead:
//   1. the log's searches with clicks (intent::SearchLogReader; at most `limit` of them) are
//      sorted by time (ties: file order); the first floor((1 - holdout) × n) are TRAIN, the
//      rest TEST;
//   2. GOLD: intent::IntentMiner over the FULL log (train + test). The evaluated pairs are the
//      mined (Q, D) pairs that occur in the test part (a test click of D from a query with
//      Q's tokens); their label is the miner's Q* on the full log;
//   3. the methods see the train part only.
// Methods, all answering every evaluated pair from Q and the one document D:
//   query only        Q* = Q (Q's normalised text, as the miner shows it);
//   mined lookup      intent::MinedRefiner over the pairs mined from TRAIN, written as
//                     `mine-intents --only-refined` writes them (<work_dir>/train_mined.jsonl)
//                     and loaded by MinedRefiner::load — exactly what the engine loads; a
//                     (Q, D) without an entry answers Q;
//   extractive        intent::ExtractiveRefiner over D's candidate words (intent_corpus.h) and
//                     idf over the document collection: the documents file's title/body when
//                     given, else query-click SURROGATE documents — the distinct train queries
//                     that led to a click on D, in time order, joined by spaces, as the body
//                     (a D never clicked in train has no words; the refiner then answers Q);
//   mined + extractive  the engine's `refiner = "mined"` configuration: the mined lookup,
//                     falling back to the extractive refiner;
//   language model    only when the caller passes a refiner (the hook `language_model`).
// Every method gets the same RefinerOptions budget. A refiner error (a query without words)
// answers Q and is counted. Scores: intent_metrics.h, averaged over all evaluated pairs and
// over the subset whose gold Q* ≠ Q.
//
// Bad rows never stop the run: the reader's skipped rows, rows with nothing to mine and
// unusable queries or document ids are counted per reason with the first file:line. Errors:
// NotFound naming a missing log or documents file, InvalidArgument for options out of range
// or a log too small to split, IOError when work_dir cannot be written.
//
// Not thread-safe (one call runs one evaluation); memory holds every row of the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/eval/intent_metrics.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/intent/search_log_readers.h"

namespace feedscout {

struct IntentEvalOptions {
  std::string input;  // the search log
  intent::SearchLogFormat format = intent::SearchLogFormat::kEvents;
  std::string documents;  // engine document JSON Lines; "" = query-click surrogates
  double holdout = 0.2;   // share of the time-sorted rows in TEST, in (0, 1)
  size_t limit = 0;       // read at most this many searches with clicks (0 = all)
  std::string work_dir;   // required: where train_mined.jsonl is written
  intent::RefinerOptions refiner;
  size_t salient_words = 16;  // candidate words per document (IndexConfig::salient_words)
  size_t examples = 12;       // example pairs kept for the report
  // The language-model refiner (intent/llm_refiner.h): when set, called once with the
  // evaluation corpus's word weights (which outlive the refiner) and evaluated as the
  // "language model" method. When unset the report says the row was not run, with
  // `language_model_note` as the reason.
  std::function<std::unique_ptr<intent::QueryRefiner>(const intent::WordWeights&)>
      make_language_model;
  std::string language_model_note = "no language-model server configured";
};

// One evaluated (Q, D) pair.
struct IntentEvalPair {
  std::string query;                 // Q, normalised (the full-log miner's spelling)
  std::string doc;                   // D
  std::string gold;                  // Q* mined on the full log
  bool seen_in_train = false;        // (Q, D) was also clicked in the train part
  bool doc_has_text = false;         // D had words for the extractive refiner
  std::vector<std::string> answers;  // one per method, in IntentEvalResult::methods order
  std::vector<IntentScores> scores;  // the same order
  bool refined() const { return gold != query; }
};

struct IntentMethodResult {
  std::string name;       // "query only", "mined lookup", ...
  IntentScores all;       // means over every evaluated pair
  IntentScores refined;   // means over the pairs with gold Q* ≠ Q
  size_t errors = 0;      // refiner errors (answered Q)
  size_t changed = 0;     // pairs answered with something other than Q
  size_t table_hits = 0;  // answers taken from the mined table (source "mined")
};

struct IntentEvalResult {
  // The log.
  uint64_t lines = 0;  // lines read
  uint64_t rows = 0;   // searches with clicks used (after `limit`)
  uint64_t train_rows = 0, test_rows = 0;
  uint64_t train_clicks = 0, test_clicks = 0;      // (query, document) clicks accepted
  TimeMs first_ms = 0, split_ms = 0, last_ms = 0;  // first row, first TEST row, last row
  std::vector<intent::SkipTally::Entry> skipped;   // bad rows (reader)
  std::vector<intent::SkipTally::Entry> ignored;   // rows with nothing to mine (reader)
  std::vector<intent::SkipTally::Entry> rejected;  // unusable queries / document ids
  // Mining.
  uint64_t full_pairs = 0, full_refined_pairs = 0;    // pairs mined on the whole log
  uint64_t train_pairs = 0, train_refined_pairs = 0;  // pairs mined on the train part
  std::string train_table;                            // <work_dir>/train_mined.jsonl
  uint64_t table_entries = 0;                         // entries MinedRefiner loaded
  // Documents.
  bool surrogate_documents = true;
  size_t collection_documents = 0;  // documents behind the word weights
  std::vector<intent::SkipTally::Entry> document_skips;
  // Evaluated pairs.
  size_t pairs_seen_in_train = 0, refined_pairs_seen_in_train = 0;
  size_t pairs_with_doc_text = 0;
  std::vector<std::string> methods;
  std::vector<IntentMethodResult> results;  // one per method
  std::vector<IntentEvalPair> pairs;        // every evaluated pair, in the miner's order
  size_t refined_pairs = 0;                 // of them, gold Q* ≠ Q
  bool language_model_run = false;
  std::string language_model_note;
  double seconds = 0;
};

[[nodiscard]] Result<IntentEvalResult> run_intent_eval(const IntentEvalOptions& options);

// The Markdown report: command, dataset, split, counts, skipped rows, the method × metric
// tables for both subsets, coverage and `examples` example pairs (gold Q* ≠ Q first).
std::string render_intent_eval_report(const IntentEvalResult& r, const IntentEvalOptions& options,
                                      const std::string& command);

// One JSON object per evaluated pair: query, doc, gold, seen_in_train, answers (method →
// answer). Errors: IOError naming the path.
[[nodiscard]] Status write_intent_eval_pairs(const IntentEvalResult& r, const std::string& path);

}  // namespace feedscout
