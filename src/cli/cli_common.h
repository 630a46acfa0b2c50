// Shared helpers of the feedscout command-line tool (private to src/cli).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "feedscout/common/status.h"
#include "feedscout/engine/engine.h"
#include "feedscout/engine/file_ingest.h"
#include "feedscout/eval/engine_recommender.h"
#include "feedscout/server/server_config.h"

namespace feedscout::cli {

// Options every engine-backed command accepts.
struct CommonOptions {
  std::string config_path;  // "" = built-in defaults
  std::string data_dir;     // overrides engine.data_dir
  std::string model_path;   // overrides classifier.model
  bool verbose = false;
};

void add_common_options(CLI::App& cmd, CommonOptions& opts);

// Defaults, then the TOML file, then command-line overrides.
[[nodiscard]] Result<AppConfig> resolve_config(const CommonOptions& opts);

// The engine an offline replay runs (eval-rec, train-ranker --replay): the embedded
// defaults, or the [context], [feed], [index] and [collaborative] sections of the TOML file
// at `config_path` ("" = none).
[[nodiscard]] Result<EngineRecommenderOptions> replay_engine_options(
    const std::string& config_path);

// Structured logging to stderr: "2026-11-23T10:00:00.123 level=info msg".
void setup_logging(bool verbose);

// Prints "error: <status>" to stderr and returns the process exit code for it.
int fail(const Status& status);

// Prints the first `max` of `errors` (line or index, field, message), one per line, each
// after `indent` spaces.
void print_item_errors(const std::vector<ItemError>& errors, size_t max, int indent = 2);

// Takes over SIGINT/SIGTERM for the whole process. Call it before any thread starts
// (before Engine::open): threads inherit the blocked mask, and one waiter thread handles the
// signals — stopping the server once serve_until_signal runs, exiting with 130 before.
void handle_termination_signals();

// Runs the HTTP server until SIGINT/SIGTERM (after handle_termination_signals()).
int serve_until_signal(Engine& engine, const ServerConfig& config);

int run_demo(const CommonOptions& opts);
void register_commands(CLI::App& app, CommonOptions& opts, int& exit_code);
// `eval-rec` (eval_command.cc); register_commands calls it.
void register_eval_command(CLI::App& app, int& exit_code);
// `distill judge-ranking` (judge_ranking_command.cc); register_distill_commands calls it.
void register_judge_ranking_command(CLI::App& distill, int& exit_code);
// `train-ranker` (train_ranker_command.cc); register_commands calls it.
void register_train_ranker_command(CLI::App& app, int& exit_code);
// `eval-topics` (eval_topics_command.cc); register_commands calls it.
void register_eval_topics_command(CLI::App& app, int& exit_code);
// `eval-intents` (eval_intents_command.cc); register_commands calls it.
void register_eval_intents_command(CLI::App& app, int& exit_code);
// `mine-intents` and the other search-intent commands (intent_command.cc).
void register_intent_commands(CLI::App& app, CommonOptions& opts, int& exit_code);
// `distill teacher-label|judge|synthesize|train-student|export-chat` (distill_command.cc).
void register_distill_commands(CLI::App& app, int& exit_code);

}  // namespace feedscout::cli
