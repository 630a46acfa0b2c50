// The HTTP API end to end (fixture: http_server_fixture.h): ingest, contexts, feeds,
// suggestions, stored records, routing errors, health, metrics and concurrency.
#include "feedscout/serve/ranking_features.h"
#include "server/http_server_fixture.h"

namespace feedscout {
namespace {

TEST_F(HttpServerTest, IngestCountsAcceptedAndDuplicates) {
  Reply d = post("/v1/documents", kDocuments);
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.parsed["accepted"], 7);
  EXPECT_EQ(d.parsed["duplicates"], 0);
  EXPECT_EQ(d.parsed["rejected"], 0);
  EXPECT_TRUE(d.parsed["errors"].empty());

  Reply again = post("/v1/documents", kDocuments);
  ASSERT_EQ(again.status, 200) << again.body;  // duplicates are acknowledged
  EXPECT_EQ(again.parsed["accepted"], 0);
  EXPECT_EQ(again.parsed["duplicates"], 7);

  Reply e = post("/v1/events", kEvents);
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.parsed["accepted"], 4);
  Reply e2 = post("/v1/events", kEvents);
  ASSERT_EQ(e2.status, 200) << e2.body;
  EXPECT_EQ(e2.parsed["accepted"], 0);
  EXPECT_EQ(e2.parsed["duplicates"], 4);

  // A JSON array body works the same way.
  Reply arr = post("/v1/events",
                   R"([{"id":"e9","type":"click","user":"carol","time":"2026-03-01T11:00:00Z",)"
                   R"("surface":"feed","docs":["d2"]}, )"
                   R"({"id":"e1","type":"click","user":"alice","time":"2026-03-01T11:00:00Z",)"
                   R"("surface":"feed","docs":["d2"]}])",
                   "application/json");
  ASSERT_EQ(arr.status, 200) << arr.body;
  EXPECT_EQ(arr.parsed["accepted"], 1);
  EXPECT_EQ(arr.parsed["duplicates"], 1);
}

TEST_F(HttpServerTest, PerLineErrorsNameLineAndField) {
  ASSERT_EQ(post("/v1/documents", kDocuments).status, 200);
  const std::vector<std::string> lines = {
      // 1: fine
      R"({"id":"ok1","type":"click","user":"u1","time":"2026-03-01T11:00:00Z",)"
      R"("surface":"feed","docs":["d1"]})",
      // 2: broken JSON
      R"({"id":"b2","type":"click","user":"u1",)",
      // 3: wrong type
      R"({"id":"b3","type":"click","user":"u1","time":true,"surface":"feed","docs":["d1"]})",
      // 4: invalid UTF-8 bytes
      "{\"id\":\"b4\",\"type\":\"search\",\"user\":\"u1\",\"time\":\"2026-03-01T11:00:00Z\","
      "\"query\":\"\xff\xfe bad\"}",
      // 5: blank, skipped
      "",
      // 6: missing user
      R"({"id":"b6","type":"click","time":"2026-03-01T11:00:00Z","surface":"feed","docs":["d1"]})",
      // 7: unknown document
      R"({"id":"b7","type":"click","user":"u1","time":"2026-03-01T11:00:00Z",)"
      R"("surface":"feed","docs":["nope"]})",
      // 8: future time (the clock is pinned at 2026-03-01T12:00:00Z)
      R"({"id":"b8","type":"click","user":"u1","time":"2026-03-09T11:00:00Z",)"
      R"("surface":"feed","docs":["d1"]})",
      // 9: bad surface
      R"({"id":"b9","type":"click","user":"u1","time":"2026-03-01T11:00:00Z",)"
      R"("surface":"sofa","docs":["d1"]})",
  };
  std::string body;
  for (const auto& line : lines) body += line + "\n";
  Reply r = post("/v1/events", body);
  ASSERT_EQ(r.status, 200) << r.body;  // one item was accepted
  EXPECT_EQ(r.parsed["accepted"], 1) << r.body;
  EXPECT_EQ(r.parsed["rejected"], 7) << r.body;
  ASSERT_EQ(r.parsed["errors"].size(), 7u) << r.body;
  struct Want {
    size_t line;
    const char* field;
    const char* in_message;
  };
  for (const Want& w : {Want{2, "", "JSON"}, Want{3, "time", ""}, Want{4, "", "UTF-8"},
                        Want{6, "user", "missing"}, Want{7, "docs[0]", "unknown document"},
                        Want{8, "time", "future"}, Want{9, "surface", "sofa"}}) {
    const json* e = error_at(r.parsed, "line", w.line);
    ASSERT_NE(e, nullptr) << "no error for line " << w.line << ": " << r.body;
    EXPECT_EQ((*e)["field"], w.field) << r.body;
    EXPECT_NE((*e)["message"].get<std::string>().find(w.in_message), std::string::npos)
        << "line " << w.line << ": " << (*e)["message"];
    EXPECT_FALSE(e->contains("item"));
  }
  // Errors come in line order.
  size_t previous = 0;
  for (const auto& e : r.parsed["errors"]) {
    EXPECT_GT(e["line"].get<size_t>(), previous);
    previous = e["line"].get<size_t>();
  }
}

