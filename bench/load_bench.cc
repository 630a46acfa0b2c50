// The server under HTTP load on loopback (issue 6's load benchmark): a real Engine filled
// with a synthetic pool, a real HttpServer, and wrk (Debian `wrk`) as the client.
//
//   feedscout_load_bench [--docs D] [--topics T] [--users U] [--events N] [--duration S]
//                        [--connections C] [--wrk-threads W] [--server-threads H]
//                        [--rate R] [--open-connections O] [--pool-cache E]
//                        [--breakdown B] [--search-sessions M] [--seed S] [--tmp DIR] [--keep]
//                        [--reuse DIR] [--no-http] [--ranker MODEL] [--no-collaborative]
//
// --ranker MODEL loads a learned ranker (docs/RANKING.md) for the home feed; --no-collaborative
// turns the collaborative model and its background training off (run both ways to compare).
//
// Setup: D documents (default 1,000,000) over T topics (default 200) and N events (default
// 3,000,000) of U users (default 1,000,000; every user gets at least one session) from
// bench/synthetic.h, ingested durably through the engine as `feedscout ingest` does.
//
// Requests (10% of the user ids are users the engine has never seen: cold):
//   home feed:   GET /v1/users/{random user}/feed?n=20&remember=0;
//   search feed: GET /v1/search-feed?user=&q=&page=&n=20&remember=0 from search sessions: a
//                random user, a query of a random corpus topic (bench/synthetic.h
//                topic_query, the vocabulary the ingested searches used) and its pages 0, 1
//                and 2 (a third of the requests each). The HTTP runs draw from M sessions
//                (default 10,000) other than the breakdown's, so the search feed's pool cache
//                starts with what the breakdown left, as a server's does with earlier traffic.
// Load, each kind in two ways (client and server share the machine's cores: the figures are a
// lower bound for the server alone):
//   - wrk -t W -c C -d S --latency: closed loop, C connections each waiting for its response,
//     so it finds the saturation throughput (its latencies hide queueing: coordinated
//     omission);
//   - an open loop at R requests/s (default 2,000; bench/open_loop_client.h) over O
//     connections (default 32) for S seconds: every request timed from its scheduled send
//     time, the latency a user sees at that offered load.
// Server threads H default to the server's own default (ServerConfig); E sets the search
// feed's pool cache entries (default the engine's; 0 turns it off). The pool cache's hits
// and misses are printed for each phase. --no-http skips the HTTP runs (breakdown only).
//
// --reuse DIR keeps the data set and the engine's store in DIR (created when missing) and,
// when DIR holds a complete setup made with the same options, opens it instead of generating
// and ingesting again (a 1M/1M setup takes minutes). The corpus is regenerated in memory
// (deterministic in the options) for the search mix.
//
// Breakdown: B requests (default 20,000) of each kind timed in-process, one at a time, per
// stage — Engine::feed or Engine::search_feed (candidates, ranking, reasons), JSON rendering
// of the page — so that the HTTP layer's share is the HTTP latency minus these. The search
// feed's requests go session by session (page 0, 1, 2), split by whether q's pool came from
// the cache. The engine stages are also timed in the thread's CPU time, which preemption by
// other processes on the shared cores does not inflate. Asserts nothing about timings.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "feedscout/engine/engine.h"
#include "feedscout/engine/file_ingest.h"
#include "feedscout/server/http_server.h"
#include "open_loop_client.h"
#include "server/json_render.h"
#include "synthetic.h"

namespace fb = feedscout::bench;
using feedscout::Engine;
using feedscout::EngineConfig;
using feedscout::TimeMs;

