// The Markdown report and the per-pair JSON Lines of `feedscout eval-intents`; see
// intent_eval.h.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "feedscout/eval/intent_eval.h"

namespace feedscout {
namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string share(size_t part, size_t whole) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%zu / %zu (%.1f%%)", part, whole,
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

// A table cell: pipes escaped, line breaks flattened, long text cut.
std::string cell(std::string_view s, size_t max_bytes = 80) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max_bytes && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      out += "…";
      break;
    }
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string time_text(TimeMs t, intent::SearchLogFormat f) {
  if (f == intent::SearchLogFormat::kEvents) return format_rfc3339(t);
  const long long s = t / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

void tally(std::ostringstream& md, const char* title,
           const std::vector<intent::SkipTally::Entry>& entries) {
  uint64_t total = 0;
  for (const auto& e : entries) total += e.count;
  md << "- " << title << ": " << total;
  if (!entries.empty()) md << " —";
  for (size_t i = 0; i < entries.size(); ++i) {
    md << (i == 0 ? " " : "; ") << cell(entries[i].reason) << ": " << entries[i].count << " (first "
       << cell(entries[i].first) << ")";
  }
  md << "\n";
}

void metrics_table(std::ostringstream& md, const IntentEvalResult& r, bool refined_subset) {
  md << "| method | exact match | ROUGE-L F1 | char F1 |"
     << (refined_subset ? "\n|---|---:|---:|---:|\n"
                        : " answers ≠ Q | from mined table | refiner errors |\n"
                          "|---|---:|---:|---:|---:|---:|---:|\n");
  for (const IntentMethodResult& m : r.results) {
    const IntentScores& s = refined_subset ? m.refined : m.all;
    md << "| " << m.name << " | " << fmt(s.exact) << " | " << fmt(s.rouge_l) << " | "
       << fmt(s.char_f1) << " |";
    if (!refined_subset) {
      md << " " << m.changed << " | " << m.table_hits << " | " << m.errors << " |";
    }
    md << "\n";
  }
  if (!r.language_model_run) {
    md << "| language model | not run | not run | not run |"
       << (refined_subset ? "" : " – | – | – |") << "\n";
  }
}

}  // namespace

