// An in-process HTTP server for the LLM client tests, on cpp-httplib and a loopback port.
// No real inference server runs in these tests: the handlers each test installs speak only
// the subset of a dialect that docs/LLM.md documents (dialect.h lists the fields).
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace feedscout::llm::testing {

class TestLlmServer {
 public:
  // `setup` installs the handlers before the server starts listening (httplib's routes must
  // not change while it serves).
  explicit TestLlmServer(const std::function<void(httplib::Server&)>& setup) {
    setup(server_);
    server_.set_tcp_nodelay(true);
    // One request per connection: httplib's stop() otherwise waits out the keep-alive
    // timeout (>= 1 s) of every idle client connection, which made each test take a second.
    // The client reconnects transparently, so nothing under test depends on reuse.
    server_.set_keep_alive_max_count(1);
    server_.set_keep_alive_timeout(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 2000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~TestLlmServer() { stop(); }
  TestLlmServer(const TestLlmServer&) = delete;
  TestLlmServer& operator=(const TestLlmServer&) = delete;

  void stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace feedscout::llm::testing
