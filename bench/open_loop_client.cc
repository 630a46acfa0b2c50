#include "open_loop_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <limits>
#include <random>
#include <string_view>
#include <system_error>

namespace feedscout::bench {
namespace {

using Ns = int64_t;  // CLOCK_MONOTONIC nanoseconds

constexpr Ns kNsPerMs = 1'000'000;
constexpr Ns kNsPerS = 1'000'000'000;
constexpr Ns kLateNs = kNsPerMs;                   // a send later than this is a late send
constexpr Ns kReconnectBackoffNs = 10 * kNsPerMs;  // after a failed connection attempt
constexpr Ns kInitialConnectNs = 2 * kNsPerS;
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxChunkLineBytes = 1024;
constexpr size_t kCompactBytes = 64 * 1024;
constexpr uint64_t kTimerTag = std::numeric_limits<uint64_t>::max();
constexpr double kMaxRequests = 1e9;

Ns now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Ns>(ts.tv_sec) * kNsPerS + ts.tv_nsec;
}

Ns seconds_to_ns(double s) {
  return static_cast<Ns>(std::llround(s * 1e9));
}

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Whether `needle` (lower case) occurs in `hay`, ignoring the case of `hay`.
bool icontains(std::string_view hay, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Incremental parser of one HTTP/1.x response held in a connection's receive buffer.
// Body bytes are skipped, not kept: the buffer is trimmed as the body is consumed.
class ResponseParser {
 public:
  enum class Step { kNeedMore, kComplete, kError };

  void reset() { *this = ResponseParser(); }

  // Parses what `buf` holds so far (all bytes received since reset()).
  Step parse(std::string& buf);
  // The peer closed the connection: completes a body delimited by the close.
  Step on_eof() const { return phase_ == Phase::kUntilClose ? Step::kComplete : Step::kError; }

  int status() const { return status_; }
  // The connection cannot carry another request after this response.
  bool close_after() const { return close_; }
  // Bytes in `buf` after the complete response (unexpected without pipelining).
  size_t leftover(const std::string& buf) const { return buf.size() - pos_; }

 private:
  enum class Phase { kHeaders, kLength, kChunkSize, kChunkData, kTrailers, kUntilClose, kDone };

  // `head`: the status line and header lines, each with its CRLF, without the empty line.
  bool parse_head(std::string_view head);
  // Skips up to left_ body bytes; true when all of them have been.
  bool skip_body(std::string& buf);

  Phase phase_ = Phase::kHeaders;
  size_t pos_ = 0;   // bytes of buf consumed
  size_t scan_ = 0;  // where the search for the end of the headers resumes
  uint64_t left_ = 0;
  int status_ = 0;
  bool close_ = false;
};

bool ResponseParser::parse_head(std::string_view head) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  // "HTTP/1.1 200 OK" (the reason phrase may be absent).
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1.") return false;
  const char minor = line[7];
  if ((minor != '0' && minor != '1') || line[8] != ' ') return false;
  status_ = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
    status_ = status_ * 10 + (line[i] - '0');
  }
  if (line.size() > 12 && line[12] != ' ') return false;

  bool keep_alive = minor == '1';
  bool chunked = false;
  bool has_length = false;
  uint64_t length = 0;
  for (size_t p = eol + 2; p < head.size();) {
    eol = head.find("\r\n", p);
    line = head.substr(p, eol - p);
    p = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (value.empty() || value.size() > 15) return false;
      uint64_t v = 0;
      for (const char c : value) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      if (has_length && v != length) return false;
      has_length = true;
      length = v;
    } else if (iequals(name, "transfer-encoding")) {
      chunked = icontains(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (icontains(value, "close")) {
        keep_alive = false;
      } else if (icontains(value, "keep-alive")) {
        keep_alive = true;
      }
    }
  }
  close_ = !keep_alive;
  if (status_ / 100 == 1 || status_ == 204 || status_ == 304) {
    phase_ = Phase::kDone;  // no body (the caller skips 1xx and parses the next head)
  } else if (chunked) {
    phase_ = Phase::kChunkSize;
  } else if (has_length) {
    left_ = length;
    phase_ = Phase::kLength;
  } else {
    phase_ = Phase::kUntilClose;
    close_ = true;
  }
  return true;
}

