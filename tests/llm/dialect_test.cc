// Wire formats per dialect (dialect.h): every request body is compared byte for byte with a
// golden file under tests/llm/golden/ ("POST <path>\n<body>\n"), and canned answers of each
// dialect are parsed, including malformed and adversarial ones (never a crash, always a
// Status naming the fault).
//
// To regenerate the golden files after an intended change of a wire format, run
//   FEEDSCOUT_UPDATE_GOLDEN=1 build/tests/feedscout_tests --gtest_filter='LlmDialect*'
// and review the diff of tests/llm/golden/ like code.
#include "feedscout/llm/dialect.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace feedscout::llm {
namespace {

const std::string kGoldenDir = std::string(FEEDSCOUT_SOURCE_DIR) + "/tests/llm/golden/";

DialectOptions opts(Dialect d, std::string vllm_version = "0.12.0") {
  DialectOptions o;
  o.dialect = d;
  o.vllm_version = std::move(vllm_version);
  o.model = "test-model";
  return o;
}

ChatRequest chat(Constraint c) {
  ChatRequest r;
  r.messages = {{"system", "Classify the article into one topic."},
                {"user", "손흥민, 시즌 10호 골 \"결승골\""}};
  r.max_tokens = 16;
  r.temperature = 0.0;
  r.constraint = std::move(c);
  return r;
}

const std::vector<std::string> kChoices = {"스포츠>축구", "경제", "say \"hi\"\\"};
const char kSchema[] =
    R"({"type":"object","properties":{"topic":{"type":"string"}},"required":["topic"]})";
const char kGrammar[] = "root ::= \"yes\" | \"no\"";

void check_golden(const std::string& name, const Result<HttpCall>& call) {
  ASSERT_TRUE(call.is_ok()) << name << ": " << call.status().to_string();
  const std::string got = "POST " + call->path + "\n" + call->body + "\n";
  const std::string path = kGoldenDir + name + ".txt";
  if (std::getenv("FEEDSCOUT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path
                         << " (regenerate with FEEDSCOUT_UPDATE_GOLDEN=1)";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(want.str(), got) << "golden " << path;
}

TEST(LlmDialectTest, GoldenRequestBodies) {
  const auto vllm = opts(Dialect::kVllm);
  const auto vllm_old = opts(Dialect::kVllm, "0.11.2");
  const auto llama = opts(Dialect::kLlamaCpp);
  const auto ollama = opts(Dialect::kOllama);
  const auto openai = opts(Dialect::kOpenAI);
  check_golden("vllm_chat_plain", build_chat_request(vllm, chat({})));
  check_golden("vllm_chat_choice", build_chat_request(vllm, chat(Constraint::choice(kChoices))));
  check_golden("vllm_chat_json", build_chat_request(vllm, chat(Constraint::json(kSchema))));
  check_golden("vllm_chat_grammar", build_chat_request(vllm, chat(Constraint::gbnf(kGrammar))));
  check_golden("vllm_0_11_chat_choice",
               build_chat_request(vllm_old, chat(Constraint::choice(kChoices))));
  check_golden("vllm_0_11_chat_json",
               build_chat_request(vllm_old, chat(Constraint::json(kSchema))));
  check_golden("vllm_0_11_chat_grammar",
               build_chat_request(vllm_old, chat(Constraint::gbnf(kGrammar))));
  check_golden("llamacpp_chat_choice",
               build_chat_request(llama, chat(Constraint::choice(kChoices))));
  check_golden("llamacpp_chat_json", build_chat_request(llama, chat(Constraint::json(kSchema))));
  check_golden("llamacpp_chat_grammar",
               build_chat_request(llama, chat(Constraint::gbnf(kGrammar))));
  check_golden("ollama_chat_choice",
               build_chat_request(ollama, chat(Constraint::choice(kChoices))));
  check_golden("ollama_chat_json", build_chat_request(ollama, chat(Constraint::json(kSchema))));
  check_golden("openai_chat_choice",
               build_chat_request(openai, chat(Constraint::choice(kChoices))));
  check_golden("openai_chat_json", build_chat_request(openai, chat(Constraint::json(kSchema))));

  LogprobsRequest lp;
  lp.prompt = {101, 2023, 7};
  lp.allowed = {5, 9, 0};
  lp.top_logprobs = 3;
  check_golden("vllm_logprobs", build_logprobs_request(vllm, lp));
  check_golden("llamacpp_logprobs", build_logprobs_request(llama, lp));
  check_golden("vllm_tokenize", build_tokenize_request(vllm, "스포츠>축구"));
  check_golden("llamacpp_tokenize", build_tokenize_request(llama, "스포츠>축구"));
  check_golden("vllm_embeddings", build_embeddings_request(vllm, {"첫 문서", "second"}));
  check_golden("ollama_embeddings", build_embeddings_request(ollama, {"첫 문서", "second"}));
}

TEST(LlmDialectTest, VersionDecidesVllmFields) {
  const auto choice = chat(Constraint::choice({"a"}));
  for (const char* v : {"", "0.12.0", "0.13", "v1.0.0", "0.12.0rc1"}) {
    auto c = build_chat_request(opts(Dialect::kVllm, v), choice);
    ASSERT_TRUE(c.is_ok()) << v;
    EXPECT_NE(c->body.find("\"structured_outputs\""), std::string::npos) << v;
  }
  for (const char* v : {"0.11.9", "0.6.3", "v0.10"}) {
    auto c = build_chat_request(opts(Dialect::kVllm, v), choice);
    ASSERT_TRUE(c.is_ok()) << v;
    EXPECT_NE(c->body.find("\"guided_choice\""), std::string::npos) << v;
  }
  EXPECT_FALSE(build_chat_request(opts(Dialect::kVllm, "latest"), choice).is_ok());
}

TEST(LlmDialectTest, RejectsUnsupportedRequests) {
  EXPECT_EQ(
      build_chat_request(opts(Dialect::kOpenAI), chat(Constraint::gbnf(kGrammar))).status().code(),
      Status::Code::kInvalidArgument);
  EXPECT_FALSE(build_chat_request(opts(Dialect::kOllama), chat(Constraint::gbnf("x"))).is_ok());
  EXPECT_FALSE(build_chat_request(opts(Dialect::kVllm), chat(Constraint::json("[1]"))).is_ok());
  EXPECT_FALSE(build_chat_request(opts(Dialect::kVllm), chat(Constraint::json("{"))).is_ok());
  EXPECT_FALSE(build_chat_request(opts(Dialect::kVllm), chat(Constraint::choice({}))).is_ok());
  EXPECT_FALSE(build_chat_request(opts(Dialect::kVllm), ChatRequest{}).is_ok());
  LogprobsRequest lp;
  lp.prompt = {1};
  EXPECT_FALSE(build_logprobs_request(opts(Dialect::kOpenAI), lp).is_ok());
  EXPECT_FALSE(build_logprobs_request(opts(Dialect::kOllama), lp).is_ok());
  EXPECT_FALSE(build_logprobs_request(opts(Dialect::kVllm), LogprobsRequest{}).is_ok());
  EXPECT_FALSE(build_tokenize_request(opts(Dialect::kOpenAI), "x").is_ok());
  EXPECT_FALSE(build_embeddings_request(opts(Dialect::kVllm), {}).is_ok());
}

TEST(LlmDialectTest, InvalidUtf8IsReplacedNotThrown) {
  auto c = build_chat_request(opts(Dialect::kVllm), chat(Constraint::choice({"ok\xff\xfe"})));
  ASSERT_TRUE(c.is_ok());
  EXPECT_NE(c->body.find("ok\xEF\xBF\xBD"), std::string::npos);
}

TEST(LlmDialectTest, ChoicesToGbnfEscapes) {
  EXPECT_EQ(choices_to_gbnf({"a", "b\"c", "d\\e", "f\ng"}),
            "root ::= \"a\" | \"b\\\"c\" | \"d\\\\e\" | \"f\\ng\"");
}

TEST(LlmDialectTest, ParsesChatAnswers) {
  const auto vllm = opts(Dialect::kVllm);
  auto ok = parse_chat_response(
      vllm, chat({}),
      R"({"choices":[{"message":{"role":"assistant","content":"경제"},"finish_reason":"stop"}]})");
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_EQ(ok->content, "경제");
  EXPECT_EQ(ok->finish_reason, "stop");

  // OpenAI / Ollama wrap a choice in {"choice": ...}; the client unwraps it.
  auto wrapped =
      parse_chat_response(opts(Dialect::kOllama), chat(Constraint::choice({"경제"})),
                          R"({"choices":[{"message":{"content":"{\"choice\":\"경제\"}"}}]})");
  ASSERT_TRUE(wrapped.is_ok()) << wrapped.status().to_string();
  EXPECT_EQ(wrapped->content, "경제");

