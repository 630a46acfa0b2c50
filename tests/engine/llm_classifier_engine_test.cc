// The engine with the language-model classifier (classifier.kind "llm" / "llm+fasttext")
// against an in-process test server that speaks vLLM's documented subset (/tokenize and
// /v1/completions with token-id prompts, allowed_token_ids and logprobs) — no real inference
// server runs here. Byte-level "tokens" (byte b = token b + 1, end token 0); the server
// prefers the path 스포츠>축구 for documents about 손흥민 and 여행 otherwise.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "../llm/test_llm_server.h"
#include "feedscout/engine/engine.h"
#include "feedscout/models/fasttext_classifier.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using nlohmann::json;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

void install_vllm(httplib::Server& s) {
  s.Post("/tokenize", [](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body);
    json tokens = json::array();
    for (unsigned char c : body["prompt"].get<std::string>()) tokens.push_back(int{c} + 1);
    res.set_content(json{{"tokens", tokens}}.dump(), "application/json");
  });
  s.Post("/v1/completions", [](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body);
    std::string text;
    for (int t : body["prompt"]) text.push_back(static_cast<char>(t - 1));
    const std::string marker = "주제:\n";
    const size_t at = text.rfind(marker);
    const std::string prefix = at == std::string::npos ? "" : text.substr(at + marker.size());
    const std::string target = text.find("손흥민") != std::string::npos ? "스포츠>축구" : "여행";
    const bool on_path = target.compare(0, prefix.size(), prefix) == 0;
    const int want =
        prefix.size() < target.size() ? static_cast<unsigned char>(target[prefix.size()]) + 1 : 0;
    json top = json::object();
    for (int t : body["allowed_token_ids"]) {
      top["token_id:" + std::to_string(t)] = on_path && t == want ? -0.01 : -6.0;
    }
    res.set_content(
        json{{"choices", json::array({{{"logprobs", {{"top_logprobs", json::array({top})}}}}})}}
            .dump(),
        "application/json");
  });
}

std::string train_student(const TempDir& dir) {
  std::ofstream f(dir.file("train.jsonl"), std::ios::binary);
  for (int i = 0; i < 20; ++i) {
    f << R"({"id":"t)" << i << R"(","title":"신차 출시 소식 )" << i
      << R"(","body":"자동차 엔진 연비","created_at":"2026-11-20T00:00:00Z","topics":["자동차"]})"
      << "\n";
  }
  f.close();
  FastTextTrainOptions o;
  o.epoch = 5;
  auto r = train_fasttext_topics(dir.file("train.jsonl"), testing_support::taxonomy(),
                                 dir.file("student.bin"), o);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return dir.file("student.bin");
}

EngineConfig llm_config(const TempDir& dir, const std::string& kind, const std::string& url) {
  EngineConfig c = testing_support::engine_config(dir.file("data"));
  c.classifier.kind = kind;
  c.classifier.llm.client.base_url = url;
  c.classifier.llm.client.model = "test-model";
  c.classifier.llm.client.max_retries = 0;
  c.classifier.llm.client.connect_timeout_ms = 500;
  c.classifier.llm.client.request_timeout_ms = 5000;
  c.classifier.llm.prompt_path = FEEDSCOUT_SOURCE_DIR "/data/prompts/classify.txt";
  c.classifier.llm.options.end_token = 0;
  c.classifier.llm.max_logprobs = 300;
  return c;
}

const char kDocs[] =
    R"({"id":"d1","title":"손흥민 결승골","body":"토트넘 승리","created_at":"2026-11-20T10:00:00Z"})"
    "\n"
    R"({"id":"d2","title":"제주 올레길","body":"바다 옆 길","created_at":"2026-11-20T10:00:00Z"})"
    "\n";

json stored_topics(Engine& e, const std::string& id) {
  auto doc = e.document_json(id);
  EXPECT_TRUE(doc.is_ok() && doc->has_value());
  return json::parse(**doc)["topics"];
}

TEST(LlmClassifierEngine, DocumentsAreLabelledByTheLanguageModelWithTheirSource) {
  TempDir dir("feedscout_llm_engine");
  llm::testing::TestLlmServer server(install_vllm);
  auto e = Engine::open(llm_config(dir, "llm", server.url()), [] { return kNow; });
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  const IngestReport r = (*e)->ingest_documents(kDocs);
  ASSERT_EQ(r.accepted, 2u) << (r.errors.empty() ? "" : r.errors[0].message);
  const json t1 = stored_topics(**e, "d1");
  ASSERT_FALSE(t1.empty());
  EXPECT_EQ(t1[0]["path"], "스포츠>축구");
  EXPECT_EQ(t1[0]["source"], "language_model");
  EXPECT_EQ(stored_topics(**e, "d2")[0]["path"], "여행");
  const EngineStats s = (*e)->stats();
  EXPECT_EQ(s.llm_classified, 2u);
  EXPECT_EQ(s.llm_faults, 0u);
  EXPECT_GT(s.llm_requests, 0u);
}

