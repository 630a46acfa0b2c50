#include "feedscout/server/http_server.h"

#include <fcntl.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>

#include "feedscout/engine/engine.h"
#include "feedscout/server/metrics.h"
#include "feedscout/text/tokenize.h"
#include "feedscout/text/utf8.h"
#include "json_render.h"
#include "router.h"

namespace feedscout {
namespace {

using server::Route;

constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr size_t kMaxReportedErrors = 1000;  // per ingest response; the rest are counted
constexpr size_t kDefaultTop = 20;
constexpr size_t kMaxTop = 200;
// A body over the limit is still read and discarded so that the connection stays in sync
// for its next request. A compressed one only up to this many times the limit (its
// decompressed size is unbounded); past that, reading stops and the rest of the connection
// is garbage that httplib answers with 400s until the client closes it.
constexpr size_t kMaxCompressedDrainFactor = 4;

using Clock = std::chrono::steady_clock;

// The request a worker thread is serving, from pre-routing (headers read) to the logger
// (response written). Requests whose request line is unreadable never reach pre-routing:
// they count under route "other" without a duration.
struct RequestScope {
  bool active = false;
  Clock::time_point start;
  Route route = Route::kOther;
  std::string detail;  // extra key=value pairs for the log line
};
thread_local RequestScope t_scope;

// httplib::Server with a way to close the listening socket whether or not listen has
// started (httplib's stop() does nothing before it has, which would leave run() hanging).
class ListeningServer : public httplib::Server {
 public:
  void close_listener() {
    const socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) {
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
    }
  }
};

std::string_view raw_path(const httplib::Request& req) {
  std::string_view target = req.target;
  return target.substr(0, target.find('?'));
}

// The request target for logs: printable ASCII only, bounded.
std::string loggable(std::string_view s, size_t max_bytes = 200) {
  std::string out;
  for (char c : s.substr(0, max_bytes)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x21 || u > 0x7E) ? '?' : c;
  }
  if (s.size() > max_bytes) out += "...";
  return out;
}

void send_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, kJsonType);
}

void send_error(httplib::Response& res, int status, std::string_view code,
                std::string_view message) {
  send_json(res, status, server::error_body(code, message));
}

const char* default_error_code(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "request_timeout";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    case 416:
      return "range_not_satisfiable";
    case 431:
      return "headers_too_large";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

// Strict decimal parsing of a query parameter: digits only, at most 9 of them.
bool parse_decimal(const std::string& s, size_t& out) {
  if (s.empty() || s.size() > 9) return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  out = v;
  return true;
}

// Reads an integer query parameter in [min, max]; `def` when absent. On failure fills `error`.
bool int_param(const httplib::Request& req, const char* name, size_t def, size_t min, size_t max,
               size_t& out, std::string& error) {
  if (!req.has_param(name)) {
    out = def;
    return true;
  }
  const std::string value = req.get_param_value(name);
  if (!parse_decimal(value, out) || out < min || out > max) {
    error = std::string("query parameter '") + name + "' must be an integer from " +
            std::to_string(min) + " to " + std::to_string(max) + ", got '" + loggable(value, 32) +
            "'";
    return false;
  }
  return true;
}

// Reads a boolean query parameter (0, 1, false, true); `def` when absent. On failure fills
// `error`.
bool bool_param(const httplib::Request& req, const char* name, bool def, bool& out,
                std::string& error) {
  if (!req.has_param(name)) {
    out = def;
    return true;
  }
  const std::string v = req.get_param_value(name);
  if (v == "0" || v == "false" || v == "1" || v == "true") {
    out = v == "1" || v == "true";
    return true;
  }
  error = std::string("query parameter '") + name + "' must be 0, 1, false or true, got '" +
          loggable(v, 32) + "'";
  return false;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Engine& e, const ServerConfig& c) : engine(e), config(c), metrics(route_labels()) {
    install();
  }

  static std::vector<std::string> route_labels() {
    std::vector<std::string> labels;
    for (size_t r = 0; r < server::kNumRoutes; ++r) {
      labels.emplace_back(server::route_pattern(static_cast<Route>(r)));
    }
    return labels;
  }

  void install();
  void dispatch(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* reader);
  // Reads the body into `body`, bounded by config.max_body_bytes. On failure the response
  // is already set (413, 415 or 400) and false is returned.
  bool read_body(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader* reader, std::string& body);
  // Reads and discards a body nobody will use, so that the connection stays in sync.
  void drain_body(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader* reader);
  void handle_ingest(bool documents, const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader* reader);
  void handle_context(const std::string& user, const httplib::Request& req, httplib::Response& res);
  void handle_feed(const std::string& user, const httplib::Request& req, httplib::Response& res);
  void handle_suggest(const httplib::Request& req, httplib::Response& res);
  void handle_search_feed(const httplib::Request& req, httplib::Response& res);
  void handle_trends(const httplib::Request& req, httplib::Response& res);
  void handle_stored(bool document, const std::string& id, httplib::Response& res);
  void handle_healthz(httplib::Response& res);
  void handle_metrics(httplib::Response& res);
  void finish(const httplib::Request& req, const httplib::Response& res);

  Engine& engine;
  const ServerConfig config;
  ListeningServer http;
  HttpMetrics metrics;

  std::mutex mu;
  std::condition_variable run_done;
  bool bound = false;
  bool running = false;  // inside run()
  bool stopped = false;  // stop() was called
  std::atomic<int> port{-1};
};