namespace {

constexpr size_t kPageSize = 20;

std::string run_command(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// wrk's "--latency" percentile in milliseconds ("    99%    3.21ms"), or -1.
double wrk_percentile_ms(const std::string& out, const std::string& pct) {
  const std::regex re("\\s" + pct + "%\\s+([0-9.]+)(us|ms|s)");
  std::smatch m;
  if (!std::regex_search(out, m, re)) return -1;
  const double v = std::stod(m[1]);
  if (m[2] == "us") return v / 1000.0;
  if (m[2] == "s") return v * 1000.0;
  return v;
}

double wrk_requests_per_s(const std::string& out) {
  const std::regex re("Requests/sec:\\s+([0-9.]+)");
  std::smatch m;
  return std::regex_search(out, m, re) ? std::stod(m[1]) : -1;
}

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// One search-feed request of the mix.
struct SearchRequest {
  std::string user, query;
  size_t page = 0;
  std::string path() const {
    return "/v1/search-feed?user=" + url_encode(user) + "&q=" + url_encode(query) +
           "&page=" + std::to_string(page) + "&n=" + std::to_string(kPageSize) + "&remember=0";
  }
};

// Runs wrk with `script` against `port` and prints its output and a one-line summary.
void run_wrk(const std::string& label, const std::string& script, uint16_t port, size_t wrk_threads,
             size_t connections, size_t duration_s, size_t server_threads) {
  const std::string command = "wrk -t" + std::to_string(wrk_threads) + " -c" +
                              std::to_string(connections) + " -d" + std::to_string(duration_s) +
                              "s --latency -s " + script +
                              " http://127.0.0.1:" + std::to_string(port);
  std::printf("\n%s: %s   (server threads %zu)\n", label.c_str(), command.c_str(), server_threads);
  std::fflush(stdout);
  const std::string out = run_command(command);
  std::printf("%s\n", out.c_str());
  std::printf(
      "%s over HTTP: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  %.0f requests/s "
      "(wrk and server on the same %u cores)\n",
      label.c_str(), wrk_percentile_ms(out, "50"), wrk_percentile_ms(out, "90"),
      wrk_percentile_ms(out, "99"), wrk_requests_per_s(out), std::thread::hardware_concurrency());
  std::fflush(stdout);
}

// CPU time of the calling thread in microseconds: a stage's wall time minus its CPU time is
// time spent off the CPU (preempted by other processes on the shared cores, or blocked).
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

void print_stage(const char* name, std::vector<double>& micros) {
  const auto s = fb::summarize_latencies(micros);
  std::printf("  %-32s p50 %8.1f µs  p90 %8.1f µs  p99 %8.1f µs  mean %8.1f µs\n", name, s.p50,
              s.p90, s.p99, s.mean);
}

}  // namespace

int main(int argc, char** argv) {
  fb::Flags flags(argc, argv,
                  "usage: feedscout_load_bench [--docs D] [--topics T] [--users U] [--events N] "
                  "[--duration S] [--connections C] [--wrk-threads W] [--server-threads H] "
                  "[--rate R] [--open-connections O] [--pool-cache E] "
                  "[--breakdown B] [--search-sessions M] [--seed S] [--tmp DIR] [--keep] "
                  "[--reuse DIR] "
                  "[--no-http]");
  flags.check({"docs",        "topics",      "users",           "events", "duration",
               "connections", "wrk-threads", "server-threads",  "rate",   "open-connections",
               "pool-cache",  "breakdown",   "search-sessions", "seed",   "tmp",
               "keep!",       "reuse",       "no-http!",        "ranker", "no-collaborative!"});
  const size_t n_docs = flags.get_size("docs", 1000000);
  const size_t n_topics = flags.get_size("topics", 200);
  const size_t n_users = flags.get_size("users", 1000000);
  const size_t n_events = flags.get_size("events", 3000000);
  const size_t duration_s = flags.get_size("duration", 15);
  const size_t connections = flags.get_size("connections", 32);
  const size_t wrk_threads = flags.get_size("wrk-threads", 1);
  const size_t server_threads =
      flags.get_size("server-threads", static_cast<size_t>(feedscout::ServerConfig{}.threads));
  const double rate = flags.get_double("rate", 2000);
  const size_t open_connections = flags.get_size("open-connections", 32);
  const size_t n_breakdown = flags.get_size("breakdown", 20000);
  const size_t n_sessions = std::max<size_t>(1, flags.get_size("search-sessions", 10000));
  const uint64_t seed = flags.get_size("seed", 11);
  spdlog::set_level(spdlog::level::warn);
  if (run_command("wrk --version").find("wrk") == std::string::npos) {
    std::cerr << "error: wrk is not installed (scripts/install-deps.sh installs it)\n";
    return 1;
  }

  std::printf("feedscout_load_bench: %zu documents, %zu topics, %zu users, %zu events\n", n_docs,
              n_topics, n_users, n_events);
  std::printf("load average at start: %s\n", fb::load_average().c_str());
  // The setup's identity: a reused directory is only opened when it was made with these.
  const std::string setup_key = std::to_string(n_docs) + " " + std::to_string(n_topics) + " " +
                                std::to_string(n_users) + " " + std::to_string(n_events) + " " +
                                std::to_string(seed);
  const std::string reuse = flags.get_string("reuse", "");
  std::optional<fb::ScratchDir> scratch;
  std::string dir_path = reuse;
  if (reuse.empty()) {
    scratch.emplace(flags.get_string("tmp", "/tmp"), "feedscout-load-bench");
    if (flags.has("keep")) scratch->keep();
    dir_path = scratch->path();
  } else {
    std::error_code ec;
    std::filesystem::create_directories(reuse, ec);
  }
  const std::string docs_path = dir_path + "/documents.jsonl";
  const std::string events_path = dir_path + "/events.jsonl";
  const std::string ready_path = dir_path + "/setup-complete";
  bool reused = false;
  if (!reuse.empty()) {
    std::ifstream ready(ready_path);
    std::string line;
    reused = std::getline(ready, line) && line == setup_key;
  }

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
  fb::ActivityOptions ao;
  ao.seed = seed + 1;
  ao.events = n_events;
  ao.users = n_users;
  feedscout::Result<fb::Corpus> corpus = feedscout::Status::internal("no corpus");
  if (reused) {
    co.now_ms = now;
    corpus = fb::make_corpus(*taxonomy, co);
  } else {
    std::error_code ec;
    std::filesystem::remove(ready_path, ec);
    std::filesystem::remove_all(dir_path + "/data", ec);
    auto data = fb::write_dataset(*taxonomy, co, ao, now, docs_path, events_path);
    if (data.is_ok()) {
      corpus = std::move(data->corpus);
    } else {
      corpus = data.status();
    }
  }
  if (!corpus.is_ok()) {
    std::cerr << "error: " << corpus.status().to_string() << "\n";
    return 1;
  }
  const double gen_s = fb::seconds_since(setup_start);

  EngineConfig config;
  config.data_dir = dir_path + "/data";
  config.taxonomy_path = fb::default_taxonomy_path();
  config.classifier.kind = "none";
  config.search_feed.pool_cache_entries =
      flags.get_size("pool-cache", config.search_feed.pool_cache_entries);
  // --ranker PATH: the home feed ranked by a learned ranker (issue 13), loaded at open.
  config.ranking.model_path = flags.get_string("ranker", "");
  config.ranking.reload_check_s = 0;
  // --no-collaborative: no background ALS training competing with the load for the CPU.
  if (flags.has("no-collaborative")) config.collaborative.enabled = false;
  auto opened = Engine::open(config);
  if (!opened.is_ok()) {
    std::cerr << "error: " << opened.status().to_string() << "\n";
    return 1;
  }
  Engine& engine = **opened;
  if (!config.ranking.model_path.empty()) {
    std::printf(
        "ranker %s: version %s\n", config.ranking.model_path.c_str(),
        engine.ranker_version().empty() ? "(refused: hand-set)" : engine.ranker_version().c_str());
  }
  if (reused) {
    std::printf("reusing the setup in %s (opened in %.1f s)\n", dir_path.c_str(),
                fb::seconds_since(setup_start));
  } else {
    for (const auto& [path, kind] : {std::pair{docs_path, "documents"}, {events_path, "events"}}) {
      feedscout::FileIngestOptions o;
      o.kind = kind;
      auto r = feedscout::ingest_jsonl_file(engine, path, o);
      if (!r.is_ok() || r->rejected > 0) {
        std::cerr << "error: ingest of " << path << " failed or rejected lines\n";
        return 1;
      }
      std::printf("ingested %zu %s in %.1f s (%.0f/s)\n", r->accepted, kind, r->seconds,
                  static_cast<double>(r->accepted) / r->seconds);
    }
    if (!reuse.empty()) std::ofstream(ready_path) << setup_key << "\n";
  }
  const auto stats = engine.stats();
  const auto mem = fb::process_memory();
  std::printf("setup %.1f s (generate %.1f s); engine: %zu documents, %zu users; RSS %.0f MiB\n",
              fb::seconds_since(setup_start), gen_s, stats.documents, stats.users, mem.rss_mib);

  // ---- Per-stage breakdown, in process ------------------------------------------------
  feedscout::SampleRng rng(seed + 2);
  const size_t id_space = n_users + n_users / 9;  // ~10% never seen (cold)
  std::vector<double> feed_us, feed_cpu_us, render_us, total_us;
  for (size_t i = 0; i < n_breakdown + 1000; ++i) {
    const std::string user = fb::user_id(rng.below(id_space));
    const double c0 = thread_cpu_us();
    const auto t0 = std::chrono::steady_clock::now();
    const feedscout::FeedPage page = engine.feed(user, kPageSize, /*remember_served=*/false);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = thread_cpu_us();
    const std::string body = feedscout::server::dump_json(feedscout::server::feed_json(page));
    const auto t2 = std::chrono::steady_clock::now();
    if (i < 1000) continue;  // warm-up
    feed_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    feed_cpu_us.push_back(c1 - c0);
    render_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    total_us.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
  }
  std::printf("\nper-stage, in process, one request at a time (%zu requests):\n", n_breakdown);
  print_stage("Engine::feed (candidates+rank)", feed_us);
  print_stage("  the same, thread CPU time", feed_cpu_us);
  print_stage("JSON render", render_us);
  print_stage("both", total_us);

  // Search sessions: a user and a query, then its pages 0, 1 and 2 in order.
  const auto make_mix = [&](size_t sessions) {
    std::vector<SearchRequest> mix;
    for (size_t i = 0; i < sessions; ++i) {
      const std::string user = fb::user_id(rng.below(id_space));
      const std::string query = fb::topic_query(*corpus, rng.below(corpus->topics.size()), rng);
      for (size_t p = 0; p < 3; ++p) mix.push_back({user, query, p});
    }
    return mix;
  };
  const size_t warmup = 999;
  const std::vector<SearchRequest> breakdown_mix = make_mix((n_breakdown + warmup + 2) / 3);
  std::vector<double> search_us, search_cpu_us, search_render_us, search_total_us, page_us[3];
  std::vector<double> hit_us, miss_us;
  const auto cache_before = engine.stats();
  for (size_t i = 0; i < breakdown_mix.size(); ++i) {
    const SearchRequest& r = breakdown_mix[i];
    const uint64_t hits_before = engine.stats().pool_cache_hits;
    const double c0 = thread_cpu_us();
    const auto t0 = std::chrono::steady_clock::now();
    const feedscout::SearchFeedPage page =
        engine.search_feed(r.user, r.query, r.page, kPageSize, /*remember_served=*/false);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = thread_cpu_us();
    const std::string body =
        feedscout::server::dump_json(feedscout::server::search_feed_json(page));
    const auto t2 = std::chrono::steady_clock::now();
    const bool hit = engine.stats().pool_cache_hits > hits_before;
    if (i < warmup) continue;
    const double engine_us = std::chrono::duration<double, std::micro>(t1 - t0).count();
    search_us.push_back(engine_us);
    search_cpu_us.push_back(c1 - c0);
    page_us[r.page].push_back(engine_us);
    (hit ? hit_us : miss_us).push_back(engine_us);
    search_render_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    search_total_us.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
  }
  const auto cache_after = engine.stats();
  std::printf(
      "\nsearch feed, per-stage, in process, one request at a time (%zu requests, "
      "%zu sessions of pages 0-2; pool cache: %llu hits, %llu misses):\n",
      search_us.size(), breakdown_mix.size() / 3,
      static_cast<unsigned long long>(cache_after.pool_cache_hits - cache_before.pool_cache_hits),
      static_cast<unsigned long long>(cache_after.pool_cache_misses -
                                      cache_before.pool_cache_misses));
  print_stage("Engine::search_feed", search_us);
  print_stage("  the same, thread CPU time", search_cpu_us);
  for (size_t p = 0; p < 3; ++p) {
    const std::string name = "  of which page " + std::to_string(p);
    if (!page_us[p].empty()) print_stage(name.c_str(), page_us[p]);
  }
  if (!hit_us.empty()) print_stage("  of which q's pool cached", hit_us);
  if (!miss_us.empty()) print_stage("  of which q's pool computed", miss_us);
  print_stage("JSON render", search_render_us);
  print_stage("both", search_total_us);
  std::fflush(stdout);
  if (flags.has("no-http")) return 0;

  // ---- HTTP load: open loop at the target rate, then wrk to saturation -------------------
  const std::vector<SearchRequest> http_mix = make_mix(n_sessions);
  feedscout::ServerConfig sc;
  sc.host = "127.0.0.1";
  sc.port = 0;
  sc.threads = static_cast<int>(server_threads);
  feedscout::HttpServer server(engine, sc);
  if (auto st = server.bind(); !st.is_ok()) {
    std::cerr << "error: " << st.to_string() << "\n";
    return 1;
  }
  std::thread serving([&] { server.run(); });
  const std::string script = dir_path + "/feed.lua";
  {
    std::ofstream lua(script);
    lua << "math.randomseed(" << seed << ")\n"
        << "request = function()\n"
        << "  local u = math.random(1, " << id_space << ")\n"
        << "  return wrk.format(\"GET\", string.format(\"/v1/users/u%06d/feed?n=" << kPageSize
        << "&remember=0\", u))\n"
        << "end\n";
  }
  const std::string search_script = dir_path + "/search.lua";
  {
    std::ofstream lua(search_script);
    lua << "math.randomseed(" << seed << ")\nlocal paths = {\n";
    for (const SearchRequest& r : http_mix) lua << "  \"" << r.path() << "\",\n";
    lua << "}\n"
        << "request = function()\n"
        << "  return wrk.format(\"GET\", paths[math.random(1, #paths)])\n"
        << "end\n";
  }
  std::vector<std::string> feed_paths, search_paths;
  for (size_t i = 0; i < 100000; ++i) {
    feed_paths.push_back("/v1/users/" + fb::user_id(rng.below(id_space)) +
                         "/feed?n=" + std::to_string(kPageSize) + "&remember=0");
  }
  for (const SearchRequest& r : http_mix) search_paths.push_back(r.path());
  const auto open_loop = [&](const std::string& label, std::vector<std::string> paths) {
    fb::OpenLoopOptions o;
    o.port = server.port();
    o.rate_per_s = rate;
    o.duration_s = static_cast<double>(duration_s);
    o.connections = open_connections;
    o.paths = std::move(paths);
    o.seed = seed + 3;
    std::printf(
        "\n%s: open loop at %.0f requests/s, %zu connections, %.0f s (+1 s warm-up)   "
        "(server threads %zu)\n",
        label.c_str(), rate, open_connections, o.duration_s, server_threads);
    std::fflush(stdout);
    const auto before = engine.stats();
    auto r = fb::run_open_loop(o);
    const auto after = engine.stats();
    if (!r.is_ok()) {
      std::printf("%s open loop failed: %s\n", label.c_str(), r.status().to_string().c_str());
      return;
    }
    std::printf("%s\n", fb::format_open_loop(*r).c_str());
    std::printf(
        "%s open loop: offered %.0f/s achieved %.0f/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  "
        "errors %zu timeouts %zu  (pool cache: %llu hits, %llu misses)\n",
        label.c_str(), r->offered_per_s, r->achieved_per_s, r->p50_ms, r->p99_ms, r->p999_ms,
        r->errors, r->timeouts,
        static_cast<unsigned long long>(after.pool_cache_hits - before.pool_cache_hits),
        static_cast<unsigned long long>(after.pool_cache_misses - before.pool_cache_misses));
    std::fflush(stdout);
  };
  open_loop("home feed", feed_paths);
  run_wrk("home feed", script, server.port(), wrk_threads, connections, duration_s, server_threads);
  open_loop("search feed", search_paths);
  const auto before_wrk = engine.stats();
  run_wrk("search feed", search_script, server.port(), wrk_threads, connections, duration_s,
          server_threads);
  const auto after_wrk = engine.stats();
  std::printf(
      "search feed wrk run: pool cache %llu hits, %llu misses\n",
      static_cast<unsigned long long>(after_wrk.pool_cache_hits - before_wrk.pool_cache_hits),
      static_cast<unsigned long long>(after_wrk.pool_cache_misses - before_wrk.pool_cache_misses));
  server.stop();
  serving.join();
  std::printf("load average at end: %s\n", fb::load_average().c_str());
  return 0;
}
