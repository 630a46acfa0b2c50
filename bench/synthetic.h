// Synthetic, deterministic data for the benchmarks: a document corpus with Korean-ish
// titles over a chosen set of taxonomy topics, and a JSON Lines event log of user
// sessions (feed/main impressions of 10 documents with clicks, searches with 0–2 clicks).
//
// Not a model of real behaviour (eval/simulator.h is that); it only has to exercise the
// same code paths with realistic shapes and sizes. Everything is a pure function of the
// options (seed included): the same options give byte-identical output. Randomness comes
// from SampleRng. Not thread-safe to share one Corpus while it is being built; a built
// Corpus is immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/engine/engine.h"
#include "feedscout/eval/sample_generator.h"
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"
#include "synthetic_corpus.h"

namespace feedscout::bench {

// Path of the shipped taxonomy in the source tree (set by bench/CMakeLists.txt).
std::string default_taxonomy_path();
// The shipped sample corpus (data/sample/documents.jsonl), by absolute path.
std::string sample_documents_path();

struct ActivityOptions {
  uint64_t seed = 7;
  size_t events = 1000000;  // exactly this many lines are written; ≥ 1
  size_t users = 100000;    // active users "u000001"…; each gets ≥ 1 session; ≥ 1
  int days = 14;            // events fall in [now - days, now - 10 min]
  TimeMs now_ms = 0;        // required (> 0)
};

// Ground truth of what write_activity wrote.
struct ActivitySummary {
  size_t events = 0, searches = 0, impressions = 0, clicks = 0, sessions = 0;
  std::vector<uint32_t> events_per_user;  // index = user number - 1
  std::vector<TimeMs> last_search_ms;     // index = user number - 1; 0 = never searched
};

// User id of 0-based user number i: "u000001" for i = 0.
std::string user_id(size_t i);

// Writes options.events event lines (JSON Lines, unique ids "ev-00000001"…, RFC 3339 times,
// sessions in start-time order) referencing only corpus documents. Every active user gets
// one session, the rest go to users drawn with a skew (user ⌊U·x²⌋, x uniform). Sessions:
//   55% feed: an impression of 10 distinct documents (each slot 60% an interest topic's,
//       20% one of a fixed 2% "popular" set, 20% any), then each slot clicked with
//       p = 0.084 as its own click event, in display order, seconds apart;
//   15% main: 10 documents of one interest topic, slots clicked with p = 0.1;
//   30% search: a query (80% of an interest topic) with 0–2 clicked documents of that
//       topic, and half the time a "search" impression of up to 10 of its documents.
// Users have 1–3 interest topics. Dwell is 5–120 s, 0.5–2.9 s for 10% of clicks. A
// document is referenced only at times ≥ its created_at when one exists. `summary` may be
// null. Errors: bad options (InvalidArgument), a failing stream (IOError).
[[nodiscard]] Status write_activity(const Corpus& corpus, const ActivityOptions& options,
                                    std::ostream& out, ActivitySummary* summary);

// A generated data set written to disk: the corpus and what write_activity reported.
struct Dataset {
  Corpus corpus;
  ActivitySummary summary;
};

// make_corpus + the documents (document_line per line) to docs_path + write_activity to
// events_path; both options get now_ms = `now_ms`.
[[nodiscard]] Result<Dataset> write_dataset(const Taxonomy& taxonomy, CorpusOptions corpus_options,
                                            ActivityOptions activity_options, TimeMs now_ms,
                                            const std::string& docs_path,
                                            const std::string& events_path);

// Memory of this process from /proc/self/status, in MiB: VmRSS and VmHWM (peak).
struct ProcessMemory {
  double rss_mib = 0, peak_mib = 0;
};
ProcessMemory process_memory();

// Latency figures of a sample of durations in microseconds (the vector is sorted).
struct LatencySummary {
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};
LatencySummary summarize_latencies(std::vector<double>& micros);

// Ingests a JSON Lines file the way `feedscout ingest` does (ingest_jsonl_file), documents
// or events; returns {accepted, rejected} and prints the first error, or the failure, to
// stdout ({0, 0} on failure).
std::pair<size_t, size_t> ingest_file(Engine& engine, const std::string& path, bool documents);

}  // namespace feedscout::bench