TEST_F(HttpServerTest, ArrayErrorsUseItemIndexes) {
  ASSERT_EQ(post("/v1/documents", kDocuments).status, 200);
  Reply r = post(
      "/v1/events",
      R"([{"id":"a0","type":"click","user":"u1","time":"2026-03-01T11:00:00Z","surface":"feed","docs":["d1"]},)"
      R"( {"id":"a1","type":"click","user":"u1","time":12,"surface":"feed","docs":["d1"]},)"
      R"( 42])",
      "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["accepted"], 1);
  EXPECT_EQ(r.parsed["rejected"], 2);
  const json* e1 = error_at(r.parsed, "item", 1);
  ASSERT_NE(e1, nullptr) << r.body;
  EXPECT_EQ((*e1)["field"], "time");
  const json* e2 = error_at(r.parsed, "item", 2);
  ASSERT_NE(e2, nullptr) << r.body;
  EXPECT_EQ((*e2)["field"], "");
  EXPECT_FALSE(e1->contains("line"));
}

TEST_F(HttpServerTest, AllRejectedIs400WithReportAndError) {
  Reply r = post("/v1/events", "not json\n{\"id\":\"x\"}\n");
  expect_json_error(r, 400, "all_rejected");
  EXPECT_EQ(r.parsed["accepted"], 0);
  EXPECT_EQ(r.parsed["rejected"], 2);
  ASSERT_EQ(r.parsed["errors"].size(), 2u);
  EXPECT_EQ(r.parsed["errors"][0]["line"], 1);
  EXPECT_EQ(r.parsed["errors"][1]["line"], 2);

  // An unreadable array is one error at item 0.
  Reply arr = post("/v1/documents", "[{\"id\":", "application/json");
  expect_json_error(arr, 400, "all_rejected");
  EXPECT_EQ(arr.parsed["errors"][0]["item"], 0);

  // Only duplicates is not "all rejected".
  ingest_fixture();
  Reply dup = post("/v1/events", kEvents);
  EXPECT_EQ(dup.status, 200) << dup.body;
}

TEST_F(HttpServerTest, ErrorListIsCappedButCountsAreExact) {
  std::string body;
  for (int i = 0; i < 1500; ++i) body += "{}\n";
  Reply r = post("/v1/events", body);
  expect_json_error(r, 400, "all_rejected");
  EXPECT_EQ(r.parsed["rejected"], 1500);
  EXPECT_EQ(r.parsed["errors"].size(), 1000u);
  EXPECT_EQ(r.parsed["errors_omitted"], 500);
  EXPECT_EQ(r.parsed["errors"][999]["line"], 1000);
}

TEST_F(HttpServerTest, EmptyBodyIsOkWithZeroCounts) {
  for (const char* body : {"", "\n\n", "[]"}) {
    Reply r = post("/v1/events", body);
    ASSERT_EQ(r.status, 200) << "body '" << body << "': " << r.body;
    EXPECT_EQ(r.parsed["accepted"], 0);
    EXPECT_EQ(r.parsed["duplicates"], 0);
    EXPECT_EQ(r.parsed["rejected"], 0);
  }
}

TEST_F(HttpServerTest, OversizedBodyIs413Json) {
  const std::string big(kMaxBody + 1, 'x');
  expect_json_error(post("/v1/events", big), 413, "payload_too_large");
  // Chunked (no Content-Length): bounded while it is read.
  size_t sent = 0;
  auto r = client_->Post(
      "/v1/documents",
      [&](size_t, httplib::DataSink& sink) {
        const std::string piece(16 * 1024, 'y');
        if (sent >= 2 * kMaxBody) {
          sink.done();
          return true;
        }
        sent += piece.size();
        return sink.write(piece.data(), piece.size());
      },
      "application/x-ndjson");
  expect_json_error(record("POST chunked", r), 413, "payload_too_large");
  // The connection and the server are still fine.
  EXPECT_EQ(get("/healthz").status, 200);
  // Exactly at the limit is accepted (and parsed: every line is rejected).
  std::string at_limit(kMaxBody, ' ');
  at_limit[0] = 'x';
  EXPECT_EQ(post("/v1/events", at_limit).status, 400);
}

TEST_F(HttpServerTest, HostileBodiesNeverCrash) {
  // Deep nesting as an array body and as one JSON line.
  const std::string deep_array = "[" + std::string(30000, '[') + std::string(30000, ']') + "]";
  Reply a = post("/v1/events", deep_array, "application/json");
  expect_json_error(a, 400, "all_rejected");
  EXPECT_EQ(a.parsed["errors"][0]["item"], 0);
  const std::string deep_line =
      "{\"id\":" + std::string(30000, '[') + std::string(30000, ']') + "}";
  expect_json_error(post("/v1/events", deep_line), 400, "all_rejected");
  // Binary garbage, NUL bytes, a lone surrogate escape, huge numbers.
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) & 0xFF);
  EXPECT_EQ(post("/v1/events", garbage).status, 400);
  EXPECT_EQ(post("/v1/documents", std::string("{\"id\":\"a\0b\"}", 12)).status, 400);
  EXPECT_EQ(post("/v1/events", R"({"id":"\ud800","type":"click"})").status, 400);
  EXPECT_EQ(post("/v1/events", R"({"id":"n","type":"click","user":"u","time":1e400})").status, 400);
  // Multipart and unknown encodings are refused with JSON.
  httplib::MultipartFormDataItems items{{"file", "{}", "a.json", "application/json"}};
  expect_json_error(record("POST multipart", client_->Post("/v1/events", items)), 415,
                    "unsupported_media_type");
  httplib::Headers enc{{"Content-Encoding", "zstd-nope"}};
  Reply bad_enc = record("POST enc", client_->Post("/v1/events", enc, "{}", "application/json"));
  EXPECT_GE(bad_enc.status, 400);
  EXPECT_LT(bad_enc.status, 500);
  EXPECT_TRUE(bad_enc.parsed.contains("error")) << bad_enc.body;
  // A form-encoded body over httplib's 8 KiB form limit is still an ingest body.
  const std::string form_like(20000, 'z');
  EXPECT_EQ(post("/v1/events", form_like, "application/x-www-form-urlencoded").status, 400);
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(HttpServerTest, ContextShowsClickedTopicAboveThePrior) {
  ingest_fixture();
  Reply r = get("/v1/users/alice/context");
  ASSERT_EQ(r.status, 200) << r.body;
  const json& c = r.parsed;
  EXPECT_EQ(c["user"], "alice");
  EXPECT_EQ(c["known"], true);
  EXPECT_TRUE(c["user_class"].is_string());
  EXPECT_GT(c["feed_activity"].get<double>(), 0.0);
  for (const char* s : {"search", "feed", "main"}) {
    EXPECT_TRUE(c["surface_weights"][s].is_number()) << s;
    EXPECT_TRUE(c["per_surface"][s].is_array()) << s;
  }
  const double prior = engine_->config().context.prior;
  bool found = false;
  for (const auto& t : c["integrated"]) {
    if (t["topic"] == "533") {
      found = true;
      EXPECT_EQ(t["path"], "스포츠>축구");
      EXPECT_EQ(t["level"], 2);
      EXPECT_GT(t["score"].get<double>(), prior) << t;
      EXPECT_GT(t["clicks"].get<double>(), 0.0);
      EXPECT_GT(t["impressions"].get<double>(), 0.0);
    }
  }
  EXPECT_TRUE(found) << r.body;
  // The football click on the feed beats the baseball impression on the feed.
  double football = -1, baseball = -1;
  for (const auto& t : c["per_surface"]["feed"]) {
    if (t["topic"] == "533") football = t["score"];
    if (t["topic"] == "545") baseball = t["score"];
  }
  EXPECT_GT(football, baseball) << c["per_surface"]["feed"];
  ASSERT_EQ(c["recent_searches"].size(), 1u);
  EXPECT_EQ(c["recent_searches"][0]["query"], "손흥민");
  EXPECT_EQ(c["recent_searches"][0]["time"], "2026-03-01T10:05:00Z");
  EXPECT_EQ(c["recent_searches"][0]["clicked"], json::array({"d1"}));
  // Interest keywords (the fourth context): the typed query is one, with its days and surfaces.
  ASSERT_TRUE(c["keywords"].is_array()) << r.body;
  bool son = false;
  for (const auto& k : c["keywords"]) {
    if (k["text"] != "손흥민") continue;
    son = true;
    EXPECT_EQ(k["kind"], "keyword");
    EXPECT_GT(k["weight"].get<double>(), 0.0);
    EXPECT_TRUE(k["lasting"].is_boolean());
    EXPECT_GE(k["days"].get<int>(), 1);
    bool on_search = false;
    for (const auto& surface : k["surfaces"]) on_search = on_search || surface == "search";
    EXPECT_TRUE(on_search) << k;
    EXPECT_EQ(k["last_seen"], "2026-03-01T10:05:00Z");
  }
  EXPECT_TRUE(son) << c["keywords"];

  // ?top limits every list.
  Reply top1 = get("/v1/users/alice/context?top=1");
  ASSERT_EQ(top1.status, 200);
  EXPECT_EQ(top1.parsed["integrated"].size(), 1u);
  EXPECT_LE(top1.parsed["keywords"].size(), 1u);
  for (const char* s : {"search", "feed", "main"}) {
    EXPECT_LE(top1.parsed["per_surface"][s].size(), 1u);
  }
  for (const char* bad : {"0", "201", "abc", "-1", "1.5", ""}) {
    Reply b = get(std::string("/v1/users/alice/context?top=") + bad);
    expect_json_error(b, 400, "invalid_parameter");
    EXPECT_NE(b.parsed["error"]["message"].get<std::string>().find("top"), std::string::npos);
  }

  // Unknown users get an empty, cold context.
  Reply cold = get("/v1/users/nobody/context");
  ASSERT_EQ(cold.status, 200);
  EXPECT_EQ(cold.parsed["known"], false);
  EXPECT_EQ(cold.parsed["user_class"], "cold");
  EXPECT_TRUE(cold.parsed["integrated"].empty());
}

