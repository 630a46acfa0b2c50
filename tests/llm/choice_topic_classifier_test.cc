// The constrained-choice topic classifier (choice_topic_classifier.h) against the in-process
// test server (test_llm_server.h). No real inference server runs here: the handler speaks the
// documented subset of each dialect (the constraint field it expects, the answer's shape) and
// plays the model's answer, so these tests check what is sent, how answers are read, and that
// no label outside the taxonomy is ever returned — not how well a real model chooses.
#include "feedscout/llm/choice_topic_classifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "feedscout/llm/taxonomy_grammar.h"
#include "llm/test_llm_server.h"
#include "support/test_support.h"

namespace feedscout::llm {
namespace {

using nlohmann::json;
using testing::TestLlmServer;
using testing_support::taxonomy;
using testing_support::topic;

struct DialectCase {
  const char* name;
  Dialect dialect;
  const char* vllm_version;
};
const DialectCase kDialects[] = {{"vllm", Dialect::kVllm, "0.12.0"},
                                 {"vllm-0.11", Dialect::kVllm, "0.11.2"},
                                 {"llamacpp", Dialect::kLlamaCpp, ""},
                                 {"ollama", Dialect::kOllama, ""},
                                 {"openai", Dialect::kOpenAI, ""}};

// What the fake model does with the next request.
enum class Play { kAnswer, kHttp500, kMalformed, kSlow, kCutOff };

// Answers chat completions as `dialect` would: checks the constraint field that dialect
// carries (recording a mismatch), then plays `play` with `answer` as the model's choice.
class ChoiceServer {
 public:
  explicit ChoiceServer(DialectCase d)
      : dialect_(d), server_([this](httplib::Server& s) {
          s.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
        }) {}

  std::string url() const { return server_.url(); }
  void play(Play p, std::string answer) {
    std::lock_guard lock(mu_);
    play_ = p;
    answer_ = std::move(answer);
  }
  int hits() const { return hits_.load(); }
  json last_request() const {
    std::lock_guard lock(mu_);
    return last_;
  }
  std::string protocol_error() const {
    std::lock_guard lock(mu_);
    return protocol_error_;
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    hits_.fetch_add(1);
    Play p;
    std::string answer;
    {
      std::lock_guard lock(mu_);
      last_ = json::parse(req.body, nullptr, false);
      p = play_;
      answer = answer_;
      check_constraint(last_);
    }
    if (p == Play::kHttp500) {
      res.status = 500;
      return;
    }
    if (p == Play::kMalformed) {
      res.set_content("{\"choices\":[{\"message\":", "application/json");
      return;
    }
    if (p == Play::kSlow) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    // OpenAI and Ollama answer the JSON object their schema asks for.
    const bool wrapped =
        dialect_.dialect == Dialect::kOpenAI || dialect_.dialect == Dialect::kOllama;
    const std::string content = wrapped ? json{{"choice", answer}}.dump() : answer;
    res.set_content(
        json{
            {"choices", json::array({{{"index", 0},
                                      {"message", {{"role", "assistant"}, {"content", content}}},
                                      {"finish_reason", p == Play::kCutOff ? "length" : "stop"}}})}}
            .dump(),
        "application/json");
  }

  // The constraint each dialect documents (dialect.h); a mismatch is kept for the test.
  void check_constraint(const json& body) {
    const auto fail = [&](const std::string& what) { protocol_error_ = what; };
    if (body.is_discarded()) return fail("request is not JSON");
    if (!body.contains("messages") || body["messages"].size() != 1) return fail("messages");
    switch (dialect_.dialect) {
      case Dialect::kVllm:
        if (std::string(dialect_.vllm_version) == "0.11.2") {
          if (!body.contains("guided_choice")) return fail("no guided_choice");
        } else if (!body.contains("structured_outputs") ||
                   !body["structured_outputs"].contains("choice")) {
          return fail("no structured_outputs.choice");
        }
        break;
      case Dialect::kLlamaCpp:
        if (!body.contains("grammar") || !body["grammar"].is_string()) return fail("no grammar");
        break;
      case Dialect::kOllama:
      case Dialect::kOpenAI: {
        const json* enm = nullptr;
        if (body.contains("response_format")) {
          const json& s = body["response_format"]["json_schema"]["schema"];
          if (s.contains("properties") && s["properties"].contains("choice")) {
            enm = &s["properties"]["choice"]["enum"];
          }
        }
        if (enm == nullptr || !enm->is_array()) return fail("no response_format choice enum");
        break;
      }
    }
  }

  DialectCase dialect_;
  mutable std::mutex mu_;
  Play play_ = Play::kAnswer;
  std::string answer_;
  json last_;
  std::string protocol_error_;
  std::atomic<int> hits_{0};
  TestLlmServer server_;  // last: stops (joins its thread) before the members above go
};

class FixedClassifier final : public TopicClassifier {
 public:
  explicit FixedClassifier(TopicId t) : t_(t) {}
  Result<std::vector<TopicPrediction>> classify(std::string_view, std::string_view, int,
                                                float) const override {
    return std::vector<TopicPrediction>{{t_, 0.9f, TopicSource::kClassifier}};
  }
  std::string describe() const override { return "fixed"; }

