// Ingest throughput: parse-only baseline vs. the engine's durable write path.
//
//   feedscout_ingest_bench [--events N] [--users U] [--docs D] [--topics T] [--seed S]
//                          [--workers W] [--tmp DIR] [--keep] [--no-repeat]
//                          [--related-weight X]
//
// Generates D documents and N events (bench/synthetic.h) as JSON Lines under a fresh
// directory in --tmp (default /tmp), then, in one process:
//   (a) parse only: parse_events over the events file in 8,192-line chunks (no engine);
//   (b) the engine: Engine::open on a fresh data directory (classifier "none"), the
//       documents, then the events file through ingest_jsonl_file (the `feedscout ingest`
//       path): 8,192-line chunks, W (default 2) in flight so that parsing overlaps the
//       writer, each chunk's call returning after its commit with fsync;
//   (c) the same events file again: every event is a duplicate;
//   (d) restart: the engine closed (its final checkpoint) and the data directory opened again.
// --no-repeat skips (c) (for profiling (b) alone); --keep leaves the scratch directory.
// --related-weight > 0 turns on co-click relevance, so the engine maintains co-click pairs.
// Every phase reads the file the same way (std::getline, like `feedscout ingest`), from
// the page cache. Prints events/s for each, the process CPU time of each phase (all
// threads: more CPU than wall time means work overlapped), the ratio (b)/(a), the store size, the
// process memory at the end and the load average. Asserts nothing about timings; exits 1 only when
// the data is not ingested as expected (a rejected or missing event) or the reopen fails.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "feedscout/engine/engine.h"
#include "feedscout/engine/file_ingest.h"
#include "feedscout/ingest/parse.h"
#include "synthetic.h"

namespace fb = feedscout::bench;
using feedscout::Engine;
using feedscout::EngineConfig;
using feedscout::IngestReport;