TEST_F(HttpServerTest, FeedItemsHaveReasons) {
  ingest_fixture();
  Reply r = get("/v1/users/alice/feed?n=5&remember=0");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["user"], "alice");
  EXPECT_EQ(r.parsed["known_user"], true);
  EXPECT_TRUE(r.parsed["user_class"].is_string());
  const json& items = r.parsed["items"];
  ASSERT_FALSE(items.empty()) << r.body;
  EXPECT_LE(items.size(), 5u);
  const std::set<std::string> sources{"after_search", "topic", "popular"};
  for (const auto& it : items) {
    EXPECT_TRUE(it["doc_id"].is_string());
    EXPECT_TRUE(it["title"].is_string());
    EXPECT_TRUE(it["source"].is_string());
    EXPECT_TRUE(it["created_at"].is_string());
    EXPECT_TRUE(it["topics"].is_array());
    EXPECT_TRUE(sources.count(it["from"].get<std::string>())) << it;
    EXPECT_TRUE(it["score"].is_number());
    EXPECT_FALSE(it["reason"].get<std::string>().empty()) << it;
    EXPECT_NE(it["doc_id"], "d1") << "seen documents are not served";
  }
  // remember=0 leaves the served memory alone: the same page again.
  Reply again = get("/v1/users/alice/feed?n=5&remember=0");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.parsed["items"], items);
  // Remembered pages are not repeated.
  Reply first = get("/v1/users/alice/feed?n=2");
  Reply second = get("/v1/users/alice/feed?n=2");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  for (const auto& a : first.parsed["items"]) {
    for (const auto& b : second.parsed["items"]) EXPECT_NE(a["doc_id"], b["doc_id"]);
  }
  // Cold users get the popular feed.
  Reply cold = get("/v1/users/stranger/feed");
  ASSERT_EQ(cold.status, 200);
  EXPECT_EQ(cold.parsed["known_user"], false);
  ASSERT_FALSE(cold.parsed["items"].empty());
  EXPECT_EQ(cold.parsed["items"][0]["from"], "popular");

  const size_t max_n = engine_->config().feed.max_n;
  for (const std::string& bad :
       std::vector<std::string>{"0", std::to_string(max_n + 1), "x", "-3", "2.0", "99999999999"}) {
    Reply b = get("/v1/users/alice/feed?n=" + bad);
    expect_json_error(b, 400, "invalid_parameter");
    EXPECT_NE(b.parsed["error"]["message"].get<std::string>().find("'n'"), std::string::npos)
        << b.body;
  }
  EXPECT_EQ(get("/v1/users/alice/feed?n=" + std::to_string(max_n)).status, 200);
  expect_json_error(get("/v1/users/alice/feed?remember=maybe"), 400, "invalid_parameter");
}

