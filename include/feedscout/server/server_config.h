// The HTTP server's settings ([server] of the configuration file).
#pragma once

#include <cstddef>
#include <string>

#include "feedscout/common/status.h"
#include "feedscout/config/config_table.h"
#include "feedscout/engine/config.h"

namespace feedscout {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  // Worker threads. cpp-httplib gives an open connection a thread until it closes (at most
  // keep_alive_max_requests requests, or keep_alive_timeout_s idle), so this bounds the
  // connections served at once; idle threads cost no CPU.
  int threads = 64;
  int keep_alive_max_requests = 1000;
  int keep_alive_timeout_s = 5;
  size_t max_body_bytes = 16 << 20;  // larger request bodies get 413
};

// Reads [server] over the defaults in `out`; errors are recorded in `table` and returned.
[[nodiscard]] Status read_server_config(ConfigTable& table, ServerConfig& out);
// Checks ranges; errors name `source` and the key.
[[nodiscard]] Status validate_server_config(const ServerConfig& config, const std::string& source);

// A serving process's whole configuration file: the engine's sections and [server].
struct AppConfig {
  EngineConfig engine;
  ServerConfig server;
};

// Reads a TOML text over the defaults: every stage's keys, then unknown keys are errors (a
// typo must not silently keep a default), then each stage's checks. Messages name `source`
// (the file) and the key.
[[nodiscard]] Result<AppConfig> parse_config(std::string_view toml_text, const std::string& source);
// The same for a file; a file that cannot be opened is NotFound.
[[nodiscard]] Result<AppConfig> load_config_file(const std::string& path);

}  // namespace feedscout
