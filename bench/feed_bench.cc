// Feed and context latency, one request at a time, per user class.
//
//   feedscout_feed_bench [--docs D] [--topics T] [--users U] [--cold-share C] [--events N]
//                        [--requests R] [--seed S] [--tmp DIR] [--keep]
//
// Setup: D documents (default 100,000) over T topics (default 100) created over the last
// 30 days, and N events (default 1,000,000) of the (1 - C)·U active users (U = 100,000,
// C = 0.1) over the last 14 days (bench/synthetic.h), ingested through the engine in
// 8,192-line chunks (durable). The C·U cold users never appear in the log.
//
// Users are classed from the generator's ground truth:
//   recent search — active, last search within 2.5 days (AfterSearch window is 3 days);
//   warm          — active, no search within the last 3.5 days (Topic + Popular only);
//   cold          — never seen (Popular only: the baseline).
// Active users with a last search between 2.5 and 3.5 days ago are left out (the window
// edge moves while the benchmark runs).
//
// Measurement: 1,000 untimed warm-up requests, then for each class R requests (default
// 20,000) for users drawn uniformly (with replacement) from the class, timed one by one
// with steady_clock: Engine::feed(user, 20, remember_served=false), then
// Engine::context(user) the same way. Also R requests over users drawn from the whole
// population ("mixed"). Prints p50/p90/p99/max/mean in µs and requests/s (1e6 / mean,
// one thread). Asserts nothing about timings.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <vector>

#include "bench_util.h"
#include "feedscout/engine/engine.h"
#include "synthetic.h"

namespace fb = feedscout::bench;
using feedscout::Engine;
using feedscout::EngineConfig;
using feedscout::kMsPerHour;
using feedscout::TimeMs;