std::string render_intent_eval_report(const IntentEvalResult& r, const IntentEvalOptions& o,
                                      const std::string& command) {
  std::ostringstream md;
  md << "# Search-intent refinement: held-out mined pairs\n\n";
  md << "Command: `" << command << "`\n\n";
  md << "## Data and split\n\n";
  md << "- log: `" << o.input << "` (format " << intent::search_log_format_name(o.format) << "), "
     << r.lines << " lines read, " << r.rows << " searches with clicks used"
     << (o.limit > 0 ? " (--limit " + std::to_string(o.limit) + ")" : std::string()) << "\n";
  tally(md, "skipped bad rows", r.skipped);
  tally(md, "ignored rows (nothing to mine)", r.ignored);
  tally(md, "unusable queries / document ids", r.rejected);
  md << "- split by time (holdout " << o.holdout << "): TRAIN = the first " << r.train_rows
     << " searches (" << time_text(r.first_ms, o.format) << " – " << time_text(r.split_ms, o.format)
     << ", " << r.train_clicks << " clicks), TEST = the last " << r.test_rows << " (from "
     << time_text(r.split_ms, o.format) << " to " << time_text(r.last_ms, o.format) << ", "
     << r.test_clicks << " clicks)\n";
  md << "- gold: Q* mined on the FULL log (" << r.full_pairs << " (Q, D) pairs, "
     << r.full_refined_pairs << " with Q* ≠ Q); evaluated: the " << r.pairs.size()
     << " mined pairs clicked in TEST (gold Q* ≠ Q for " << r.refined_pairs
     << " of them). The methods see TRAIN only.\n";
  md << "- mined lookup: pairs mined on TRAIN (" << r.train_pairs << " pairs, "
     << r.train_refined_pairs << " with Q* ≠ Q) written as `mine-intents --only-refined` writes "
     << "them and loaded by `MinedRefiner::load` (table entries: " << r.table_entries
     << "); an unseen (Q, D) answers Q\n";
  md << "- coverage: (Q, D) also clicked in TRAIN: " << share(r.pairs_seen_in_train, r.pairs.size())
     << " of all evaluated pairs, " << share(r.refined_pairs_seen_in_train, r.refined_pairs)
     << " of those with gold Q* ≠ Q\n";
  if (r.surrogate_documents) {
    md << "- documents: **query-click surrogate documents** — this log has no document text, "
          "so document D's text is the distinct TRAIN queries that led to a click on D, in "
          "time order, joined by spaces ("
       << r.collection_documents << " documents; idf over them). A D never clicked in TRAIN "
       << "has no words and every refiner answers Q for it.\n";
  } else {
    md << "- documents: title and body from `" << o.documents << "` (" << r.collection_documents
       << " documents; idf over them)\n";
    tally(md, "skipped document lines", r.document_skips);
  }
  md << "- evaluated pairs whose D has candidate words: "
     << share(r.pairs_with_doc_text, r.pairs.size()) << "\n";
  md << "- refiner budget: " << o.refiner.max_added_words << " added words, "
     << o.refiner.max_tokens << " words, " << o.refiner.max_bytes << " bytes; min idf "
     << o.refiner.min_idf << ", title weight " << o.refiner.title_weight << "; " << o.salient_words
     << " candidate words per document\n";
  md << "- language model: "
     << (r.language_model_run ? std::string("evaluated") : "not run — " + r.language_model_note)
     << "\n\n";

  md << "Metrics (eval/intent_metrics.h): exact match after `normalize_query` on both sides; "
        "ROUGE-L F1 over the normaliser's tokens (a Han character is a token); character F1 "
        "over the code points of the normalised texts, whitespace ignored.\n\n";
  md << "## All held-out pairs (n = " << r.pairs.size() << ")\n\n";
  metrics_table(md, r, false);
  md << "\n## Pairs whose gold Q* ≠ Q (n = " << r.refined_pairs << ")\n\n";
  metrics_table(md, r, true);

  // Examples: gold Q* ≠ Q first, then pairs where a method answered something else than Q.
  std::vector<const IntentEvalPair*> examples;
  for (const IntentEvalPair& p : r.pairs) {
    if (examples.size() >= o.examples) break;
    if (p.refined()) examples.push_back(&p);
  }
  for (const IntentEvalPair& p : r.pairs) {
    if (examples.size() >= o.examples) break;
    if (p.refined()) continue;
    for (const std::string& a : p.answers) {
      if (a != p.query) {
        examples.push_back(&p);
        break;
      }
    }
  }
  md << "\n## Examples\n\n";
  if (examples.empty()) {
    md << "none\n";
  } else {
    md << "| Q | D | gold Q* |";
    for (const std::string& m : r.methods) md << " " << m << " |";
    md << "\n|---|---|---|";
    for (size_t i = 0; i < r.methods.size(); ++i) md << "---|";
    md << "\n";
    for (const IntentEvalPair* p : examples) {
      md << "| " << cell(p->query) << " | `" << cell(p->doc, 60) << "` | " << cell(p->gold) << " |";
      for (const std::string& a : p->answers) md << " " << cell(a) << " |";
      md << "\n";
    }
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", r.seconds);
  md << "\nTime: " << secs << " s.\n";
  return md.str();
}

Status write_intent_eval_pairs(const IntentEvalResult& r, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error("cannot write '" + path + "'");
  for (const IntentEvalPair& p : r.pairs) {
    nlohmann::ordered_json j;
    j["query"] = p.query;
    j["doc"] = p.doc;
    j["gold"] = p.gold;
    j["seen_in_train"] = p.seen_in_train;
    nlohmann::ordered_json answers = nlohmann::ordered_json::object();
    for (size_t m = 0; m < p.answers.size() && m < r.methods.size(); ++m) {
      answers[r.methods[m]] = p.answers[m];
    }
    j["answers"] = std::move(answers);
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return Status::ok();
}

}  // namespace feedscout
