// Search-intent commands (issue 5): `mine-intents` — label mining from search logs
// (intent/intent_miner.h, method and numbers in docs/INTENTS.md).
//
//   feedscout mine-intents --format events|sogouq --input FILE --out pairs.jsonl
//                          [--report report.md] [--top-patterns 30] [--examples 10]
//                          [--only-refined]
//
// Streams the log (memory bounded by distinct queries, documents and (query, document)
// pairs), writes one JSON line per (Q, D) pair with its Q*, prints the counts (rows read,
// skipped per reason with the first file:line, pairs, documents, pairs with Q* ≠ Q) and
// writes the Markdown report. Bad rows never stop the run; a missing input file or an
// unwritable output does (exit 1).
#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "feedscout/intent/mining_run.h"

namespace feedscout::cli {
namespace {

struct MineIntentsArgs {
  std::string format = "events";
  std::string input, out, report;
  size_t top_patterns = 30;
  size_t examples = 10;
  bool only_refined = false;
};

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

void print_tally(const char* title, const intent::SkipTally& tally) {
  std::cout << title << ": " << tally.total() << "\n";
  for (const intent::SkipTally::Entry& e : tally.entries()) {
    std::cout << "  " << e.reason << ": " << e.count << " (first " << e.first << ")\n";
  }
}

std::string command_line(const MineIntentsArgs& a) {
  std::string cmd =
      "feedscout mine-intents --format " + a.format + " --input " + a.input + " --out " + a.out;
  if (!a.report.empty()) cmd += " --report " + a.report;
  cmd += " --top-patterns " + std::to_string(a.top_patterns);
  if (a.examples != 10) cmd += " --examples " + std::to_string(a.examples);
  if (a.only_refined) cmd += " --only-refined";
  return cmd;
}

int run_mine_intents(const MineIntentsArgs& args) {
  const auto format = intent::parse_search_log_format(args.format);
  if (!format) return fail(Status::invalid_argument("unknown --format '" + args.format + "'"));
  const auto start = std::chrono::steady_clock::now();
  auto reader = intent::SearchLogReader::open(args.input, *format);
  if (!reader.is_ok()) return fail(reader.status());
  intent::IntentMiner miner;
  auto counts = intent::feed_search_log(**reader, miner);
  if (!counts.is_ok()) return fail(counts.status());
  miner.finish();
  auto written = intent::write_mined_pairs(miner, args.out, args.only_refined, args.examples);
  if (!written.is_ok()) return fail(written.status());

  intent::MiningReport report;
  report.command = command_line(args);
  report.input = args.input;
  report.format = *format;
  report.counts = *counts;
  report.skipped = (*reader)->skips().entries();
  report.ignored = (*reader)->ignored().entries();
  report.summary = miner.summary();
  report.examples = written->examples;
  report.top_tokens = miner.top_added_tokens(args.top_patterns);
  report.top_phrases = miner.top_added_phrases(args.top_patterns);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.peak_rss_kib = peak_rss_kib();

  const intent::MiningSummary& s = report.summary;
  std::cout << "lines read: " << counts->lines << "\n"
            << "searches with clicks: " << counts->rows << ", clicks mined: " << counts->clicks
            << "\n";
  print_tally("skipped bad rows", (*reader)->skips());
  print_tally("skipped unusable queries/documents", counts->rejected);
  print_tally("ignored rows (nothing to mine)", (*reader)->ignored());
  std::cout << "distinct (Q, D) pairs: " << s.pairs << "\n"
            << "documents: " << s.documents << "\n"
            << "distinct queries: " << s.queries << " (" << s.raw_queries << " spellings)\n"
            << "pairs with Q* != Q: " << s.refined_pairs << "\n"
            << "wrote " << written->lines << " lines to " << args.out << "\n";
  if (!args.report.empty()) {
    std::ofstream out(args.report, std::ios::binary | std::ios::trunc);
    out << intent::render_mining_report(report);
    if (!out) return fail(Status::io_error("cannot write '" + args.report + "'"));
    std::cout << "wrote report " << args.report << "\n";
  }
  std::cout << "time: " << report.seconds << " s, peak memory: " << report.peak_rss_kib / 1024
            << " MiB\n";
  return 0;
}

}  // namespace

void register_intent_commands(CLI::App& app, CommonOptions& opts, int& exit_code) {
  (void)opts;  // mining reads files only: no engine, config or data directory
  auto* cmd = app.add_subcommand(
      "mine-intents",
      "Label mining from search logs: (Q, D) → refined query Q* as JSON Lines, plus a "
      "pattern-bias report (docs/INTENTS.md)");
  auto args = std::make_shared<MineIntentsArgs>();
  cmd->add_option("--format", args->format, "events (feedscout JSON Lines) or sogouq")
      ->check(CLI::IsMember({"events", "sogouq"}));
  cmd->add_option("--input", args->input, "the search log")->required();
  cmd->add_option("--out", args->out, "output JSON Lines of (Q, D, Q*) pairs")->required();
  cmd->add_option("--report", args->report, "Markdown report to write");
  cmd->add_option("--top-patterns", args->top_patterns, "added tokens listed in the report")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--examples", args->examples, "examples (Q* != Q) in the report")
      ->check(CLI::Range(0, 10000));
  cmd->add_flag("--only-refined", args->only_refined, "write only pairs with Q* != Q");
  cmd->callback([&exit_code, args] {
    setup_logging(false);
    exit_code = run_mine_intents(*args);
  });
}

}  // namespace feedscout::cli
