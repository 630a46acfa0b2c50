#include "feedscout/server/server_config.h"

#include <fstream>
#include <sstream>

namespace feedscout {

Status read_server_config(ConfigTable& r, ServerConfig& c) {
  r.read("server", "host", c.host);
  r.read("server", "port", c.port);
  r.read("server", "threads", c.threads);
  r.read("server", "keep_alive_max_requests", c.keep_alive_max_requests);
  r.read("server", "keep_alive_timeout_s", c.keep_alive_timeout_s);
  r.read("server", "max_body_bytes", c.max_body_bytes);
  return r.status();
}

Status validate_server_config(const ServerConfig& c, const std::string& source) {
  if (c.port < 0 || c.port > 65535) {
    return Status::invalid_argument(source + ": server.port out of range");
  }
  if (c.threads < 1 || c.threads > 4096 || c.keep_alive_max_requests < 1 ||
      c.keep_alive_timeout_s < 1) {
    return Status::invalid_argument(source +
                                    ": server.threads must be in 1..4096, "
                                    "keep_alive_max_requests and keep_alive_timeout_s >= 1");
  }
  return Status::ok();
}

Result<AppConfig> parse_config(std::string_view toml_text, const std::string& source) {
  auto table = ConfigTable::parse(toml_text, source);
  if (!table.is_ok()) return table.status();
  AppConfig c;
  // Each read records its error in the table; finish() reports the first, or an unknown key.
  (void)read_engine_config(*table, c.engine);
  (void)read_server_config(*table, c.server);
  FEEDSCOUT_RETURN_IF_ERROR(table->finish());
  FEEDSCOUT_RETURN_IF_ERROR(validate_engine_config(c.engine, source));
  FEEDSCOUT_RETURN_IF_ERROR(validate_server_config(c.server, source));
  return c;
}

Result<AppConfig> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("config file '" + path + "' cannot be opened");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_config(buf.str(), path);
}

}  // namespace feedscout
