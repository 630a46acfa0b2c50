// The language-model keyword extractor (intent/llm_keyword_extractor.h) against the in-process
// test server (tests/llm/test_llm_server.h). No real inference server runs here: the handler
// speaks the documented subset of each dialect (where the JSON schema goes, the answer's shape)
// and plays the model's answer, so these tests check what is sent, how answers are guarded,
// and that every fault falls back to the statistical extractor — not how well a model picks
// keywords. Also: the prompt file against its golden rendering (tests/llm/golden/).
#include "feedscout/intent/llm_keyword_extractor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "llm/test_llm_server.h"

namespace feedscout::intent {
namespace {

using llm::Dialect;
using llm::testing::TestLlmServer;
using nlohmann::json;

constexpr char kGoldenDir[] = FEEDSCOUT_SOURCE_DIR "/tests/llm/golden/";

class MapWeights final : public WordWeights {
 public:
  double idf(std::string_view w) const override {
    static const std::map<std::string, double> idf{
        {"에스파", 4.0}, {"일본", 2.5}, {"정규", 2.0}, {"앨범", 3.0}, {"발매", 2.2}};
    auto it = idf.find(std::string(w));
    return it == idf.end() ? 5.0 : it->second;
  }
  bool known(std::string_view w) const override {
    return w == "에스파" || w == "일본" || w == "앨범" || w == "정규" || w == "발매";
  }
};

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

enum class Play { kAnswer, kHttp500, kMalformedBody, kCutOff };

// Answers chat completions as `dialect` would, recording where the schema came.
class KeywordServer {
 public:
  explicit KeywordServer(DialectCase d)
      : dialect_(d), server_([this](httplib::Server& s) {
          s.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
        }) {}
  std::string url() const { return server_.url(); }
  void play(Play p, std::string content) {
    std::lock_guard lock(mu_);
    play_ = p;
    content_ = std::move(content);
  }
  int hits() const { return hits_.load(); }
  std::string protocol_error() const {
    std::lock_guard lock(mu_);
    return protocol_error_;
  }
  json schema() const {
    std::lock_guard lock(mu_);
    return schema_;
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    hits_.fetch_add(1);
    Play p;
    std::string content;
    {
      std::lock_guard lock(mu_);
      const json body = json::parse(req.body, nullptr, false);
      check_schema(body);
      p = play_;
      content = content_;
    }
    if (p == Play::kHttp500) {
      res.status = 500;
      return;
    }
    if (p == Play::kMalformedBody) {
      res.set_content("{\"choices\":[{\"message\":", "application/json");
      return;
    }
    res.set_content(
        json{
            {"choices", json::array({{{"index", 0},
                                      {"message", {{"role", "assistant"}, {"content", content}}},
                                      {"finish_reason", p == Play::kCutOff ? "length" : "stop"}}})}}
            .dump(),
        "application/json");
  }

  void check_schema(const json& body) {
    const auto fail = [&](const std::string& what) { protocol_error_ = what; };
    if (body.is_discarded()) return fail("request is not JSON");
    const json* s = nullptr;
    switch (dialect_.dialect) {
      case Dialect::kVllm:
        if (std::string(dialect_.vllm_version) == "0.11.2") {
          if (body.contains("guided_json")) s = &body["guided_json"];
        } else if (body.contains("structured_outputs") &&
                   body["structured_outputs"].contains("json")) {
          s = &body["structured_outputs"]["json"];
        }
        break;
      case Dialect::kLlamaCpp:
        if (body.contains("json_schema")) s = &body["json_schema"];
        break;
      case Dialect::kOllama:
      case Dialect::kOpenAI:
        if (body.contains("response_format") &&
            body["response_format"].value("type", "") == "json_schema") {
          s = &body["response_format"]["json_schema"]["schema"];
        }
        break;
    }
    if (s == nullptr || !s->is_object()) return fail("no JSON schema where the dialect wants it");
    schema_ = *s;
  }

