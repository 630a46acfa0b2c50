// The engine with [embeddings] kind "llm": documents embedded through a language-model
// server's /v1/embeddings on ingest. No real inference server runs here: the in-process test
// server (tests/llm/test_llm_server.h) answers with vectors made from the text (a football
// axis and a cooking axis), so this checks the engine's wiring and its fault handling — an
// unavailable server never costs a document — not any model's quality.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "feedscout/engine/engine.h"
#include "llm/test_llm_server.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using llm::testing::TestLlmServer;
using nlohmann::json;
using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

// (football words, cooking words, 0.1) per input; 503 while `down` is set.
void serve(httplib::Server& s, std::atomic<bool>* down, std::atomic<int>* requests) {
  s.Post("/v1/embeddings", [=](const httplib::Request& req, httplib::Response& res) {
    ++*requests;
    if (down->load()) {
      res.status = 503;
      res.set_content(R"({"error":"loading"})", "application/json");
      return;
    }
    const json in = json::parse(req.body, nullptr, false);
    json data = json::array();
    for (size_t i = 0; i < in["input"].size(); ++i) {
      const std::string text = in["input"][i].get<std::string>();
      const double football = text.find("축구") != std::string::npos ? 1.0 : 0.0;
      const double cooking = text.find("요리") != std::string::npos ? 1.0 : 0.0;
      data.push_back({{"object", "embedding"},
                      {"index", i},
                      {"embedding", std::vector<double>{football, cooking, 0.1, 0.0}}});
    }
    res.set_content(json{{"object", "list"}, {"data", data}}.dump(), "application/json");
  });
}

EngineConfig llm_config(const std::string& data, const std::string& url) {
  EngineConfig c = engine_config(data);
  c.embeddings.kind = "llm";
  c.embeddings.client.base_url = url;
  c.embeddings.client.model = "test-embed";
  c.embeddings.client.dialect = llm::Dialect::kOpenAI;
  c.embeddings.client.max_retries = 0;
  c.embeddings.client.request_timeout_ms = 2000;
  c.embeddings.llm_dimension = 4;
  return c;
}

std::string doc(const std::string& id, const std::string& title) {
  return R"({"id":")" + id + R"(","title":")" + title + R"(","created_at":")" +
         format_rfc3339(kNow - kMsPerHour) + "\"}\n";
}

TEST(LlmEmbeddingsEngineTest, DocumentsAreEmbeddedAndAnUnavailableServerCostsNoDocument) {
  std::atomic<bool> down{false};
  std::atomic<int> requests{0};
  TestLlmServer server([&](httplib::Server& s) { serve(s, &down, &requests); });
  TempDir dir("feedscout_llm_embed_engine");
  auto opened = Engine::open(llm_config(dir.file("data"), server.url()), [] { return kNow; });
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  Engine& e = **opened;

  const IngestReport r = e.ingest_documents(
      doc("f1", "축구 경기 결과") + doc("f2", "축구 이적 소식") + doc("k1", "요리 비법 모음"));
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(requests.load(), 1);  // one batch
  EXPECT_EQ(e.stats().documents_embedded, 3u);
  EXPECT_EQ(e.stats().ann_vectors, 3u);
  // The reactive wave finds the other football document by its vector.
  ASSERT_EQ(e.ingest_events(R"({"id":"c","type":"click","user":"u","time":")" +
                            format_rfc3339(kNow - 60000) + R"(","surface":"search","docs":["f1"]})")
                .accepted,
            1u);
  const SearchFeedPage p = e.search_feed("u", "요리 비법", 0, 5, false, true);
  ASSERT_FALSE(p.items.empty());
  EXPECT_EQ(p.items[0].doc_id, "f2");
  EXPECT_EQ(p.items[0].scores.via, "ann");

  // The server goes down: documents are still accepted and stored, without vectors.
  down = true;
  const IngestReport r2 = e.ingest_documents(doc("f3", "축구 감독 인터뷰"));
  EXPECT_EQ(r2.accepted, 1u);
  EXPECT_EQ(e.stats().embed_failures, 1u);
  EXPECT_EQ(e.stats().ann_vectors, 3u);
  auto stored = e.document_json("f3");
  ASSERT_TRUE(stored.is_ok());
  EXPECT_TRUE(stored->has_value());
}

}  // namespace
}  // namespace feedscout