bool ResponseParser::skip_body(std::string& buf) {
  const uint64_t take = std::min<uint64_t>(buf.size() - pos_, left_);
  pos_ += static_cast<size_t>(take);
  left_ -= take;
  if (pos_ >= kCompactBytes) {
    buf.erase(0, pos_);
    pos_ = 0;
  }
  return left_ == 0;
}

ResponseParser::Step ResponseParser::parse(std::string& buf) {
  for (;;) {
    switch (phase_) {
      case Phase::kHeaders: {
        const size_t end = buf.find("\r\n\r\n", scan_);
        if (end == std::string::npos) {
          if (buf.size() > kMaxHeaderBytes) return Step::kError;
          scan_ = buf.size() >= 3 ? buf.size() - 3 : 0;
          return Step::kNeedMore;
        }
        if (!parse_head(std::string_view(buf).substr(0, end + 2))) return Step::kError;
        pos_ = end + 4;
        if (status_ / 100 == 1) {  // interim response: the real one follows
          buf.erase(0, pos_);
          *this = ResponseParser();
        }
        break;
      }
      case Phase::kLength:
        if (!skip_body(buf)) return Step::kNeedMore;
        phase_ = Phase::kDone;
        break;
      case Phase::kChunkSize: {
        const size_t eol = buf.find("\r\n", pos_);
        if (eol == std::string::npos) {
          return buf.size() - pos_ > kMaxChunkLineBytes ? Step::kError : Step::kNeedMore;
        }
        uint64_t size = 0;
        size_t digits = 0;
        for (size_t i = pos_; i < eol; ++i, ++digits) {
          const char c = lower(buf[i]);
          int d = 0;
          if (c >= '0' && c <= '9') {
            d = c - '0';
          } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
          } else if (c == ';' || c == ' ' || c == '\t') {
            break;  // chunk extensions are ignored
          } else {
            return Step::kError;
          }
          if (digits >= 15) return Step::kError;
          size = size * 16 + static_cast<uint64_t>(d);
        }
        if (digits == 0) return Step::kError;
        pos_ = eol + 2;
        left_ = size;
        phase_ = size == 0 ? Phase::kTrailers : Phase::kChunkData;
        break;
      }
      case Phase::kChunkData:
        if (!skip_body(buf) || buf.size() - pos_ < 2) return Step::kNeedMore;
        if (buf.compare(pos_, 2, "\r\n") != 0) return Step::kError;
        pos_ += 2;
        phase_ = Phase::kChunkSize;
        break;
      case Phase::kTrailers: {
        const size_t eol = buf.find("\r\n", pos_);
        if (eol == std::string::npos) {
          return buf.size() - pos_ > kMaxHeaderBytes ? Step::kError : Step::kNeedMore;
        }
        if (eol == pos_) phase_ = Phase::kDone;  // the empty line ends the trailers
        pos_ = eol + 2;
        break;
      }
      case Phase::kUntilClose:
        buf.clear();
        pos_ = 0;
        return Step::kNeedMore;
      case Phase::kDone:
        return Step::kComplete;
    }
  }
}

// A request waiting for, or on, a connection.
struct Pending {
  uint64_t index = 0;   // position in the schedule
  uint32_t path = 0;    // index into options.paths
  bool resent = false;  // already resent once after a stale keep-alive connection
};

struct Conn {
  enum class State { kClosed, kConnecting, kIdle, kBusy };

  int fd = -1;
  State state = State::kClosed;
  uint32_t generation = 0;  // bumped on close: stale epoll events carry the old one
  uint32_t events = 0;      // the epoll events registered for fd
  Ns retry_at = 0;          // kClosed: reopen no earlier than this
  bool in_idle_list = false;

  Pending req;  // kBusy: the request in flight
  const std::string* out = nullptr;
  size_t out_off = 0;
  std::string in;
  ResponseParser parser;
  bool got_bytes = false;  // kBusy: any byte of the response has arrived
  size_t responses = 0;    // complete responses on this socket
};