  DialectCase dialect_;
  mutable std::mutex mu_;
  Play play_ = Play::kAnswer;
  std::string content_;
  std::string protocol_error_;
  json schema_;
  std::atomic<int> hits_{0};
  TestLlmServer server_;  // last: stops before the members above go
};

std::unique_ptr<llm::LlmClient> client_for(const DialectCase& d, const std::string& url) {
  llm::LlmClientConfig c;
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
  auto r = llm::LlmClient::create(c);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

llm::PromptTemplate keywords_prompt() {
  auto t = llm::PromptTemplate::load_file(FEEDSCOUT_SOURCE_DIR "/data/prompts/keywords.txt");
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? std::move(t).value() : llm::PromptTemplate();
}

const MapWeights kWeights;

std::unique_ptr<LlmKeywordExtractor> make(llm::LlmClient& client, bool with_fallback = true) {
  std::unique_ptr<KeywordExtractor> fallback;
  if (with_fallback)
    fallback = std::make_unique<StatisticalKeywordExtractor>(kWeights, KeywordOptions{});
  auto e = LlmKeywordExtractor::create(client, keywords_prompt(), LlmKeywordOptions{},
                                       std::move(fallback));
  EXPECT_TRUE(e.is_ok()) << e.status().to_string();
  return std::move(e).value();
}

constexpr char kTitle[] = "에스파 일본 정규 앨범 발매";
constexpr char kBody[] = "에스파가 일본에서 첫 정규 앨범을 낸다. 타이틀곡은 다음 달 공개된다.";

KeywordInput aespa_input() {
  KeywordInput in;
  in.query = "에스파";
  KeywordDocument d;
  d.title = kTitle;
  d.body = kBody;
  d.words = {"에스파", "일본", "정규", "앨범", "발매", "에스파가", "일본에서", "첫", "앨범을"};
  d.title_words = 5;
  in.docs.push_back(d);
  return in;
}

const Keyword* find(const std::vector<Keyword>& v, std::string_view text) {
  for (const Keyword& k : v) {
    if (k.text == text) return &k;
  }
  return nullptr;
}

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

TEST(KeywordPromptGolden, Rendering) {
  const llm::PromptTemplate t = keywords_prompt();
  EXPECT_EQ(t.variables(), (std::vector<std::string>{"max_keywords", "query", "documents"}));
  auto p = keyword_prompt(t, aespa_input(), LlmKeywordOptions{});
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  const std::string path = std::string(kGoldenDir) + "keywords_prompt.txt";
  if (std::getenv("FEEDSCOUT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << *p;
  }
  EXPECT_EQ(*p, read(path)) << "golden file " << path;
  // No query, a document without title: placeholders still filled.
  KeywordInput click;
  KeywordDocument d;
  d.words = {"두바이", "초콜릿"};
  click.docs.push_back(d);
  auto q = keyword_prompt(t, click, LlmKeywordOptions{});
  ASSERT_TRUE(q.is_ok());
  EXPECT_NE(q->find("검색어: (없음)"), std::string::npos);
  EXPECT_NE(q->find("- 제목: 두바이 초콜릿"), std::string::npos);
}

TEST(LlmKeywordExtractorTest, SchemaBoundsTheAnswer) {
  const json s = json::parse(keyword_schema(5));
  EXPECT_EQ(s["properties"]["keywords"]["maxItems"], 5);
  EXPECT_EQ(s["properties"]["keywords"]["items"]["properties"]["kind"]["enum"],
            json::array({"keyword", "entity"}));
  EXPECT_EQ(s["required"], json::array({"keywords"}));
  EXPECT_EQ(s["properties"]["keywords"]["items"]["properties"]["weight"]["maximum"], 1);
}

TEST(LlmKeywordExtractorTest, GroundedAnswerPerDialectAndUngroundedDropped) {
  const std::string answer = R"({"keywords":[{"text":"에스파","kind":"entity","weight":0.95},)"
                             R"({"text":"앨범","kind":"keyword","weight":0.6},)"
                             R"({"text":"일본 정규 앨범","kind":"entity","weight":0.7},)"
                             R"({"text":"볼리비아","kind":"keyword","weight":0.5}]})";
  for (const auto& d : kDialects) {
    SCOPED_TRACE(d.name);
    KeywordServer server(d);
    server.play(Play::kAnswer, answer);
    auto client = client_for(d, server.url());
    auto e = make(*client);
    auto r = e->extract(aespa_input());
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(server.protocol_error(), "");
    EXPECT_EQ(server.schema()["properties"]["keywords"]["maxItems"], 8);
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].text, "에스파");
    EXPECT_EQ((*r)[0].kind, KeywordKind::kEntity);
    EXPECT_DOUBLE_EQ((*r)[0].weight, 0.95);
    EXPECT_NE(find(*r, "일본 정규 앨범"), nullptr);
    EXPECT_NE(find(*r, "앨범"), nullptr);
    EXPECT_EQ(find(*r, "볼리비아"), nullptr);  // not in the query or the document
    EXPECT_EQ(e->stats().answered, 1u);
    EXPECT_EQ(e->stats().dropped, 1u);
    EXPECT_EQ(e->stats().fallbacks, 0u);
    EXPECT_EQ(server.hits(), 1);
  }
}

TEST(LlmKeywordExtractorTest, GuardNormalisesAndAcceptsAttachedParticles) {
  const KeywordInput in = aespa_input();
  EXPECT_TRUE(keyword_grounded("  에스파! ", in));
  EXPECT_TRUE(keyword_grounded("타이틀곡", in));  // from the body
  EXPECT_TRUE(keyword_grounded("앨범", in));      // "앨범을" in the body
  EXPECT_FALSE(keyword_grounded("볼리비아", in));
  EXPECT_FALSE(keyword_grounded("에스파 비자", in));
  EXPECT_FALSE(keyword_grounded("!!!", in));
  size_t dropped = 0;
  auto r = parse_keyword_answer(R"({"keywords":[{"text":"ESPA","kind":"keyword","weight":0.5},)"
                                R"({"text":"일본","kind":"place","weight":0.5},)"
                                R"({"text":"일본","kind":"keyword","weight":1.5},)"
                                R"({"text":"후기","kind":"keyword","weight":0.5},)"
                                R"({"text":"발매","kind":"keyword"},)"
                                R"({"text":"정규","kind":"keyword","weight":0.4}]})",
                                in, 8, &dropped);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].text, "정규");
  EXPECT_EQ(dropped, 5u);
  // An empty list is a valid answer: nothing of interest.
  auto empty = parse_keyword_answer(R"({"keywords":[]})", in, 8);
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->empty());
  for (const char* bad :
       {"", "에스파, 일본", "[]", R"({"keywords":"에스파"})", "{\"keywords\":["}) {
    EXPECT_EQ(parse_keyword_answer(bad, in, 8).status().code(), Status::Code::kCorruption) << bad;
  }
}

