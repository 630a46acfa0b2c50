// LlmClient against an in-process test HTTP server (test_llm_server.h). No real inference
// server runs here: each test's handlers speak the documented subset of a dialect
// (dialect.h, docs/LLM.md) and inject the faults under test: 5xx/429 then success, 4xx,
// a slow server, malformed JSON, a server that is down, the circuit breaker opening and
// recovering through a half-open probe, the bound on requests in flight, the API key header,
// Retry-After on 429/503 (delta-seconds and HTTP-date honoured, capped, bad values falling
// back to backoff, the call deadline), embeddings, tokenize, and the remote scorer driving
// constrained_beam_search end to end.
#include "feedscout/llm/client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "feedscout/llm/constrained_beam.h"
#include "feedscout/llm/label_trie.h"
#include "feedscout/llm/remote_scorer.h"
#include "llm/test_llm_server.h"

namespace feedscout::llm {
namespace {

using nlohmann::json;
using testing::TestLlmServer;

std::string chat_answer(const std::string& content) {
  return json{{"choices", json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", content}}},
                                        {"finish_reason", "stop"}}})}}
      .dump();
}

LlmClientConfig config_for(const std::string& url) {
  LlmClientConfig c;
  c.base_url = url;
  c.model = "test-model";
  c.connect_timeout_ms = 1000;
  c.request_timeout_ms = 5000;
  c.max_retries = 2;
  c.backoff_initial_ms = 1;
  c.backoff_max_ms = 5;
  c.dialect = Dialect::kVllm;
  c.vllm_version = "0.12.0";
  return c;
}

std::unique_ptr<LlmClient> make_client(const LlmClientConfig& c) {
  auto r = LlmClient::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

ChatRequest simple_chat() {
  ChatRequest r;
  r.messages = {{"user", "분류해 주세요"}};
  r.max_tokens = 8;
  r.constraint = Constraint::choice({"스포츠", "경제"});
  return r;
}

TEST(LlmClientTest, ChatSuccessSendsDialectFields) {
  std::mutex mu;
  json seen;
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      seen = json::parse(req.body, nullptr, false);
      res.set_content(chat_answer("스포츠"), "application/json");
    });
  });
  auto client = make_client(config_for(server.url()));
  auto r = client->chat(simple_chat());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->content, "스포츠");
  EXPECT_EQ(r->finish_reason, "stop");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen["structured_outputs"]["choice"], json::array({"스포츠", "경제"}));
  EXPECT_EQ(seen["model"], "test-model");
  const auto st = client->stats();
  EXPECT_EQ(st.requests, 1u);
  EXPECT_EQ(st.attempts, 1u);
  EXPECT_EQ(st.successes, 1u);
  EXPECT_EQ(st.retries, 0u);
}

TEST(LlmClientTest, RetriesOn5xxAnd429ThenSucceeds) {
  std::atomic<int> hits{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      const int n = hits.fetch_add(1);
      if (n == 0) {
        res.status = 503;
        res.set_content("{\"error\":\"warming up\"}", "application/json");
      } else if (n == 1) {
        res.status = 429;
      } else {
        res.set_content(chat_answer("경제"), "application/json");
      }
    });
  });
  auto client = make_client(config_for(server.url()));
  auto r = client->chat(simple_chat());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->content, "경제");
  EXPECT_EQ(hits.load(), 3);
  const auto st = client->stats();
  EXPECT_EQ(st.attempts, 3u);
  EXPECT_EQ(st.retries, 2u);
  EXPECT_EQ(st.failures_http_5xx, 1u);
  EXPECT_EQ(st.failures_http_429, 1u);
  EXPECT_EQ(st.successes, 1u);
}

TEST(LlmClientTest, GivesUpAfterMaxRetries) {
  std::atomic<int> hits{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      hits.fetch_add(1);
      res.status = 500;
    });
  });
  auto client = make_client(config_for(server.url()));
  auto r = client->chat(simple_chat());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status().message().find("HTTP 500"), std::string::npos) << r.status().message();
  EXPECT_EQ(hits.load(), 3);
  EXPECT_EQ(client->stats().failures_http_5xx, 3u);
}