TEST(LlmClassifierEngine, AServerThatGoesDownFallsBackToTheStudentAndIsCounted) {
  TempDir dir("feedscout_llm_engine");
  const std::string student = train_student(dir);
  llm::testing::TestLlmServer server(install_vllm);
  EngineConfig c = llm_config(dir, "llm+fasttext", server.url());
  c.classifier.model_path = student;
  auto e = Engine::open(c, [] { return kNow; });
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  ASSERT_EQ((*e)->ingest_documents(kDocs).accepted, 2u);
  EXPECT_EQ(stored_topics(**e, "d1")[0]["source"], "language_model");
  server.stop();
  const IngestReport r = (*e)->ingest_documents(
      R"({"id":"d3","title":"신차 출시","body":"엔진","created_at":"2026-11-20T10:00:00Z"})");
  ASSERT_EQ(r.accepted, 1u);
  const json t3 = stored_topics(**e, "d3");
  ASSERT_FALSE(t3.empty());
  EXPECT_EQ(t3[0]["source"], "classifier");  // the student answered
  const EngineStats s = (*e)->stats();
  EXPECT_EQ(s.llm_faults, 1u);
  EXPECT_EQ(s.llm_fallbacks, 1u);
  EXPECT_GT(s.llm_attempt_failures, 0u);
}

TEST(LlmClassifierEngine, NoServerAtStartUp) {
  TempDir dir("feedscout_llm_engine");
  const std::string student = train_student(dir);
  std::string url;
  {
    llm::testing::TestLlmServer gone(install_vllm);
    url = gone.url();
  }  // stopped: nothing listens on that port now
  // With a student the engine opens and the student answers.
  EngineConfig c = llm_config(dir, "llm+fasttext", url);
  c.classifier.model_path = student;
  {
    auto e = Engine::open(c, [] { return kNow; });
    ASSERT_TRUE(e.is_ok()) << e.status().to_string();
    EXPECT_EQ((*e)->stats().llm_unavailable_at_open, 1u);
    ASSERT_EQ((*e)->ingest_documents(kDocs).accepted, 2u);
    EXPECT_EQ(stored_topics(**e, "d1")[0]["source"], "classifier");
  }
  // Without one, opening fails and says why.
  TempDir other("feedscout_llm_engine");
  auto bare = Engine::open(llm_config(other, "llm", url), [] { return kNow; });
  ASSERT_FALSE(bare.is_ok());
  EXPECT_NE(bare.status().to_string().find("classifier.llm"), std::string::npos)
      << bare.status().to_string();
  // llm+fasttext without a student model is a configuration error.
  auto no_student = Engine::open(llm_config(other, "llm+fasttext", url), [] { return kNow; });
  ASSERT_FALSE(no_student.is_ok());
  EXPECT_NE(no_student.status().to_string().find("classifier.model"), std::string::npos);
}

}  // namespace
}  // namespace feedscout

namespace feedscout {
namespace {

// classifier.llm_decoding = "choice" on an Ollama-dialect server (no logprobs there): one
// request per document, the label set as the JSON schema's enum; an answer outside the
// taxonomy is never stored — the student answers instead.
TEST(LlmClassifierEngine, ChoiceDecodingWorksWithOllamaAndNeverStoresAnInventedLabel) {
  TempDir dir("feedscout_llm_engine_choice");
  const std::string student = train_student(dir);
  llm::testing::TestLlmServer server([](httplib::Server& s) {
    s.Post("/v1/chat/completions", [](const httplib::Request& req, httplib::Response& res) {
      const json body = json::parse(req.body);
      const json& labels =
          body["response_format"]["json_schema"]["schema"]["properties"]["choice"]["enum"];
      const std::string prompt = body["messages"][0]["content"];
      std::string answer = "스포츠>축구";
      if (prompt.find("손흥민") == std::string::npos) answer = "스포츠>e스포츠>가짜 리그";
      const bool offered = std::find(labels.begin(), labels.end(), answer) != labels.end();
      if (prompt.find("손흥민") != std::string::npos && !offered) answer = "unoffered";
      const json content = {{"choice", answer}};
      res.set_content(
          json{{"choices",
                json::array({{{"index", 0},
                              {"message", {{"role", "assistant"}, {"content", content.dump()}}},
                              {"finish_reason", "stop"}}})}}
              .dump(),
          "application/json");
    });
  });
  EngineConfig c = llm_config(dir, "llm+fasttext", server.url());
  c.classifier.model_path = student;
  c.classifier.llm.client.dialect = llm::Dialect::kOllama;
  c.classifier.llm.decoding = "choice";
  auto e = Engine::open(c, [] { return kNow; });
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  ASSERT_EQ((*e)->ingest_documents(kDocs).accepted, 2u);
  const json t1 = stored_topics(**e, "d1");
  ASSERT_EQ(t1.size(), 1u);
  EXPECT_EQ(t1[0]["path"], "스포츠>축구");
  EXPECT_EQ(t1[0]["source"], "language_model");
  // d2's answer is not a taxonomy label: the student's label is stored, with its source.
  const json t2 = stored_topics(**e, "d2");
  ASSERT_FALSE(t2.empty());
  EXPECT_EQ(t2[0]["source"], "classifier");
  const EngineStats s = (*e)->stats();
  EXPECT_EQ(s.llm_classified, 1u);
  EXPECT_EQ(s.llm_faults, 1u);
  EXPECT_EQ(s.llm_fallbacks, 1u);
  EXPECT_NE((*e)->classifier_description().find("llm-choice"), std::string::npos)
      << (*e)->classifier_description();
}

}  // namespace
}  // namespace feedscout