void HttpServer::Impl::install() {
  const size_t threads = static_cast<size_t>(std::max(1, config.threads));
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // SO_REUSEADDR (restart right after a crash, TIME_WAIT) but not httplib's default
  // SO_REUSEPORT, which would let a second server bind the same port silently.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
  });
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(static_cast<size_t>(std::max(1, config.keep_alive_max_requests)));
  http.set_keep_alive_timeout(std::max(1, config.keep_alive_timeout_s));
  // httplib's own check on a declared Content-Length (413 before reading); chunked and
  // compressed bodies are bounded while they are read (read_body).
  http.set_payload_max_length(config.max_body_bytes);

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    t_scope.active = true;
    t_scope.start = Clock::now();
    t_scope.route = server::match_route(raw_path(req), engine.config().limits.max_id_bytes).route;
    t_scope.detail.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Every method httplib routes lands in dispatch(); POST, PUT, PATCH and DELETE read
  // their own bodies (bounded, and never parsed as forms or multipart by httplib).
  const httplib::Server::Handler plain =
      [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res, nullptr); };
  const httplib::Server::HandlerWithContentReader with_body =
      [this](const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader& reader) { dispatch(req, res, &reader); };
  const std::string any = "[\\s\\S]*";  // every path (".*" would miss decoded newlines)
  http.Get(any, plain);                 // and HEAD
  http.Options(any, plain);
  http.Post(any, with_body);
  http.Post(any, plain);
  http.Put(any, with_body);
  http.Put(any, plain);
  http.Patch(any, with_body);
  http.Patch(any, plain);
  http.Delete(any, with_body);
  http.Delete(any, plain);

  // Errors httplib answers itself (malformed requests, bodies over the declared limit,
  // methods it cannot route) get the same JSON error body as ours. Responses that already
  // carry a body are ours and are left alone.
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 400 &&
            (req.method == "TRACE" || req.method == "CONNECT" || req.method == "PRI")) {
          res.status = 405;  // a known method httplib does not route
        }
        std::string message;
        switch (res.status) {
          case 400:
            message = "malformed HTTP request";
            break;
          case 404:
            message = "no such route";
            break;
          case 405:
            message = "method " + loggable(req.method, 16) + " is not allowed here";
            break;
          case 413:
            message = "request body is too large";
            break;
          case 414:
            message = "request URI is too long";
            break;
          default:
            message = "HTTP error " + std::to_string(res.status);
        }
        res.set_content(server::error_body(default_error_code(res.status), message), kJsonType);
        return httplib::Server::HandlerResponse::Handled;
      }));

  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("http unhandled exception: {}", what);
        send_error(res, 500, "internal", "internal error");
      });

  http.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { finish(req, res); });
}