TEST_F(HttpServerTest, SuggestReturnsRefinedQueriesContainingQ) {
  ingest_fixture();
  // alice searched 손흥민 and read d1: her refined query is a suggestion for 손흥민.
  const std::string refined = engine_->context("alice").recent_searches.at(0).refined;
  ASSERT_FALSE(refined.empty());
  ASSERT_NE(refined, "손흥민");
  // q percent-encoded (손흥민), as a browser sends it.
  Reply r = get("/v1/suggest?q=%EC%86%90%ED%9D%A5%EB%AF%BC&n=5");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["q"], "손흥민");
  ASSERT_EQ(r.parsed["suggestions"].size(), 1u) << r.body;
  EXPECT_EQ(r.parsed["suggestions"][0]["query"], refined);
  EXPECT_GT(r.parsed["suggestions"][0]["score"].get<double>(), 0.0);
  EXPECT_TRUE(r.parsed["suggestions"][0]["last_ms"].is_number_integer());
  Reply none = get("/v1/suggest?q=zzz");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(none.parsed["suggestions"].empty());

  for (const std::string& bad : std::vector<std::string>{
           "/v1/suggest", "/v1/suggest?q=", "/v1/suggest?q=%20%20", "/v1/suggest?q=%3F%21",
           "/v1/suggest?q=%F0%9F%98%80", "/v1/suggest?q=%FF%FE",
           "/v1/suggest?q=" + std::string(600, 'a'), "/v1/suggest?q=a&n=0", "/v1/suggest?q=a&n=101",
           "/v1/suggest?q=a&n=x"}) {
    expect_json_error(get(bad), 400, "invalid_parameter");
  }
  expect_json_error(post("/v1/suggest?q=a", "", "text/plain"), 405, "method_not_allowed");
}

