// The HTTP tests' shared fixture: a real Engine on a temporary data directory, an HttpServer
// on an ephemeral port in a thread, and httplib::Client (or a raw socket) on 127.0.0.1; the
// fixture documents and events; and JSON error helpers. Included by the http_server tests.
#pragma once

#include "feedscout/server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "feedscout/engine/engine.h"
#include "feedscout/server/metrics.h"
#include "server/router.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using nlohmann::json;

using testing_support::kTaxonomyPath;
using testing_support::TempDir;

inline TimeMs at(const char* rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t.is_ok()) << rfc3339;
  return t.is_ok() ? *t : 0;
}

// Three football documents (topic 533 = 스포츠>축구), two baseball (545 = 스포츠>야구), two
// travel (655 = 여행>여행지).
const char* kDocuments =
    R"({"id":"d1","title":"손흥민 시즌 10호 골","body":"토트넘 경기 리뷰","source":"news","created_at":"2026-02-28T09:00:00Z","topics":["533"]}
{"id":"d2","title":"K리그 개막전 미리보기","source":"blog","created_at":"2026-02-28T10:00:00Z","topics":["533"]}
{"id":"d3","title":"이강인 PSG 활약","source":"news","created_at":"2026-02-27T10:00:00Z","topics":["533"]}
{"id":"d4","title":"KBO 스프링캠프 소식","source":"news","created_at":"2026-02-28T11:00:00Z","topics":["545"]}
{"id":"d5","title":"류현진 복귀전","source":"cafe","created_at":"2026-02-26T11:00:00Z","topics":["545"]}
{"id":"d6","title":"두바이 여행 코스","source":"blog","created_at":"2026-02-28T08:00:00Z","topics":["655"]}
{"id":"d7","title":"오사카 맛집 여행","source":"blog","created_at":"2026-02-25T08:00:00Z","topics":["655"]}
)";

const char* kEvents =
    R"({"id":"e1","type":"impression","user":"alice","time":"2026-03-01T10:00:00Z","surface":"feed","docs":["d1","d4","d6"]}
{"id":"e2","type":"click","user":"alice","time":"2026-03-01T10:00:05Z","surface":"feed","docs":["d1"],"dwell_s":42}
{"id":"e3","type":"search","user":"alice","time":"2026-03-01T10:05:00Z","query":"손흥민","clicked":["d1"]}
{"id":"e4","type":"click","user":"bob","time":"2026-03-01T09:00:00Z","surface":"main","docs":["d6"]}
)";

struct Reply {
  int status = 0;  // 0: no response
  std::string body;
  std::string content_type;
  std::string allow;
  json parsed;  // null when the body is not JSON
};

class HttpServerTest : public ::testing::Test {
 protected:
  static constexpr size_t kMaxBody = 64 * 1024;

  void SetUp() override {
    EngineConfig config;
    config.data_dir = dir_.file("data");
    config.taxonomy_path = kTaxonomyPath;
    config.classifier.kind = "none";
    auto engine = Engine::open(config, [this] { return now_.load(); });
    ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
    engine_ = std::move(engine).value();

    ServerConfig sc;
    sc.host = "127.0.0.1";
    sc.port = 0;
    sc.threads = 4;
    sc.max_body_bytes = kMaxBody;
    server_ = std::make_unique<HttpServer>(*engine_, sc);
    Status st = server_->bind();
    ASSERT_TRUE(st.is_ok()) << st.to_string();
    ASSERT_GT(server_->port(), 0);
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    engine_.reset();
    std::lock_guard lk(statuses_mu_);
    for (const auto& [what, status] : statuses_) {
      EXPECT_LT(status, 500) << what << " answered " << status;
    }
  }

  Reply record(const std::string& what, const httplib::Result& r) {
    Reply reply;
    if (r) {
      reply.status = r->status;
      reply.body = r->body;
      reply.content_type = r->get_header_value("Content-Type");
      reply.allow = r->get_header_value("Allow");
      reply.parsed = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
      if (reply.parsed.is_discarded()) reply.parsed = nullptr;
    }
    std::lock_guard lk(statuses_mu_);
    statuses_.emplace_back(what, reply.status);
    return reply;
  }

  Reply get(const std::string& path) { return record("GET " + path, client_->Get(path)); }
  Reply post(const std::string& path, const std::string& body,
             const char* type = "application/x-ndjson") {
    return record("POST " + path, client_->Post(path, body, type));
  }
  Reply request(const std::string& method, const std::string& path) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    return record(method + " " + path, client_->send(req));
  }

  void ingest_fixture() {
    Reply d = post("/v1/documents", kDocuments);
    ASSERT_EQ(d.status, 200) << d.body;
    ASSERT_EQ(d.parsed["accepted"], 7) << d.body;
    Reply e = post("/v1/events", kEvents);
    ASSERT_EQ(e.status, 200) << e.body;
    ASSERT_EQ(e.parsed["accepted"], 4) << e.body;
  }

  // Sends raw bytes on a fresh connection and returns one response: headers and a body of
  // Content-Length bytes (or what arrived before the server closed or 2 s passed). The
  // write side stays open: httplib does not answer half-closed connections.
  std::string raw_exchange(const std::string& bytes) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
      out.append(buf, static_cast<size_t>(n));
      const size_t end = out.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      const size_t cl = out.find("Content-Length: ");
      if (cl == std::string::npos || cl > end) break;
      const size_t length = std::stoul(out.substr(cl + 16));
      if (out.size() >= end + 4 + length) break;
    }
    ::close(fd);
    return out;
  }

  std::atomic<TimeMs> now_{at("2026-03-01T12:00:00Z")};
  TempDir dir_{"feedscout-http-test"};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  std::mutex statuses_mu_;
  std::vector<std::pair<std::string, int>> statuses_;
};

inline void expect_json_error(const Reply& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << r.content_type;
  ASSERT_TRUE(r.parsed.is_object()) << r.body;
  ASSERT_TRUE(r.parsed.contains("error")) << r.body;
  EXPECT_EQ(r.parsed["error"]["code"], code) << r.body;
  EXPECT_TRUE(r.parsed["error"]["message"].is_string()) << r.body;
  EXPECT_FALSE(r.parsed["error"]["message"].get<std::string>().empty());
}

// Finds the error reported for a position ("line" or "item").
inline const json* error_at(const json& report, const char* key, size_t position) {
  for (const auto& e : report["errors"]) {
    if (e.contains(key) && e[key] == position) return &e;
  }
  return nullptr;
}

// The value of an unlabelled sample, or of the sample whose line starts with `series`.
inline double sample(const std::string& text, const std::string& series) {
  size_t pos = 0;
  while ((pos = text.find(series + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      return std::stod(text.substr(pos + series.size() + 1));
    }
    pos += series.size();
  }
  return -1;
}

}  // namespace
}  // namespace feedscout
