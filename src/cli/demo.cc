// `feedscout demo`: the main job on the embedded defaults. Loads the shipped sample, runs
// every pipeline (taxonomy, classifier training, document ingest with classification,
// activity simulation, event ingest into contexts), prints a report for a light, a heavy
// and a cold user, then serves the HTTP API until interrupted (FEEDSCOUT_DEMO_SERVE=0 stops
// after the report).
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_map>

#include "cli_common.h"
#include "feedscout/eval/sample_generator.h"
#include "feedscout/eval/simulator.h"
#include "feedscout/models/fasttext_classifier.h"
#include "feedscout/models/fasttext_embedder.h"
#include "feedscout/text/utf8.h"
#include "report.h"

namespace feedscout::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDemoMarker = ".feedscout-demo";
constexpr const char* kVocabPath = "data/sample/topic_vocab.json";
constexpr const char* kDocumentsPath = "data/sample/documents.jsonl";

// The demo owns its directory: it may wipe one it created before, nothing else.
Status prepare_dir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::exists(fs::path(dir) / kDemoMarker) && !fs::is_empty(dir, ec)) {
      return Status::invalid_argument("demo directory '" + dir +
                                      "' exists and was not made by the demo; choose another "
                                      "--data-dir");
    }
    fs::remove_all(dir, ec);
    if (ec) return Status::io_error("cannot clear '" + dir + "': " + ec.message());
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error("cannot create '" + dir + "': " + ec.message());
  std::ofstream(fs::path(dir) / kDemoMarker) << "made by feedscout demo\n";
  return Status::ok();
}

Status write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
  return out ? Status::ok() : Status::io_error("cannot write '" + path + "'");
}

FileIngestOptions kind(const char* k) {
  FileIngestOptions o;
  o.kind = k;
  return o;
}

}  // namespace

