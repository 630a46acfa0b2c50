// A circuit breaker for a remote dependency: after `failure_threshold` consecutive failures
// it opens and rejects calls at once for `cool_down_ms`; then it lets exactly one probe
// through (half-open). The probe's success closes it, its failure opens it for another
// cool-down. Thread-safe: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace feedscout::llm {

struct CircuitBreakerConfig {
  uint32_t failure_threshold = 5;  // consecutive failures that open it; 0 = never opens
  int64_t cool_down_ms = 10000;    // time open before a probe, milliseconds
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  using Clock = std::chrono::steady_clock;

  explicit CircuitBreaker(CircuitBreakerConfig config) : config_(config) {}

  // True when a call may proceed now. In half-open state only the first caller after the
  // cool-down gets true (the probe) until it reports its outcome.
  bool allow();
  // The outcome of a call that allow() let through.
  void record_success();
  void record_failure();
  // Neither success nor failure (e.g. the caller's own 4xx): frees a half-open probe slot.
  void record_neutral();

  State state() const;

 private:
  CircuitBreakerConfig config_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  uint32_t failures_ = 0;
  bool probe_in_flight_ = false;
  Clock::time_point opened_at_{};
};

const char* circuit_state_name(CircuitBreaker::State s);

}  // namespace feedscout::llm