TEST_F(HttpServerTest, SearchFeedPagesAndBadParameters) {
  ingest_fixture();
  Reply r = get("/v1/search-feed?user=alice&q=%EC%86%90%ED%9D%A5%EB%AF%BC&n=5&remember=0");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["q"], "손흥민");
  EXPECT_EQ(r.parsed["page"], 0);
  EXPECT_EQ(r.parsed["known_user"], true);
  const std::set<std::string> waves{"reactive", "related", "personalised", "expansive"};
  for (const auto& it : r.parsed["items"]) {
    EXPECT_TRUE(waves.count(it["wave"].get<std::string>())) << it;
    EXPECT_FALSE(it["reason"].get<std::string>().empty()) << it;
    EXPECT_NE(it["doc_id"], "d1") << "seen documents are not served";
  }
  EXPECT_EQ(r.parsed.count("unserved"), 0u);
  // ?explain=1 (the query 여행): every item carries its score parts, and the candidates left
  // out are listed.
  Reply ex = get("/v1/search-feed?user=zed&q=%EC%97%AC%ED%96%89&n=1&remember=0&explain=1");
  ASSERT_EQ(ex.status, 200) << ex.body;
  ASSERT_FALSE(ex.parsed["items"].empty());
  for (const auto& it : ex.parsed["items"]) {
    ASSERT_TRUE(it.contains("explain")) << it;
    EXPECT_TRUE(it["explain"].contains("via")) << it;
    EXPECT_TRUE(it["explain"].contains("on_sense")) << it;
  }
  ASSERT_TRUE(ex.parsed.contains("unserved")) << ex.body;
  EXPECT_EQ(ex.parsed["unserved"].size(), 1u) << ex.body;  // 여행: d6 and d7, one served
  Reply past = get("/v1/search-feed?user=alice&q=x&page=999");
  ASSERT_EQ(past.status, 200) << past.body;
  EXPECT_TRUE(past.parsed["items"].empty());
  for (const std::string& bad : std::vector<std::string>{
           "/v1/search-feed?q=a", "/v1/search-feed?user=alice", "/v1/search-feed?user=&q=a",
           "/v1/search-feed?user=alice&q=%3F%21", "/v1/search-feed?user=alice&q=%FF",
           "/v1/search-feed?user=alice&q=a&n=0", "/v1/search-feed?user=alice&q=a&page=x",
           "/v1/search-feed?user=alice&q=a&remember=2",
           "/v1/search-feed?user=alice&q=a&explain=yes"}) {
    expect_json_error(get(bad), 400, "invalid_parameter");
  }
}

TEST_F(HttpServerTest, StoredRecordsAndIds) {
  ingest_fixture();
  Reply e = get("/v1/events/e2");
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.parsed["id"], "e2");
  EXPECT_EQ(e.parsed["type"], "click");
  EXPECT_EQ(e.parsed["dwell_s"], 42);
  Reply d = get("/v1/documents/d1");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.parsed["title"], "손흥민 시즌 10호 골");
  EXPECT_EQ(d.parsed["topics"][0]["path"], "스포츠>축구");
  expect_json_error(get("/v1/events/missing"), 404, "not_found");
  expect_json_error(get("/v1/documents/missing"), 404, "not_found");

  // Ids in paths are percent-decoded: '/', spaces and Korean work.
  Reply slash = post(
      "/v1/events",
      R"({"id":"ev/1 x","type":"click","user":"사용자/1","time":"2026-03-01T11:00:00Z","surface":"main","docs":["d6"]})");
  ASSERT_EQ(slash.status, 200) << slash.body;
  Reply got = get("/v1/events/ev%2F1%20x");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.parsed["user"], "사용자/1");
  Reply ctx = get("/v1/users/%EC%82%AC%EC%9A%A9%EC%9E%90%2F1/context");
  ASSERT_EQ(ctx.status, 200) << ctx.body;
  EXPECT_EQ(ctx.parsed["known"], true);
  EXPECT_EQ(ctx.parsed["user"], "사용자/1");

  // Bad ids are 400s.
  expect_json_error(get("/v1/users/" + std::string(257, 'a') + "/context"), 400, "invalid_id");
  EXPECT_EQ(get("/v1/users/" + std::string(256, 'a') + "/context").status, 200);
  expect_json_error(get("/v1/events/%ZZ"), 400, "invalid_id");
  expect_json_error(get("/v1/users/%FF%FE/feed"), 400, "invalid_id");
  expect_json_error(get("/v1/users/a%0Ab/context"), 400, "invalid_id");
  expect_json_error(get("/v1/users//context"), 400, "invalid_id");
}

