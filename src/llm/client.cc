#include "feedscout/llm/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace feedscout::llm {
namespace {

std::once_flag g_curl_init;

// One easy handle per thread, reused across calls so connections are kept alive.
struct ThreadCurl {
  CURL* handle = nullptr;
  ThreadCurl() : handle(curl_easy_init()) {}
  ~ThreadCurl() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

struct Sink {
  std::string data;
  size_t limit = 0;
};

size_t write_cb(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<Sink*>(userdata);
  const size_t n = size * nmemb;
  if (sink->data.size() + n > sink->limit) return 0;  // aborts with CURLE_WRITE_ERROR
  sink->data.append(ptr, n);
  return n;
}

enum class Fault { kNone, kConnect, kTimeout, kTransport, k429, k5xx, k4xx };

struct Attempt {
  Fault fault = Fault::kNone;
  long http = 0;
  std::string body;
  std::string error;
  std::optional<std::string> retry_after;  // the final answer's Retry-After value, if any
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Header lines of one transfer; keeps the last response's Retry-After (a new status line,
// e.g. after "100 Continue", starts over).
size_t header_cb(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* retry_after = static_cast<std::optional<std::string>*>(userdata);
  const size_t n = size * nmemb;
  const std::string_view line(ptr, n);
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    retry_after->reset();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos && iequals(line.substr(0, colon), "Retry-After")) {
    *retry_after = std::string(trim_blanks(line.substr(colon + 1)));
  }
  return n;
}

std::string excerpt(const std::string& s) {
  constexpr size_t kMax = 300;
  return s.size() <= kMax ? s : s.substr(0, kMax) + "...";
}

int64_t backoff_ms(const LlmClientConfig& c, uint32_t retry) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const double base = std::min<double>(static_cast<double>(c.backoff_max_ms),
                                       static_cast<double>(c.backoff_initial_ms) *
                                           static_cast<double>(1ULL << std::min(retry, 30u)));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return static_cast<int64_t>(base * jitter(rng));
}

// The wait before the next retry after a Retry-After of `asked` ms: never less than asked
// unless capped; up to 10% more spreads clients that were all told the same second.
int64_t retry_after_wait_ms(const LlmClientConfig& c, int64_t asked) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(1.0, 1.1);
  const double want = static_cast<double>(asked) * jitter(rng);
  return want >= static_cast<double>(c.retry_after_max_ms) ? c.retry_after_max_ms
                                                           : static_cast<int64_t>(want);
}

}  // namespace

std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_unix_seconds) {
  value = trim_blanks(value);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    // delta-seconds; saturate instead of overflowing (any cap is far below a year).
    constexpr int64_t kMaxSeconds = int64_t{10} * 365 * 24 * 3600;
    int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kMaxSeconds) {
        seconds = kMaxSeconds;
        break;
      }
    }
    return seconds * 1000;
  }
  // An HTTP-date. curl_getdate accepts the three forms RFC 9110 requires recipients to read
  // (and is libcurl's own parser for Retry-After); -1 when it cannot read the text.
  if (value.size() > 64) return std::nullopt;
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == static_cast<time_t>(-1)) return std::nullopt;
  const int64_t delta = static_cast<int64_t>(when) - now_unix_seconds;
  return delta <= 0 ? 0 : delta * 1000;
}

Result<std::unique_ptr<LlmClient>> LlmClient::create(LlmClientConfig config) {
  if (config.base_url.empty()) return Status::invalid_argument("llm: empty base_url");
  if (config.max_in_flight == 0) return Status::invalid_argument("llm: max_in_flight is 0");
  if (config.connect_timeout_ms < 0 || config.request_timeout_ms < 0 ||
      config.backoff_initial_ms < 0 || config.backoff_max_ms < 0 || config.retry_after_max_ms < 0 ||
      config.deadline_ms < 0 || config.breaker.cool_down_ms < 0) {
    return Status::invalid_argument(
        "llm: negative timeout, backoff, retry_after_max_ms, deadline or cool-down");
  }
  if (!config.vllm_version.empty()) {
    auto v = parse_version(config.vllm_version);
    if (!v.is_ok()) return v.status().with_context("llm: vllm_version");
  }
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::string key;
  if (!config.api_key_env.empty()) {
    if (const char* v = std::getenv(config.api_key_env.c_str()); v != nullptr) key = v;
  }
  return std::unique_ptr<LlmClient>(new LlmClient(std::move(config), std::move(key)));
}

LlmClient::LlmClient(LlmClientConfig config, std::string api_key)
    : config_(std::move(config)), breaker_(config_.breaker) {
  dialect_.dialect = config_.dialect;
  dialect_.vllm_version = config_.vllm_version;
  dialect_.model = config_.model;
  dialect_.schema_name = config_.schema_name;
  if (!api_key.empty()) auth_header_ = "Authorization: Bearer " + api_key;
}

LlmClient::~LlmClient() = default;