namespace {

constexpr size_t kChunkLines = 8192;

struct PhaseResult {
  double seconds = 0;
  double cpu_seconds = 0;  // CPU time of the whole process (all threads) during the phase
  size_t lines = 0, accepted = 0, duplicates = 0, rejected = 0;
  std::vector<double> chunk_ms;  // wall time of each ingest call
};

void print_phase(const char* name, const PhaseResult& r) {
  std::vector<double> ms = r.chunk_ms;
  const auto lat = fb::summarize_latencies(ms);
  std::printf("%-34s %9zu events  %7.2f s  %10.0f events/s", name, r.lines, r.seconds,
              static_cast<double>(r.lines) / r.seconds);
  std::printf("  CPU %5.2f s", r.cpu_seconds);
  if (lat.count > 0) {
    std::printf("  chunk p50 %.1f ms, max %.1f ms", lat.p50, lat.max);
  }
  std::printf("\n");
}

void print_report_counts(const PhaseResult& r) {
  std::printf("    accepted %zu, duplicates %zu, rejected %zu\n", r.accepted, r.duplicates,
              r.rejected);
}

// Ingests `path` through `engine` with ingest_jsonl_file — the path `feedscout ingest` takes:
// `workers` chunks in flight, each committed with fsync before its call returns.
PhaseResult ingest_through(Engine& engine, const std::string& path, bool documents, int workers) {
  PhaseResult r;
  const double cpu_start = fb::process_cpu_seconds();
  feedscout::FileIngestOptions options;
  options.kind = documents ? "documents" : "events";
  options.chunk_lines = kChunkLines;
  options.workers = workers;
  auto result = feedscout::ingest_jsonl_file(engine, path, options);
  r.cpu_seconds = fb::process_cpu_seconds() - cpu_start;
  if (!result.is_ok()) {
    std::printf("    error: %s\n", result.status().to_string().c_str());
    return r;
  }
  r.seconds = result->seconds;
  r.lines = result->lines;
  r.accepted = result->accepted;
  r.duplicates = result->duplicates;
  r.rejected = result->rejected;
  if (!result->errors.empty()) {
    const auto& e = result->errors.front();
    std::printf("    first error: line %zu: %s: %s\n", e.position, e.field.c_str(),
                e.message.c_str());
  }
  return r;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  fb::Flags flags(argc, argv,
                  "usage: feedscout_ingest_bench [--events N] [--users U] [--docs D] "
                  "[--topics T] [--seed S] [--workers W] [--tmp DIR] [--keep] [--no-repeat] "
                  "[--related-weight X]");
  flags.check({"events", "users", "docs", "topics", "seed", "tmp", "workers", "keep!", "no-repeat!",
               "related-weight"});
  const size_t n_events = flags.get_size("events", 1000000);
  const size_t n_users = flags.get_size("users", 100000);
  const size_t n_docs = flags.get_size("docs", 20000);
  const size_t n_topics = flags.get_size("topics", 60);
  const uint64_t seed = flags.get_size("seed", 7);
  const int workers = static_cast<int>(flags.get_size("workers", 2));
  spdlog::set_level(spdlog::level::warn);

  std::printf("feedscout_ingest_bench: %zu events, %zu users, %zu documents, %zu topics\n",
              n_events, n_users, n_docs, n_topics);
  std::printf("machine: %u hardware threads, %s; load average at start: %s\n",
              std::thread::hardware_concurrency(), cpu_model().c_str(), fb::load_average().c_str());

  fb::ScratchDir dir(flags.get_string("tmp", "/tmp"), "feedscout-ingest-bench");
  if (flags.has("keep")) dir.keep();
  const std::string docs_path = dir.path() + "/documents.jsonl";
  const std::string events_path = dir.path() + "/events.jsonl";

  // ---- Data -------------------------------------------------------------------------
  const auto gen_start = std::chrono::steady_clock::now();
  auto taxonomy = feedscout::Taxonomy::load_file(fb::default_taxonomy_path());
  if (!taxonomy.is_ok()) {
    std::cerr << "error: " << taxonomy.status().to_string() << "\n";
    return 1;
  }
  // Whole seconds, so that every generated time is too.
  const feedscout::TimeMs now = feedscout::now_ms() / 1000 * 1000;
  fb::CorpusOptions co;
  co.seed = seed;
  co.docs = n_docs;
  co.topics = n_topics;
  fb::ActivityOptions ao;
  ao.seed = seed + 1;
  ao.events = n_events;
  ao.users = n_users;
  auto data = fb::write_dataset(*taxonomy, co, ao, now, docs_path, events_path);
  if (!data.is_ok()) {
    std::cerr << "error: " << data.status().to_string() << "\n";
    return 1;
  }
  const fb::ActivitySummary& summary = data->summary;
  size_t users_seen = 0;
  for (uint32_t n : summary.events_per_user) users_seen += n > 0;
  std::printf(
      "data: generated in %.1f s; events.jsonl %.1f MiB (%zu events: %zu impressions, %zu "
      "clicks, %zu searches; %zu sessions, %zu users), documents.jsonl %.1f MiB\n",
      fb::seconds_since(gen_start),
      static_cast<double>(std::filesystem::file_size(events_path)) / (1 << 20), summary.events,
      summary.impressions, summary.clicks, summary.searches, summary.sessions, users_seen,
      static_cast<double>(std::filesystem::file_size(docs_path)) / (1 << 20));
  std::printf("scratch: %s\n\n", dir.path().c_str());

  // ---- (a) parse only -----------------------------------------------------------------
  PhaseResult parse_only;
  {
    const feedscout::ParseLimits limits;
    const double cpu_start = fb::process_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const long long lines = fb::for_each_chunk(
        events_path, kChunkLines, [&](std::string_view chunk, size_t first, size_t) {
          auto parsed = feedscout::parse_events(chunk, limits, feedscout::now_ms(), first);
          parse_only.accepted += parsed.items.size();
          parse_only.rejected += parsed.errors.size();
        });
    parse_only.seconds = fb::seconds_since(start);
    parse_only.cpu_seconds = fb::process_cpu_seconds() - cpu_start;
    parse_only.lines = static_cast<size_t>(std::max(0LL, lines));
  }

  // ---- (b) engine, fresh data directory ------------------------------------------------
  EngineConfig config;
  config.data_dir = dir.path() + "/data";
  config.taxonomy_path = fb::default_taxonomy_path();
  config.classifier.kind = "none";
  config.feed.related_weight = flags.get_double("related-weight", config.feed.related_weight);
  std::printf("co-click pairs: %s (feed.related_weight %g)\n",
              config.feed.related_weight > 0 ? "maintained" : "off", config.feed.related_weight);
  auto opened = Engine::open(config);
  if (!opened.is_ok()) {
    std::cerr << "error: " << opened.status().to_string() << "\n";
    return 1;
  }
  Engine& engine = **opened;
  const PhaseResult docs = ingest_through(engine, docs_path, /*documents=*/true, workers);
  const PhaseResult first = ingest_through(engine, events_path, /*documents=*/false, workers);
  const uintmax_t store_after_first = fb::directory_bytes(config.data_dir);
  // ---- (c) the same file again: all duplicates ---------------------------------------
  const bool repeat = !flags.has("no-repeat");
  const PhaseResult again =
      repeat ? ingest_through(engine, events_path, /*documents=*/false, workers) : PhaseResult{};
  const auto stats = engine.stats();
  const fb::ProcessMemory mem = fb::process_memory();

  std::printf("%-34s %9zu docs    %7.2f s  %10.0f docs/s\n", "documents (engine, durable)",
              docs.lines, docs.seconds, static_cast<double>(docs.lines) / docs.seconds);
  print_report_counts(docs);
  print_phase("(a) parse only", parse_only);
  std::printf("    parsed %zu, errors %zu\n", parse_only.accepted, parse_only.rejected);
  print_phase("(b) engine, new events (fsync)", first);
  print_report_counts(first);
  if (repeat) {
    print_phase("(c) engine, same file (duplicates)", again);
    print_report_counts(again);
  }
  const double eps_a = static_cast<double>(parse_only.lines) / parse_only.seconds;
  const double eps_b = static_cast<double>(first.lines) / first.seconds;
  const double eps_c = static_cast<double>(again.lines) / again.seconds;
  std::printf("\nratio engine/parse-only: (b) %.2f, (c) %.2f\n", eps_b / eps_a, eps_c / eps_a);
  std::printf("target >= 100000 events/s durable (b): %s (%.0f events/s)\n",
              eps_b >= 100000 ? "MET" : "NOT MET", eps_b);
  std::printf("engine: %zu users, %zu documents, %" PRIu64 " commits, %" PRIu64 " checkpoints\n",
              stats.users, stats.documents, stats.commits, stats.checkpoints);
  std::printf("store: %.1f MiB after (b), %.1f MiB after (c)\n",
              static_cast<double>(store_after_first) / (1 << 20),
              static_cast<double>(fb::directory_bytes(config.data_dir)) / (1 << 20));
  std::printf("memory at end: VmRSS %.0f MiB, VmHWM (peak) %.0f MiB\n", mem.rss_mib, mem.peak_mib);
  // ---- (d) restart: close (the final checkpoint), then open the same data directory ----
  const size_t users_stored = stats.users;
  auto t0 = std::chrono::steady_clock::now();
  opened->reset();
  const double close_s = fb::seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  spdlog::set_level(spdlog::level::info);  // the open's line names where its time went
  auto reopened = Engine::open(config);
  const double open_s = fb::seconds_since(t0);
  spdlog::set_level(spdlog::level::warn);
  if (!reopened.is_ok()) {
    std::cerr << "error: reopening: " << reopened.status().to_string() << "\n";
    return 1;
  }
  std::printf(
      "(d) restart: close %.2f s (final checkpoint), open %.2f s with %zu users stored "
      "(%zu after open)\n",
      close_s, open_s, users_stored, (*reopened)->stats().users);
  std::printf("target open <= 3 s with 1M users stored: %s\n", users_stored < 1000000
                                                                   ? "not measured (fewer users)"
                                                               : open_s <= 3.0 ? "MET"
                                                                               : "NOT MET");
  std::printf("load average at end: %s\n", fb::load_average().c_str());

  const bool ok = parse_only.rejected == 0 && first.accepted == n_events && first.rejected == 0 &&
                  (!repeat || again.duplicates == n_events) && docs.accepted == n_docs;
  if (!ok) std::printf("UNEXPECTED: not every event/document was accepted as expected\n");
  return ok ? 0 : 1;
}