TEST(LlmClientTest, ClientErrorIsNotRetried) {
  std::atomic<int> hits{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      hits.fetch_add(1);
      res.status = 400;
      res.set_content("{\"error\":{\"message\":\"unknown field guided_choice\"}}",
                      "application/json");
    });
  });
  auto client = make_client(config_for(server.url()));
  auto r = client->chat(simple_chat());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("unknown field guided_choice"), std::string::npos);
  EXPECT_EQ(hits.load(), 1);
  EXPECT_EQ(client->stats().failures_http_4xx, 1u);
  EXPECT_EQ(client->stats().retries, 0u);
  EXPECT_EQ(client->circuit_state(), CircuitBreaker::State::kClosed);
}

TEST(LlmClientTest, SlowServerTimesOut) {
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
      res.set_content(chat_answer("late"), "application/json");
    });
  });
  auto cfg = config_for(server.url());
  cfg.request_timeout_ms = 100;
  cfg.max_retries = 1;
  auto client = make_client(cfg);
  const auto start = std::chrono::steady_clock::now();
  auto r = client->chat(simple_chat());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(client->stats().failures_timeout, 2u);
  EXPECT_LT(ms, 1000);
}

TEST(LlmClientTest, MalformedAnswersAreCorruptionNotCrashes) {
  std::atomic<int> hits{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      const int n = hits.fetch_add(1);
      const char* bodies[] = {"{not json", "{\"choices\":[{\"message\":{\"content\":42}}]}",
                              "[1,2,3]", ""};
      res.set_content(bodies[n % 4], "application/json");
    });
  });
  auto client = make_client(config_for(server.url()));
  for (int i = 0; i < 4; ++i) {
    auto r = client->chat(simple_chat());
    ASSERT_FALSE(r.is_ok()) << i;
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << r.status().to_string();
  }
  EXPECT_EQ(hits.load(), 4);  // a 2xx answer is not retried
  EXPECT_EQ(client->stats().failures_bad_response, 4u);
}

TEST(LlmClientTest, ServerDownIsConnectFailure) {
  int port = 0;
  {
    TestLlmServer gone([](httplib::Server&) {});
    port = gone.port();
  }
  auto cfg = config_for("http://127.0.0.1:" + std::to_string(port));
  cfg.max_retries = 1;
  auto client = make_client(cfg);
  auto r = client->chat(simple_chat());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(client->stats().failures_connect, 2u);
  auto t = client->tokenize("x");
  EXPECT_EQ(t.status().code(), Status::Code::kUnavailable);
}

TEST(LlmClientTest, CircuitOpensFailsFastAndRecoversThroughProbe) {
  std::atomic<bool> healthy{false};
  std::atomic<int> hits{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      hits.fetch_add(1);
      if (healthy.load()) {
        res.set_content(chat_answer("경제"), "application/json");
      } else {
        res.status = 502;
      }
    });
  });
  auto cfg = config_for(server.url());
  cfg.max_retries = 0;
  cfg.breaker.failure_threshold = 3;
  cfg.breaker.cool_down_ms = 200;
  auto client = make_client(cfg);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(client->chat(simple_chat()).is_ok());
  EXPECT_EQ(client->circuit_state(), CircuitBreaker::State::kOpen);
  EXPECT_EQ(hits.load(), 3);

  auto rejected = client->chat(simple_chat());
  ASSERT_FALSE(rejected.is_ok());
  EXPECT_EQ(rejected.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(rejected.status().message().find("circuit open"), std::string::npos);
  EXPECT_EQ(hits.load(), 3);  // failed fast, no request sent
  EXPECT_EQ(client->stats().circuit_open_rejections, 1u);

  // Cool-down over, the probe fails: open again for another cool-down.
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_FALSE(client->chat(simple_chat()).is_ok());
  EXPECT_EQ(hits.load(), 4);
  EXPECT_EQ(client->circuit_state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(client->chat(simple_chat()).is_ok());
  EXPECT_EQ(hits.load(), 4);

  // Cool-down over, the server is back: the probe closes the circuit.
  healthy = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  auto ok = client->chat(simple_chat());
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_EQ(client->circuit_state(), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(client->chat(simple_chat()).is_ok());
  EXPECT_EQ(hits.load(), 6);
}

TEST(LlmCircuitBreakerTest, HalfOpenLetsOneProbeThrough) {
  CircuitBreaker b({2, 50});
  EXPECT_TRUE(b.allow());
  b.record_failure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  b.record_success();  // resets the consecutive count
  b.record_failure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  b.record_failure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.allow());
  std::this_thread::sleep_for(std::chrono::milliseconds(70));
  EXPECT_TRUE(b.allow());  // the probe
  EXPECT_EQ(b.state(), CircuitBreaker::State::kHalfOpen);
  EXPECT_FALSE(b.allow());  // only one probe at a time
  b.record_neutral();
  EXPECT_TRUE(b.allow());  // slot freed, next probe
  b.record_success();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(b.allow());
}

TEST(LlmClientTest, BoundsRequestsInFlight) {
  std::atomic<int> current{0};
  std::atomic<int> peak{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      const int now = current.fetch_add(1) + 1;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
      current.fetch_sub(1);
      res.set_content(chat_answer("경제"), "application/json");
    });
  });
  auto cfg = config_for(server.url());
  cfg.max_in_flight = 3;
  auto client = make_client(cfg);
  std::vector<ChatRequest> batch(12, simple_chat());
  auto results = client->chat_batch(batch);
  ASSERT_EQ(results.size(), 12u);
  for (const auto& r : results) EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);  // the batch really ran concurrently

  // Two callers sharing the client still share the bound.
  peak = 0;
  std::thread other([&] { (void)client->chat_batch(std::vector<ChatRequest>(4, simple_chat())); });
  (void)client->chat_batch(std::vector<ChatRequest>(4, simple_chat()));
  other.join();
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(client->stats().successes, 20u);
}