class Runner {
 public:
  Runner(const OpenLoopOptions& options, const sockaddr_storage& addr, socklen_t addr_len)
      : opt_(options), addr_(addr), addr_len_(addr_len), conns_(options.connections) {
    const std::string host_header = options.host.find(':') != std::string::npos
                                        ? "[" + options.host + "]:" + std::to_string(options.port)
                                        : options.host + ":" + std::to_string(options.port);
    for (const std::string& path : options.paths) {
      requests_.push_back("GET " + path + " HTTP/1.1\r\nHost: " + host_header +
                          "\r\nUser-Agent: feedscout-open-loop\r\nAccept: */*\r\n\r\n");
    }
    const double total_s = options.warmup_s + options.duration_s;
    // The small slack keeps e.g. 0.5 s × 400/s at exactly 200 despite rounding.
    n_warm_ = static_cast<uint64_t>(std::ceil(options.warmup_s * options.rate_per_s - 1e-9));
    n_total_ = static_cast<uint64_t>(std::ceil(total_s * options.rate_per_s - 1e-9));
    total_ns_ = seconds_to_ns(total_s);
  }

  ~Runner() {
    for (Conn& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    if (timer_fd_ >= 0) ::close(timer_fd_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  Result<OpenLoopResult> run();

 private:
  Ns scheduled(uint64_t index) const {
    return t0_ + static_cast<Ns>(static_cast<double>(index) * 1e9 / opt_.rate_per_s);
  }
  bool measured(uint64_t index) const { return index >= n_warm_ && index < n_total_; }
  bool work_left() const { return next_ < n_total_ || !queue_.empty(); }
  size_t id_of(const Conn& c) const { return static_cast<size_t>(&c - conns_.data()); }

  Status setup();
  Status wait_events(int timeout_ms);
  void on_event(uint64_t tag, uint32_t events);
  void set_events(Conn& c, uint32_t events);
  void start_connect(Conn& c, Ns now);
  void connect_failed(Conn& c, int err, Ns now);
  void become_idle(Conn& c);
  bool pop_idle(Conn*& out);
  void dispatch(Ns now);
  void flush(Conn& c);
  void read_response(Conn& c);
  void finish_response(Conn& c, Ns done);
  void fail_conn(Conn& c);
  void close_conn(Conn& c, Ns retry_at);
  void arm_timer(Ns at);

  const OpenLoopOptions& opt_;
  const sockaddr_storage addr_;
  const socklen_t addr_len_;
  std::vector<Conn> conns_;
  std::vector<std::string> requests_;  // one per path

  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  Ns t0_ = 0;
  Ns total_ns_ = 0;
  uint64_t n_warm_ = 0;
  uint64_t n_total_ = 0;
  uint64_t next_ = 0;  // the next request to schedule
  std::deque<Pending> queue_;
  std::deque<size_t> idle_;
  size_t in_flight_ = 0;
  int last_connect_error_ = 0;
  bool started_ = false;  // past the initial connections

  std::vector<int64_t> latencies_us_;
  size_t window_ok_ = 0;  // 2xx responses completed inside the measured period
  OpenLoopResult r_;
};

Status Runner::setup() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Status::io_error("epoll_create1: " + errno_text(errno));
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) return Status::io_error("timerfd_create: " + errno_text(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kTimerTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev) != 0) {
    return Status::io_error("epoll_ctl(timerfd): " + errno_text(errno));
  }
  return Status::ok();
}

void Runner::set_events(Conn& c, uint32_t events) {
  if (c.events == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (static_cast<uint64_t>(c.generation) << 32) | id_of(c);
  const int op = c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (::epoll_ctl(epoll_fd_, op, c.fd, &ev) == 0) c.events = events;
}

void Runner::start_connect(Conn& c, Ns now) {
  if (started_) ++r_.reconnects;
  const int fd = ::socket(addr_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    connect_failed(c, errno, now);
    return;
  }
  const int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  c.fd = fd;
  c.events = 0;
  c.responses = 0;
  c.in.clear();
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr_), addr_len_) == 0) {
    become_idle(c);
    return;
  }
  // EINTR: the connection attempt goes on asynchronously, as with EINPROGRESS.
  if (errno != EINPROGRESS && errno != EINTR) {
    const int err = errno;
    close_conn(c, now);
    connect_failed(c, err, now);
    return;
  }
  c.state = Conn::State::kConnecting;
  set_events(c, EPOLLOUT);
}