 private:
  TopicId t_;
};

PromptTemplate classify_prompt() {
  auto t = PromptTemplate::load_file(FEEDSCOUT_SOURCE_DIR "/data/prompts/classify.txt");
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return std::move(t).value();
}

std::unique_ptr<LlmClient> client_for(const DialectCase& d, const std::string& url) {
  LlmClientConfig c;
  c.base_url = url;
  c.model = "test-model";
  c.dialect = d.dialect;
  c.vllm_version = d.vllm_version;
  c.connect_timeout_ms = 1000;
  c.request_timeout_ms = 5000;
  c.max_retries = 1;
  c.backoff_initial_ms = 1;
  c.backoff_max_ms = 2;
  c.breaker.failure_threshold = 0;  // these tests count faults, not the breaker
  auto r = LlmClient::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

std::unique_ptr<ChoiceTopicClassifier> make(LlmClient& client, bool with_fallback = true,
                                            ChoiceClassifierOptions o = {}) {
  std::unique_ptr<TopicClassifier> fallback;
  if (with_fallback) fallback = std::make_unique<FixedClassifier>(topic("스포츠"));
  auto c = ChoiceTopicClassifier::create(taxonomy(), client, classify_prompt(), std::move(o),
                                         std::move(fallback));
  EXPECT_TRUE(c.is_ok()) << c.status().to_string();
  return std::move(c).value();
}

TEST(ChoiceTopicClassifierTest, ValidAnswerIsStoredWithLanguageModelSource) {
  for (const auto& d : kDialects) {
    SCOPED_TRACE(d.name);
    ChoiceServer server(d);
    server.play(Play::kAnswer, "스포츠>축구");
    auto client = client_for(d, server.url());
    auto c = make(*client);
    auto r = c->classify("손흥민 시즌 10호 골", "토트넘의 손흥민이 결승골을 넣었다.", 3, 0.0f);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].topic, topic("스포츠>축구"));
    EXPECT_EQ((*r)[0].score, 1.0f);
    EXPECT_EQ((*r)[0].source, TopicSource::kLanguageModel);
    EXPECT_EQ(server.protocol_error(), "");
    EXPECT_EQ(c->stats().classified, 1u);
    EXPECT_EQ(c->stats().faults, 0u);
    EXPECT_EQ(server.hits(), 1);  // one request per document

    // The request carries the prompt and the whole label set in the dialect's form.
    const json req = server.last_request();
    EXPECT_NE(req["messages"][0]["content"].get<std::string>().find("손흥민 시즌 10호 골"),
              std::string::npos);
    if (d.dialect == Dialect::kLlamaCpp) {
      EXPECT_EQ(req["grammar"], *taxonomy_to_gbnf(taxonomy()));
    } else {
      const json labels =
          d.dialect == Dialect::kVllm
              ? (req.contains("guided_choice") ? req["guided_choice"]
                                               : req["structured_outputs"]["choice"])
              : req["response_format"]["json_schema"]["schema"]["properties"]["choice"]["enum"];
      EXPECT_EQ(labels.size(), taxonomy().size());
    }
  }
}

TEST(ChoiceTopicClassifierTest, AnswerOutsideTheTaxonomyFallsBackAndIsCounted) {
  for (const auto& d : kDialects) {
    SCOPED_TRACE(d.name);
    ChoiceServer server(d);
    auto client = client_for(d, server.url());
    auto c = make(*client);
    const char* bad[] = {"스포츠>없는주제", "스포츠>축구 (soccer)", "", "Sports"};
    for (const char* answer : bad) {
      server.play(Play::kAnswer, answer);
      auto r = c->classify("제목", "본문", 3, 0.0f);
      ASSERT_TRUE(r.is_ok()) << answer << ": " << r.status().to_string();
      ASSERT_EQ(r->size(), 1u);
      EXPECT_EQ((*r)[0].topic, topic("스포츠"));  // the fallback's answer, with its source
      EXPECT_EQ((*r)[0].source, TopicSource::kClassifier);
    }
    const auto st = c->stats();
    EXPECT_EQ(st.classified, 0u);
    EXPECT_EQ(st.faults, 4u);
    EXPECT_EQ(st.fallbacks, 4u);
    EXPECT_EQ(c->invalid_answers(), 4u);
    EXPECT_EQ(server.hits(), 4);  // a 2xx answer outside the label set is not retried
  }
}

TEST(ChoiceTopicClassifierTest, ServerFaultsFallBack) {
  for (const auto& d : kDialects) {
    SCOPED_TRACE(d.name);
    ChoiceServer server(d);
    auto client = client_for(d, server.url());
    auto c = make(*client);
    for (Play p : {Play::kHttp500, Play::kMalformed}) {
      server.play(p, "스포츠>축구");
      auto r = c->classify("제목", "본문", 3, 0.0f);
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      ASSERT_EQ(r->size(), 1u);
      EXPECT_EQ((*r)[0].source, TopicSource::kClassifier);
    }
    EXPECT_EQ(client->stats().failures_http_5xx, 2u);  // first attempt and its retry
    EXPECT_EQ(client->stats().failures_bad_response, 1u);
    EXPECT_EQ(c->stats().faults, 2u);
    EXPECT_EQ(c->stats().fallbacks, 2u);
    EXPECT_EQ(c->invalid_answers(), 0u);  // faults of the server, not of the answer
  }
}

TEST(ChoiceTopicClassifierTest, TimeoutFallsBack) {
  for (const auto& d : kDialects) {
    SCOPED_TRACE(d.name);
    ChoiceServer server(d);
    server.play(Play::kSlow, "스포츠>축구");
    auto client = [&] {
      LlmClientConfig c;
      c.base_url = server.url();
      c.dialect = d.dialect;
      c.vllm_version = d.vllm_version;
      c.request_timeout_ms = 100;
      c.max_retries = 0;
      return std::move(LlmClient::create(c)).value();
    }();
    auto c = make(*client);
    auto r = c->classify("제목", "본문", 3, 0.0f);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].source, TopicSource::kClassifier);
    EXPECT_EQ(client->stats().failures_timeout, 1u);
    EXPECT_EQ(c->stats().fallbacks, 1u);
  }
}

