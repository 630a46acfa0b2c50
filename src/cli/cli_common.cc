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

Result<IngestFileResult> ingest_file(Engine& engine, const std::string& path, std::string kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("input file '" + path + "' cannot be opened");
  IngestFileResult result;
  const auto start = std::chrono::steady_clock::now();
  constexpr size_t kChunkLines = 8192;

  // Two workers take turns: while one chunk is parsed on one core, the engine's writer
  // applies and commits the previous one. Chunks may commit out of file order, which the
  // engine allows (contexts do not depend on event order; ids stay idempotent).
  std::mutex mu;  // guards `in`, line_no, kind and result
  size_t line_no = 0;
  auto worker = [&] {
    std::string chunk, line;
    while (true) {
      size_t first_line = 0, chunk_lines = 0;
      std::string chunk_kind;
      chunk.clear();
      {
        std::lock_guard lk(mu);
        first_line = line_no + 1;
        while (chunk_lines < kChunkLines && std::getline(in, line)) {
          ++line_no;
          ++chunk_lines;
          if (kind == "auto" && line.find_first_not_of(" \t\r") != std::string::npos) {
            kind = line.find("\"title\"") != std::string::npos ? "documents" : "events";
          }
          chunk += line;
          chunk += '\n';
        }
        chunk_kind = kind;
      }
      if (chunk_lines == 0) return;
      IngestReport r = chunk_kind == "documents" ? engine.ingest_documents(chunk, first_line)
                                                 : engine.ingest_events(chunk, first_line);
      std::lock_guard lk(mu);
      if (!r.commit_status.is_ok()) {
        result.rejected += r.accepted + r.duplicates + r.rejected;
        result.errors.push_back({first_line, "", r.commit_status.to_string()});
        continue;
      }
      result.accepted += r.accepted;
      result.duplicates += r.duplicates;
      result.rejected += r.rejected;
      for (auto& e : r.errors) {
        if (result.errors.size() < 1000) result.errors.push_back(std::move(e));
      }
    }
  };
  // Documents reference nothing, events may reference documents of an earlier file only;
  // both are safe to commit in any chunk order.
  std::thread second(worker);
  worker();
  second.join();
  std::sort(result.errors.begin(), result.errors.end(),
            [](const ItemError& a, const ItemError& b) { return a.position < b.position; });
  if (result.errors.size() > 20) result.errors.resize(20);
  result.kind = kind == "auto" ? "events" : kind;
  result.lines = line_no;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
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

}  // namespace feedscout::cli
