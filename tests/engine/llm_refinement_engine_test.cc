// The language-model refiner inside the engine (intent.llm): the default refiner answers on
// ingest at once, the language model's guarded answer replaces it asynchronously, and every
// failure leaves the default in place, counted. The server is the in-process test server
// (tests/llm/test_llm_server.h) playing a vLLM chat endpoint: no real model runs here.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "feedscout/engine/engine.h"
#include "llm/test_llm_server.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using nlohmann::json;
using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

const char* kDocs =
    R"({"id":"a1","title":"에스파 일본 정규 앨범 발매","body":"에스파가 일본에서 첫 정규 앨범을 낸다. 타이틀곡은 오리콘 정상","created_at":"2026-11-19T12:00:00Z","topics":["338"]}
{"id":"a2","title":"에스파 일본 앨범 오리콘 1위","body":"오리콘 차트 정상","created_at":"2026-11-19T12:00:00Z","topics":["338"]}
{"id":"f1","title":"에스파 공항 패션 화제","body":"카리나 공항 패션","created_at":"2026-11-19T12:00:00Z","topics":["338"]}
)";
const char* kSearch =
    R"({"id":"s1","type":"search","user":"u","time":"2026-11-20T11:00:00Z","query":"에스파","clicked":["a1"]})";

class ModelServer {
 public:
  ModelServer()
      : server_([this](httplib::Server& s) {
          s.Post("/v1/chat/completions", [this](const httplib::Request& req,
                                                httplib::Response& res) {
            std::string answer;
            {
              std::lock_guard lk(mu_);
              prompts_.push_back(json::parse(req.body, nullptr, false)["messages"][0]["content"]);
              answer = answer_;
            }
            if (answer.empty()) {
              res.status = 503;
              return;
            }
            const json content = {{"refined", answer}};
            res.set_content(
                json{{"choices",
                      json::array(
                          {{{"index", 0},
                            {"message", {{"role", "assistant"}, {"content", content.dump()}}},
                            {"finish_reason", "stop"}}})}}
                    .dump(),
                "application/json");
          });
        }) {}
  std::string url() const { return server_.url(); }
  void answer(std::string a) {
    std::lock_guard lk(mu_);
    answer_ = std::move(a);
  }
  std::vector<std::string> prompts() const {
    std::lock_guard lk(mu_);
    return prompts_;
  }

 private:
  mutable std::mutex mu_;
  std::string answer_;
  std::vector<std::string> prompts_;
  llm::testing::TestLlmServer server_;
};

EngineConfig llm_config(const std::string& dir, const std::string& url) {
  EngineConfig c = engine_config(dir);
  c.intent.llm.enabled = true;
  c.intent.llm.client.base_url = url;
  c.intent.llm.client.max_retries = 0;
  c.intent.llm.prompt_path = FEEDSCOUT_SOURCE_DIR "/data/prompts/refine.txt";
  c.intent.llm.timeout_ms = 5000;
  return c;
}

std::unique_ptr<Engine> open(const EngineConfig& c) {
  auto r = Engine::open(c, [] { return kNow; });
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : nullptr;
}

TEST(LlmRefinementEngineTest, TheModelsGuardedAnswerReplacesTheDefault) {
  TempDir dir("feedscout_llm_refine");
  ModelServer server;
  server.answer("에스파 일본 정규 앨범");
  auto e = open(llm_config(dir.file("data"), server.url()));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(kDocs).accepted, 3u);
  ASSERT_EQ(e->ingest_events(kSearch).accepted, 1u);
  e->wait_for_refinements();
  const ContextView v = e->context("u");
  ASSERT_EQ(v.recent_searches.size(), 1u);
  EXPECT_EQ(v.recent_searches[0].refined, "에스파 일본 정규 앨범");
  EXPECT_EQ(v.recent_searches[0].refined_by, intent::RefinementSource::kLanguageModel);
  const EngineStats s = e->stats();
  EXPECT_EQ(s.searches_refined, 1u);  // the default answered first
  EXPECT_EQ(s.searches_refined_llm, 1u);
  EXPECT_EQ(s.llm_refinements_submitted, 1u);
  EXPECT_EQ(s.llm_refinements_failed, 0u);
  // The prompt carried the clicked document's title and body from the store.
  ASSERT_EQ(server.prompts().size(), 1u);
  EXPECT_NE(server.prompts()[0].find("에스파 일본 정규 앨범 발매"), std::string::npos);
  EXPECT_NE(server.prompts()[0].find("타이틀곡"), std::string::npos);
  // The feed leads with it, and it is a suggestion.
  EXPECT_EQ(e->feed("u", 3).items.at(0).reason, "최근 찾아본 '에스파 일본 정규 앨범' 콘텐츠");
  const auto sug = e->suggest("에스파", 10);
  ASSERT_FALSE(sug.empty());
  EXPECT_EQ(sug[0].query, "에스파 일본 정규 앨범");
}

TEST(LlmRefinementEngineTest, RejectedOrFailedAnswersLeaveTheDefault) {
  TempDir dir("feedscout_llm_refine_fail");
  ModelServer server;
  server.answer("에스파 공항 패션");  // not in the clicked document: the guard rejects it
  auto e = open(llm_config(dir.file("data"), server.url()));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(kDocs).accepted, 3u);
  ASSERT_EQ(e->ingest_events(kSearch).accepted, 1u);
  e->wait_for_refinements();
  const RecentSearch first = e->context("u").recent_searches.at(0);
  EXPECT_EQ(first.refined_by, intent::RefinementSource::kExtractive);
  EXPECT_EQ(first.refined.rfind("에스파", 0), 0u) << first.refined;
  EXPECT_EQ(first.refined.find("패션"), std::string::npos) << first.refined;

  server.answer("");  // 503
  const char* second =
      R"({"id":"s2","type":"search","user":"v","time":"2026-11-20T11:00:00Z","query":"에스파","clicked":["a2"]})";
  ASSERT_EQ(e->ingest_events(second).accepted, 1u);
  e->wait_for_refinements();
  EXPECT_EQ(e->context("v").recent_searches.at(0).refined_by,
            intent::RefinementSource::kExtractive);
  const EngineStats s = e->stats();
  EXPECT_EQ(s.llm_refinements_failed, 2u);
  EXPECT_EQ(s.searches_refined_llm, 0u);
  EXPECT_EQ(s.searches_refined, 2u);
}

TEST(LlmRefinementEngineTest, AnUnreachableServerNeitherBlocksIngestNorLosesTheDefault) {
  TempDir dir("feedscout_llm_refine_down");
  std::string url;
  {
    ModelServer gone;  // a port that was just free
    url = gone.url();
  }
  EngineConfig c = llm_config(dir.file("data"), url);
  c.intent.llm.client.connect_timeout_ms = 200;
  c.intent.llm.timeout_ms = 500;
  auto e = open(c);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(kDocs).accepted, 3u);
  ASSERT_EQ(e->ingest_events(kSearch).accepted, 1u);
  // The default answered inside ingest, before the model was asked.
  EXPECT_EQ(e->context("u").recent_searches.at(0).refined_by,
            intent::RefinementSource::kExtractive);
  e->wait_for_refinements();
  EXPECT_EQ(e->context("u").recent_searches.at(0).refined_by,
            intent::RefinementSource::kExtractive);
  EXPECT_EQ(e->stats().llm_refinements_failed, 1u);
}

}  // namespace
}  // namespace feedscout
