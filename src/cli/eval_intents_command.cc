// `feedscout eval-intents`: search-intent refinement on held-out mined pairs (issue 5) —
// exact match, token ROUGE-L and character F1 of the query-only baseline, the mined lookup,
// the extractive refiner and mined + extractive fallback (eval/intent_eval.h; commands and
// numbers in docs/EVALUATION.md).
//
//   feedscout eval-intents --format events|sogouq --input LOG [--documents docs.jsonl]
//                          [--holdout 0.2] [--limit N] [--examples 12] [--llm-config F]
//                          --out DIR
//
// Writes DIR/report.md, DIR/pairs.jsonl (every evaluated pair with each method's answer) and
// DIR/train_mined.jsonl (the table mined on the train part), and prints a summary. Bad rows
// are counted, never fatal; a missing input or documents file, an empty or unsplittable log,
// or an unwritable DIR exits 1 naming the path.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.h"
#include "feedscout/eval/intent_eval.h"
#include "feedscout/intent/llm_refiner.h"
#include "feedscout/server/server_config.h"

namespace feedscout::cli {
namespace {

struct EvalIntentsArgs {
  std::string format = "events";
  std::string input, documents, out = "var/eval-intents", llm_config;
  double holdout = 0.2;
  size_t limit = 0;
  size_t examples = 12;
};

std::string command_line(const EvalIntentsArgs& a) {
  std::ostringstream cmd;
  cmd << "feedscout eval-intents --format " << a.format << " --input " << a.input;
  if (!a.documents.empty()) cmd << " --documents " << a.documents;
  cmd << " --holdout " << a.holdout;
  if (a.limit > 0) cmd << " --limit " << a.limit;
  if (a.examples != 12) cmd << " --examples " << a.examples;
  if (!a.llm_config.empty()) cmd << " --llm-config " << a.llm_config;
  cmd << " --out " << a.out;
  return cmd.str();
}

// The language-model row: the [intent] llm_* keys of a feedscout TOML config (server,
// dialect, prompt, timeout) build an LlmRefiner over the evaluation corpus's word weights.
// The client is kept in `client` (it must outlive the refiner). Errors name the file.
[[nodiscard]] Status language_model_factory(const EvalIntentsArgs& args,
                                            std::unique_ptr<llm::LlmClient>& client,
                                            IntentEvalOptions& options) {
  if (args.llm_config.empty()) {
    options.language_model_note =
        "no --llm-config given (no language-model server is reachable where this ran)";
    return Status::ok();
  }
  auto config = load_config_file(args.llm_config);
  if (!config.is_ok()) return config.status();
  const IntentLlmConfig& c = config->engine.intent.llm;
  llm::LlmClientConfig client_config = c.client;
  client_config.deadline_ms = c.timeout_ms;
  auto created = llm::LlmClient::create(client_config);
  if (!created.is_ok()) return created.status().with_context(args.llm_config);
  client = std::move(created).value();
  auto prompt = llm::PromptTemplate::load_file(c.prompt_path);
  if (!prompt.is_ok()) return prompt.status().with_context(args.llm_config + ": intent.llm_prompt");
  intent::LlmRefinerOptions lo;
  lo.budget = options.refiner;
  lo.body_budget = c.body_budget;
  llm::LlmClient* raw = client.get();
  options.make_language_model =
      [raw, lo, p = std::move(prompt).value()](const intent::WordWeights& weights) {
        return std::unique_ptr<intent::QueryRefiner>(
            std::make_unique<intent::LlmRefiner>(*raw, p, weights, lo));
      };
  return Status::ok();
}

int run_eval_intents(const EvalIntentsArgs& args) {
  const auto format = intent::parse_search_log_format(args.format);
  if (!format) return fail(Status::invalid_argument("unknown --format '" + args.format + "'"));
  IntentEvalOptions options;
  options.input = args.input;
  options.format = *format;
  options.documents = args.documents;
  options.holdout = args.holdout;
  options.limit = args.limit;
  options.examples = args.examples;
  options.work_dir = args.out;
  std::unique_ptr<llm::LlmClient> lm_client;
  if (Status st = language_model_factory(args, lm_client, options); !st.is_ok()) return fail(st);

  auto result = run_intent_eval(options);
  if (!result.is_ok()) return fail(result.status());
  const IntentEvalResult& r = *result;
  const std::string report_path = args.out + "/report.md";
  const std::string pairs_path = args.out + "/pairs.jsonl";
  {
    std::ofstream out(report_path, std::ios::binary | std::ios::trunc);
    out << render_intent_eval_report(r, options, command_line(args));
    if (!out) return fail(Status::io_error("cannot write '" + report_path + "'"));
  }
  const Status written = write_intent_eval_pairs(r, pairs_path);
  if (!written.is_ok()) return fail(written);

  uint64_t skipped = 0;
  for (const auto& e : r.skipped) skipped += e.count;
  uint64_t rejected = 0;
  for (const auto& e : r.rejected) rejected += e.count;
  std::cout << "searches with clicks: " << r.rows << " (train " << r.train_rows << ", test "
            << r.test_rows << "), skipped bad rows: " << skipped
            << ", unusable queries/documents: " << rejected << "\n"
            << "held-out pairs: " << r.pairs.size() << ", with gold Q* != Q: " << r.refined_pairs
            << "; (Q, D) seen in train: " << r.pairs_seen_in_train << "\n"
            << "documents: "
            << (r.surrogate_documents ? "query-click surrogates"
                                      : "title/body from " + args.documents)
            << " (" << r.collection_documents << ")\n";
  std::printf("%-30s %8s %8s %8s | %8s %8s %8s\n", "method", "EM", "ROUGE-L", "charF1", "EM*",
              "ROUGE-L*", "charF1*");
  for (const IntentMethodResult& m : r.results) {
    std::printf("%-30s %8.4f %8.4f %8.4f | %8.4f %8.4f %8.4f\n", m.name.c_str(), m.all.exact,
                m.all.rouge_l, m.all.char_f1, m.refined.exact, m.refined.rouge_l,
                m.refined.char_f1);
  }
  std::fflush(stdout);
  std::cout << "(* = pairs whose gold Q* != Q)\n";
  if (!r.language_model_run)
    std::cout << "language model: not run — " << r.language_model_note << "\n";
  std::cout << "wrote " << report_path << ", " << pairs_path << " and " << r.train_table << "\n";
  return 0;
}

}  // namespace

void register_eval_intents_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval-intents",
      "Search-intent refinement on held-out mined pairs: exact match, ROUGE-L and character F1 "
      "of query-only, mined lookup, extractive and mined + extractive (docs/EVALUATION.md)");
  auto args = std::make_shared<EvalIntentsArgs>();
  cmd->add_option("--format", args->format, "events (feedscout JSON Lines) or sogouq")
      ->check(CLI::IsMember({"events", "sogouq"}));
  cmd->add_option("--input", args->input, "the search log")->required();
  cmd->add_option("--documents", args->documents,
                  "documents JSON Lines (id, title, body) for the extractive refiner; without "
                  "it documents are query-click surrogates");
  cmd->add_option("--holdout", args->holdout, "share of the time-sorted searches held out")
      ->check(CLI::Range(0.01, 0.99));
  cmd->add_option("--limit", args->limit, "read at most N searches with clicks (0 = all)");
  cmd->add_option("--examples", args->examples, "example pairs in the report")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--llm-config", args->llm_config,
                  "language-model refiner configuration (not wired yet: the row is reported "
                  "as not run)");
  cmd->add_option("--out", args->out, "output folder (report.md, pairs.jsonl)");
  cmd->callback([&exit_code, args] {
    setup_logging(false);
    exit_code = run_eval_intents(*args);
  });
}

}  // namespace feedscout::cli