TEST(ChoiceTopicClassifierTest, CutOffAnswerIsInvalidEvenWhenItIsALabel) {
  const DialectCase d = kDialects[0];
  ChoiceServer server(d);
  server.play(Play::kCutOff, "스포츠");  // a valid label, but the model was stopped mid-path
  auto client = client_for(d, server.url());
  auto c = make(*client);
  auto r = c->classify("제목", "본문", 3, 0.0f);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ((*r)[0].source, TopicSource::kClassifier);
  EXPECT_EQ(c->invalid_answers(), 1u);
}

TEST(ChoiceTopicClassifierTest, NoFallbackReturnsTheError) {
  const DialectCase d = kDialects[3];  // ollama
  ChoiceServer server(d);
  server.play(Play::kAnswer, "없는>경로");
  auto client = client_for(d, server.url());
  auto c = make(*client, /*with_fallback=*/false);
  auto r = c->classify("제목", "본문", 3, 0.0f);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("없는>경로"), std::string::npos) << r.status().message();
  EXPECT_EQ(c->stats().faults, 1u);
  EXPECT_EQ(c->stats().fallbacks, 0u);
}

TEST(ChoiceTopicClassifierTest, OfferedSetOptionsAndEdges) {
  const DialectCase d = kDialects[0];
  ChoiceServer server(d);
  auto client = client_for(d, server.url());
  ChoiceClassifierOptions o;
  o.labels.leaves_only = true;
  auto c = make(*client, true, o);
  // A real taxonomy node that was not offered is still an invalid answer.
  server.play(Play::kAnswer, "스포츠");
  ASSERT_TRUE(c->classify("t", "b", 1, 0.0f).is_ok());
  EXPECT_EQ(c->invalid_answers(), 1u);
  auto req = c->request_for("t", "b");
  ASSERT_TRUE(req.is_ok());
  EXPECT_EQ(req->constraint.choices.size(), taxonomy_labels(taxonomy(), o.labels)->size());
  EXPECT_GT(req->max_tokens, 16);
  // Surrounding whitespace is tolerated; the label itself must match exactly.
  server.play(Play::kAnswer, " 스포츠>축구\n");
  auto r = c->classify("t", "b", 1, 0.0f);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ((*r)[0].topic, topic("스포츠>축구"));
  EXPECT_EQ((*r)[0].source, TopicSource::kLanguageModel);
  // k <= 0 asks for nothing and sends nothing; min_score above the score filters it out.
  const int hits = server.hits();
  EXPECT_TRUE(c->classify("t", "b", 0, 0.0f)->empty());
  EXPECT_EQ(server.hits(), hits);
  EXPECT_TRUE(c->classify("t", "b", 1, 1.5f)->empty());
  // Long bodies are cut explicitly and counted.
  ASSERT_TRUE(c->classify("t", std::string(5000, 'x'), 1, 0.0f).is_ok());
  EXPECT_EQ(c->stats().truncated, 1u);
  EXPECT_EQ(c->describe(), "llm-choice:llm (fallback fixed)");
}

TEST(ChoiceTopicClassifierTest, RejectsBadOptions) {
  const DialectCase d = kDialects[0];
  auto client = client_for(d, "http://127.0.0.1:1");
  ChoiceClassifierOptions o;
  o.score = 2.0f;
  EXPECT_FALSE(
      ChoiceTopicClassifier::create(taxonomy(), *client, classify_prompt(), o, nullptr).is_ok());
  o = {};
  o.labels.max_level = 0;
  EXPECT_FALSE(
      ChoiceTopicClassifier::create(taxonomy(), *client, classify_prompt(), o, nullptr).is_ok());
  auto extra = PromptTemplate::parse("{{title}} {{body}} {{labels}}", "extra");
  ASSERT_TRUE(extra.is_ok());
  EXPECT_FALSE(ChoiceTopicClassifier::create(taxonomy(), *client, *extra, {}, nullptr).is_ok());
}

}  // namespace
}  // namespace feedscout::llm
