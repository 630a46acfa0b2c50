// Self-check of the open-loop load generator (open_loop_client.h) against in-process
// cpp-httplib servers whose handlers sleep a known time. Prints each run's figures and
// exits non-zero when a check fails. About 10 s.
//
//   1. under capacity: 2 ms handler, 24 server threads, 500 req/s for 3 s (1 s warm-up) on
//      16 connections: achieved within 5% of offered, 2 ms <= p50 < 10 ms, no errors or
//      timeouts. cpp-httplib closes a keep-alive connection after 5 requests, so this also
//      exercises the transparent reconnects.
//   2. overloaded: 20 ms handler, 4 server threads (capacity 200/s), 400 req/s for 2 s
//      (0.5 s warm-up) on 4 connections: the client's queue grows, so p99 must be far beyond
//      the 20 ms service time (> 200 ms), where a closed-loop client on 4 connections would
//      report about 20 ms. Achieved must be near capacity (150–250/s). Only as many
//      connections as server threads: cpp-httplib serves a connection on one thread until
//      it closes, and a thread holding a connection the client has nothing to send on waits
//      there for the keep-alive timeout (5 s) while requests on connections still in its
//      accept queue starve (with 16 connections, 12 requests time out at the end).
//   3. chunked responses: 200 req/s for 0.5 s of a chunked body; no errors.
//   4. nothing listening: run_open_loop returns an error instead of hanging.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "open_loop_client.h"

namespace {

using feedscout::bench::format_open_loop;
using feedscout::bench::OpenLoopOptions;
using feedscout::bench::OpenLoopResult;
using feedscout::bench::run_open_loop;

// A cpp-httplib server on 127.0.0.1 (ephemeral port), listening in its own thread until
// destroyed.
class TestServer {
 public:
  TestServer(size_t threads, std::chrono::milliseconds sleep) {
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_tcp_nodelay(true);
    server_.Get("/sleep", [sleep](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(sleep);
      res.set_content("ok\n", "text/plain");
    });
    server_.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        sink.write("hello ", 6);
        sink.write("chunked world\n", 14);
        sink.done();
        return true;
      });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ > 0) {
      thread_ = std::thread([this] { server_.listen_after_bind(); });
      while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~TestServer() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

int g_failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++g_failures;
}

// Runs the options against a server; prints the figures. Null on an error (counted).
std::unique_ptr<OpenLoopResult> run(const char* name, const OpenLoopOptions& options) {
  std::printf("%s\n", name);
  auto result = run_open_loop(options);
  if (!result.is_ok()) {
    check(false, "run_open_loop: " + result.status().to_string());
    return nullptr;
  }
  std::printf("  %s (%.1f s)\n", format_open_loop(*result).c_str(), result->elapsed_s);
  return std::make_unique<OpenLoopResult>(*result);
}

std::string fmt(const char* format, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof(buf), format, a, b);
  return buf;
}

void under_capacity() {
  TestServer server(24, std::chrono::milliseconds(2));
  if (server.port() <= 0) return check(false, "bind");
  OpenLoopOptions o;
  o.port = static_cast<uint16_t>(server.port());
  o.rate_per_s = 500;
  o.duration_s = 3;
  o.warmup_s = 1;
  o.connections = 16;
  o.paths = {"/sleep", "/sleep?a=1", "/sleep?b=2"};
  const auto r = run("1. under capacity: 2 ms handler, 24 threads, 500/s for 3 s", o);
  if (!r) return;
  check(r->achieved_per_s >= 475 && r->achieved_per_s <= 525,
        fmt("achieved %.1f/s within 5%% of 500/s", r->achieved_per_s));
  check(r->p50_ms >= 2 && r->p50_ms < 10, fmt("2 ms <= p50 %.2f ms < 10 ms", r->p50_ms));
  check(r->errors == 0 && r->timeouts == 0,
        fmt("errors %.0f, timeouts %.0f: none", static_cast<double>(r->errors),
            static_cast<double>(r->timeouts)));
  check(r->completed == r->scheduled && r->scheduled == 1500,
        fmt("completed %.0f of 1500 scheduled", static_cast<double>(r->completed)));
  check(r->reconnects > 0,
        fmt("reconnects %.0f > 0 (keep-alive limit)", static_cast<double>(r->reconnects)));
}

void overloaded() {
  TestServer server(4, std::chrono::milliseconds(20));
  if (server.port() <= 0) return check(false, "bind");
  OpenLoopOptions o;
  o.port = static_cast<uint16_t>(server.port());
  o.rate_per_s = 400;
  o.duration_s = 2;
  o.warmup_s = 0.5;
  o.connections = 4;
  o.paths = {"/sleep"};
  const auto r =
      run("2. overloaded: 20 ms handler, 4 threads (200/s), 400/s for 2 s, 4 connections", o);
  if (!r) return;
  check(r->p99_ms > 200, fmt("p99 %.1f ms > 200 ms (queueing visible)", r->p99_ms));
  check(r->achieved_per_s >= 150 && r->achieved_per_s <= 250,
        fmt("achieved %.1f/s near capacity 200/s", r->achieved_per_s));
  check(r->max_queue > 100, fmt("max queue %.0f > 100", static_cast<double>(r->max_queue)));
  check(r->errors == 0 && r->timeouts == 0,
        fmt("errors %.0f, timeouts %.0f: none", static_cast<double>(r->errors),
            static_cast<double>(r->timeouts)));
}

void chunked() {
  TestServer server(8, std::chrono::milliseconds(0));
  if (server.port() <= 0) return check(false, "bind");
  OpenLoopOptions o;
  o.port = static_cast<uint16_t>(server.port());
  o.rate_per_s = 200;
  o.duration_s = 0.5;
  o.warmup_s = 0;
  o.connections = 4;
  o.paths = {"/chunked"};
  const auto r = run("3. chunked responses: 200/s for 0.5 s", o);
  if (!r) return;
  check(r->completed == 100 && r->errors == 0 && r->timeouts == 0,
        fmt("completed %.0f of 100, errors %.0f", static_cast<double>(r->completed),
            static_cast<double>(r->errors)));
}

void nothing_listening() {
  int port = 0;
  {
    TestServer server(1, std::chrono::milliseconds(0));
    port = server.port();
  }  // closed again: nothing listens there now
  std::printf("4. nothing listening on port %d\n", port);
  OpenLoopOptions o;
  o.port = static_cast<uint16_t>(port);
  o.duration_s = 1;
  o.paths = {"/"};
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_open_loop(o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  check(!r.is_ok(), "an error: " + (r.is_ok() ? std::string("none") : r.status().to_string()));
  check(s < 3, fmt("returned in %.2f s", s));
}

}  // namespace

int main() {
  under_capacity();
  overloaded();
  chunked();
  nothing_listening();
  std::printf("%s\n", g_failures == 0 ? "open-loop self-check: all passed"
                                      : "open-loop self-check: FAILED");
  return g_failures == 0 ? 0 : 1;
}
