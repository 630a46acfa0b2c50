#include "feedscout/llm/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
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
};

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

}  // namespace

Result<std::unique_ptr<LlmClient>> LlmClient::create(LlmClientConfig config) {
  if (config.base_url.empty()) return Status::invalid_argument("llm: empty base_url");
  if (config.max_in_flight == 0) return Status::invalid_argument("llm: max_in_flight is 0");
  if (config.connect_timeout_ms < 0 || config.request_timeout_ms < 0 ||
      config.backoff_initial_ms < 0 || config.backoff_max_ms < 0 ||
      config.breaker.cool_down_ms < 0) {
    return Status::invalid_argument("llm: negative timeout, backoff or cool-down");
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
  const std::string url = config_.base_url + call.path;
  std::string last_error;
  for (uint32_t attempt = 0; attempt <= config_.max_retries; ++attempt) {
    if (attempt > 0) {
      counters_.retries.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms(config_, attempt - 1)));
    }
    if (!breaker_.allow()) {
      counters_.circuit_open_rejections.fetch_add(1, std::memory_order_relaxed);
      return Status::unavailable("llm: circuit open (" + url + ")" +
                                 (last_error.empty() ? "" : "; last error: " + last_error));
    }
    Attempt a;
    acquire_slot();
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
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.request_timeout_ms));
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
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
  return s;
}

}  // namespace feedscout::llm
