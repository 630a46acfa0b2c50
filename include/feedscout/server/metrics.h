// Request metrics of the HTTP server and the Prometheus text exposition (format 0.0.4) of
// everything /metrics reports.
//
// Recording is lock-free (relaxed atomics only) and cheap enough for every request; the
// label sets are fixed at construction (routes are patterns such as
// "/v1/users/{id}/feed", never raw paths, so cardinality is bounded).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "feedscout/engine/engine.h"

namespace feedscout {

// Upper bounds, in seconds, of the request-duration histogram buckets (+Inf is implicit).
inline constexpr std::array<double, 13> kLatencyBucketsS{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};

class HttpMetrics {
 public:
  // `routes` are the values of the `route` label, in the order of their indexes.
  explicit HttpMetrics(std::vector<std::string> routes);
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  size_t num_routes() const { return routes_.size(); }

  // Records one answered request. `route` is an index into the constructor's list (out of
  // range indexes are ignored); `status` is the HTTP status (codes outside 100..599 count
  // as 0); `seconds` is its duration, or negative when it was not measured (it then counts
  // in feedscout_http_requests_total only). Thread-safe, lock-free.
  void observe(size_t route, int status, double seconds);

  // Number of requests recorded for a route and status (for tests). Thread-safe.
  uint64_t requests(size_t route, int status) const;

  // Appends the histogram feedscout_http_request_duration_seconds{route} and the counter
  // feedscout_http_requests_total{route,code}. Thread-safe; concurrent observe() calls may
  // or may not be included (each series is internally consistent enough for Prometheus).
  void render(std::string& out) const;

 private:
  static constexpr int kMinCode = 100;
  static constexpr int kNumCodes = 500;  // 100..599
  struct RouteStats {
    std::array<std::atomic<uint64_t>, kLatencyBucketsS.size() + 1> buckets{};  // not cumulative
    std::atomic<uint64_t> sum_ns{0};
    std::array<std::atomic<uint64_t>, kNumCodes + 1> codes{};  // [kNumCodes] = other codes
  };
  std::vector<std::string> routes_;
  std::unique_ptr<RouteStats[]> stats_;
};

// The whole /metrics page: engine counters and gauges from `stats`, then `http`'s series.
std::string render_prometheus(const EngineStats& stats, const HttpMetrics& http);

// Content-Type of render_prometheus()'s output.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace feedscout