namespace {

constexpr size_t kPageSize = 20;

struct ClassSample {
  std::string name;
  std::vector<size_t> members;  // user numbers
};

void print_header() {
  std::printf("%-28s %7s %9s %9s %9s %9s %9s %10s\n", "", "n", "p50 µs", "p90 µs", "p99 µs",
              "max µs", "mean µs", "req/s");
}

void print_row(const std::string& name, std::vector<double>& micros) {
  const auto s = fb::summarize_latencies(micros);
  std::printf("%-28s %7zu %9.1f %9.1f %9.1f %9.1f %9.1f %10.0f\n", name.c_str(), s.count, s.p50,
              s.p90, s.p99, s.max, s.mean, s.mean > 0 ? 1e6 / s.mean : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  fb::Flags flags(argc, argv,
                  "usage: feedscout_feed_bench [--docs D] [--topics T] [--users U] "
                  "[--cold-share C] [--events N] [--requests R] [--seed S] [--tmp DIR] [--keep]");
  flags.check(
      {"docs", "topics", "users", "cold-share", "events", "requests", "seed", "tmp", "keep!"});
  const size_t n_docs = flags.get_size("docs", 100000);
  const size_t n_topics = flags.get_size("topics", 100);
  const size_t n_users = flags.get_size("users", 100000);
  const double cold_share = flags.get_double("cold-share", 0.1);
  const size_t n_events = flags.get_size("events", 1000000);
  const size_t n_requests = flags.get_size("requests", 20000);
  const uint64_t seed = flags.get_size("seed", 11);
  const size_t n_active =
      std::max<size_t>(1, static_cast<size_t>(static_cast<double>(n_users) * (1 - cold_share)));
  spdlog::set_level(spdlog::level::warn);

  std::printf(
      "feedscout_feed_bench: %zu documents, %zu topics, %zu users (%zu active, %zu cold), "
      "%zu events, %zu requests per class, page size %zu\n",
      n_docs, n_topics, n_users, n_active, n_users - n_active, n_events, n_requests, kPageSize);

  std::printf("load average at start: %s\n", fb::load_average().c_str());
  fb::ScratchDir dir(flags.get_string("tmp", "/tmp"), "feedscout-feed-bench");
  if (flags.has("keep")) dir.keep();
  const std::string docs_path = dir.path() + "/documents.jsonl";
  const std::string events_path = dir.path() + "/events.jsonl";

  // ---- Setup --------------------------------------------------------------------------
  const auto setup_start = std::chrono::steady_clock::now();
  auto taxonomy = feedscout::Taxonomy::load_file(fb::default_taxonomy_path());
  if (!taxonomy.is_ok()) {
    std::cerr << "error: " << taxonomy.status().to_string() << "\n";
    return 1;
  }
  const TimeMs now = feedscout::now_ms() / 1000 * 1000;
  fb::CorpusOptions co;
  co.seed = seed;
  co.docs = n_docs;
  co.topics = n_topics;
  co.span_days = 30;
  fb::ActivityOptions ao;
  ao.seed = seed + 1;
  ao.events = n_events;
  ao.users = n_active;
  ao.days = 14;
  auto data = fb::write_dataset(*taxonomy, co, ao, now, docs_path, events_path);
  if (!data.is_ok()) {
    std::cerr << "error: " << data.status().to_string() << "\n";
    return 1;
  }
  const fb::ActivitySummary& summary = data->summary;
  const double gen_s = fb::seconds_since(setup_start);

  EngineConfig config;
  config.data_dir = dir.path() + "/data";
  config.taxonomy_path = fb::default_taxonomy_path();
  config.classifier.kind = "none";
  auto opened = Engine::open(config);
  if (!opened.is_ok()) {
    std::cerr << "error: " << opened.status().to_string() << "\n";
    return 1;
  }
  Engine& engine = **opened;
  auto t0 = std::chrono::steady_clock::now();
  const auto [docs_ok, docs_bad] = fb::ingest_file(engine, docs_path, true);
  const double docs_s = fb::seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  const auto [events_ok, events_bad] = fb::ingest_file(engine, events_path, false);
  const double events_s = fb::seconds_since(t0);
  const double setup_s = fb::seconds_since(setup_start);
  std::printf(
      "setup: %.1f s total — generate %.1f s; documents %zu accepted (%zu rejected) in %.1f s; "
      "events %zu accepted (%zu rejected) in %.1f s (%.0f events/s)\n",
      setup_s, gen_s, docs_ok, docs_bad, docs_s, events_ok, events_bad, events_s,
      static_cast<double>(events_ok) / events_s);

  // ---- Classes ------------------------------------------------------------------------
  std::vector<ClassSample> classes = {{"warm (topic+popular)", {}},
                                      {"recent search (AfterSearch)", {}},
                                      {"cold (popular only) BASE", {}}};
  const TimeMs recent_after = now - 60 * kMsPerHour;  // 2.5 days
  const TimeMs warm_before = now - 84 * kMsPerHour;   // 3.5 days
  for (size_t u = 0; u < n_active; ++u) {
    if (summary.events_per_user[u] == 0) continue;
    const TimeMs last = summary.last_search_ms[u];
    if (last >= recent_after) {
      classes[1].members.push_back(u);
    } else if (last < warm_before) {
      classes[0].members.push_back(u);
    }
  }
  for (size_t u = n_active; u < n_users; ++u) classes[2].members.push_back(u);
  std::vector<size_t> everyone(n_users);
  for (size_t u = 0; u < n_users; ++u) everyone[u] = u;
  std::printf(
      "classes: warm %zu users, recent search %zu, cold %zu (active users left out: %zu)\n\n",
      classes[0].members.size(), classes[1].members.size(), classes[2].members.size(),
      n_active - classes[0].members.size() - classes[1].members.size());

  feedscout::SampleRng rng(seed + 2);
  auto draw = [&](const std::vector<size_t>& members) {
    std::vector<std::string> ids;
    ids.reserve(n_requests);
    for (size_t i = 0; i < n_requests && !members.empty(); ++i) {
      ids.push_back(fb::user_id(members[rng.below(members.size())]));
    }
    return ids;
  };

  // Warm-up (untimed).
  for (size_t i = 0; i < 1000; ++i) {
    (void)engine.feed(fb::user_id(rng.below(n_users)), kPageSize, /*remember_served=*/false);
  }

  // ---- feed() -------------------------------------------------------------------------
  std::printf("Engine::feed(user, %zu, remember_served=false), one request at a time\n", kPageSize);
  print_header();
  std::vector<std::pair<std::string, std::vector<std::string>>> samples;
  for (const auto& c : classes) samples.emplace_back(c.name, draw(c.members));
  samples.emplace_back("mixed (all users)", draw(everyone));
  double worst_p99 = 0;
  std::map<std::string, std::string> notes;
  for (auto& [name, ids] : samples) {
    std::vector<double> micros;
    micros.reserve(ids.size());
    size_t items = 0, after_search = 0, with_after_search = 0, short_pages = 0;
    std::map<feedscout::UserClass, size_t> by_class;
    for (const auto& id : ids) {
      const auto start = std::chrono::steady_clock::now();
      feedscout::FeedPage page = engine.feed(id, kPageSize, /*remember_served=*/false);
      micros.push_back(fb::seconds_since(start) * 1e6);
      items += page.items.size();
      short_pages += page.items.size() < kPageSize;
      size_t as = 0;
      for (const auto& e : page.items) as += e.from == feedscout::FeedSource::kAfterSearch;
      after_search += as;
      with_after_search += as > 0;
      ++by_class[page.user_class];
    }
    std::vector<double> copy = micros;
    worst_p99 = std::max(worst_p99, fb::summarize_latencies(copy).p99);
    print_row(name, micros);
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%.1f items/page, %zu short pages, %.0f%% of pages with AfterSearch items; "
                  "engine classes cold/light/medium/heavy = %zu/%zu/%zu/%zu",
                  ids.empty() ? 0.0 : static_cast<double>(items) / static_cast<double>(ids.size()),
                  short_pages,
                  ids.empty() ? 0.0
                              : 100.0 * static_cast<double>(with_after_search) /
                                    static_cast<double>(ids.size()),
                  by_class[feedscout::UserClass::kCold], by_class[feedscout::UserClass::kLight],
                  by_class[feedscout::UserClass::kMedium], by_class[feedscout::UserClass::kHeavy]);
    notes[name] = buf;
  }
  for (const auto& [name, ids] : samples)
    std::printf("  %-27s %s\n", name.c_str(), notes[name].c_str());
  std::printf("target feed p99 <= 10 ms: %s (worst class p99 %.1f µs)\n\n",
              worst_p99 <= 10000 ? "MET" : "NOT MET", worst_p99);

  // ---- context() ----------------------------------------------------------------------
  std::printf("Engine::context(user), one request at a time\n");
  print_header();
  for (auto& [name, ids] : samples) {
    std::vector<double> micros;
    micros.reserve(ids.size());
    size_t topics = 0;
    for (const auto& id : ids) {
      const auto start = std::chrono::steady_clock::now();
      feedscout::ContextView view = engine.context(id);
      micros.push_back(fb::seconds_since(start) * 1e6);
      topics += view.integrated.size();
    }
    print_row(name, micros);
    std::printf("  %-27s %.1f integrated topics per view\n", "",
                ids.empty() ? 0.0 : static_cast<double>(topics) / static_cast<double>(ids.size()));
  }

  const auto stats = engine.stats();
  const fb::ProcessMemory mem = fb::process_memory();
  std::printf("\nengine: %zu users, %zu documents; memory at end: VmRSS %.0f MiB, VmHWM %.0f MiB\n",
              stats.users, stats.documents, mem.rss_mib, mem.peak_mib);
  std::printf("load average at end: %s\n", fb::load_average().c_str());
  return docs_bad == 0 && events_bad == 0 ? 0 : 1;
}
