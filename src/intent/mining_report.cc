// The Markdown report of a mining run; see mining_run.h.
#include <cstdio>
#include <sstream>

#include "feedscout/intent/mining_run.h"

namespace feedscout::intent {
namespace {

std::string percent(uint64_t part, uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

// A table cell: '|' and newlines would break the row.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void skip_table(std::ostringstream& md, const char* title,
                const std::vector<SkipTally::Entry>& entries) {
  md << title << ":";
  if (entries.empty()) {
    md << " none\n\n";
    return;
  }
  md << "\n\n| reason | rows | first |\n|---|---:|---|\n";
  for (const SkipTally::Entry& e : entries) {
    md << "| " << cell(e.reason) << " | " << e.count << " | `" << cell(e.first) << "` |\n";
  }
  md << "\n";
}

void added_table(std::ostringstream& md, const char* title, const std::vector<AddedToken>& rows,
                 uint64_t refined_pairs, bool with_relations) {
  md << "### " << title << "\n\n";
  if (rows.empty()) {
    md << "none\n\n";
    return;
  }
  md << "| # | added | pairs | share of refined pairs | distinct base queries |"
     << (with_relations ? " (Q, candidate, D) relations |" : "") << "\n|---:|---|---:|---:|---:|"
     << (with_relations ? "---:|" : "") << "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const AddedToken& t = rows[i];
    md << "| " << i + 1 << " | " << cell(t.token) << " | " << t.pairs << " | "
       << percent(t.pairs, refined_pairs) << " | " << t.base_queries << " |";
    if (with_relations) md << " " << t.relations << " |";
    md << "\n";
  }
  md << "\n";
}

}  // namespace

std::string render_mining_report(const MiningReport& r) {
  const MiningSummary& s = r.summary;
  std::ostringstream md;
  md << "# Search-intent mining: " << cell(r.input) << "\n\n";
  md << "Command: `" << r.command << "`\n\n";
  md << "Method (docs/INTENTS.md): for each clicked document D, the candidates of a query Q are "
        "the queries clicked on D whose tokens contain all of Q's (multiset) with more tokens; "
        "Q* is the one with the most tokens, then the most clicks on D, then the smallest text. "
        "Tokens: NFKC_Casefold, whitespace words, one token per character for Han, Kana, Thai "
        "and other unspaced scripts.\n\n";
  md << "## Counts\n\n| | |\n|---|---:|\n";
  md << "| format | " << search_log_format_name(r.format) << " |\n";
  md << "| lines read | " << r.counts.lines << " |\n";
  md << "| searches with clicks (well-formed rows) | " << r.counts.rows << " |\n";
  md << "| clicks mined | " << r.counts.clicks << " |\n";
  md << "| distinct query spellings | " << s.raw_queries << " |\n";
  md << "| distinct normalised queries | " << s.queries << " |\n";
  md << "| distinct tokens | " << s.tokens << " |\n";
  md << "| documents | " << s.documents << " |\n";
  md << "| distinct (Q, D) pairs | " << s.pairs << " |\n";
  md << "| pairs with Q* ≠ Q | " << s.refined_pairs << " (" << percent(s.refined_pairs, s.pairs)
     << ") |\n";
  md << "| (Q, candidate, D) relations | " << s.relations << " |\n";
  md << "| time | " << r.seconds << " s |\n";
  md << "| peak memory (ru_maxrss) | " << r.peak_rss_kib / 1024 << " MiB |\n";
  md << "| miner tables (estimate) | " << s.memory_bytes / 1024 << " KiB |\n\n";
  skip_table(md, "Skipped rows (bad rows)", r.skipped);
  skip_table(md, "Skipped rows (unusable query or document id)", r.counts.rejected.entries());
  skip_table(md, "Ignored rows (nothing to mine)", r.ignored);

  md << "## Examples (Q* ≠ Q, most clicked, one per document)\n\n";
  if (r.examples.empty()) {
    md << "none\n\n";
  } else {
    md << "| Q | D | Q* | clicks Q / Q* | added |\n|---|---|---|---|---|\n";
    for (const MinedPair& p : r.examples) {
      std::string added;
      for (const std::string& t : p.added_text) {
        if (!added.empty()) added += " + ";
        added += t;
      }
      md << "| " << cell(p.query) << " | `" << cell(p.doc) << "` | " << cell(p.refined) << " | "
         << p.query_clicks << " / " << p.refined_clicks << " | " << cell(added) << " |\n";
    }
    md << "\n";
  }

  md << "## Pattern bias: what Q* adds to Q\n\n";
  md << "A token or text that Q* adds after many different base queries is a searchers' habit "
        "(the reference's '인스타', '줄거리') rather than what D is about. Counted over the "
     << s.refined_pairs
     << " pairs with Q* ≠ Q; for tokens, relations count every candidate, not only Q*.\n\n";
  added_table(md, "Added text segments (runs of consecutive added tokens)", r.top_phrases,
              s.refined_pairs, false);
  added_table(md, "Added tokens", r.top_tokens, s.refined_pairs, true);
  return md.str();
}

}  // namespace feedscout::intent
