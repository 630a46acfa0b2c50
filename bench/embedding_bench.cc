// What embeddings cost and give in the engine (issue 6): ingest with and without them, the
// ANN's start-up (load vs rebuild), and feed / search-feed latency for users with embedding
// profiles, each against the same engine with [embeddings] off, in one run.
//
//   feedscout_embedding_bench [--docs D] [--topics T] [--users U] [--events N] [--dim d]
//                             [--train-docs P] [--requests R] [--seed S] [--tmp DIR] [--keep]
//
// Setup: D documents (default 100,000) over T topics (default 100) and N events (default
// 300,000) of U users (default 30,000) from bench/synthetic.h. A fastText skipgram embedder
// (d = 64, sub-word n-grams, 5 epochs) is trained on the first P documents (default 20,000)
// — training time is printed. Then, twice — embeddings off (BASE) and on — a fresh engine
// ingests the documents and the events (durable, 8,192-line chunks), and R requests (default
// 5,000) of Engine::feed(user, 20) and Engine::search_feed(user, q, page 0, 10) for users
// drawn uniformly from the active ones are timed one by one (remember_served=false). With
// Each engine is then closed and reopened (with embeddings: the ANN file is loaded), and the
// one with embeddings once more without the file (rebuilt from the stored vectors). Prints figures
// and ratios; asserts nothing about timings.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

#include "bench_util.h"
#include "feedscout/engine/engine.h"
#include "feedscout/models/fasttext_embedder.h"
#include "synthetic.h"

namespace fb = feedscout::bench;
using feedscout::Engine;
using feedscout::EngineConfig;
using feedscout::TimeMs;

namespace {

struct RunResult {
  double docs_s = 0, events_s = 0;
  size_t docs = 0, events = 0, ann_vectors = 0, users_with_profiles = 0;
  fb::LatencySummary feed, search;
  double reopen_s = 0, reopen_rebuild_s = 0;  // reopen (ON: with the ANN file), rebuild
};

RunResult run(const EngineConfig& config, const fb::Dataset& data, const std::string& docs_path,
              const std::string& events_path, size_t n_users, size_t n_requests, uint64_t seed) {
  RunResult out;
  {
    auto opened = Engine::open(config);
    if (!opened.is_ok()) {
      std::cerr << "error: " << opened.status().to_string() << "\n";
      std::exit(1);
    }
    Engine& engine = **opened;
    auto t0 = std::chrono::steady_clock::now();
    out.docs = fb::ingest_file(engine, docs_path, true).first;
    out.docs_s = fb::seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    out.events = fb::ingest_file(engine, events_path, false).first;
    out.events_s = fb::seconds_since(t0);
    out.ann_vectors = engine.stats().ann_vectors;

    feedscout::SampleRng rng(seed);
    std::vector<std::string> users;
    for (size_t i = 0; i < n_requests; ++i) users.push_back(fb::user_id(rng.below(n_users)));
    for (size_t i = 0; i < 500; ++i) (void)engine.feed(users[i % users.size()], 20, false);
    for (const auto& u : users) out.users_with_profiles += !engine.context(u).profiles.empty();
    std::vector<double> feed_us, search_us;
    for (const auto& u : users) {
      const auto t = std::chrono::steady_clock::now();
      (void)engine.feed(u, 20, false);
      feed_us.push_back(fb::seconds_since(t) * 1e6);
    }
    for (size_t i = 0; i < users.size(); ++i) {
      const std::string q = fb::topic_query(data.corpus, rng.below(data.corpus.topics.size()), rng);
      const auto t = std::chrono::steady_clock::now();
      (void)engine.search_feed(users[i], q, 0, 10, false);
      search_us.push_back(fb::seconds_since(t) * 1e6);
    }
    out.feed = fb::summarize_latencies(feed_us);
    out.search = fb::summarize_latencies(search_us);
  }
  {
    auto t0 = std::chrono::steady_clock::now();
    { auto again = Engine::open(config); }
    out.reopen_s = fb::seconds_since(t0);
  }
  if (config.embeddings.kind != "none") {
    std::filesystem::remove(config.data_dir + "/ann-index.bin");
    auto t0 = std::chrono::steady_clock::now();
    { auto again = Engine::open(config); }
    out.reopen_rebuild_s = fb::seconds_since(t0);
  }
  return out;
}

void print_latency(const char* name, const fb::LatencySummary& s) {
  std::printf("  %-34s p50 %8.1f µs   p99 %8.1f µs   mean %8.1f µs\n", name, s.p50, s.p99, s.mean);
}

}  // namespace

