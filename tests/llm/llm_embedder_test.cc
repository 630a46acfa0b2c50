// LlmEmbedder against the in-process test server (test_llm_server.h). No real inference
// server runs here: the handler answers /v1/embeddings with made-up vectors in the OpenAI
// wire format, so these tests check the embedder's own contract (batching, checking the
// dimension, normalising, error mapping), not any model's quality.
#include "feedscout/llm/llm_embedder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <nlohmann/json.hpp>

#include "llm/test_llm_server.h"

namespace feedscout::llm {
namespace {

using nlohmann::json;
using testing::TestLlmServer;

LlmClientConfig config_for(const std::string& url) {
  LlmClientConfig c;
  c.base_url = url;
  c.model = "test-embed";
  c.connect_timeout_ms = 1000;
  c.request_timeout_ms = 5000;
  c.max_retries = 1;
  c.backoff_initial_ms = 1;
  c.backoff_max_ms = 5;
  return c;
}

std::unique_ptr<LlmEmbedder> make_embedder(const std::string& url, size_t dim,
                                           size_t max_batch = 32) {
  auto client = LlmClient::create(config_for(url));
  EXPECT_TRUE(client.is_ok()) << client.status().to_string();
  LlmEmbedderOptions opt;
  opt.dimension = dim;
  opt.max_batch = max_batch;
  auto e = LlmEmbedder::create(std::shared_ptr<LlmClient>(std::move(client).value()), opt);
  EXPECT_TRUE(e.is_ok()) << e.status().to_string();
  return std::move(e).value();
}

// Answers every input with `dim` values: (byte length of the input, 1, 0, 0, ...).
void serve_embeddings(httplib::Server& s, size_t dim, std::atomic<int>* requests,
                      std::vector<std::string>* seen = nullptr) {
  s.Post("/v1/embeddings", [=](const httplib::Request& req, httplib::Response& res) {
    ++*requests;
    json in = json::parse(req.body, nullptr, false);
    json data = json::array();
    for (size_t i = 0; i < in["input"].size(); ++i) {
      const std::string text = in["input"][i].get<std::string>();
      if (seen) seen->push_back(text);
      std::vector<double> v(dim, 0.0);
      v[0] = static_cast<double>(text.size());
      if (dim > 1) v[1] = 1.0;
      data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", v}});
    }
    res.set_content(json{{"object", "list"}, {"data", data}}.dump(), "application/json");
  });
}

TEST(LlmEmbedderTest, NormalisesAndBatches) {
  std::atomic<int> requests{0};
  std::vector<std::string> seen;
  TestLlmServer server([&](httplib::Server& s) { serve_embeddings(s, 4, &requests, &seen); });
  auto e = make_embedder(server.url(), 4, 2);
  EXPECT_EQ(e->dimension(), 4u);
  EXPECT_EQ(e->describe(), "llm-embed:test-embed@" + server.url());
  auto v = e->embed("abc", "");
  ASSERT_TRUE(v.is_ok()) << v.status().to_string();
  const float n = std::sqrt(10.0f);  // (3, 1, 0, 0)
  EXPECT_NEAR((*v)[0], 3 / n, 1e-6);
  EXPECT_NEAR((*v)[1], 1 / n, 1e-6);
  EXPECT_EQ(seen, (std::vector<std::string>{"abc"}));

  requests = 0;
  auto batch = e->embed_batch({{"a", "b"}, {"", "🙂"}, {"손흥민", ""}, {"x", ""}, {"", "y"}});
  ASSERT_EQ(batch.size(), 5u);
  EXPECT_EQ(requests.load(), 2);  // 4 documents with words, 2 per request
  EXPECT_EQ(batch[1].status().code(), Status::Code::kInvalidArgument);  // no words: not sent
  for (size_t i : {0u, 2u, 3u, 4u}) {
    ASSERT_TRUE(batch[i].is_ok()) << i << ": " << batch[i].status().to_string();
    double sq = 0;
    for (float x : *batch[i]) sq += x * x;
    EXPECT_NEAR(sq, 1.0, 1e-5);
  }
  EXPECT_EQ(seen[1], "a\nb");
  EXPECT_NEAR((*batch[2])[0] / (*batch[2])[1], 9.0f, 1e-4);  // 9 UTF-8 bytes
}

TEST(LlmEmbedderTest, DimensionMismatchIsCorruption) {
  std::atomic<int> requests{0};
  TestLlmServer server([&](httplib::Server& s) { serve_embeddings(s, 8, &requests); });
  auto e = make_embedder(server.url(), 4);
  auto v = e->embed("abc", "def");
  EXPECT_EQ(v.status().code(), Status::Code::kCorruption);
  EXPECT_NE(v.status().message().find("8 values, expected dimension 4"), std::string::npos)
      << v.status().message();
}

TEST(LlmEmbedderTest, ZeroVectorIsCorruption) {
  std::atomic<int> requests{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/embeddings", [&](const httplib::Request&, httplib::Response& res) {
      json data = json::array({{{"index", 0}, {"embedding", {0.0, 0.0}}}});
      res.set_content(json{{"data", data}}.dump(), "application/json");
    });
  });
  auto e = make_embedder(server.url(), 2);
  EXPECT_EQ(e->embed("abc", "").status().code(), Status::Code::kCorruption);
}

TEST(LlmEmbedderTest, ServerErrorIsUnavailableForEveryDocumentOfTheRequest) {
  std::atomic<int> requests{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/embeddings", [&](const httplib::Request&, httplib::Response& res) {
      ++requests;
      res.status = 503;
      res.set_content("overloaded", "text/plain");
    });
  });
  auto e = make_embedder(server.url(), 4);
  auto batch = e->embed_batch({{"a", ""}, {"b", ""}});
  ASSERT_EQ(batch.size(), 2u);
  for (const auto& r : batch) {
    EXPECT_EQ(r.status().code(), Status::Code::kUnavailable) << r.status().to_string();
  }
  EXPECT_EQ(requests.load(), 2);  // one request, retried once (max_retries 1)
}

TEST(LlmEmbedderTest, BadOptions) {
  LlmEmbedderOptions four;
  four.dimension = 4;
  EXPECT_FALSE(LlmEmbedder::create(nullptr, four).is_ok());
  auto client = LlmClient::create(config_for("http://127.0.0.1:1"));
  ASSERT_TRUE(client.is_ok());
  std::shared_ptr<LlmClient> shared(std::move(client).value());
  EXPECT_EQ(LlmEmbedder::create(shared, {}).status().code(), Status::Code::kInvalidArgument);
  four.max_batch = 0;
  EXPECT_EQ(LlmEmbedder::create(shared, four).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace feedscout::llm