int run_demo(const CommonOptions& opts) {
  handle_termination_signals();
  setup_logging(opts.verbose);
  if (!opts.verbose) spdlog::set_level(spdlog::level::warn);
  auto config_r = resolve_config(opts);
  if (!config_r.is_ok()) return fail(config_r.status());
  AppConfig config = std::move(config_r).value();
  const std::string dir = opts.data_dir.empty() ? "var/demo" : opts.data_dir;
  if (Status st = prepare_dir(dir); !st.is_ok()) return fail(st);
  const TimeMs now = now_ms();

  std::cout << "feedscout demo — " << format_rfc3339(now) << "\n\n";

  // 1. Taxonomy.
  auto tax_r = Taxonomy::load_file(config.engine.taxonomy_path);
  if (!tax_r.is_ok()) return fail(tax_r.status());
  const Taxonomy& tax = *tax_r;
  const auto levels = tax.level_counts();
  std::cout << "[taxonomy] " << config.engine.taxonomy_path << ": " << tax.size() << " topics ("
            << levels[0] << " / " << levels[1] << " / " << levels[2] << " per level)\n";

  // 2. Sample documents, moved in time so that the newest is fresh today.
  auto docs_r = read_documents_file(kDocumentsPath, tax);
  if (!docs_r.is_ok()) {
    return fail(
        docs_r.status().with_context("shipped sample (run the demo from the repository root)"));
  }
  std::vector<Document> docs = std::move(docs_r).value();
  const TimeMs shift = now - kSampleNewestMs - kMsPerHour;
  std::unordered_map<TopicId, size_t> per_topic;
  for (auto& d : docs) {
    d.created_ms += shift;
    for (const auto& t : d.topics) ++per_topic[t.topic];
  }
  std::cout << "[sample] " << kDocumentsPath << ": " << docs.size() << " Korean documents over "
            << per_topic.size() << " topics (times shifted so the newest is 1 h old)\n";

  // 3. Train the topic classifier on 85% of the documents; the other 15% are ingested
  //    without topics so that the classifier labels them on ingest.
  std::vector<std::string> train_lines, ingest_lines;
  std::vector<const Document*> holdout;
  for (const auto& d : docs) {
    const bool held_out = doc_key(d.id) % 100 >= 85;
    if (held_out) {
      Document stripped = d;
      stripped.topics.clear();
      ingest_lines.push_back(document_to_json(stripped, tax));
      holdout.push_back(&d);
    } else {
      train_lines.push_back(document_to_json(d, tax));
      ingest_lines.push_back(train_lines.back());
    }
  }
  const std::string train_path = dir + "/train.jsonl", model_path = dir + "/topics.bin";
  if (Status st = write_lines(train_path, train_lines); !st.is_ok()) return fail(st);
  auto trained = train_fasttext_topics(train_path, tax, model_path, FastTextTrainOptions{});
  if (!trained.is_ok()) return fail(trained.status());
  std::cout << "[train-topics] fastText on " << trained->examples << " documents, "
            << trained->labels << " topics, " << trained->seconds << " s → " << model_path << "\n";

  // Document embeddings: fastText skipgram vectors trained on the whole content pool (no
  // labels needed), for the ANN, the search feed's reactive wave and embedding profiles.
  const std::string pool_path = dir + "/pool.jsonl", embed_path = dir + "/embed.bin";
  if (Status st = write_lines(pool_path, ingest_lines); !st.is_ok()) return fail(st);
  auto embedded =
      train_fasttext_embedder(pool_path, tax, embed_path, FastTextEmbedderTrainOptions{});
  if (!embedded.is_ok()) return fail(embedded.status());
  std::cout << "[train-embeddings] fastText skipgram on " << embedded->documents << " documents, "
            << embedded->words << " words, " << embedded->seconds << " s → " << embed_path << "\n";

  // 4. Open the engine (RocksDB in <dir>/store) with the trained classifier; ingest.
  config.engine.data_dir = dir + "/store";
  config.engine.classifier.kind = "fasttext";
  config.engine.classifier.model_path = model_path;
  config.engine.embeddings.kind = "fasttext";
  config.engine.embeddings.model_path = embed_path;
  auto engine_r = Engine::open(config.engine);
  if (!engine_r.is_ok()) return fail(engine_r.status());
  Engine& engine = **engine_r;
  const std::string docs_path = dir + "/documents.jsonl";
  if (Status st = write_lines(docs_path, ingest_lines); !st.is_ok()) return fail(st);
  auto ingested_docs = ingest_jsonl_file(engine, docs_path, kind("documents"));
  if (!ingested_docs.is_ok()) return fail(ingested_docs.status());
  std::cout << "[ingest] documents: " << ingested_docs->accepted << " accepted ("
            << engine.stats().documents_classified << " labelled by the classifier), "
            << ingested_docs->rejected << " rejected\n";

  // Classifier quality on the held-out documents, read back from the store.
  size_t top1 = 0, top3 = 0, tier1 = 0;
  for (const Document* d : holdout) {
    auto stored = engine.document_json(d->id);
    if (!stored.is_ok() || !stored->has_value()) continue;
    auto back = parse_documents(**stored, stored_record_limits(), tax, 0);
    if (back.items.empty()) continue;
    const auto& got = back.items[0].second.topics;
    const TopicId truth = d->topics.front().topic;
    if (!got.empty() && got[0].topic == truth) ++top1;
    for (const auto& t : got) top3 += t.topic == truth;
    if (!got.empty() && tax.lineage(got[0].topic).front() == tax.lineage(truth).front()) ++tier1;
  }
  const double hn = std::max<double>(1, static_cast<double>(holdout.size()));
  std::cout << "[classify] held-out " << holdout.size() << " documents: top-1 " << 100.0 * top1 / hn
            << "%, top-3 " << 100.0 * top3 / hn << "%, level-1 " << 100.0 * tier1 / hn << "%\n";

  // 5. Simulate two weeks of multi-surface activity ending now, and ingest it.
  const std::string events_path = dir + "/events.jsonl";
  SimulationSummary summary;
  {
    std::ofstream out(events_path, std::ios::binary | std::ios::trunc);
    SimulatorOptions so;
    so.end_ms = now;
    Status st = simulate_activity(kVocabPath, docs, tax, so, out, &summary);
    if (!st.is_ok()) return fail(st);
  }
  std::cout << "[simulate] " << summary.users << " users (" << summary.light_users << " light, "
            << summary.heavy_users << " heavy; " << summary.users_searching << " search, "
            << summary.users_on_main << " use main): " << summary.events << " events ("
            << summary.searches << " searches, " << summary.impressions << " impressions, "
            << summary.clicks << " clicks)\n";
  auto ingested = ingest_jsonl_file(engine, events_path, kind("events"));
  if (!ingested.is_ok()) return fail(ingested.status());
  std::cout << "[ingest] events: " << ingested->accepted << " accepted, " << ingested->rejected
            << " rejected, " << ingested->seconds << " s ("
            << static_cast<long>(static_cast<double>(ingested->accepted) /
                                 std::max(ingested->seconds, 1e-9))
            << " events/s into contexts, durable)\n";
  auto again = ingest_jsonl_file(engine, events_path, kind("events"));
  if (!again.is_ok()) return fail(again.status());
  std::cout << "[ingest] the same file again: " << again->accepted << " accepted, "
            << again->duplicates << " duplicates (event ids apply once)\n";

  // 6. Bad input is reported per line and costs nothing else.
  {
    const std::string bad_path = dir + "/bad-events.jsonl";
    std::ofstream bad(bad_path, std::ios::binary | std::ios::trunc);
    const std::string t = format_rfc3339(now - kMsPerHour);
    bad << R"({"id":"bad-1","type":"click","user":"u0001","time":")" << t
        << R"(","surface":"feed","docs":["doc-00001"],"dwell_s":12})"
        << "\n";
    bad << R"({"id":"bad-2","type":"click","user":"u0001","time":)"
        << "\n";
    bad << R"({"id":"bad-3","type":"click","user":"u0001","time":"2099-01-01T00:00:00Z","surface":"feed","docs":["doc-00001"]})"
        << "\n";
    bad << R"({"id":"bad-4","type":"click","user":"u0001","time":")" << t
        << R"(","surface":"feed","docs":["no-such-doc"]})"
        << "\n";
    bad << R"({"id":"bad-5","type":"search","user":"u0001","time":")" << t
        << "\",\"query\":\"\xC3\x28\"}\n";
    bad << R"({"id":"bad-6","type":"click","user":42,"time":")" << t
        << R"(","surface":"portal","docs":["doc-00001"]})"
        << "\n";
  }
  auto bad = ingest_jsonl_file(engine, dir + "/bad-events.jsonl", kind("events"));
  if (!bad.is_ok()) return fail(bad.status());
  std::cout << "[bad input] " << bad->accepted << " accepted, " << bad->rejected
            << " rejected with reasons:\n";
  print_item_errors(bad->errors, 10, 6);

  // 7. The report: three users.
  std::cout << "\n──────── report: contexts and top-10 feed with reasons ────────\n";
  const std::string light =
      summary.example_light_user.empty() ? "u0001" : summary.example_light_user;
  const std::string heavy =
      summary.example_heavy_user.empty() ? "u0002" : summary.example_heavy_user;
  print_user_report(std::cout, engine, light, "LIGHT feed user (searches, uses main)", 5, 10);
  print_user_report(std::cout, engine, heavy, "HEAVY feed user", 5, 10);
  print_user_report(std::cout, engine, "new-visitor", "COLD user", 5, 10);
  // The search feed for the light user's latest search: waves broaden page by page.
  if (const auto view = engine.context(light); !view.recent_searches.empty()) {
    const std::string q = view.recent_searches.front().query;
    std::cout << "\n── search feed of " << light << " for '" << q << "' ──\n";
    for (size_t page = 0; page < 3; ++page) {
      const SearchFeedPage p = engine.search_feed(light, q, page, 4, /*remember_served=*/true);
      for (const SearchFeedEntry& e : p.items) {
        std::cout << "  p" << page << " " << search_wave_name(e.wave) << "\t" << e.doc_id << "  "
                  << text::truncate_utf8(e.title, 60) << "  [" << e.reason << "]\n";
      }
    }
  }

  const EngineStats s = engine.stats();
  std::cout << "\n[store] " << s.documents << " documents (" << s.ann_vectors
            << " in the ANN index), " << s.users << " users, " << s.events_accepted << " events in "
            << config.engine.data_dir << " (" << s.commits << " durable commits)\n";

  const char* serve_env = std::getenv("FEEDSCOUT_DEMO_SERVE");
  if (serve_env != nullptr && std::string(serve_env) == "0") {
    std::cout << "FEEDSCOUT_DEMO_SERVE=0: not serving.\n";
    return 0;
  }
  const std::string base =
      "http://" + config.server.host + ":" + std::to_string(config.server.port);
  std::cout << "\nServing the API until Ctrl-C. Try:\n"
            << "  curl -s '" << base << "/v1/users/" << light << "/feed?n=10'\n"
            << "  curl -s '" << base << "/v1/users/" << heavy << "/context'\n"
            << "  curl -s '" << base << "/metrics'\n";
  return serve_until_signal(engine, config.server);
}

}  // namespace feedscout::cli