TEST(LlmKeywordExtractorTest, FaultsFallBackToTheStatisticalExtractor) {
  const DialectCase d = kDialects[0];
  KeywordServer server(d);
  auto client = client_for(d, server.url());
  auto e = make(*client);
  StatisticalKeywordExtractor statistical(kWeights, KeywordOptions{});
  const auto expected = *statistical.extract(aespa_input());
  ASSERT_FALSE(expected.empty());
  const std::pair<Play, std::string> faults[] = {
      {Play::kHttp500, ""},
      {Play::kMalformedBody, ""},
      {Play::kAnswer, "에스파, 일본, 앨범"},  // not JSON
      {Play::kAnswer,
       R"({"keywords":[{"text":"볼리비아","kind":"keyword","weight":1}]})"},  // ungrounded
      {Play::kCutOff, R"({"keywords":[{"text":"에스파","kind":"key)"},
  };
  uint64_t n = 0;
  for (const auto& [play, content] : faults) {
    SCOPED_TRACE(content);
    server.play(play, content);
    auto r = e->extract(aespa_input());
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ((*r)[i].text, expected[i].text);
    EXPECT_EQ(e->stats().fallbacks, ++n);
  }
  EXPECT_EQ(e->stats().answered, 0u);
  EXPECT_EQ(e->stats().failures, 2u);         // 5xx, malformed body
  EXPECT_EQ(e->stats().invalid_answers, 3u);  // not JSON, ungrounded, cut off
  EXPECT_EQ(e->stats().requests, 5u);
  EXPECT_EQ(e->describe(), "llm:llm (fallback statistical)");
}

TEST(LlmKeywordExtractorTest, WithoutFallbackTheErrorIsReturned) {
  const DialectCase d = kDialects[3];
  KeywordServer server(d);
  server.play(Play::kHttp500, "");
  auto client = client_for(d, server.url());
  auto e = make(*client, /*with_fallback=*/false);
  auto r = e->extract(aespa_input());
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
}

TEST(LlmKeywordExtractorTest, InputWithoutWordsSendsNothing) {
  const DialectCase d = kDialects[0];
  KeywordServer server(d);
  auto client = client_for(d, server.url());
  auto e = make(*client);
  KeywordInput in;
  in.query = "😀 !!!";
  auto r = e->extract(in);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(server.hits(), 0);
  EXPECT_EQ(e->stats().requests, 0u);
}

TEST(LlmKeywordExtractorTest, CreateValidates) {
  const DialectCase d = kDialects[0];
  auto client = client_for(d, "http://127.0.0.1:1");
  auto wrong = llm::PromptTemplate::parse("{{query}} only", "test");
  ASSERT_TRUE(wrong.is_ok());
  EXPECT_EQ(LlmKeywordExtractor::create(*client, *wrong, {}, nullptr).status().code(),
            Status::Code::kInvalidArgument);
  LlmKeywordOptions zero;
  zero.max_keywords = 0;
  EXPECT_EQ(LlmKeywordExtractor::create(*client, keywords_prompt(), zero, nullptr).status().code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace feedscout::intent