TEST(LlmClientTest, SendsApiKeyFromEnvironment) {
  std::mutex mu;
  std::vector<std::string> auth;
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      auth.push_back(req.has_header("Authorization") ? req.get_header_value("Authorization")
                                                     : "<none>");
      res.set_content(chat_answer("경제"), "application/json");
    });
  });
  ::setenv("FEEDSCOUT_TEST_LLM_KEY", "sk-test-123", 1);
  ::unsetenv("FEEDSCOUT_TEST_LLM_KEY_UNSET");
  auto cfg = config_for(server.url());
  cfg.api_key_env = "FEEDSCOUT_TEST_LLM_KEY";
  ASSERT_TRUE(make_client(cfg)->chat(simple_chat()).is_ok());
  cfg.api_key_env = "FEEDSCOUT_TEST_LLM_KEY_UNSET";
  ASSERT_TRUE(make_client(cfg)->chat(simple_chat()).is_ok());
  ::unsetenv("FEEDSCOUT_TEST_LLM_KEY");
  std::lock_guard lock(mu);
  EXPECT_EQ(auth, (std::vector<std::string>{"Bearer sk-test-123", "<none>"}));
}

TEST(LlmClientTest, EmbeddingsAndTokenize) {
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/embeddings", [&](const httplib::Request& req, httplib::Response& res) {
      json in = json::parse(req.body, nullptr, false);
      json data = json::array();
      const auto& inputs = in["input"];
      for (size_t i = inputs.size(); i-- > 0;) {  // reverse order: placed by index
        const auto len = static_cast<double>(inputs[i].get<std::string>().size());
        data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", {len, 1.0, -0.5}}});
      }
      res.set_content(json{{"object", "list"}, {"data", data}}.dump(), "application/json");
    });
    s.Post("/tokenize", [&](const httplib::Request& req, httplib::Response& res) {
      json in = json::parse(req.body, nullptr, false);
      json tokens = json::array();
      const std::string text = in.contains("prompt") ? in["prompt"].get<std::string>()
                                                     : in["content"].get<std::string>();
      for (unsigned char c : text) tokens.push_back(static_cast<int>(c));
      res.set_content(json{{"tokens", tokens}}.dump(), "application/json");
    });
  });
  auto client = make_client(config_for(server.url()));
  auto e = client->embed({"ab", "abcd", "x"});
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  ASSERT_EQ(e->size(), 3u);
  EXPECT_EQ((*e)[0], (std::vector<float>{2.0f, 1.0f, -0.5f}));
  EXPECT_EQ((*e)[1][0], 4.0f);
  EXPECT_EQ((*e)[2][0], 1.0f);
  auto t = client->tokenize("hi");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(*t, (std::vector<TokenId>{'h', 'i'}));

  auto cfg = config_for(server.url());
  cfg.dialect = Dialect::kLlamaCpp;
  auto t2 = make_client(cfg)->tokenize("ok");
  ASSERT_TRUE(t2.is_ok()) << t2.status().to_string();
  EXPECT_EQ(*t2, (std::vector<TokenId>{'o', 'k'}));
}