void HttpServer::Impl::finish(const httplib::Request& req, const httplib::Response& res) {
  double seconds = -1;
  Route route = Route::kOther;
  if (t_scope.active) {
    seconds = std::chrono::duration<double>(Clock::now() - t_scope.start).count();
    route = t_scope.route;
    t_scope.active = false;
  }
  metrics.observe(static_cast<size_t>(route), res.status, seconds);
  const double ms = seconds >= 0 ? seconds * 1000 : -1;
  const std::string detail = t_scope.detail.empty() ? "" : " " + t_scope.detail;
  if (res.status >= 400) {
    spdlog::warn("http method={} target={} route={} status={} ms={:.3f} remote={}{} error={}",
                 loggable(req.method, 16), loggable(req.target), server::route_pattern(route),
                 res.status, ms, loggable(req.remote_addr, 64), detail,
                 text::truncate_utf8(res.body, 300));
  } else if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("http method={} target={} route={} status={} ms={:.3f} remote={}{}",
                  loggable(req.method, 16), loggable(req.target), server::route_pattern(route),
                  res.status, ms, loggable(req.remote_addr, 64), detail);
  }
  t_scope.detail.clear();
}

bool HttpServer::Impl::read_body(const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader* reader, std::string& body) {
  body.clear();
  if (reader == nullptr) {
    body = req.body;  // httplib read it (bounded by set_payload_max_length)
    return true;
  }
  // Without Content-Length or Transfer-Encoding a request has no body (httplib would wait
  // for the connection to close).
  if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) return true;
  const size_t limit = config.max_body_bytes;
  const bool compressed = req.has_header("Content-Encoding");
  size_t seen = 0;
  bool too_large = false;
  const auto receive = [&](const char* data, size_t n) {
    seen += n;
    if (!too_large && seen > limit) {
      too_large = true;
      body.clear();
      body.shrink_to_fit();
    }
    if (too_large) return !compressed || seen / kMaxCompressedDrainFactor <= limit;
    body.append(data, n);
    return true;
  };
  const bool multipart = req.is_multipart_form_data();
  const bool ok = multipart
                      ? (*reader)([](const httplib::MultipartFormData&) { return true; }, receive)
                      : (*reader)(receive);
  if (too_large || (!ok && res.status == 413)) {
    send_error(res, 413, "payload_too_large",
               "request body is larger than the limit of " + std::to_string(limit) + " bytes");
    return false;
  }
  if (!ok) {
    if (res.status == 415) {
      send_error(res, 415, "unsupported_media_type", "unsupported Content-Encoding");
    } else {
      send_error(res, 400, "bad_request", "the request body could not be read");
    }
    return false;
  }
  if (multipart) {
    send_error(res, 415, "unsupported_media_type",
               "multipart bodies are not accepted; send JSON Lines or a JSON array");
    return false;
  }
  return true;
}

void HttpServer::Impl::drain_body(const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader* reader) {
  if (reader == nullptr) return;
  const int status = res.status;
  const std::string saved_body = res.body;
  std::string ignored;
  (void)read_body(req, res, reader, ignored);
  res.status = status;  // the caller's answer stands
  res.body = saved_body;
}

