#include "cli_common.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "feedscout/server/http_server.h"

namespace feedscout::cli {

void add_common_options(CLI::App& cmd, CommonOptions& opts) {
  cmd.add_option("--config", opts.config_path, "TOML config file (see config/feedscout.toml)");
  cmd.add_option("--data-dir", opts.data_dir, "data directory (overrides engine.data_dir)");
  cmd.add_option("--model", opts.model_path, "fastText topic model (overrides classifier.model)");
  cmd.add_flag("-v,--verbose", opts.verbose, "debug logging");
}

Result<AppConfig> resolve_config(const CommonOptions& opts) {
  AppConfig config;
  if (!opts.config_path.empty()) {
    auto loaded = load_config_file(opts.config_path);
    if (!loaded.is_ok()) return loaded.status();
    config = std::move(loaded).value();
  }
  if (!opts.data_dir.empty()) config.engine.data_dir = opts.data_dir;
  if (!opts.model_path.empty()) config.engine.classifier.model_path = opts.model_path;
  return config;
}

Result<EngineRecommenderOptions> replay_engine_options(const std::string& config_path) {
  EngineRecommenderOptions engine;
  if (config_path.empty()) return engine;
  CommonOptions common;
  common.config_path = config_path;
  auto config = resolve_config(common);
  if (!config.is_ok()) return config.status();
  engine.context = config->engine.context;
  engine.feed = config->engine.feed;
  engine.index = config->engine.index;
  engine.collaborative = config->engine.collaborative;
  return engine;
}

void setup_logging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("feedscout");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e level=%l %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
}

int fail(const Status& status) {
  std::cerr << "error: " << status.to_string() << "\n";
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return 2;
    case Status::Code::kBusy:
      return 3;
    default:
      return 1;
  }
}

namespace {

std::mutex g_signal_mu;
HttpServer* g_server = nullptr;  // the server to stop, guarded by g_signal_mu

}  // namespace

void handle_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      std::lock_guard lk(g_signal_mu);
      if (g_server == nullptr) std::_Exit(128 + sig);
      spdlog::info("signal={} stopping", sig);
      g_server->stop();
    }
  }).detach();
}

int serve_until_signal(Engine& engine, const ServerConfig& config) {
  HttpServer server(engine, config);
  if (Status st = server.bind(); !st.is_ok()) return fail(st);
  {
    std::lock_guard lk(g_signal_mu);
    g_server = &server;
  }
  std::cout << "listening on " << config.host << ":" << server.port() << std::endl;
  spdlog::info("http listening host={} port={}", config.host, server.port());
  server.run();
  std::lock_guard lk(g_signal_mu);
  g_server = nullptr;
  return 0;
}

void print_item_errors(const std::vector<ItemError>& errors, size_t max, int indent) {
  for (size_t i = 0; i < errors.size() && i < max; ++i) {
    std::cout << std::string(static_cast<size_t>(indent), ' ') << describe_item_error(errors[i])
              << "\n";
  }
}

}  // namespace feedscout::cli