TEST(LlmClientTest, RejectsBadConfig) {
  auto cfg = config_for("http://127.0.0.1:1");
  cfg.max_in_flight = 0;
  EXPECT_FALSE(LlmClient::create(cfg).is_ok());
  cfg = config_for("");
  EXPECT_FALSE(LlmClient::create(cfg).is_ok());
  cfg = config_for("http://127.0.0.1:1");
  cfg.vllm_version = "nightly";
  EXPECT_FALSE(LlmClient::create(cfg).is_ok());
  cfg = config_for("http://127.0.0.1:1");
  cfg.request_timeout_ms = -1;
  EXPECT_FALSE(LlmClient::create(cfg).is_ok());
}

// Retry-After (429 and 503). Elapsed times are only bounded from below, or from above by
// far more than the asked-for wait, so a slow CI machine cannot fail them.
int64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// A server whose first answer is `status` with Retry-After `value` (none when empty), then
// success.
class RetryAfterServer {
 public:
  RetryAfterServer(int status, std::string value)
      : server_([this, status, value](httplib::Server& s) {
          s.Post("/v1/chat/completions",
                 [this, status, value](const httplib::Request&, httplib::Response& res) {
                   if (hits_.fetch_add(1) == 0) {
                     res.status = status;
                     if (!value.empty()) res.set_header("Retry-After", value);
                     res.set_content("{\"error\":\"busy\"}", "application/json");
                   } else {
                     res.set_content(chat_answer("경제"), "application/json");
                   }
                 });
        }) {}
  std::string url() const { return server_.url(); }
  int hits() const { return hits_.load(); }

 private:
  std::atomic<int> hits_{0};
  TestLlmServer server_;
};

TEST(LlmClientRetryAfterTest, ParsesDeltaSecondsAndHttpDates) {
  const int64_t now = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after_ms("120", now), 120000);
  EXPECT_EQ(parse_retry_after_ms(" 5 ", now), 5000);
  EXPECT_EQ(parse_retry_after_ms("0", now), 0);
  EXPECT_GE(parse_retry_after_ms("99999999999999999999999", now).value_or(0),
            int64_t{365} * 24 * 3600 * 1000);  // saturates, far above any cap
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000);  // IMF-fixdate
  EXPECT_EQ(parse_retry_after_ms("Sunday, 06-Nov-94 08:49:40 GMT", now), 3000);  // RFC 850
  EXPECT_EQ(parse_retry_after_ms("Sun Nov  6 08:49:39 1994", now), 2000);        // asctime
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:00:00 GMT", now), 0);      // past
  for (const char* bad : {"", "  ", "-1", "1.5", "soon", "5s", "tomorrow", "0x10"}) {
    EXPECT_FALSE(parse_retry_after_ms(bad, now).has_value()) << bad;
  }
}

TEST(LlmClientRetryAfterTest, HonoursDeltaSecondsOn503) {
  RetryAfterServer server(503, "1");
  auto client = make_client(config_for(server.url()));  // backoff would be 1..5 ms
  const auto start = std::chrono::steady_clock::now();
  auto r = client->chat(simple_chat());
  const int64_t ms = elapsed_ms(start);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(server.hits(), 2);
  EXPECT_GE(ms, 990);
  EXPECT_EQ(client->stats().retry_after_waits, 1u);
  EXPECT_EQ(client->stats().failures_http_5xx, 1u);
}

TEST(LlmClientRetryAfterTest, HonoursHttpDateOn429) {
  // Whole seconds: the date is 2 s ahead of a clock that may be up to 1 s further on when
  // the answer is read, so the wait is more than 1 s.
  RetryAfterServer server(429, http_date(std::time(nullptr) + 2));
  auto client = make_client(config_for(server.url()));
  const auto start = std::chrono::steady_clock::now();
  auto r = client->chat(simple_chat());
  const int64_t ms = elapsed_ms(start);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(server.hits(), 2);
  EXPECT_GE(ms, 900);
  EXPECT_EQ(client->stats().retry_after_waits, 1u);
  EXPECT_EQ(client->stats().failures_http_429, 1u);
}