void Runner::connect_failed(Conn& c, int err, Ns now) {
  ++r_.connect_errors;
  last_connect_error_ = err;
  c.state = Conn::State::kClosed;
  c.retry_at = now + kReconnectBackoffNs;
}

void Runner::become_idle(Conn& c) {
  c.state = Conn::State::kIdle;
  set_events(c, EPOLLIN | EPOLLRDHUP);
  if (!c.in_idle_list) {
    c.in_idle_list = true;
    idle_.push_back(id_of(c));
  }
}

bool Runner::pop_idle(Conn*& out) {
  while (!idle_.empty()) {
    Conn& c = conns_[idle_.front()];
    idle_.pop_front();
    c.in_idle_list = false;
    if (c.state == Conn::State::kIdle) {
      out = &c;
      return true;
    }
  }
  return false;
}

void Runner::dispatch(Ns now) {
  Conn* c = nullptr;
  while (!queue_.empty() && pop_idle(c)) {
    const Pending p = queue_.front();
    queue_.pop_front();
    if (measured(p.index) && !p.resent) {
      ++r_.sent;
      if (now - scheduled(p.index) > kLateNs) ++r_.late_sends;
    }
    c->state = Conn::State::kBusy;
    c->req = p;
    c->out = &requests_[p.path];
    c->out_off = 0;
    c->in.clear();
    c->parser.reset();
    c->got_bytes = false;
    ++in_flight_;
    flush(*c);  // on failure the request is back in the queue or counted
  }
}

void Runner::flush(Conn& c) {
  while (c.out_off < c.out->size()) {
    const ssize_t n = ::send(c.fd, c.out->data() + c.out_off, c.out->size() - c.out_off,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_events(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
      return;
    } else {
      fail_conn(c);
      return;
    }
  }
  set_events(c, EPOLLIN | EPOLLRDHUP);
}

void Runner::read_response(Conn& c) {
  std::array<char, 64 * 1024> buf;
  for (;;) {
    const ssize_t n = ::recv(c.fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) {
      c.in.append(buf.data(), static_cast<size_t>(n));
      c.got_bytes = true;
      const ResponseParser::Step step = c.parser.parse(c.in);
      if (step == ResponseParser::Step::kComplete) {
        finish_response(c, now_ns());
        return;
      }
      if (step == ResponseParser::Step::kError) {
        fail_conn(c);
        return;
      }
    } else if (n == 0) {
      if (c.parser.on_eof() == ResponseParser::Step::kComplete) {
        finish_response(c, now_ns());
      } else {
        fail_conn(c);
      }
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      fail_conn(c);
      return;
    }
  }
}

void Runner::finish_response(Conn& c, Ns done) {
  --in_flight_;
  const uint64_t index = c.req.index;
  const bool ok = c.parser.status() / 100 == 2;
  if (measured(index)) {
    if (ok) {
      ++r_.completed;
      latencies_us_.push_back((done - scheduled(index)) / 1000);
    } else {
      ++r_.errors;
      ++r_.non_2xx;
    }
  }
  const Ns window_start = t0_ + seconds_to_ns(opt_.warmup_s);
  if (ok && done >= window_start && done < t0_ + total_ns_) ++window_ok_;
  ++c.responses;
  if (c.parser.close_after() || c.parser.leftover(c.in) > 0) {
    close_conn(c, done);  // reopened by the main loop
  } else {
    become_idle(c);
  }
}

void Runner::fail_conn(Conn& c) {
  if (c.state == Conn::State::kBusy) {
    --in_flight_;
    Pending p = c.req;
    if (!c.got_bytes && c.responses > 0 && !p.resent) {
      // A reused keep-alive connection that the server closed as the request went out.
      p.resent = true;
      ++r_.resends;
      queue_.push_front(p);
    } else if (measured(p.index)) {
      ++r_.errors;
    }
  }
  close_conn(c, now_ns());
}

void Runner::close_conn(Conn& c, Ns retry_at) {
  if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
  c.fd = -1;
  c.events = 0;
  c.state = Conn::State::kClosed;
  c.retry_at = retry_at;
  ++c.generation;
}

void Runner::on_event(uint64_t tag, uint32_t events) {
  if (tag == kTimerTag) {
    uint64_t expirations = 0;
    while (::read(timer_fd_, &expirations, sizeof(expirations)) < 0 && errno == EINTR) {
    }
    return;
  }
  Conn& c = conns_[tag & 0xffffffffu];
  if (static_cast<uint32_t>(tag >> 32) != c.generation) return;  // for a closed socket
  switch (c.state) {
    case Conn::State::kClosed:
      return;
    case Conn::State::kConnecting: {
      int err = 0;
      socklen_t len = sizeof(err);
      if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err == 0 && (events & (EPOLLERR | EPOLLHUP)) != 0) err = ECONNREFUSED;
      if (err != 0) {
        const Ns now = now_ns();
        close_conn(c, now);
        connect_failed(c, err, now);
      } else {
        become_idle(c);
      }
      return;
    }
    case Conn::State::kIdle:
      // The server closed it (idle timeout) or sent something unasked: reopen it.
      close_conn(c, now_ns());
      return;
    case Conn::State::kBusy:
      if ((events & EPOLLOUT) != 0 && c.out_off < c.out->size()) {
        flush(c);
        if (c.state != Conn::State::kBusy) return;
      }
      if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) read_response(c);
      return;
  }
}

