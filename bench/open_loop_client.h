// An open-loop, constant-rate HTTP/1.1 load generator for the benchmarks (wrk2-style).
//
// wrk is closed-loop: a connection sends its next request only after the previous response,
// so when the server slows down the client slows down with it and the requests that should
// have been sent meanwhile are never timed (coordinated omission). run_open_loop instead
// fixes the schedule in advance and times every request from its *scheduled* send time:
//
//   - Request i (counted from 0, warm-up included) is scheduled at t0 + i / rate_per_s:
//     uniform spacing, no jitter. Its path is options.paths[k] with k drawn uniformly from
//     a std::mt19937_64 seeded with options.seed, in schedule order (the same options give
//     the same sequence of paths).
//   - At its scheduled time a request goes to an idle keep-alive connection; when none is
//     idle it waits in a FIFO queue and is sent as soon as one frees up. Its latency is
//     (last byte of its response) − (scheduled time), so time spent queued in the client
//     because the server was slow counts, as it would for an independent user.
//   - One request per connection at a time (no pipelining). A connection the server closes
//     (`Connection: close`, which cpp-httplib sends after its keep-alive request limit, or
//     an idle timeout) is reopened transparently and counted in `reconnects`.
//
// One thread, non-blocking sockets, epoll and a timerfd (Linux only). The run never hangs:
// it ends at the last scheduled time plus drain_timeout_s at the latest; requests still
// queued or in flight then are `timeouts`.
//
// Overload is reported, not hidden: when the server cannot keep up the queue grows without
// bound and the percentiles grow with it (max_queue shows how far). Nothing is capped.
//
// Against cpp-httplib, two server-side effects show up in these figures (wrk hides both):
// without set_tcp_nodelay(true) its separate header and body writes meet delayed ACKs
// (about 40 ms per response); and a server thread serves one connection until it closes,
// waiting up to the keep-alive timeout on a connection the client has nothing to send on,
// so with more connections than server threads some requests wait behind idle ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout::bench {

struct OpenLoopOptions {
  std::string host = "127.0.0.1";  // name or address, resolved once (getaddrinfo)
  uint16_t port = 0;               // required (≠ 0)
  double rate_per_s = 1000;        // offered requests per second, > 0
  double duration_s = 10;          // measured period, > 0
  double warmup_s = 1;             // sent at the same rate before, not measured; ≥ 0
  double drain_timeout_s = 5;      // after the last scheduled time; ≥ 0
  size_t connections = 16;         // keep-alive connections, in [1, 10000]
  std::vector<std::string> paths;  // GET request targets ("/v1/..."); non-empty, no CR/LF/space
  uint64_t seed = 1;
};

// Counters are for the measured requests only: those scheduled in the measured period
// (request indices [ceil(warmup_s·rate), ceil((warmup_s + duration_s)·rate))). Each of them
// ends as exactly one of completed, errors or timeouts:
//   scheduled == completed + errors + timeouts.
struct OpenLoopResult {
  size_t scheduled = 0;  // measured requests (≈ rate_per_s × duration_s)
  size_t sent = 0;       // measured requests written to a socket at least once
  size_t completed = 0;  // a complete 2xx response
  // A complete non-2xx response, an unparseable response, or a connection that failed
  // with the request in flight (after one transparent resend when a reused keep-alive
  // connection was closed before any byte of the response: the server's idle-close race).
  size_t errors = 0;
  size_t non_2xx = 0;   // the part of errors that were complete non-2xx responses
  size_t timeouts = 0;  // still queued or in flight at the drain deadline

  // Whole run, warm-up included:
  size_t reconnects = 0;      // connection attempts after the initial `connections`
  size_t connect_errors = 0;  // failed connection attempts (retried after 10 ms)
  size_t resends = 0;         // requests resent on a fresh connection (see errors)
  size_t late_sends = 0;      // measured requests first sent > 1 ms after their scheduled time
  size_t max_queue = 0;       // deepest the FIFO of requests waiting for a connection got

  double offered_per_s = 0;   // rate_per_s
  double achieved_per_s = 0;  // 2xx responses completed inside the measured period / duration_s
  double elapsed_s = 0;       // from t0 (first scheduled request) to the end of the run

  // Latency of the completed requests, scheduled time → last byte of the response, in
  // milliseconds (nearest-rank percentiles over microsecond samples); 0 when none completed.
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};

// Runs the schedule against options.host:options.port. Errors: invalid_argument for bad
// options; unavailable when the host does not resolve or none of the initial connections
// opens within 2 s; io_error when epoll/timerfd fail. Failures of individual requests
// and connections during the run are counted in the result, not returned.
[[nodiscard]] Result<OpenLoopResult> run_open_loop(const OpenLoopOptions& options);

// One line of the result's figures, for benchmark output:
// "offered 500/s achieved 499.7/s p50 2.31 p90 ... ms; scheduled 1500 completed 1500 ...".
std::string format_open_loop(const OpenLoopResult& result);

}  // namespace feedscout::bench