TEST(LlmClientRetryAfterTest, WaitIsCappedByRetryAfterMax) {
  RetryAfterServer server(503, "3600");
  auto cfg = config_for(server.url());
  cfg.retry_after_max_ms = 150;
  auto client = make_client(cfg);
  const auto start = std::chrono::steady_clock::now();
  auto r = client->chat(simple_chat());
  const int64_t ms = elapsed_ms(start);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_GE(ms, 150);
  EXPECT_LT(ms, 60000);  // an hour was asked for: finishing at all shows the cap
  EXPECT_EQ(client->stats().retry_after_waits, 1u);
}

TEST(LlmClientRetryAfterTest, BadValueFallsBackToBackoff) {
  for (const char* bad : {"soon", "-1", "1.5", "Mon, 99 Foo 2015 99:99:99 GMT"}) {
    RetryAfterServer server(503, bad);
    auto client = make_client(config_for(server.url()));
    auto r = client->chat(simple_chat());
    ASSERT_TRUE(r.is_ok()) << bad << ": " << r.status().to_string();
    EXPECT_EQ(server.hits(), 2) << bad;
    EXPECT_EQ(client->stats().retries, 1u) << bad;
    EXPECT_EQ(client->stats().retry_after_waits, 0u) << bad;
  }
}

TEST(LlmClientRetryAfterTest, IgnoredOnOther5xxAndWhenDisabled) {
  {
    RetryAfterServer server(500, "30");  // only 429 and 503 carry a meaningful Retry-After
    auto client = make_client(config_for(server.url()));
    ASSERT_TRUE(client->chat(simple_chat()).is_ok());
    EXPECT_EQ(client->stats().retry_after_waits, 0u);
  }
  {
    RetryAfterServer server(503, "30");
    auto cfg = config_for(server.url());
    cfg.retry_after_max_ms = 0;  // header ignored, backoff only
    auto client = make_client(cfg);
    ASSERT_TRUE(client->chat(simple_chat()).is_ok());
    EXPECT_EQ(client->stats().retry_after_waits, 0u);
    EXPECT_EQ(client->stats().retries, 1u);
  }
}

TEST(LlmClientRetryAfterTest, DeadlineRefusesAWaitThatWouldPassIt) {
  RetryAfterServer server(429, "10");
  auto cfg = config_for(server.url());
  cfg.deadline_ms = 300;
  auto client = make_client(cfg);
  auto r = client->chat(simple_chat());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status().message().find("Retry-After"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("deadline"), std::string::npos) << r.status().message();
  EXPECT_EQ(server.hits(), 1);  // failed at once instead of sleeping 10 s into the deadline
  EXPECT_EQ(client->stats().deadline_exceeded, 1u);
  EXPECT_EQ(client->stats().retries, 0u);
}

TEST(LlmClientDeadlineTest, CutsTheAttemptTimeout) {
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content(chat_answer("late"), "application/json");
    });
  });
  auto cfg = config_for(server.url());
  cfg.request_timeout_ms = 5000;
  cfg.deadline_ms = 200;
  auto client = make_client(cfg);
  const auto start = std::chrono::steady_clock::now();
  auto r = client->chat(simple_chat());
  const int64_t ms = elapsed_ms(start);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_LT(ms, 1400);  // not the server's 1.5 s, let alone 3 × 5 s of attempts
  EXPECT_EQ(client->stats().failures_timeout, 1u);
  EXPECT_EQ(client->stats().deadline_exceeded, 1u);
  EXPECT_FALSE(LlmClient::create([] {
                 auto c = config_for("http://127.0.0.1:1");
                 c.deadline_ms = -1;
                 return c;
               }())
                   .is_ok());
}

// The remote scorer end to end: byte tokens (byte b is token b + 1, 0 ends a label), a test
// server playing vLLM's /v1/completions whose "model" prefers the label "spa": the next
// character of "spa" (or the end token after it) gets log 0.8, every other token log 0.05.
constexpr TokenId kEnd = 0;
std::vector<TokenId> bytes_of(const std::string& s) {
  std::vector<TokenId> out;
  for (unsigned char c : s) out.push_back(static_cast<TokenId>(c) + 1);
  return out;
}

