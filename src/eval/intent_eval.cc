// The held-out evaluation of search-intent refiners; see intent_eval.h.
#include "feedscout/eval/intent_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "feedscout/eval/intent_corpus.h"
#include "feedscout/intent/intent_miner.h"
#include "feedscout/intent/mining_run.h"
#include "feedscout/intent/query_normalizer.h"

namespace feedscout {
namespace {

bool is_doc_reason(std::string_view reason) {
  return reason == intent::kReasonEmptyDoc || reason == intent::kReasonDocTooLong;
}

// Identity of a (Q, D) pair: Q's token sequence (the miner's notion of "one query") and D.
// Tokens never contain control characters (they separate tokens), so the separators are safe.
std::string pair_key(const std::vector<std::string>& tokens, std::string_view doc) {
  std::string key;
  for (const std::string& t : tokens) {
    key += t;
    key += '\x1f';
  }
  key += '\0';
  key += doc;
  return key;
}

struct Row {
  intent::SearchRow row;
  std::vector<std::string> tokens;  // empty when the query is unusable
  std::string text;                 // normalised query text
};

// Feeds `rows` into `miner`; unusable queries and document ids go to `rejected` (when given)
// and accepted clicks to `clicks`. Stops only on an internal error (ICU unavailable).
Status feed(const std::vector<Row>& rows, size_t begin, size_t end, intent::IntentMiner& miner,
            const std::string& file, intent::SkipTally* rejected, uint64_t& clicks) {
  for (size_t i = begin; i < end; ++i) {
    const intent::SearchRow& row = rows[i].row;
    for (const std::string& doc : row.docs) {
      const Status s = miner.add_click(row.query, doc);
      if (s.is_ok()) {
        ++clicks;
        continue;
      }
      if (s.code() != Status::Code::kInvalidArgument) return s;
      if (rejected != nullptr) rejected->add(s.message(), file, row.line);
      if (!is_doc_reason(s.message())) break;  // the query is unusable for every document
    }
  }
  return Status::ok();
}

std::string method_answer(const intent::QueryRefiner& refiner, const IntentEvalPair& pair,
                          const intent::ClickedDocument& doc, IntentMethodResult& result) {
  auto r = refiner.refine(pair.query, {doc});
  if (!r.is_ok() || r->query.empty()) {
    ++result.errors;
    return pair.query;
  }
  if (r->source == intent::RefinementSource::kMined) ++result.table_hits;
  return std::move(r->query);
}

}  // namespace

Result<IntentEvalResult> run_intent_eval(const IntentEvalOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (!(options.holdout > 0.0 && options.holdout < 1.0)) {
    return Status::invalid_argument("--holdout must be in (0, 1), got " +
                                    std::to_string(options.holdout));
  }
  if (options.work_dir.empty()) return Status::invalid_argument("no working directory given");
  if (!options.documents.empty() && !std::ifstream(options.documents, std::ios::binary)) {
    return Status::not_found("documents file '" + options.documents + "' cannot be opened");
  }
  IntentEvalResult result;
  result.language_model_note = options.language_model_note;

  // 1. Read the log (bad rows counted by the reader), sort by time, split.
  auto reader = intent::SearchLogReader::open(options.input, options.format);
  if (!reader.is_ok()) {
    return Status::not_found("search log '" + options.input + "' cannot be opened");
  }
  std::vector<Row> rows;
  {
    intent::SearchRow row;
    while ((options.limit == 0 || rows.size() < options.limit) && (*reader)->next(row)) {
      Row r;
      auto q = intent::normalize_query(row.query);
      if (q.is_ok()) {
        r.tokens = std::move(q->tokens);
        r.text = std::move(q->text);
      }
      r.row = std::move(row);
      rows.push_back(std::move(r));
      row = intent::SearchRow();
    }
  }
  result.lines = (*reader)->lines();
  result.skipped = (*reader)->skips().entries();
  result.ignored = (*reader)->ignored().entries();
  result.rows = rows.size();
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.row.time_ms < b.row.time_ms; });
  const size_t n_train =
      static_cast<size_t>(std::floor((1.0 - options.holdout) * static_cast<double>(rows.size())));
  if (n_train == 0 || n_train >= rows.size()) {
    return Status::invalid_argument("'" + options.input + "' has " + std::to_string(rows.size()) +
                                    " searches with clicks: too few to split with --holdout " +
                                    std::to_string(options.holdout));
  }
  result.train_rows = n_train;
  result.test_rows = rows.size() - n_train;
  result.first_ms = rows.front().row.time_ms;
  result.split_ms = rows[n_train].row.time_ms;
  result.last_ms = rows.back().row.time_ms;

  // 2. Gold: mined on the full log. Train: mined on the train part only.
  intent::SkipTally rejected;
  intent::IntentMiner full, train;
  FEEDSCOUT_RETURN_IF_ERROR(
      feed(rows, 0, n_train, full, options.input, &rejected, result.train_clicks));
  FEEDSCOUT_RETURN_IF_ERROR(
      feed(rows, n_train, rows.size(), full, options.input, &rejected, result.test_clicks));
  uint64_t unused = 0;
  FEEDSCOUT_RETURN_IF_ERROR(feed(rows, 0, n_train, train, options.input, nullptr, unused));
  full.finish();
  train.finish();
  result.rejected = rejected.entries();
  result.full_pairs = full.summary().pairs;
  result.full_refined_pairs = full.summary().refined_pairs;
  result.train_pairs = train.summary().pairs;
  result.train_refined_pairs = train.summary().refined_pairs;

  // The pairs of each part, by token identity.
  std::unordered_set<std::string> test_keys, train_keys;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].tokens.empty()) continue;
    for (const std::string& doc : rows[i].row.docs) {
      (i < n_train ? train_keys : test_keys).insert(pair_key(rows[i].tokens, doc));
    }
  }

  // 3. Documents: the file's text, or query-click surrogates from the train part.
  std::unordered_map<std::string, RefinerDocument> documents;
  CorpusWordWeights weights;
  if (!options.documents.empty()) {
    result.surrogate_documents = false;
    intent::SkipTally doc_skips;
    auto texts = read_document_texts(options.documents, doc_skips);
    if (!texts.is_ok()) return texts.status();
    result.document_skips = doc_skips.entries();
    for (const DocumentText& d : *texts) {
      weights.add_document(d.title, d.body);
      documents.emplace(d.id, make_refiner_document(d.id, d.title, d.body, options.salient_words));
    }
  } else {
    std::vector<std::string> order;  // documents in order of first train click
    std::unordered_map<std::string, std::string> body;
    std::unordered_set<std::string> listed;  // doc + '\0' + query text
    for (size_t i = 0; i < n_train; ++i) {
      if (rows[i].tokens.empty()) continue;
      for (const std::string& doc : rows[i].row.docs) {
        if (!listed.insert(doc + '\0' + rows[i].text).second) continue;
        auto [it, fresh] = body.emplace(doc, std::string());
        if (fresh) order.push_back(doc);
        if (!it->second.empty()) it->second += ' ';
        it->second += rows[i].text;
      }
    }
    for (const std::string& doc : order) {
      const std::string& b = body[doc];
      weights.add_document({}, b);
      documents.emplace(doc, make_refiner_document(doc, {}, b, options.salient_words));
    }
  }
  result.collection_documents = weights.documents();

  // 4. Refiners. The mined table is written and loaded as the engine loads it.
  std::error_code ec;
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec) {
    return Status::io_error("cannot create '" + options.work_dir + "': " + ec.message());
  }
  result.train_table = (std::filesystem::path(options.work_dir) / "train_mined.jsonl").string();
  auto written = intent::write_mined_pairs(train, result.train_table, /*only_refined=*/true, 0);
  if (!written.is_ok()) return written.status();
  auto mined = intent::MinedRefiner::load(result.train_table, nullptr, options.refiner);
  if (!mined.is_ok()) return mined.status();
  result.table_entries = (*mined)->size();
  const intent::ExtractiveRefiner extractive(weights, options.refiner);
  auto mined_fallback = intent::MinedRefiner::load(
      result.train_table, std::make_unique<intent::ExtractiveRefiner>(weights, options.refiner),
      options.refiner);
  if (!mined_fallback.is_ok()) return mined_fallback.status();

  std::vector<const intent::QueryRefiner*> refiners = {nullptr, mined->get(), &extractive,
                                                       mined_fallback->get()};
  result.methods = {"query only (Q* = Q)", "mined lookup (train)", "extractive",
                    "mined + extractive fallback"};
  std::unique_ptr<intent::QueryRefiner> language_model;
  if (options.make_language_model) language_model = options.make_language_model(weights);
  if (language_model != nullptr) {
    refiners.push_back(language_model.get());
    result.methods.push_back("language model");
    result.language_model_run = true;
  }
  result.results.resize(result.methods.size());
  for (size_t m = 0; m < result.methods.size(); ++m) result.results[m].name = result.methods[m];

  // 5. Evaluate every mined pair that occurs in the test part.
  std::vector<IntentScoreMean> all(refiners.size()), refined(refiners.size());
  full.for_each_pair([&](const intent::MinedPair& p) {
    auto q = intent::normalize_query(p.query);
    if (!q.is_ok()) return;  // cannot happen: the miner stores normalised queries
    const std::string key = pair_key(q->tokens, p.doc);
    if (test_keys.count(key) == 0) return;
    IntentEvalPair pair;
    pair.query = std::string(p.query);
    pair.doc = std::string(p.doc);
    pair.gold = std::string(p.refined);
    pair.seen_in_train = train_keys.count(key) > 0;
    const auto found = documents.find(pair.doc);
    RefinerDocument unknown;  // a document without text: every refiner answers Q
    unknown.id = pair.doc;
    const RefinerDocument& doc = found != documents.end() ? found->second : unknown;
    pair.doc_has_text = !doc.words.empty();
    const intent::ClickedDocument view = doc.view();
    for (size_t m = 0; m < refiners.size(); ++m) {
      std::string answer = refiners[m] == nullptr
                               ? pair.query
                               : method_answer(*refiners[m], pair, view, result.results[m]);
      if (answer != pair.query) ++result.results[m].changed;
      const IntentScores s = score_intent(answer, pair.gold);
      all[m].add(s);
      if (pair.refined()) refined[m].add(s);
      pair.answers.push_back(std::move(answer));
      pair.scores.push_back(s);
    }
    if (pair.seen_in_train) ++result.pairs_seen_in_train;
    if (pair.seen_in_train && pair.refined()) ++result.refined_pairs_seen_in_train;
    if (pair.doc_has_text) ++result.pairs_with_doc_text;
    if (pair.refined()) ++result.refined_pairs;
    result.pairs.push_back(std::move(pair));
  });
  for (size_t m = 0; m < refiners.size(); ++m) {
    result.results[m].all = all[m].mean();
    result.results[m].refined = refined[m].mean();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace feedscout