Status Runner::wait_events(int timeout_ms) {
  std::array<epoll_event, 256> events;
  const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return Status::ok();
    return Status::io_error("epoll_wait: " + errno_text(errno));
  }
  for (int i = 0; i < n; ++i) on_event(events[i].data.u64, events[i].events);
  return Status::ok();
}

void Runner::arm_timer(Ns at) {
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(at / kNsPerS);
  spec.it_value.tv_nsec = static_cast<long>(at % kNsPerS);
  if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
  ::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

Result<OpenLoopResult> Runner::run() {
  FEEDSCOUT_RETURN_IF_ERROR(setup());

  // Open every connection before the clock starts.
  const Ns connect_deadline = now_ns() + kInitialConnectNs;
  for (Conn& c : conns_) start_connect(c, now_ns());
  auto connecting = [this] {
    return std::any_of(conns_.begin(), conns_.end(),
                       [](const Conn& c) { return c.state == Conn::State::kConnecting; });
  };
  for (Ns now = now_ns(); connecting() && now < connect_deadline; now = now_ns()) {
    const int timeout_ms = static_cast<int>((connect_deadline - now + kNsPerMs - 1) / kNsPerMs);
    FEEDSCOUT_RETURN_IF_ERROR(wait_events(timeout_ms));
  }
  if (idle_.empty()) {
    return Status::unavailable(
        "connect to " + opt_.host + ":" + std::to_string(opt_.port) + ": " +
        (last_connect_error_ != 0 ? errno_text(last_connect_error_) : std::string("timed out")));
  }
  started_ = true;

  std::mt19937_64 rng(opt_.seed);
  std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(opt_.paths.size() - 1));
  latencies_us_.reserve(static_cast<size_t>(n_total_ - n_warm_));
  t0_ = now_ns();
  const Ns deadline = t0_ + total_ns_ + seconds_to_ns(opt_.drain_timeout_s);

  Ns now = t0_;
  for (;;) {
    now = now_ns();
    while (next_ < n_total_ && scheduled(next_) <= now) {
      queue_.push_back(Pending{next_, pick(rng), false});
      ++next_;
    }
    Ns wake = deadline;
    if (work_left()) {
      for (Conn& c : conns_) {
        if (c.state != Conn::State::kClosed) continue;
        if (c.retry_at <= now) {
          start_connect(c, now);
        } else {
          wake = std::min(wake, c.retry_at);
        }
      }
    }
    r_.max_queue = std::max(r_.max_queue, queue_.size());
    dispatch(now);
    if (!work_left() && in_flight_ == 0) break;
    if (now >= deadline) break;
    if (next_ < n_total_) wake = std::min(wake, scheduled(next_));
    arm_timer(wake);
    FEEDSCOUT_RETURN_IF_ERROR(wait_events(-1));
  }

  // Whatever is still queued or in flight has timed out.
  for (const Pending& p : queue_) {
    if (measured(p.index)) ++r_.timeouts;
  }
  for (Conn& c : conns_) {
    if (c.state == Conn::State::kBusy && measured(c.req.index)) ++r_.timeouts;
    close_conn(c, now);
  }

  r_.scheduled = static_cast<size_t>(n_total_ - n_warm_);
  r_.offered_per_s = opt_.rate_per_s;
  r_.achieved_per_s = static_cast<double>(window_ok_) / opt_.duration_s;
  r_.elapsed_s = static_cast<double>(now - t0_) / 1e9;
  if (!latencies_us_.empty()) {
    std::sort(latencies_us_.begin(), latencies_us_.end());
    const size_t n = latencies_us_.size();
    auto pct_ms = [&](double q) {
      const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
      return static_cast<double>(latencies_us_[std::clamp<size_t>(rank, 1, n) - 1]) / 1e3;
    };
    r_.p50_ms = pct_ms(0.50);
    r_.p90_ms = pct_ms(0.90);
    r_.p99_ms = pct_ms(0.99);
    r_.p999_ms = pct_ms(0.999);
    r_.max_ms = static_cast<double>(latencies_us_.back()) / 1e3;
    double sum = 0;
    for (const int64_t v : latencies_us_) sum += static_cast<double>(v);
    r_.mean_ms = sum / static_cast<double>(n) / 1e3;
  }
  return r_;
}