TEST(LlmRemoteScorerTest, DrivesConstrainedBeamSearchEndToEnd) {
  const std::vector<TokenId> prompt = {1000, 1001};
  std::mutex mu;
  std::vector<json> requests;
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/completions", [&](const httplib::Request& req, httplib::Response& res) {
      json in = json::parse(req.body, nullptr, false);
      {
        std::lock_guard lock(mu);
        requests.push_back(in);
      }
      const auto ids = in["prompt"].get<std::vector<int>>();
      const auto allowed = in["allowed_token_ids"].get<std::vector<int>>();
      const size_t k = in["logprobs"].get<size_t>();
      const std::vector<TokenId> target = [] {
        auto t = bytes_of("spa");
        t.push_back(kEnd);
        return t;
      }();
      const size_t pos = ids.size() - 2;  // tokens after the prompt
      std::vector<std::pair<double, int>> scored;
      for (int t : allowed) {
        const bool good = pos < target.size() && target[pos] == t;
        scored.push_back({std::log(good ? 0.8 : 0.05), t});
      }
      std::sort(scored.rbegin(), scored.rend());
      json top = json::object();
      for (size_t i = 0; i < std::min(k, scored.size()); ++i) {
        top["token_id:" + std::to_string(scored[i].second)] = scored[i].first;
      }
      json lp{{"tokens", {"token_id:" + std::to_string(scored[0].second)}},
              {"token_logprobs", {scored[0].first}},
              {"top_logprobs", json::array({top})}};
      res.set_content(
          json{{"choices", json::array({{{"index", 0}, {"text", ""}, {"logprobs", lp}}})}}.dump(),
          "application/json");
    });
  });
  const std::vector<std::string> labels = {"sports", "spa", "tech", "sp"};
  std::vector<std::vector<TokenId>> seqs;
  for (const auto& l : labels) seqs.push_back(bytes_of(l));
  auto trie = LabelTrie::build(seqs, labels, kEnd);
  ASSERT_TRUE(trie.is_ok()) << trie.status().to_string();

  auto cfg = config_for(server.url());
  cfg.max_in_flight = 4;
  auto client = make_client(cfg);
  RemoteNextTokenScorer scorer(*client);
  BeamOptions bo;
  bo.beams = 3;
  bo.top_k = 3;
  auto result = constrained_beam_search(*trie, prompt, scorer, bo);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  ASSERT_FALSE(result->empty());
  EXPECT_EQ(labels[(*result)[0].label], "spa");
  EXPECT_GT((*result)[0].probability, 0.5);
  std::set<size_t> distinct;
  for (const auto& ls : *result) EXPECT_TRUE(distinct.insert(ls.label).second);

  std::lock_guard lock(mu);
  ASSERT_FALSE(requests.empty());
  const json& first = requests.front();
  EXPECT_EQ(first["max_tokens"], 1);
  EXPECT_EQ(first["return_tokens_as_token_ids"], true);
  for (const json& r : requests) {
    const auto ids = r["prompt"].get<std::vector<int>>();
    ASSERT_GE(ids.size(), 2u);
    EXPECT_EQ(ids[0], 1000);
    EXPECT_EQ(ids[1], 1001);
    EXPECT_EQ(r["logprobs"].get<size_t>(), r["allowed_token_ids"].size());
  }
  // The first step's request allows exactly the labels' first tokens.
  bool saw_root = false;
  for (const json& r : requests) {
    if (r["prompt"].size() == 2) {
      saw_root = true;
      EXPECT_EQ(r["allowed_token_ids"], json(std::vector<int>{'s' + 1, 't' + 1}));
    }
  }
  EXPECT_TRUE(saw_root);
}

TEST(LlmRemoteScorerTest, MissingTokensAreMaskedAndErrorsPropagate) {
  std::atomic<bool> fail{false};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
      if (fail.load()) {
        res.status = 400;
        res.set_content("{\"error\":\"bad\"}", "application/json");
        return;
      }
      res.set_content(
          R"({"choices":[{"logprobs":{"top_logprobs":[{"token_id:7":-0.5,"token_id:99":-0.1}]}}]})",
          "application/json");
    });
  });
  auto client = make_client(config_for(server.url()));
  RemoteNextTokenScorer scorer(*client);
  const std::vector<TokenId> prompt = {1};
  const std::vector<TokenId> allowed = {7, 8};
  auto r = scorer.next_logprobs(prompt, {{}, {3}}, {allowed, allowed});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_DOUBLE_EQ((*r)[0][0], -0.5);
  EXPECT_TRUE(std::isinf((*r)[0][1]) && (*r)[0][1] < 0);
  fail = true;
  auto e = scorer.next_logprobs(prompt, {{}}, {allowed});
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(e.status().message().find("beam 0"), std::string::npos);
}

}  // namespace
}  // namespace feedscout::llm
