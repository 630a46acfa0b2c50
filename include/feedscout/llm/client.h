// A client for OpenAI-compatible inference servers (vLLM, llama.cpp server, Ollama, OpenAI)
// on libcurl (issue 4). Wire formats per dialect: dialect.h. Operations guide: docs/LLM.md.
//
// Thread safety: one LlmClient is shared by every thread; all methods may be called
// concurrently. Each call blocks its thread; at most max_in_flight HTTP requests of this
// client are on the wire at once (further callers wait for a slot), and the *_batch methods
// fan a batch out over up to max_in_flight threads, so a continuously batching server is
// kept full.
//
// Faults. An attempt that fails to connect, times out, breaks off, or gets HTTP 429 or 5xx
// is retried up to max_retries times, after a backoff of
//   min(backoff_max_ms, backoff_initial_ms * 2^retry) * uniform[0.5, 1)   (milliseconds)
// except that a 429 or 503 answer carrying a valid Retry-After header (delta-seconds, or an
// HTTP-date: parse_retry_after_ms) waits what the server asked instead:
//   min(retry_after_max_ms, retry_after * uniform[1, 1.1))
// (never less than asked, unless capped; the small jitter above spreads clients that were
// all told the same second). A missing or unreadable Retry-After, or retry_after_max_ms 0,
// keeps the exponential backoff. With deadline_ms > 0 the whole call (attempts and waits)
// ends by then: each attempt's timeout is cut to the time left, and a wait that would reach
// the deadline is not slept: the call fails at once with Unavailable (no pointless sleep
// into a certain timeout).
// Other 4xx answers are not retried (InvalidArgument quoting the server). Retryable faults
// left after the last retry are Unavailable. A 2xx answer that cannot be read (malformed
// JSON, a missing field, a wrong type) is Corruption and not retried. Every retryable fault
// also counts against the circuit breaker (circuit_breaker.h): while it is open a call fails
// at once with Unavailable ("circuit open") without touching the network.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/llm/circuit_breaker.h"
#include "feedscout/llm/dialect.h"

namespace feedscout::llm {

struct LlmClientConfig {
  std::string base_url = "http://127.0.0.1:8000";  // server root, without "/v1"
  std::string model;                               // "model" field of every request
  std::string api_key_env;  // env var holding the key; "Authorization: Bearer <key>" if set
  int64_t connect_timeout_ms = 2000;
  int64_t request_timeout_ms = 60000;  // whole attempt, connect included
  size_t max_in_flight = 16;           // >= 1: concurrent HTTP requests of this client
  uint32_t max_retries = 2;            // retries after the first attempt
  int64_t backoff_initial_ms = 100;
  int64_t backoff_max_ms = 5000;
  // Cap on a wait asked for by Retry-After (429/503); 0 ignores the header (backoff only).
  int64_t retry_after_max_ms = 30000;
  // Budget of one call, all attempts and waits included; 0 = none (each attempt still has
  // request_timeout_ms).
  int64_t deadline_ms = 0;
  CircuitBreakerConfig breaker;
  Dialect dialect = Dialect::kVllm;
  std::string vllm_version = "0.12.0";   // decides structured_outputs vs guided_*
  std::string schema_name = "output";    // response_format.json_schema.name
  size_t max_response_bytes = 64 << 20;  // a larger answer is a failed attempt
};

// Monotonic counters since construction, for /metrics. A snapshot: fields are read one by
// one without a common lock.
struct LlmClientStats {
  uint64_t requests = 0;                 // calls (chat, logprobs, tokenize, embed)
  uint64_t attempts = 0;                 // HTTP attempts sent
  uint64_t retries = 0;                  // attempts after the first
  uint64_t successes = 0;                // calls that returned OK
  uint64_t failures_connect = 0;         // attempts: could not connect or resolve
  uint64_t failures_timeout = 0;         // attempts: connect or request timeout
  uint64_t failures_transport = 0;       // attempts: other transport errors
  uint64_t failures_http_429 = 0;        // attempts answered 429
  uint64_t failures_http_5xx = 0;        // attempts answered 5xx
  uint64_t failures_http_4xx = 0;        // attempts answered another 4xx (not retried)
  uint64_t failures_bad_response = 0;    // calls whose 2xx answer could not be read
  uint64_t circuit_open_rejections = 0;  // attempts refused by the open circuit
  uint64_t retry_after_waits = 0;        // waits taken from a valid Retry-After header
  uint64_t deadline_exceeded = 0;        // calls given up because deadline_ms ran out
};

// The wait a Retry-After header value asks for, in milliseconds (RFC 9110 section 10.2.3):
// delta-seconds (ASCII digits only, surrounding blanks allowed; absurdly large values
// saturate) or an HTTP-date in any of the three forms HTTP recipients must accept (IMF-fixdate
// "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850, asctime), measured from `now` (Unix seconds); a
// date in the past is 0. nullopt when the value is neither (empty, negative, fractional,
// garbage): the caller then falls back to its own backoff. Thread-safe.
std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_unix_seconds);

class LlmClient {
 public:
  // InvalidArgument: empty base_url, max_in_flight 0, negative timeouts, backoffs, caps or
  // deadline, a bad vllm_version. Reads the API key from the environment once, here.
  [[nodiscard]] static Result<std::unique_ptr<LlmClient>> create(LlmClientConfig config);
  ~LlmClient();
  LlmClient(const LlmClient&) = delete;
  LlmClient& operator=(const LlmClient&) = delete;

  [[nodiscard]] Result<ChatResponse> chat(const ChatRequest& request);
  // results[i] answers requests[i].
  std::vector<Result<ChatResponse>> chat_batch(const std::vector<ChatRequest>& requests);

  // Log-probabilities of the next token after a token-id prompt (vLLM, llama.cpp).
  [[nodiscard]] Result<std::vector<TokenLogprob>> next_token_logprobs(
      const LogprobsRequest& request);
  std::vector<Result<std::vector<TokenLogprob>>> next_token_logprobs_batch(
      const std::vector<LogprobsRequest>& requests);

  [[nodiscard]] Result<std::vector<TokenId>> tokenize(const std::string& text);
  // One vector per input, in input order.
  [[nodiscard]] Result<std::vector<std::vector<float>>> embed(
      const std::vector<std::string>& inputs);

  LlmClientStats stats() const;
  CircuitBreaker::State circuit_state() const { return breaker_.state(); }
  const LlmClientConfig& config() const { return config_; }

 private:
  explicit LlmClient(LlmClientConfig config, std::string api_key);

  struct Counters {
    std::atomic<uint64_t> requests{0}, attempts{0}, retries{0}, successes{0}, failures_connect{0},
        failures_timeout{0}, failures_transport{0}, failures_http_429{0}, failures_http_5xx{0},
        failures_http_4xx{0}, failures_bad_response{0}, circuit_open_rejections{0},
        retry_after_waits{0}, deadline_exceeded{0};
  };

  // POSTs `call` with retries, backoff, the breaker and the in-flight bound; the 2xx body.
  Result<std::string> post(const HttpCall& call);
  void acquire_slot();
  void release_slot();
  template <typename R, typename Fn>
  std::vector<R> fan_out(size_t n, Fn&& fn);
  template <typename T>
  Result<T> finish(Result<T> r);

  LlmClientConfig config_;
  DialectOptions dialect_;
  std::string auth_header_;  // "" when no key
  CircuitBreaker breaker_;
  Counters counters_;
  std::mutex slots_mu_;
  std::condition_variable slots_cv_;
  size_t in_flight_ = 0;
};

}  // namespace feedscout::llm
