// The language-model refiner (intent/llm_refiner.h): the prompt against its golden file, the
// guard, and the refiner against the in-process test server (tests/llm/test_llm_server.h).
// No real inference server runs here: the handler checks the JSON-schema constraint that the
// vLLM dialect sends and plays the model's answer, so these tests check what is sent, how
// answers are read and guarded, and the faults — not how well a real model rewrites queries.
#include "feedscout/intent/llm_refiner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "llm/test_llm_server.h"

namespace feedscout::intent {
namespace {

using nlohmann::json;

constexpr char kGolden[] = FEEDSCOUT_SOURCE_DIR "/tests/intent/golden/refine_prompt.txt";

// Known words with document counts out of 100 documents; everything else is unknown (rare).
class TableWeights final : public WordWeights {
 public:
  double idf(std::string_view w) const override {
    auto it = df_.find(std::string(w));
    return it == df_.end() ? 5.0 : std::log(100.0 / it->second);
  }
  bool known(std::string_view w) const override { return df_.count(std::string(w)) > 0; }

 private:
  std::unordered_map<std::string, double> df_{{"에스파", 5}, {"일본", 10}, {"앨범", 8},
                                              {"정규", 4},   {"발매", 12}, {"추천", 60}};
};

llm::PromptTemplate refine_template() {
  auto t = llm::PromptTemplate::load_file(FEEDSCOUT_SOURCE_DIR "/data/prompts/refine.txt");
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return std::move(t).value();
}

std::vector<ClickedDocument> album_docs() {
  ClickedDocument a;
  a.id = "a1";
  a.title = "에스파 일본 정규 앨범 발매";
  a.body = "에스파가 일본에서 첫 정규 앨범을 낸다. 타이틀곡은 오리콘 차트 정상에 올랐다.";
  ClickedDocument b;
  b.id = "a2";
  b.title = "에스파 일본 앨범 오리콘 1위";
  return {a, b};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LlmRefinerPromptTest, MatchesTheGoldenFile) {
  LlmRefinerOptions o;
  o.body_budget = 20;  // cuts the first body explicitly
  auto p = refine_prompt(refine_template(), "에스파", album_docs(), o);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  if (std::getenv("FEEDSCOUT_UPDATE_GOLDEN")) std::ofstream(kGolden, std::ios::binary) << *p;
  EXPECT_EQ(*p, read_file(kGolden)) << "golden file " << kGolden;
  EXPECT_NE(p->find(" …"), std::string::npos);  // truncation is visible
  // At most max_documents documents go in.
  o.max_documents = 1;
  auto one = refine_prompt(refine_template(), "에스파", album_docs(), o);
  ASSERT_TRUE(one.is_ok());
  EXPECT_EQ(one->find("오리콘 1위"), std::string::npos);
}

TEST(LlmRefinerGuardTest, KeepsQueryWordsAndAddsOnlyDocumentWords) {
  const TableWeights w;
  const auto docs = album_docs();
  EXPECT_TRUE(guard_refinement("에스파", "에스파 일본 정규 앨범", docs, w, 1.0).is_ok());
  // A particle on Q's word, a stem of a document word ("일본" of "일본에서" is a word anyway;
  // "타이틀" is the start of "타이틀곡"), and a stripped particle ("앨범을" → "앨범").
  EXPECT_TRUE(guard_refinement("에스파", "에스파의 타이틀 앨범을", docs, w, 1.0).is_ok());
  // Q's particle form counts as Q's word.
  EXPECT_TRUE(guard_refinement("에스파를", "에스파 일본 앨범", docs, w, 1.0).is_ok());

  const Status dropped = guard_refinement("에스파 앨범", "일본 정규 앨범", docs, w, 1.0);
  ASSERT_FALSE(dropped.is_ok());
  EXPECT_NE(dropped.to_string().find("drops the query word '에스파'"), std::string::npos)
      << dropped.to_string();
  const Status invented = guard_refinement("에스파", "에스파 공항 패션", docs, w, 1.0);
  ASSERT_FALSE(invented.is_ok());
  EXPECT_NE(invented.to_string().find("'공항'"), std::string::npos) << invented.to_string();
  // A single character that merely starts a document word is not enough.
  EXPECT_FALSE(guard_refinement("에스파", "에스파 타", docs, w, 1.0).is_ok());
  EXPECT_FALSE(guard_refinement("에스파", "  ?! ", docs, w, 1.0).is_ok());
  // A common query word (idf below min_idf) may be dropped: "추천" is in 60% of documents.
  EXPECT_TRUE(guard_refinement("에스파 추천", "에스파 일본 앨범", docs, w, 1.0).is_ok());
}

// A vLLM (>= 0.12) chat endpoint that checks the JSON-schema constraint and plays an answer.
class RefineServer {
 public:
  enum class Play { kAnswer, kHttp500, kMalformed, kNotJson };
  RefineServer()
      : server_([this](httplib::Server& s) {
          s.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
        }) {}
  std::string url() const { return server_.url(); }
  void play(Play p, std::string refined = "") {
    std::lock_guard lk(mu_);
    play_ = p;
    refined_ = std::move(refined);
  }
  json last_request() const {
    std::lock_guard lk(mu_);
    return last_;
  }
  int hits() const { return hits_.load(); }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    hits_.fetch_add(1);
    std::lock_guard lk(mu_);
    last_ = json::parse(req.body, nullptr, false);
    if (play_ == Play::kHttp500) {
      res.status = 500;
      return;
    }
    if (play_ == Play::kMalformed) {
      res.set_content("{\"choices\":[", "application/json");
      return;
    }
    const std::string content =
        play_ == Play::kNotJson ? "에스파 일본 앨범" : json{{"refined", refined_}}.dump();
    res.set_content(
        json{{"choices", json::array({{{"index", 0},
                                       {"message", {{"role", "assistant"}, {"content", content}}},
                                       {"finish_reason", "stop"}}})}}
            .dump(),
        "application/json");
  }
  mutable std::mutex mu_;
  Play play_ = Play::kAnswer;
  std::string refined_;
  json last_;
  std::atomic<int> hits_{0};
  llm::testing::TestLlmServer server_;
};

std::unique_ptr<llm::LlmClient> client_for(const std::string& url) {
  llm::LlmClientConfig c;
  c.base_url = url;
  c.model = "refiner";
  c.max_retries = 1;
  c.backoff_initial_ms = 1;
  c.backoff_max_ms = 2;
  c.request_timeout_ms = 2000;
  auto r = llm::LlmClient::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

TEST(LlmRefinerTest, AcceptsAGuardedAnswerWithinBudgetAndSendsTheSchema) {
  RefineServer server;
  auto client = client_for(server.url());
  const TableWeights w;
  LlmRefinerOptions o;
  o.budget.max_tokens = 4;
  const LlmRefiner refiner(*client, refine_template(), w, o);
  server.play(RefineServer::Play::kAnswer, "에스파 일본 정규 앨범 발매 소식");
  auto r = refiner.refine("에스파", album_docs());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->query, "에스파 일본 정규 앨범");  // cut to 4 words
  EXPECT_EQ(r->source, RefinementSource::kLanguageModel);
  const json req = server.last_request();
  ASSERT_TRUE(req.contains("structured_outputs")) << req.dump();
  EXPECT_EQ(req["structured_outputs"]["json"]["required"], json::array({"refined"}));
  EXPECT_NE(req["messages"][0]["content"].get<std::string>().find("검색어: 에스파"),
            std::string::npos);
  EXPECT_EQ(refiner.stats().accepted, 1u);
}

TEST(LlmRefinerTest, FaultsAndGuardRejectionsAreErrorsAndCounted) {
  RefineServer server;
  auto client = client_for(server.url());
  const TableWeights w;
  const LlmRefiner refiner(*client, refine_template(), w, LlmRefinerOptions{});

  server.play(RefineServer::Play::kAnswer, "에스파 공항 패션");
  auto invented = refiner.refine("에스파", album_docs());
  ASSERT_FALSE(invented.is_ok());
  EXPECT_NE(invented.status().to_string().find("guard"), std::string::npos);

  server.play(RefineServer::Play::kAnswer, "   ");
  EXPECT_FALSE(refiner.refine("에스파", album_docs()).is_ok());

  server.play(RefineServer::Play::kNotJson);
  EXPECT_FALSE(refiner.refine("에스파", album_docs()).is_ok());

  server.play(RefineServer::Play::kMalformed);
  EXPECT_FALSE(refiner.refine("에스파", album_docs()).is_ok());

  server.play(RefineServer::Play::kHttp500);
  const int before = server.hits();
  EXPECT_FALSE(refiner.refine("에스파", album_docs()).is_ok());
  EXPECT_EQ(server.hits() - before, 2);  // one retry

  const LlmRefinerStats s = refiner.stats();
  EXPECT_EQ(s.requests, 5u);
  EXPECT_EQ(s.guard_rejects, 1u);
  EXPECT_EQ(s.bad_answers, 2u);
  EXPECT_EQ(s.failures, 2u);
  EXPECT_EQ(s.accepted, 0u);

  // Inputs the model is never asked about.
  const int hits = server.hits();
  EXPECT_FALSE(refiner.refine("?!", album_docs()).is_ok());
  EXPECT_FALSE(refiner.refine("에스파", {}).is_ok());
  EXPECT_EQ(server.hits(), hits);
}

}  // namespace
}  // namespace feedscout::intent