int main(int argc, char** argv) {
  fb::Flags flags(argc, argv,
                  "usage: feedscout_embedding_bench [--docs D] [--topics T] [--users U] "
                  "[--events N] [--dim d] [--train-docs P] [--requests R] [--seed S] "
                  "[--tmp DIR] [--keep]");
  flags.check({"docs", "topics", "users", "events", "dim", "train-docs", "requests", "seed", "tmp",
               "keep!"});
  const size_t n_docs = flags.get_size("docs", 100000);
  const size_t n_topics = flags.get_size("topics", 100);
  const size_t n_users = flags.get_size("users", 30000);
  const size_t n_events = flags.get_size("events", 300000);
  const size_t dim = flags.get_size("dim", 64);
  const size_t n_train = flags.get_size("train-docs", 20000);
  const size_t n_requests = flags.get_size("requests", 5000);
  const uint64_t seed = flags.get_size("seed", 11);
  spdlog::set_level(spdlog::level::warn);
  std::printf(
      "feedscout_embedding_bench: %zu documents, %zu topics, %zu users, %zu events, d = %zu, "
      "embedder trained on %zu documents, %zu requests\n",
      n_docs, n_topics, n_users, n_events, dim, n_train, n_requests);
  std::printf("load average at start: %s\n", fb::load_average().c_str());

  fb::ScratchDir dir(flags.get_string("tmp", "/tmp"), "feedscout-embedding-bench");
  if (flags.has("keep")) dir.keep();
  const std::string docs_path = dir.path() + "/documents.jsonl";
  const std::string events_path = dir.path() + "/events.jsonl";
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
  auto data = fb::write_dataset(*taxonomy, co, ao, now, docs_path, events_path);
  if (!data.is_ok()) {
    std::cerr << "error: " << data.status().to_string() << "\n";
    return 1;
  }

  // The embedder, trained on the first P documents of the pool.
  const std::string pool_path = dir.path() + "/pool.jsonl", model_path = dir.path() + "/embed.bin";
  {
    std::ofstream pool(pool_path);
    for (size_t i = 0; i < std::min(n_train, n_docs); ++i) {
      pool << fb::document_line(data->corpus, i) << "\n";
    }
  }
  feedscout::FastTextEmbedderTrainOptions to;
  to.dim = static_cast<int>(dim);
  to.epoch = 5;
  auto trained = feedscout::train_fasttext_embedder(pool_path, *taxonomy, model_path, to);
  if (!trained.is_ok()) {
    std::cerr << "error: " << trained.status().to_string() << "\n";
    return 1;
  }
  std::printf("embedder: %zu documents, %zu words, trained in %.1f s\n\n", trained->documents,
              trained->words, trained->seconds);

  EngineConfig base;
  base.taxonomy_path = fb::default_taxonomy_path();
  base.classifier.kind = "none";
  base.data_dir = dir.path() + "/data-base";
  EngineConfig with = base;
  with.data_dir = dir.path() + "/data-embed";
  with.embeddings.kind = "fasttext";
  with.embeddings.model_path = model_path;

  const RunResult a = run(base, *data, docs_path, events_path, n_users, n_requests, seed + 5);
  const RunResult b = run(with, *data, docs_path, events_path, n_users, n_requests, seed + 5);
  for (const auto* r : {&a, &b}) {
    const bool on = r == &b;
    std::printf("%s\n", on ? "embeddings ON (fasttext, ANN m=16 ef_c=100 ef_s=64)"
                           : "embeddings OFF (BASE)");
    std::printf("  documents: %zu in %.1f s (%.0f docs/s)   ann vectors %zu\n", r->docs, r->docs_s,
                static_cast<double>(r->docs) / r->docs_s, r->ann_vectors);
    std::printf("  events:    %zu in %.1f s (%.0f events/s)\n", r->events, r->events_s,
                static_cast<double>(r->events) / r->events_s);
    std::printf("  sampled users with an embedding profile: %zu of %zu\n", r->users_with_profiles,
                n_requests);
    print_latency("Engine::feed(user, 20)", r->feed);
    print_latency("Engine::search_feed(user, q, 0, 10)", r->search);
    std::printf("  reopen: %.2f s", r->reopen_s);
    if (on)
      std::printf(" (ANN file loaded); without the file (rebuild): %.2f s", r->reopen_rebuild_s);
    std::printf("\n");
    std::printf("\n");
  }
  std::printf(
      "ratios ON / BASE: document ingest time %.2fx, event ingest time %.2fx, feed p50 "
      "%.2fx p99 %.2fx, search feed p50 %.2fx p99 %.2fx\n",
      b.docs_s / a.docs_s, b.events_s / a.events_s, b.feed.p50 / a.feed.p50,
      b.feed.p99 / a.feed.p99, b.search.p50 / a.search.p50, b.search.p99 / a.search.p99);
  return 0;
}