  for (const char* bad :
       {"", "{", "[]", "null", "{\"choices\":[]}", "{\"choices\":{}}", "{\"choices\":[1]}",
        "{\"choices\":[{\"message\":{}}]}", "{\"choices\":[{\"message\":{\"content\":5}}]}",
        "{\"error\":{\"message\":\"model not loaded\"}}"}) {
    auto r = parse_chat_response(vllm, chat({}), bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << bad;
  }
  EXPECT_FALSE(parse_chat_response(opts(Dialect::kOpenAI), chat(Constraint::choice({"a"})),
                                   R"({"choices":[{"message":{"content":"not json"}}]})")
                   .is_ok());
}

TEST(LlmDialectTest, ParsesLogprobAnswers) {
  auto v = parse_logprobs_response(
      opts(Dialect::kVllm),
      R"({"choices":[{"text":"","logprobs":{"tokens":["token_id:5"],"token_logprobs":[-0.1],)"
      R"("top_logprobs":[{"token_id:5":-0.1,"token_id:9":-2.5}]}}]})");
  ASSERT_TRUE(v.is_ok()) << v.status().to_string();
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].token, 5);
  EXPECT_DOUBLE_EQ((*v)[0].logprob, -0.1);
  EXPECT_EQ((*v)[1].token, 9);

  auto l = parse_logprobs_response(
      opts(Dialect::kLlamaCpp),
      R"({"completion_probabilities":[{"id":5,"logprob":-0.2,"top_logprobs":[)"
      R"({"id":5,"token":"a","logprob":-0.2},{"id":7,"token":"b","logprob":-1.9}]}]})");
  ASSERT_TRUE(l.is_ok()) << l.status().to_string();
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[1].token, 7);
  EXPECT_DOUBLE_EQ((*l)[1].logprob, -1.9);

  for (const char* bad :
       {"{\"choices\":[{\"logprobs\":null}]}",
        "{\"choices\":[{\"logprobs\":{\"top_logprobs\":[{\"hello\":-1}]}}]}",
        "{\"choices\":[{\"logprobs\":{\"top_logprobs\":[{\"token_id:\":-1}]}}]}",
        "{\"choices\":[{\"logprobs\":{\"top_logprobs\":[{\"token_id:99999999999\":-1}]}}]}",
        "{\"choices\":[{\"logprobs\":{\"top_logprobs\":[{\"token_id:3\":\"x\"}]}}]}",
        "{\"choices\":[{\"logprobs\":{\"top_logprobs\":[]}}]}"}) {
    EXPECT_EQ(parse_logprobs_response(opts(Dialect::kVllm), bad).status().code(),
              Status::Code::kCorruption)
        << bad;
  }
  EXPECT_FALSE(parse_logprobs_response(
                   opts(Dialect::kLlamaCpp),
                   R"({"completion_probabilities":[{"top_logprobs":[{"id":-1,"logprob":0}]}]})")
                   .is_ok());
}