Status validate(const OpenLoopOptions& o) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  auto non_negative = [](double v) { return std::isfinite(v) && v >= 0; };
  if (o.port == 0) return Status::invalid_argument("port: required");
  if (!positive(o.rate_per_s)) return Status::invalid_argument("rate_per_s: must be > 0");
  if (!positive(o.duration_s)) return Status::invalid_argument("duration_s: must be > 0");
  if (!non_negative(o.warmup_s)) return Status::invalid_argument("warmup_s: must be >= 0");
  if (!non_negative(o.drain_timeout_s)) {
    return Status::invalid_argument("drain_timeout_s: must be >= 0");
  }
  if (o.rate_per_s * (o.warmup_s + o.duration_s) > kMaxRequests) {
    return Status::invalid_argument("rate_per_s × (warmup_s + duration_s): over 1e9 requests");
  }
  if (o.connections < 1 || o.connections > 10000) {
    return Status::invalid_argument("connections: must be in [1, 10000]");
  }
  if (o.paths.empty()) return Status::invalid_argument("paths: at least one is required");
  if (o.paths.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::invalid_argument("paths: too many");
  }
  for (const std::string& p : o.paths) {
    if (p.empty() || p.find_first_of(" \r\n") != std::string::npos) {
      return Status::invalid_argument("paths: empty or contains a space, CR or LF: '" + p + "'");
    }
  }
  if (o.host.empty() || o.host.find_first_of(" \r\n") != std::string::npos) {
    return Status::invalid_argument("host: empty or contains a space, CR or LF");
  }
  return Status::ok();
}

}  // namespace

Result<OpenLoopResult> run_open_loop(const OpenLoopOptions& options) {
  FEEDSCOUT_RETURN_IF_ERROR(validate(options));

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options.port);
  const int rc = ::getaddrinfo(options.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status::unavailable("resolve " + options.host + ": " + ::gai_strerror(rc));
  }
  sockaddr_storage addr{};
  const socklen_t addr_len = found->ai_addrlen;
  std::memcpy(&addr, found->ai_addr, std::min<size_t>(addr_len, sizeof(addr)));
  ::freeaddrinfo(found);

  Runner runner(options, addr, addr_len);
  return runner.run();
}

std::string format_open_loop(const OpenLoopResult& r) {
  char line[512];
  std::snprintf(line, sizeof(line),
                "offered %.0f/s achieved %.1f/s | latency ms p50 %.2f p90 %.2f p99 %.2f "
                "p99.9 %.2f max %.2f mean %.2f | scheduled %zu sent %zu completed %zu "
                "errors %zu (non-2xx %zu) timeouts %zu | reconnects %zu connect errors %zu "
                "resends %zu late sends %zu max queue %zu",
                r.offered_per_s, r.achieved_per_s, r.p50_ms, r.p90_ms, r.p99_ms, r.p999_ms,
                r.max_ms, r.mean_ms, r.scheduled, r.sent, r.completed, r.errors, r.non_2xx,
                r.timeouts, r.reconnects, r.connect_errors, r.resends, r.late_sends, r.max_queue);
  return line;
}

}  // namespace feedscout::bench
