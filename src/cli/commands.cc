// The tool's commands other than `demo` (demo.cc).
#include <fstream>
#include <iostream>

#include "cli_common.h"
#include "feedscout/eval/sample_generator.h"
#include "feedscout/eval/simulator.h"
#include "feedscout/models/fasttext_classifier.h"
#include "feedscout/models/fasttext_embedder.h"
#include "report.h"

namespace feedscout::cli {
namespace {

Result<std::unique_ptr<Engine>> open_engine(const CommonOptions& opts, AppConfig* out_config) {
  auto config = resolve_config(opts);
  if (!config.is_ok()) return config.status();
  if (out_config) *out_config = *config;
  return Engine::open(config->engine);
}

}  // namespace

void register_commands(CLI::App& app, CommonOptions& opts, int& exit_code) {
  // ---- ingest ----------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("ingest", "Ingest a JSON Lines file of documents or events");
    add_common_options(*cmd, opts);
    auto file = std::make_shared<std::string>();
    auto kind = std::make_shared<std::string>("auto");
    cmd->add_option("FILE", *file, "JSON Lines file (docs/FORMATS.md)")->required();
    cmd->add_option("--kind", *kind, "events | documents | auto (documents if items have a title)")
        ->check(CLI::IsMember({"events", "documents", "auto"}));
    cmd->callback([&, file, kind] {
      setup_logging(opts.verbose);
      auto engine = open_engine(opts, nullptr);
      if (!engine.is_ok()) {
        exit_code = fail(engine.status());
        return;
      }
      FileIngestOptions fo;
      fo.kind = *kind;
      auto r = ingest_jsonl_file(**engine, *file, fo);
      if (!r.is_ok()) {
        exit_code = fail(r.status());
        return;
      }
      std::cout << "ingested " << r->kind << " from " << *file << ": " << r->lines << " lines, "
                << r->accepted << " accepted, " << r->duplicates << " duplicates, " << r->rejected
                << " rejected in " << r->seconds << " s ("
                << static_cast<long>(static_cast<double>(r->accepted + r->duplicates) /
                                     std::max(r->seconds, 1e-9))
                << " items/s, durable)\n";
      print_item_errors(r->errors, 20);
      exit_code = r->rejected > 0 && r->accepted == 0 && r->duplicates == 0 ? 2 : 0;
    });
  }
  // ---- serve -----------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("serve", "Serve the HTTP API (docs/API.md)");
    add_common_options(*cmd, opts);
    auto port = std::make_shared<int>(-1);
    auto host = std::make_shared<std::string>();
    cmd->add_option("--port", *port, "TCP port (overrides server.port; 0 = any free port)");
    cmd->add_option("--host", *host, "address to bind (overrides server.host)");
    cmd->callback([&, port, host] {
      handle_termination_signals();
      setup_logging(opts.verbose);
      AppConfig config;
      auto engine = open_engine(opts, &config);
      if (!engine.is_ok()) {
        exit_code = fail(engine.status());
        return;
      }
      if (*port >= 0) config.server.port = *port;
      if (!host->empty()) config.server.host = *host;
      exit_code = serve_until_signal(**engine, config.server);
    });
  }
  // ---- train-topics ------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("train-topics",
                                   "Train the fastText topic classifier from labelled JSON Lines");
    auto input = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>("var/topics.bin");
    auto taxonomy = std::make_shared<std::string>("data/taxonomy/iab-content-3.1-ko.tsv");
    auto options = std::make_shared<FastTextTrainOptions>();
    cmd->add_option("--input", *input, "documents with \"topics\" (docs/FORMATS.md)")->required();
    cmd->add_option("--output", *output, "model file to write");
    cmd->add_option("--taxonomy", *taxonomy, "taxonomy TSV the labels belong to");
    cmd->add_option("--epoch", options->epoch, "training epochs");
    cmd->add_option("--lr", options->learning_rate, "learning rate");
    cmd->add_option("--dim", options->dim, "vector dimension");
    cmd->add_option("--loss", options->loss, "ova (multi-label) or softmax");
    cmd->add_option("--seed", options->seed, "random seed");
    cmd->callback([&, input, output, taxonomy, options] {
      setup_logging(false);
      auto tax = Taxonomy::load_file(*taxonomy);
      if (!tax.is_ok()) {
        exit_code = fail(tax.status());
        return;
      }
      auto r = train_fasttext_topics(*input, *tax, *output, *options);
      if (!r.is_ok()) {
        exit_code = fail(r.status());
        return;
      }
      std::cout << "trained " << *output << " on " << r->examples << " documents, " << r->labels
                << " topics, " << r->skipped << " without topics skipped, " << r->errors.size()
                << " unreadable lines, " << r->seconds << " s\n";
      print_item_errors(r->errors, 20);
    });
  }
  // ---- train-embeddings --------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand(
        "train-embeddings",
        "Train the fastText document embedder (skipgram, sub-word n-grams) on a content pool");
    auto input = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>("var/embed.bin");
    auto taxonomy = std::make_shared<std::string>("data/taxonomy/iab-content-3.1-ko.tsv");
    auto options = std::make_shared<FastTextEmbedderTrainOptions>();
    cmd->add_option("--input", *input, "documents, JSON Lines (docs/FORMATS.md)")->required();
    cmd->add_option("--output", *output, "model file to write ([embeddings] model)");
    cmd->add_option("--taxonomy", *taxonomy, "taxonomy TSV the documents' topics belong to");
    cmd->add_option("--dim", options->dim, "vector dimension");
    cmd->add_option("--epoch", options->epoch, "training epochs");
    cmd->add_option("--lr", options->learning_rate, "learning rate");
    cmd->add_option("--min-count", options->min_count, "words seen fewer times get no own vector");
    cmd->add_option("--seed", options->seed, "random seed");
    cmd->callback([&, input, output, taxonomy, options] {
      setup_logging(false);
      auto tax = Taxonomy::load_file(*taxonomy);
      if (!tax.is_ok()) {
        exit_code = fail(tax.status());
        return;
      }
      auto r = train_fasttext_embedder(*input, *tax, *output, *options);
      if (!r.is_ok()) {
        exit_code = fail(r.status());
        return;
      }
      std::cout << "trained " << *output << " on " << r->documents << " documents (" << r->words
                << " words, d = " << options->dim << "), " << r->skipped
                << " without words skipped, " << r->errors.size() << " unreadable lines, "
                << r->seconds << " s\n";
      print_item_errors(r->errors, 20);
    });
  }
  // ---- classify ----------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("classify", "Print the topics a trained model gives a text");
    auto model = std::make_shared<std::string>("var/topics.bin");
    auto taxonomy = std::make_shared<std::string>("data/taxonomy/iab-content-3.1-ko.tsv");
    auto title = std::make_shared<std::string>();
    auto body = std::make_shared<std::string>();
    cmd->add_option("--model", *model, "fastText model from train-topics");
    cmd->add_option("--taxonomy", *taxonomy, "taxonomy TSV");
    cmd->add_option("TITLE", *title, "document title")->required();
    cmd->add_option("BODY", *body, "document body");
    cmd->callback([&, model, taxonomy, title, body] {
      auto tax = Taxonomy::load_file(*taxonomy);
      if (!tax.is_ok()) {
        exit_code = fail(tax.status());
        return;
      }
      auto cls = load_fasttext_classifier(*model, *tax);
      if (!cls.is_ok()) {
        exit_code = fail(cls.status());
        return;
      }
      auto preds = (*cls)->classify(*title, *body, 3, 0.0f);
      if (!preds.is_ok()) {
        exit_code = fail(preds.status());
        return;
      }
      for (const auto& p : *preds) {
        std::cout << p.score << "\t" << tax->node(p.topic).external_id << "\t"
                  << tax->node(p.topic).path << "\n";
      }
    });
  }
  // ---- gen-sample --------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("gen-sample", "Generate the Korean sample documents");
    auto vocab = std::make_shared<std::string>("data/sample/topic_vocab.json");
    auto taxonomy = std::make_shared<std::string>("data/taxonomy/iab-content-3.1-ko.tsv");
    auto out = std::make_shared<std::string>("data/sample/documents.jsonl");
    auto options = std::make_shared<SampleOptions>();
    cmd->add_option("--vocab", *vocab, "topic vocabulary JSON");
    cmd->add_option("--taxonomy", *taxonomy, "taxonomy TSV");
    cmd->add_option("--out", *out, "output JSON Lines");
    cmd->add_option("--seed", options->seed, "random seed");
    cmd->add_option("--docs-per-topic", options->docs_per_topic, "documents per topic");
    cmd->callback([&, vocab, taxonomy, out, options] {
      auto tax = Taxonomy::load_file(*taxonomy);
      if (!tax.is_ok()) {
        exit_code = fail(tax.status());
        return;
      }
      std::ofstream f(*out, std::ios::binary | std::ios::trunc);
      if (!f) {
        exit_code = fail(Status::io_error("cannot write '" + *out + "'"));
        return;
      }
      Status st = generate_sample_documents(*vocab, *tax, *options, f);
      if (!st.is_ok()) exit_code = fail(st);
    });
  }
  // ---- simulate ----------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("simulate", "Simulate multi-surface user activity");
    auto vocab = std::make_shared<std::string>("data/sample/topic_vocab.json");
    auto taxonomy = std::make_shared<std::string>("data/taxonomy/iab-content-3.1-ko.tsv");
    auto docs_path = std::make_shared<std::string>("data/sample/documents.jsonl");
    auto out = std::make_shared<std::string>("var/events.jsonl");
    auto options = std::make_shared<SimulatorOptions>();
    auto end = std::make_shared<std::string>();
    cmd->add_option("--vocab", *vocab, "topic vocabulary JSON");
    cmd->add_option("--taxonomy", *taxonomy, "taxonomy TSV");
    cmd->add_option("--documents", *docs_path, "documents JSON Lines");
    cmd->add_option("--out", *out, "events JSON Lines to write");
    cmd->add_option("--seed", options->seed, "random seed");
    cmd->add_option("--users", options->users, "number of users");
    cmd->add_option("--light-share", options->light_share, "share of light feed users");
    cmd->add_option("--days", options->days, "days of activity");
    cmd->add_option("--end", *end, "RFC 3339 end of the period (default: the sample's 2026-11-01)");
    cmd->callback([&, vocab, taxonomy, docs_path, out, options, end] {
      auto tax = Taxonomy::load_file(*taxonomy);
      if (!tax.is_ok()) {
        exit_code = fail(tax.status());
        return;
      }
      if (!end->empty()) {
        auto t = parse_rfc3339(*end);
        if (!t.is_ok()) {
          exit_code = fail(t.status().with_context("--end"));
          return;
        }
        options->end_ms = *t;
      }
      auto docs = read_documents_file(*docs_path, *tax);
      if (!docs.is_ok()) {
        exit_code = fail(docs.status());
        return;
      }
      std::ofstream f(*out, std::ios::binary | std::ios::trunc);
      SimulationSummary summary;
      Status st = simulate_activity(*vocab, *docs, *tax, *options, f, &summary);
      if (!st.is_ok()) {
        exit_code = fail(st);
        return;
      }
      std::cout << "simulated " << summary.users << " users (" << summary.light_users << " light, "
                << summary.heavy_users << " heavy): " << summary.events << " events → " << *out
                << "\n";
    });
  }
  // ---- report ------------------------------------------------------------------------------
  {
    auto* cmd = app.add_subcommand("report", "Print users' contexts and feeds from a data dir");
    add_common_options(*cmd, opts);
    auto users = std::make_shared<std::vector<std::string>>();
    auto n = std::make_shared<size_t>(10);
    cmd->add_option("USERS", *users, "user ids")->required();
    cmd->add_option("-n", *n, "feed items per user");
    cmd->callback([&, users, n] {
      setup_logging(opts.verbose);
      auto engine = open_engine(opts, nullptr);
      if (!engine.is_ok()) {
        exit_code = fail(engine.status());
        return;
      }
      for (const auto& u : *users) print_user_report(std::cout, **engine, u, "user", 5, *n);
    });
  }
  // ---- eval-rec ----------------------------------------------------------------------------
  register_eval_command(app, exit_code);
  register_train_ranker_command(app, exit_code);
  register_eval_topics_command(app, exit_code);
  register_eval_intents_command(app, exit_code);
  register_intent_commands(app, opts, exit_code);
  register_distill_commands(app, exit_code);
}

}  // namespace feedscout::cli
