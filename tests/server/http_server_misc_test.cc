// The HTTP server's lifecycle, the router and the HTTP metrics, without the API fixture's
// data (fixture: http_server_fixture.h).
#include "server/http_server_fixture.h"

namespace feedscout {
namespace {

TEST(HttpServerLifecycle, StopBeforeRunAndTwice) {
  const TempDir dir("feedscout-http-life");
  EngineConfig config;
  config.data_dir = dir.file("data");
  config.taxonomy_path = kTaxonomyPath;
  config.classifier.kind = "none";
  auto engine = Engine::open(config);
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  {
    ServerConfig sc;
    sc.port = 0;
    HttpServer s(**engine, sc);
    ASSERT_TRUE(s.bind().is_ok());
    EXPECT_FALSE(s.bind().is_ok());  // one bind per server
    s.stop();
    s.stop();
    const auto start = std::chrono::steady_clock::now();
    s.run();  // returns at once after stop()
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  }
  {
    ServerConfig sc;
    sc.port = 0;
    HttpServer s(**engine, sc);
    ASSERT_TRUE(s.bind().is_ok());
    std::thread t([&] { s.run(); });
    // Stop races with run() starting: must never hang.
    s.stop();
    t.join();
  }
  {
    ServerConfig sc;
    sc.port = 0;
    HttpServer s(**engine, sc);
    ASSERT_TRUE(s.bind().is_ok());
    std::thread t([&] { s.run(); });
    httplib::Client c("127.0.0.1", s.port());
    auto r = c.Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    const auto start = std::chrono::steady_clock::now();
    std::thread([&] { s.stop(); }).join();
    t.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  }
  {
    ServerConfig sc;
    sc.host = "256.1.2.3";
    sc.port = 0;
    HttpServer s(**engine, sc);
    Status st = s.bind();
    EXPECT_FALSE(st.is_ok());
    EXPECT_NE(st.message().find("256.1.2.3"), std::string::npos) << st.to_string();
  }
}

TEST(RouterTest, MatchesPatternsAndDecodesIds) {
  using server::match_route;
  using server::Route;
  EXPECT_EQ(match_route("/v1/events", 256).route, Route::kIngestEvents);
  EXPECT_EQ(match_route("/v1/documents", 256).route, Route::kIngestDocuments);
  EXPECT_EQ(match_route("/healthz", 256).route, Route::kHealthz);
  EXPECT_EQ(match_route("/metrics", 256).route, Route::kMetrics);
  EXPECT_EQ(match_route("/metrics/", 256).route, Route::kOther);
  EXPECT_EQ(match_route("/v1/events/", 256).route, Route::kGetEvent);  // empty id: 400
  EXPECT_FALSE(match_route("/v1/events/", 256).id_error.empty());
  auto m = match_route("/v1/users/a%2Fb%20c/feed", 256);
  EXPECT_EQ(m.route, Route::kUserFeed);
  EXPECT_EQ(m.id, "a/b c");
  EXPECT_TRUE(m.id_error.empty());
  m = match_route("/v1/users/x+y/context", 256);
  EXPECT_EQ(m.route, Route::kUserContext);
  EXPECT_EQ(m.id, "x+y");  // '+' is not a space in paths
  m = match_route("/v1/documents/%E1%84", 256);
  EXPECT_EQ(m.route, Route::kGetDocument);
  EXPECT_FALSE(m.id_error.empty());                                         // truncated escape
  EXPECT_FALSE(match_route("/v1/documents/%C3%28", 256).id_error.empty());  // not UTF-8
  EXPECT_FALSE(match_route("/v1/documents/abcd", 3).id_error.empty());      // too long
  EXPECT_TRUE(match_route("/v1/documents/abc", 3).id_error.empty());
  EXPECT_EQ(match_route("/v1/users/a/b/feed", 256).route, Route::kOther);
  EXPECT_EQ(match_route("/v1/users/a", 256).route, Route::kOther);
  EXPECT_STREQ(server::route_pattern(Route::kUserFeed), "/v1/users/{id}/feed");
  EXPECT_STREQ(server::route_method(Route::kIngestEvents), "POST");
  EXPECT_STREQ(server::route_method(Route::kGetEvent), "GET");
}

TEST(HttpMetricsTest, BucketsAreCumulativeAndCodesCounted) {
  HttpMetrics m({"/a", "/b"});
  m.observe(0, 200, 0.0001);  // first bucket
  m.observe(0, 200, 0.003);   // 0.005 bucket
  m.observe(0, 404, 7.0);     // only +Inf
  m.observe(1, 200, -1);      // counted, not timed
  m.observe(5, 200, 0.1);     // unknown route: ignored
  m.observe(0, 999, 0.1);     // odd code
  EXPECT_EQ(m.requests(0, 200), 2u);
  EXPECT_EQ(m.requests(0, 404), 1u);
  EXPECT_EQ(m.requests(1, 200), 1u);
  std::string out;
  m.render(out);
  const std::string h = "feedscout_http_request_duration_seconds";
  EXPECT_EQ(sample(out, h + R"(_bucket{route="/a",le="0.0005"})"), 1) << out;
  EXPECT_EQ(sample(out, h + R"(_bucket{route="/a",le="0.0025"})"), 1);
  EXPECT_EQ(sample(out, h + R"(_bucket{route="/a",le="0.005"})"), 2);
  EXPECT_EQ(sample(out, h + R"(_bucket{route="/a",le="5"})"), 3);
  EXPECT_EQ(sample(out, h + R"(_bucket{route="/a",le="+Inf"})"), 4);
  EXPECT_EQ(sample(out, h + R"(_count{route="/a"})"), 4);
  EXPECT_NEAR(sample(out, h + R"(_sum{route="/a"})"), 0.0001 + 0.003 + 7.0 + 0.1, 1e-6);
  EXPECT_EQ(sample(out, h + R"(_count{route="/b"})"), 0);
  EXPECT_EQ(sample(out, R"(feedscout_http_requests_total{route="/a",code="200"})"), 2);
  EXPECT_EQ(sample(out, R"(feedscout_http_requests_total{route="/a",code="0"})"), 1);
  EXPECT_EQ(sample(out, R"(feedscout_http_requests_total{route="/b",code="200"})"), 1);
}

}  // namespace
}  // namespace feedscout
