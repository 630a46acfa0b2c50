// The HTTP API of the engine (docs/API.md): ingest, contexts, feeds, stored records, health
// and Prometheus metrics, all JSON over HTTP/1.1 on cpp-httplib.
//
// Durability: an ingest request is answered only after Engine::ingest_* has returned, which
// is after the accepted items were committed with fsync; a 200 therefore means "stored".
//
// Errors are JSON ({"error": {"code", "message"}}) with a 4xx status for anything the
// client sent; 5xx only when the engine itself failed (503 when a durable write failed).
//
// Thread safety: every method may be called from any thread. Requests are served by a pool
// of ServerConfig::threads worker threads, concurrently.
#pragma once

#include <memory>

#include "feedscout/common/status.h"
#include "feedscout/server/server_config.h"

namespace feedscout {

class Engine;

class HttpServer {
 public:
  // `engine` must outlive the server. Nothing is bound until bind().
  HttpServer(Engine& engine, const ServerConfig& config);
  ~HttpServer();  // stops serving and waits for run() to return
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on config.host:config.port (port 0 = any free port). Fails with
  // Status::busy when the address is in use, another error when the host is invalid or
  // bind() was already called. Unlike httplib's default, the socket does not use
  // SO_REUSEPORT, so a second server can never share a port with a running one.
  [[nodiscard]] Status bind();

  // The bound port; -1 before a successful bind().
  int port() const;

  // Serves until stop(); blocking. Returns at once when bind() has not succeeded or stop()
  // was already called. One run() per object.
  void run();

  // Stops accepting connections and makes run() return once in-flight requests are
  // answered. Thread-safe, idempotent; may be called before run() (run() then returns at
  // once).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace feedscout