TEST_F(HttpServerTest, UnknownRoutesAndWrongMethodsAreJson) {
  expect_json_error(get("/"), 404, "not_found");
  expect_json_error(get("/v2/events"), 404, "not_found");
  expect_json_error(get("/v1/users/alice"), 404, "not_found");
  expect_json_error(get("/v1/users/alice/context/extra"), 404, "not_found");
  expect_json_error(get("/v1/events/a/b"), 404, "not_found");
  expect_json_error(get("/" + std::string(7000, 'p')), 404, "not_found");

  Reply r = get("/v1/events");
  expect_json_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.allow, "POST");
  Reply p = post("/healthz", "{}");
  expect_json_error(p, 405, "method_not_allowed");
  EXPECT_EQ(p.allow, "GET");
  expect_json_error(request("PUT", "/v1/events"), 405, "method_not_allowed");
  expect_json_error(request("DELETE", "/v1/users/alice/context"), 405, "method_not_allowed");
  expect_json_error(request("PATCH", "/v1/documents/d1"), 405, "method_not_allowed");
  expect_json_error(request("OPTIONS", "/metrics"), 405, "method_not_allowed");
  expect_json_error(request("DELETE", "/nowhere"), 404, "not_found");
  EXPECT_EQ(request("HEAD", "/healthz").status, 200);

  // Requests httplib rejects itself still get JSON bodies.
  for (const std::string& raw : {std::string("FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
                                 std::string("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"),
                                 std::string("TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
                                 std::string("garbage\r\n\r\n")}) {
    const std::string out = raw_exchange(raw);
    SCOPED_TRACE(raw);
    ASSERT_EQ(out.rfind("HTTP/1.1 4", 0), 0u) << out;
    EXPECT_NE(out.find("application/json"), std::string::npos) << out;
    EXPECT_NE(out.find("{\"error\":{\"code\":"), std::string::npos) << out;
  }
  // The server still answers.
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(HttpServerTest, HealthzCountsDocumentsAndUsers) {
  Reply empty = get("/healthz");
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(empty.parsed, json({{"status", "ok"}, {"documents", 0}, {"users", 0}}));
  ingest_fixture();
  Reply r = get("/healthz");
  EXPECT_EQ(r.parsed["documents"], 7);
  EXPECT_EQ(r.parsed["users"], 2);
}

TEST_F(HttpServerTest, MetricsReportCountersAndHistogram) {
  ingest_fixture();                                             // 7 documents, 4 events
  ASSERT_EQ(post("/v1/events", kEvents).status, 200);           // 4 duplicates
  ASSERT_EQ(post("/v1/documents", kDocuments).status, 200);     // 7 duplicates
  ASSERT_EQ(post("/v1/events", "{}\nnot json\n").status, 400);  // 2 rejected
  ASSERT_EQ(get("/v1/users/alice/feed?n=3").status, 200);
  ASSERT_EQ(get("/v1/users/bob/feed?n=3").status, 200);
  ASSERT_EQ(get("/v1/nothing").status, 404);

  // Request metrics are recorded right after each response is written: poll briefly.
  std::string text;
  for (int i = 0; i < 100; ++i) {
    Reply m = get("/metrics");
    ASSERT_EQ(m.status, 200);
    EXPECT_EQ(m.content_type, kPrometheusContentType);
    text = m.body;
    if (sample(text, R"(feedscout_http_requests_total{route="other",code="404"})") == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(sample(text, "feedscout_events_ingested_total"), 4) << text;
  EXPECT_EQ(sample(text, "feedscout_events_duplicate_total"), 4);
  EXPECT_EQ(sample(text, "feedscout_events_rejected_total"), 2);
  EXPECT_EQ(sample(text, "feedscout_documents_ingested_total"), 7);
  EXPECT_EQ(sample(text, "feedscout_documents_duplicate_total"), 7);
  EXPECT_EQ(sample(text, "feedscout_documents_rejected_total"), 0);
  EXPECT_EQ(sample(text, "feedscout_documents_classified_total"), 0);
  EXPECT_EQ(sample(text, "feedscout_classifier_failures_total"), 0);
  EXPECT_GE(sample(text, "feedscout_commits_total"), 2);
  EXPECT_EQ(sample(text, "feedscout_commit_failures_total"), 0);
  EXPECT_EQ(sample(text, "feedscout_documents"), 7);
  EXPECT_EQ(sample(text, "feedscout_users"), 2);
  EXPECT_EQ(sample(text, "feedscout_ann_vectors"), 0);  // [embeddings] is off here
  EXPECT_EQ(sample(text, "feedscout_documents_embedded_total"), 0);
  EXPECT_NE(text.find("# TYPE feedscout_events_ingested_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE feedscout_users gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE feedscout_ann_vectors gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE feedscout_http_request_duration_seconds histogram"),
            std::string::npos);

  // Route labels are patterns, never raw paths.
  EXPECT_EQ(sample(text, R"(feedscout_http_requests_total{route="/v1/events",code="200"})"), 2);
  EXPECT_EQ(sample(text, R"(feedscout_http_requests_total{route="/v1/events",code="400"})"), 1);
  EXPECT_EQ(sample(text, R"(feedscout_http_requests_total{route="/v1/documents",code="200"})"), 2);
  EXPECT_EQ(
      sample(text, R"(feedscout_http_requests_total{route="/v1/users/{id}/feed",code="200"})"), 2);
  EXPECT_EQ(text.find("alice"), std::string::npos);
  EXPECT_EQ(text.find("/v1/nothing"), std::string::npos);

  const std::string h = "feedscout_http_request_duration_seconds";
  EXPECT_EQ(sample(text, h + R"(_count{route="/v1/events"})"), 3);
  EXPECT_EQ(sample(text, h + R"(_bucket{route="/v1/events",le="+Inf"})"), 3);
  EXPECT_GE(sample(text, h + R"(_bucket{route="/v1/events",le="0.0005"})"), 0);
  EXPECT_GE(sample(text, h + R"(_bucket{route="/v1/events",le="5"})"),
            sample(text, h + R"(_bucket{route="/v1/events",le="0.0005"})"));
  EXPECT_GT(sample(text, h + R"(_sum{route="/v1/events"})"), 0);
  EXPECT_EQ(sample(text, h + R"(_count{route="/v1/users/{id}/feed"})"), 2);
}

TEST_F(HttpServerTest, ConcurrentClientsNeverSeeServerErrors) {
  ASSERT_EQ(post("/v1/documents", kDocuments).status, 200);
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", server_->port());
      for (int i = 0; i < 40; ++i) {
        const auto send = [&]() -> httplib::Result {
          if (i % 2 == 0) {
            const std::string id = "c" + std::to_string(t) + "-" + std::to_string(i);
            return c.Post("/v1/events",
                          R"({"id":")" + id + R"(","type":"click","user":"u)" + std::to_string(t) +
                              R"(","time":"2026-03-01T11:00:00Z","surface":"feed","docs":["d)" +
                              std::to_string(1 + i % 7) + R"("]})",
                          "application/x-ndjson");
          }
          if (i % 3 == 0) return c.Get("/v1/users/u" + std::to_string(t) + "/context");
          return c.Get("/v1/users/u" + std::to_string(t) + "/feed?n=3");
        };
        const httplib::Result r = send();
        (r && r->status == 200) ? ++ok : ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(ok.load(), 6 * 40);
  EXPECT_EQ(engine_->stats().events_accepted, 6u * 20u);
}

TEST_F(HttpServerTest, SecondServerOnTheSamePortFailsToBind) {
  ServerConfig sc;
  sc.host = "127.0.0.1";
  sc.port = server_->port();
  HttpServer other(*engine_, sc);
  Status st = other.bind();
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), Status::Code::kBusy) << st.to_string();
  EXPECT_NE(st.message().find(std::to_string(sc.port)), std::string::npos) << st.to_string();
  EXPECT_EQ(other.port(), -1);
  other.run();  // returns at once: not bound
  // The first server is unaffected.
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(HttpServerTest, FeedExplainListsScoresAndRuleOutcomes) {
  ingest_fixture();
  Reply plain = get("/v1/users/alice/feed?remember=0");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_FALSE(plain.parsed.contains("unserved"));
  ASSERT_FALSE(plain.parsed["items"].empty());
  for (const auto& item : plain.parsed["items"]) EXPECT_FALSE(item.contains("explain"));
  // explain=0 is the default response, field for field, but for the page's own request id.
  Reply zero = get("/v1/users/alice/feed?remember=0&explain=0");
  ASSERT_EQ(zero.status, 200);
  EXPECT_NE(zero.parsed["request_id"], plain.parsed["request_id"]);
  zero.parsed.erase("request_id");
  plain.parsed.erase("request_id");
  EXPECT_EQ(zero.parsed, plain.parsed);

  Reply r = get("/v1/users/alice/feed?remember=0&explain=1");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.parsed["items"].size(), plain.parsed["items"].size());
  // No model: the hand-set ranking, each item's feature row by name.
  EXPECT_EQ(r.parsed["ranking"]["kind"], "hand-set");
  EXPECT_EQ(r.parsed["ranking"]["feature_schema"], "feedscout.home v2");
  for (const auto& item : r.parsed["items"]) {
    EXPECT_EQ(item["explain"]["ranking"], "hand-set");
    EXPECT_EQ(item["explain"]["features"].size(), kFeatureCount);
    EXPECT_TRUE(item["explain"]["features"].contains("collaborative_score"));
    EXPECT_FALSE(item["explain"].contains("contributions"));
  }
  for (size_t i = 0; i < r.parsed["items"].size(); ++i) {
    const auto& item = r.parsed["items"][i];
    EXPECT_EQ(item["doc_id"], plain.parsed["items"][i]["doc_id"]);
    ASSERT_TRUE(item.contains("explain")) << item.dump();
    const auto& x = item["explain"];
    EXPECT_EQ(x["source"], item["from"]);
    for (const char* k : {"relevance", "recency", "popularity", "final"}) {
      EXPECT_TRUE(x[k].is_number()) << k;
    }
    EXPECT_GE(x["relevance"].get<double>(), 0.0);
    EXPECT_LE(x["relevance"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(x["final"].get<double>(), item["score"].get<double>());
    EXPECT_TRUE(x["threshold"] == "above" || x["threshold"] == "below") << x.dump();
    EXPECT_TRUE(x["demoted_by_diversity"].is_boolean());
    EXPECT_TRUE(x["diversity_topic"].is_string());
  }
  // alice reads 축구: her topic items are relevant (above the threshold), her popular
  // exploration items are not.
  for (const auto& item : r.parsed["items"]) {
    if (item["from"] == "topic") {
      EXPECT_EQ(item["explain"]["threshold"], "above") << item.dump();
    }
    if (item["from"] == "popular") {
      EXPECT_EQ(item["explain"]["threshold"], "below") << item.dump();
    }
  }
  ASSERT_TRUE(r.parsed["unserved"].is_array());
  for (const auto& u : r.parsed["unserved"]) EXPECT_TRUE(u.contains("explain"));
  Reply t = get("/v1/users/alice/feed?remember=0&explain=true");
  EXPECT_EQ(t.status, 200);
  for (const std::string bad : {"2", "yes", "", "TRUE"}) {
    expect_json_error(get("/v1/users/alice/feed?explain=" + bad), 400, "invalid_parameter");
  }
  // An unknown user gets the cold feed, explained.
  Reply cold = get("/v1/users/nobody/feed?explain=1");
  ASSERT_EQ(cold.status, 200) << cold.body;
  for (const auto& item : cold.parsed["items"]) EXPECT_EQ(item["explain"]["source"], "popular");
}

TEST_F(HttpServerTest, TrendsListRisingClustersWithTheirDocuments) {
  Reply empty = get("/v1/trends");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(empty.parsed["trends"].is_array());
  EXPECT_TRUE(empty.parsed["trends"].empty());
  EXPECT_EQ(empty.parsed["window_h"], 24);

  ingest_fixture();
  // Three more readers of 축구 within the last day: 축구 has 5 recent clicks, none before.
  Reply e = post(
      "/v1/events",
      R"({"id":"t1","type":"click","user":"u1","time":"2026-03-01T11:00:00Z","surface":"feed","docs":["d2"]}
{"id":"t2","type":"click","user":"u2","time":"2026-03-01T11:10:00Z","surface":"feed","docs":["d2"]}
{"id":"t3","type":"click","user":"u3","time":"2026-03-01T11:20:00Z","surface":"main","docs":["d3"]}
)");
  ASSERT_EQ(e.status, 200) << e.body;
  Reply r = get("/v1/trends?n=5&window_h=24");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.parsed["trends"].size(), 1u) << r.body;  // 여행 has one click: below the minimum
  const auto& trend = r.parsed["trends"][0];
  EXPECT_EQ(trend["topic"], "스포츠>축구");
  // alice's refined 손흥민 query led to d1: the cluster is labelled by it.
  EXPECT_EQ(trend["label_kind"], "intent");
  EXPECT_EQ(trend["label"], engine_->context("alice").recent_searches.at(0).refined);
  EXPECT_EQ(trend["recent_clicks"], 5);
  EXPECT_EQ(trend["previous_clicks"], 0);
  ASSERT_EQ(trend["documents"].size(), 3u);
  EXPECT_EQ(trend["documents"][0]["recent_clicks"], 2);
  for (const auto& d : trend["documents"]) EXPECT_TRUE(d["doc_id"].is_string());

  for (const std::string bad :
       {"/v1/trends?n=0", "/v1/trends?n=101", "/v1/trends?n=x", "/v1/trends?window_h=0",
        "/v1/trends?window_h=169", "/v1/trends?window_h=-1", "/v1/trends?window_h=1e9"}) {
    expect_json_error(get(bad), 400, "invalid_parameter");
  }
  expect_json_error(post("/v1/trends", "", "text/plain"), 405, "method_not_allowed");
}

}  // namespace
}  // namespace feedscout