TEST(LlmDialectTest, ParsesTokenizeAndEmbeddings) {
  auto t = parse_tokenize_response(opts(Dialect::kVllm), R"({"tokens":[1,2,3],"count":3})");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(*t, (std::vector<TokenId>{1, 2, 3}));
  auto p = parse_tokenize_response(opts(Dialect::kLlamaCpp),
                                   R"({"tokens":[{"id":4,"piece":"a"},{"id":5,"piece":"b"}]})");
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(*p, (std::vector<TokenId>{4, 5}));
  EXPECT_FALSE(parse_tokenize_response(opts(Dialect::kVllm), R"({"tokens":[1.5]})").is_ok());
  EXPECT_FALSE(parse_tokenize_response(opts(Dialect::kVllm), R"({"tokens":"1"})").is_ok());

  auto e = parse_embeddings_response(
      opts(Dialect::kVllm),
      R"({"data":[{"index":1,"embedding":[3,4]},{"index":0,"embedding":[1.5,2]}]})", 2);
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  EXPECT_EQ((*e)[0], (std::vector<float>{1.5f, 2.0f}));
  EXPECT_EQ((*e)[1], (std::vector<float>{3.0f, 4.0f}));
  for (const char* bad : {R"({"data":[{"index":0,"embedding":[1]}]})",
                          R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[2]}]})",
                          R"({"data":[{"index":0,"embedding":[1]},{"index":1,"embedding":[2,3]}]})",
                          R"({"data":[{"index":0,"embedding":[1]},{"index":5,"embedding":[2]}]})",
                          R"({"data":[{"index":0,"embedding":["a"]},{"embedding":[2]}]})"}) {
    EXPECT_EQ(parse_embeddings_response(opts(Dialect::kVllm), bad, 2).status().code(),
              Status::Code::kCorruption)
        << bad;
  }
}

TEST(LlmDialectTest, ParsesNamesAndVersions) {
  EXPECT_EQ(*parse_dialect("llama.cpp"), Dialect::kLlamaCpp);
  EXPECT_EQ(*parse_dialect("vllm"), Dialect::kVllm);
  EXPECT_FALSE(parse_dialect("tgi").is_ok());
  EXPECT_EQ(*parse_version("0.12.1"), (std::array<int, 3>{0, 12, 1}));
  EXPECT_EQ(*parse_version("v0.9"), (std::array<int, 3>{0, 9, 0}));
  EXPECT_FALSE(parse_version("").is_ok());
}

}  // namespace
}  // namespace feedscout::llm