void HttpServer::Impl::dispatch(const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader* reader) {
  try {
    const server::RouteMatch m =
        server::match_route(raw_path(req), engine.config().limits.max_id_bytes);
    if (m.route == Route::kOther) {
      send_error(res, 404, "not_found", "no route for " + loggable(raw_path(req)));
      drain_body(req, res, reader);
      return;
    }
    const std::string_view method = req.method == "HEAD" ? "GET" : std::string_view(req.method);
    if (method != server::route_method(m.route)) {
      send_error(res, 405, "method_not_allowed",
                 "method " + loggable(req.method, 16) + " is not allowed on " +
                     server::route_pattern(m.route) + "; use " + server::route_method(m.route));
      res.set_header("Allow", server::route_method(m.route));
      drain_body(req, res, reader);
      return;
    }
    if (!m.id_error.empty()) {
      send_error(res, 400, "invalid_id", m.id_error);
      drain_body(req, res, reader);
      return;
    }
    switch (m.route) {
      case Route::kIngestEvents:
        handle_ingest(false, req, res, reader);
        return;
      case Route::kIngestDocuments:
        handle_ingest(true, req, res, reader);
        return;
      default:
        break;
    }
    drain_body(req, res, reader);  // GET with a body: ignored
    switch (m.route) {
      case Route::kGetEvent:
        handle_stored(false, m.id, res);
        break;
      case Route::kGetDocument:
        handle_stored(true, m.id, res);
        break;
      case Route::kUserContext:
        handle_context(m.id, req, res);
        break;
      case Route::kUserFeed:
        handle_feed(m.id, req, res);
        break;
      case Route::kSuggest:
        handle_suggest(req, res);
        break;
      case Route::kSearchFeed:
        handle_search_feed(req, res);
        break;
      case Route::kTrends:
        handle_trends(req, res);
        break;
      case Route::kHealthz:
        handle_healthz(res);
        break;
      case Route::kMetrics:
        handle_metrics(res);
        break;
      default:
        send_error(res, 404, "not_found", "no such route");
    }
  } catch (const std::exception& e) {
    spdlog::error("http handler failed: {}", e.what());
    send_error(res, 500, "internal", "internal error");
  }
}

void HttpServer::Impl::handle_ingest(bool documents, const httplib::Request& req,
                                     httplib::Response& res, const httplib::ContentReader* reader) {
  std::string body;
  if (!read_body(req, res, reader, body)) return;
  // Engine::ingest_* returns only after every accepted item is durable (fsync'd): the
  // response below is the acknowledgement.
  // The parser reports every malformed item (numbers out of range included) as an item
  // error; it throws nothing.
  const IngestReport report =
      documents ? engine.ingest_documents(body) : engine.ingest_events(body);
  t_scope.detail = "accepted=" + std::to_string(report.accepted) +
                   " duplicates=" + std::to_string(report.duplicates) +
                   " rejected=" + std::to_string(report.rejected);
  if (!report.commit_status.is_ok()) {
    send_error(res, 503, "commit_failed",
               "the durable write failed; nothing in this request was stored: " +
                   report.commit_status.to_string());
    return;
  }
  nlohmann::ordered_json out = server::ingest_report_json(report, kMaxReportedErrors);
  if (report.accepted + report.duplicates == 0 && report.rejected > 0) {
    out.update(server::error_json("all_rejected", "every item of the body was rejected (" +
                                                      std::to_string(report.rejected) +
                                                      "); see errors"));
    send_json(res, 400, server::dump_json(out));
    return;
  }
  send_json(res, 200, server::dump_json(out));
}