void LlmClient::acquire_slot() {
  std::unique_lock lock(slots_mu_);
  slots_cv_.wait(lock, [&] { return in_flight_ < config_.max_in_flight; });
  ++in_flight_;
}

void LlmClient::release_slot() {
  {
    std::lock_guard lock(slots_mu_);
    --in_flight_;
  }
  slots_cv_.notify_one();
}

Result<std::string> LlmClient::post(const HttpCall& call) {
  using Clock = std::chrono::steady_clock;
  const std::string url = config_.base_url + call.path;
  const bool has_deadline = config_.deadline_ms > 0;
  std::string last_error;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(config_.deadline_ms);
  const auto left_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  };
  const auto deadline_exceeded = [&](const std::string& why) {
    counters_.deadline_exceeded.fetch_add(1, std::memory_order_relaxed);
    return Status::unavailable("llm: " + url + ": deadline of " +
                               std::to_string(config_.deadline_ms) + " ms " + why +
                               (last_error.empty() ? "" : "; last error: " + last_error));
  };
  int64_t wait_ms = 0;            // before the next attempt
  bool wait_from_header = false;  // wait_ms was asked for by Retry-After
  for (uint32_t attempt = 0; attempt <= config_.max_retries; ++attempt) {
    if (attempt > 0) {
      if (has_deadline && wait_ms >= left_ms()) {
        return deadline_exceeded("would pass during the " + std::to_string(wait_ms) + " ms wait" +
                                 (wait_from_header ? " asked for by Retry-After" : ""));
      }
      counters_.retries.fetch_add(1, std::memory_order_relaxed);
      if (wait_from_header) counters_.retry_after_waits.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
    if (has_deadline && left_ms() <= 0) return deadline_exceeded("passed");
    if (!breaker_.allow()) {
      counters_.circuit_open_rejections.fetch_add(1, std::memory_order_relaxed);
      return Status::unavailable("llm: circuit open (" + url + ")" +
                                 (last_error.empty() ? "" : "; last error: " + last_error));
    }
    Attempt a;
    acquire_slot();
    // The attempt's limit, cut to what is left of the deadline after waiting for the slot.
    long timeout_ms = static_cast<long>(config_.request_timeout_ms);  // 0: none
    if (has_deadline) {
      const int64_t left = left_ms();
      if (left <= 0) {
        release_slot();
        breaker_.record_neutral();
        return deadline_exceeded("passed");
      }
      if (timeout_ms == 0 || left < timeout_ms) timeout_ms = static_cast<long>(left);
    }
    {
      thread_local ThreadCurl tc;
      CURL* h = tc.handle;
      if (h == nullptr) {
        release_slot();
        breaker_.record_neutral();
        return Status::internal("llm: curl_easy_init failed");
      }
      curl_easy_reset(h);
      Sink sink{{}, config_.max_response_bytes};
      curl_slist* headers = nullptr;
      headers = curl_slist_append(headers, "Content-Type: application/json");
      headers = curl_slist_append(headers, "Accept: application/json");
      // No "Expect: 100-continue" round trip before bodies over 1 KiB (token-id prompts).
      headers = curl_slist_append(headers, "Expect:");
      if (!auth_header_.empty()) headers = curl_slist_append(headers, auth_header_.c_str());
      char errbuf[CURL_ERROR_SIZE] = {0};
      curl_easy_setopt(h, CURLOPT_URL, url.c_str());
      curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout_ms));
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
      curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
      curl_easy_setopt(h, CURLOPT_HEADERDATA, &a.retry_after);
      curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
      counters_.attempts.fetch_add(1, std::memory_order_relaxed);
      const CURLcode rc = curl_easy_perform(h);
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.http);
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
      curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
      curl_slist_free_all(headers);
      release_slot();
      a.body = std::move(sink.data);
      if (rc != CURLE_OK) {
        a.error =
            std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : "");
        if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
            rc == CURLE_COULDNT_RESOLVE_PROXY) {
          a.fault = Fault::kConnect;
        } else if (rc == CURLE_OPERATION_TIMEDOUT) {
          a.fault = Fault::kTimeout;
        } else {
          a.fault = Fault::kTransport;
        }
      } else if (a.http == 429) {
        a.fault = Fault::k429;
      } else if (a.http >= 500) {
        a.fault = Fault::k5xx;
      } else if (a.http < 200 || a.http >= 300) {
        a.fault = Fault::k4xx;
      }
      if (a.fault != Fault::kNone && a.error.empty()) {
        a.error = "HTTP " + std::to_string(a.http) + ": " + excerpt(a.body);
      }
    }
    switch (a.fault) {
      case Fault::kNone:
        breaker_.record_success();
        return std::move(a.body);
      case Fault::k4xx:
        breaker_.record_neutral();
        counters_.failures_http_4xx.fetch_add(1, std::memory_order_relaxed);
        return Status::invalid_argument("llm: " + url + ": " + a.error);
      case Fault::kConnect:
        counters_.failures_connect.fetch_add(1, std::memory_order_relaxed);
        break;
      case Fault::kTimeout:
        counters_.failures_timeout.fetch_add(1, std::memory_order_relaxed);
        break;
      case Fault::kTransport:
        counters_.failures_transport.fetch_add(1, std::memory_order_relaxed);
        break;
      case Fault::k429:
        counters_.failures_http_429.fetch_add(1, std::memory_order_relaxed);
        break;
      case Fault::k5xx:
        counters_.failures_http_5xx.fetch_add(1, std::memory_order_relaxed);
        break;
    }
    breaker_.record_failure();
    last_error = a.error;
    wait_from_header = false;
    wait_ms = backoff_ms(config_, attempt);
    if ((a.http == 429 || a.http == 503) && a.fault != Fault::kTransport &&
        config_.retry_after_max_ms > 0 && a.retry_after.has_value()) {
      const auto now = std::chrono::system_clock::now().time_since_epoch();
      const auto asked = parse_retry_after_ms(
          *a.retry_after, std::chrono::duration_cast<std::chrono::seconds>(now).count());
      if (asked.has_value()) {
        wait_ms = retry_after_wait_ms(config_, *asked);
        wait_from_header = true;
        last_error += " (Retry-After: " + excerpt(*a.retry_after) + ")";
      }
    }
  }
  return Status::unavailable("llm: " + url + ": gave up after " +
                             std::to_string(config_.max_retries + 1) +
                             " attempts; last error: " + last_error);
}