void HttpServer::Impl::handle_context(const std::string& user, const httplib::Request& req,
                                      httplib::Response& res) {
  size_t top = 0;
  std::string error;
  if (!int_param(req, "top", kDefaultTop, 1, kMaxTop, top, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  bool known = false;
  const ContextView view = engine.context(user, &known);
  send_json(res, 200,
            server::dump_json(server::context_json(user, known, view, engine.taxonomy(), top)));
}

void HttpServer::Impl::handle_feed(const std::string& user, const httplib::Request& req,
                                   httplib::Response& res) {
  const FeedConfig& fc = engine.config().feed;
  size_t n = 0;
  std::string error;
  const size_t max_n = std::max<size_t>(1, fc.max_n);
  if (!int_param(req, "n", std::clamp<size_t>(fc.default_n, 1, max_n), 1, max_n, n, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  bool remember = true;
  if (!bool_param(req, "remember", true, remember, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  bool explain = false;
  if (!bool_param(req, "explain", false, explain, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  const FeedPage page = engine.feed(user, n, remember, explain);
  send_json(res, 200, server::dump_json(server::feed_json(page)));
}

void HttpServer::Impl::handle_trends(const httplib::Request& req, httplib::Response& res) {
  constexpr size_t kMaxN = 100;
  const TrendConfig& tc = engine.config().trends;
  size_t n = 0, window_h = 0;
  std::string error;
  if (!int_param(req, "n", 10, 1, kMaxN, n, error) ||
      !int_param(req, "window_h", tc.default_window_h, 1, tc.max_window_h, window_h, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  const std::vector<TrendEntry> found = engine.trends(n, window_h);
  send_json(res, 200, server::dump_json(server::trends_json(found, window_h, engine.now())));
}

void HttpServer::Impl::handle_search_feed(const httplib::Request& req, httplib::Response& res) {
  constexpr size_t kMaxQueryBytes = 512;
  const SearchFeedConfig& sc = engine.config().search_feed;
  const size_t max_n = std::max<size_t>(1, sc.max_n);
  size_t n = 0, page = 0;
  std::string error;
  if (!int_param(req, "n", std::clamp<size_t>(sc.default_n, 1, max_n), 1, max_n, n, error) ||
      !int_param(req, "page", 0, 0, 1000000, page, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  if (!req.has_param("user") || req.get_param_value("user").empty()) {
    send_error(res, 400, "invalid_parameter", "query parameter 'user' is required");
    return;
  }
  const std::string user = req.get_param_value("user");
  const size_t max_id = engine.config().limits.max_id_bytes;
  if (user.size() > max_id || !text::is_valid_utf8(user)) {
    send_error(res, 400, "invalid_parameter",
               "query parameter 'user' must be 1.." + std::to_string(max_id) + " bytes of UTF-8");
    return;
  }
  if (!req.has_param("q")) {
    send_error(res, 400, "invalid_parameter", "query parameter 'q' is required");
    return;
  }
  const std::string q = req.get_param_value("q");
  if (q.size() > kMaxQueryBytes || !text::is_valid_utf8(q) || text::words(q).empty()) {
    send_error(res, 400, "invalid_parameter",
               "query parameter 'q' must be UTF-8 with at least one word and at most " +
                   std::to_string(kMaxQueryBytes) + " bytes");
    return;
  }
  bool remember = true;
  if (!bool_param(req, "remember", true, remember, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  bool explain = false;
  if (!bool_param(req, "explain", false, explain, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  const SearchFeedPage p = engine.search_feed(user, q, page, n, remember, explain);
  send_json(res, 200, server::dump_json(server::search_feed_json(p)));
}

void HttpServer::Impl::handle_suggest(const httplib::Request& req, httplib::Response& res) {
  constexpr size_t kMaxQueryBytes = 512;
  constexpr size_t kMaxN = 100;
  size_t n = 0;
  std::string error;
  if (!int_param(req, "n", 10, 1, kMaxN, n, error)) {
    send_error(res, 400, "invalid_parameter", error);
    return;
  }
  if (!req.has_param("q")) {
    send_error(res, 400, "invalid_parameter", "query parameter 'q' is required");
    return;
  }
  const std::string q = req.get_param_value("q");
  if (q.size() > kMaxQueryBytes) {
    send_error(res, 400, "invalid_parameter",
               "query parameter 'q' is " + std::to_string(q.size()) + " bytes, at most " +
                   std::to_string(kMaxQueryBytes) + " are accepted");
    return;
  }
  if (text::find_invalid_utf8(q) != std::string::npos) {
    send_error(res, 400, "invalid_parameter", "query parameter 'q' is not valid UTF-8");
    return;
  }
  if (text::words(q).empty()) {
    send_error(res, 400, "invalid_parameter",
               "query parameter 'q' has no words (empty, whitespace, punctuation or emoji only)");
    return;
  }
  const std::vector<Suggestion> found = engine.suggest(q, n);
  nlohmann::json items = nlohmann::json::array();
  for (const Suggestion& s : found) {
    items.push_back({{"query", s.query}, {"score", s.score}, {"last_ms", s.last_ms}});
  }
  send_json(res, 200, server::dump_json({{"q", q}, {"suggestions", std::move(items)}}));
}

void HttpServer::Impl::handle_stored(bool document, const std::string& id, httplib::Response& res) {
  const auto stored = document ? engine.document_json(id) : engine.event_json(id);
  if (!stored.is_ok()) {
    spdlog::warn("http store read failed: {}", stored.status().to_string());
    send_error(res, 503, "store_unavailable", "the store could not be read");
    return;
  }
  if (!stored->has_value()) {
    send_error(res, 404, "not_found",
               std::string(document ? "document" : "event") + " '" + id + "' not found");
    return;
  }
  send_json(res, 200, **stored);
}

void HttpServer::Impl::handle_healthz(httplib::Response& res) {
  const EngineStats s = engine.stats();
  send_json(res, 200,
            server::dump_json({{"status", "ok"}, {"documents", s.documents}, {"users", s.users}}));
}

void HttpServer::Impl::handle_metrics(httplib::Response& res) {
  res.status = 200;
  res.set_content(render_prometheus(engine.stats(), metrics), kPrometheusContentType);
}

HttpServer::HttpServer(Engine& engine, const ServerConfig& config)
    : impl_(std::make_unique<Impl>(engine, config)) {}

HttpServer::~HttpServer() {
  stop();
  std::unique_lock lk(impl_->mu);
  impl_->run_done.wait(lk, [&] { return !impl_->running; });
}

Status HttpServer::bind() {
  std::lock_guard lk(impl_->mu);
  const ServerConfig& c = impl_->config;
  if (impl_->bound) return Status::invalid_argument("server is already bound");
  if (impl_->stopped) return Status::unavailable("server was stopped");
  if (c.port < 0 || c.port > 65535) {
    return Status::invalid_argument("server.port must be 0..65535, got " + std::to_string(c.port));
  }
  const std::string where = c.host + ":" + std::to_string(c.port);
  errno = 0;
  int port = -1;
  if (c.port == 0) {
    port = impl_->http.bind_to_any_port(c.host);
  } else if (impl_->http.bind_to_port(c.host, c.port)) {
    port = c.port;
  }
  const int err = errno;
  if (port <= 0) {
    impl_->http.close_listener();  // httplib may keep a half-set-up socket
    if (err == EADDRINUSE) {
      return Status::busy("cannot listen on " + where + ": address already in use");
    }
    return Status::io_error(
        "cannot listen on " + where + ": " +
        (err != 0 ? std::string(std::strerror(err)) : std::string("invalid host or address")));
  }
  impl_->bound = true;
  impl_->port = port;
  return Status::ok();
}

int HttpServer::port() const {
  return impl_->port.load();
}

void HttpServer::run() {
  {
    std::lock_guard lk(impl_->mu);
    if (!impl_->bound || impl_->stopped || impl_->running) {
      if (!impl_->bound) spdlog::error("HttpServer::run() without a successful bind()");
      return;
    }
    impl_->running = true;
  }
  spdlog::info("http serving on {}:{} with {} worker threads", impl_->config.host,
               impl_->port.load(), std::max(1, impl_->config.threads));
  // stop() may close the listening socket at any point from here on: listen returns at
  // once (or as soon as accept fails) when it is closed.
  impl_->http.listen_after_bind();
  {
    std::lock_guard lk(impl_->mu);
    impl_->running = false;
    impl_->stopped = true;
  }
  impl_->run_done.notify_all();
  spdlog::info("http server stopped");
}

void HttpServer::stop() {
  std::lock_guard lk(impl_->mu);
  impl_->stopped = true;
  impl_->http.close_listener();
}

}  // namespace feedscout