template <typename T>
Result<T> LlmClient::finish(Result<T> r) {
  if (r.is_ok()) {
    counters_.successes.fetch_add(1, std::memory_order_relaxed);
  } else if (r.status().code() == Status::Code::kCorruption) {
    counters_.failures_bad_response.fetch_add(1, std::memory_order_relaxed);
  }
  return r;
}

template <typename R, typename Fn>
std::vector<R> LlmClient::fan_out(size_t n, Fn&& fn) {
  std::vector<std::optional<R>> slots(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) slots[i].emplace(fn(i));
  };
  const size_t threads = std::min(n, config_.max_in_flight);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  std::vector<R> out;
  out.reserve(n);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

Result<ChatResponse> LlmClient::chat(const ChatRequest& request) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  auto call = build_chat_request(dialect_, request);
  if (!call.is_ok()) return call.status();
  auto body = post(*call);
  if (!body.is_ok()) return body.status();
  return finish(parse_chat_response(dialect_, request, *body));
}

std::vector<Result<ChatResponse>> LlmClient::chat_batch(const std::vector<ChatRequest>& requests) {
  return fan_out<Result<ChatResponse>>(requests.size(),
                                       [&](size_t i) { return chat(requests[i]); });
}

Result<std::vector<TokenLogprob>> LlmClient::next_token_logprobs(const LogprobsRequest& request) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  auto call = build_logprobs_request(dialect_, request);
  if (!call.is_ok()) return call.status();
  auto body = post(*call);
  if (!body.is_ok()) return body.status();
  return finish(parse_logprobs_response(dialect_, *body));
}

std::vector<Result<std::vector<TokenLogprob>>> LlmClient::next_token_logprobs_batch(
    const std::vector<LogprobsRequest>& requests) {
  return fan_out<Result<std::vector<TokenLogprob>>>(
      requests.size(), [&](size_t i) { return next_token_logprobs(requests[i]); });
}

Result<std::vector<TokenId>> LlmClient::tokenize(const std::string& text) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  auto call = build_tokenize_request(dialect_, text);
  if (!call.is_ok()) return call.status();
  auto body = post(*call);
  if (!body.is_ok()) return body.status();
  return finish(parse_tokenize_response(dialect_, *body));
}

Result<std::vector<std::vector<float>>> LlmClient::embed(const std::vector<std::string>& inputs) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  auto call = build_embeddings_request(dialect_, inputs);
  if (!call.is_ok()) return call.status();
  auto body = post(*call);
  if (!body.is_ok()) return body.status();
  return finish(parse_embeddings_response(dialect_, *body, inputs.size()));
}

LlmClientStats LlmClient::stats() const {
  LlmClientStats s;
  const auto r = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  s.requests = r(counters_.requests);
  s.attempts = r(counters_.attempts);
  s.retries = r(counters_.retries);
  s.successes = r(counters_.successes);
  s.failures_connect = r(counters_.failures_connect);
  s.failures_timeout = r(counters_.failures_timeout);
  s.failures_transport = r(counters_.failures_transport);
  s.failures_http_429 = r(counters_.failures_http_429);
  s.failures_http_5xx = r(counters_.failures_http_5xx);
  s.failures_http_4xx = r(counters_.failures_http_4xx);
  s.failures_bad_response = r(counters_.failures_bad_response);
  s.circuit_open_rejections = r(counters_.circuit_open_rejections);
  s.retry_after_waits = r(counters_.retry_after_waits);
  s.deadline_exceeded = r(counters_.deadline_exceeded);
  return s;
}

}  // namespace feedscout::llm
