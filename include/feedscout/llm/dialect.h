// Wire formats of OpenAI-compatible inference servers (issue 4): how one request becomes the
// JSON body a given server understands, and how its answer is read back. Pure functions (no
// I/O), so every body is golden-tested byte for byte (tests/llm/golden/).
//
// All paths are relative to the server root (LlmClientConfig::base_url without "/v1").
//
// Chat: POST /v1/chat/completions {"model","messages","max_tokens","temperature"} plus the
// constraint, which each dialect spells differently:
//
//   constraint   | vLLM >= 0.12                     | vLLM < 0.12     | llama.cpp server
//   choices      | structured_outputs.choice        | guided_choice   | grammar (GBNF alternation)
//   JSON schema  | structured_outputs.json          | guided_json     | json_schema
//   GBNF grammar | structured_outputs.grammar       | guided_grammar  | grammar
//
//   Ollama and plain OpenAI: response_format {"type":"json_schema","json_schema":{"name",
//   "schema","strict":true}}; choices become {"type":"object","properties":{"choice":{"type":
//   "string","enum":[...]}},"required":["choice"],"additionalProperties":false} (the root of
//   a structured output must be an object) and the answer's "choice" is unwrapped, so
//   ChatResponse::content is the bare choice for every dialect. A grammar is InvalidArgument.
//
// vLLM removed the guided_* fields in v0.12; an empty vllm_version means ">= 0.12".
//
// Next-token log-probabilities (client-driven constrained beam search; vLLM's server-side
// beam search ignores structured outputs, so the trie walk happens here):
//   vLLM:      POST /v1/completions {"prompt":[token ids],"max_tokens":1,"temperature":0,
//              "logprobs":K,"allowed_token_ids":[...],"return_tokens_as_token_ids":true};
//              the answer's top_logprobs[0] keys are "token_id:<id>".
//   llama.cpp: POST /completion {"prompt":[token ids],"n_predict":1,"temperature":0,
//              "n_probs":K,"cache_prompt":true}; the answer's completion_probabilities[0]
//              .top_logprobs is [{"id","logprob"}]. llama.cpp has no allowed-token list, so
//              K must be large enough to cover the allowed tokens (the rest read as -inf).
//   OpenAI, Ollama: InvalidArgument (no token-id prompts with logprobs).
// Tokenize: vLLM POST /tokenize {"model","prompt","add_special_tokens":false}; llama.cpp
//   POST /tokenize {"content","add_special":false}; both answer {"tokens":[ids]}. Others:
//   InvalidArgument.
// Embeddings: POST /v1/embeddings {"model","input":[...]} for every dialect; the answer's
//   data[i].embedding, placed by data[i].index.
//
// Parsing is defensive: malformed JSON, a missing field or a wrong type is Corruption naming
// the field; an error object from the server ({"error":...}) is Corruption quoting it.
// Nothing here throws. Thread-safe (no shared state).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/llm/label_trie.h"

namespace feedscout::llm {

enum class Dialect { kOpenAI, kVllm, kLlamaCpp, kOllama };

const char* dialect_name(Dialect d);
// "openai", "vllm", "llamacpp" (or "llama.cpp"), "ollama"; InvalidArgument otherwise.
[[nodiscard]] Result<Dialect> parse_dialect(std::string_view name);
// "0.12.0", "0.11", "v0.9.2rc1" → {major, minor, patch}; InvalidArgument when no leading
// number. Missing parts are 0.
[[nodiscard]] Result<std::array<int, 3>> parse_version(std::string_view text);

struct DialectOptions {
  Dialect dialect = Dialect::kVllm;
  std::string vllm_version;  // empty = ">= 0.12"
  std::string model;
  std::string schema_name = "output";  // response_format.json_schema.name
};

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

// At most one kind of constraint on the answer.
struct Constraint {
  enum class Kind { kNone, kChoice, kJsonSchema, kGrammar };
  Kind kind = Kind::kNone;
  std::vector<std::string> choices;  // kChoice: non-empty
  std::string json_schema;           // kJsonSchema: a JSON object, as text
  std::string grammar;               // kGrammar: GBNF with a "root" rule

  static Constraint choice(std::vector<std::string> c);
  static Constraint json(std::string schema);
  static Constraint gbnf(std::string g);
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  int max_tokens = 256;
  double temperature = 0.0;
  Constraint constraint;
};

struct ChatResponse {
  std::string content;        // with a choice constraint: the bare choice
  std::string finish_reason;  // "" when the server sent none
};

struct LogprobsRequest {
  std::vector<TokenId> prompt;   // token ids, non-empty
  std::vector<TokenId> allowed;  // vLLM: allowed_token_ids (empty = all); ignored by llama.cpp
  int top_logprobs = 20;         // K >= 1
};

struct TokenLogprob {
  TokenId token = 0;
  double logprob = 0;  // natural log
};

struct HttpCall {
  std::string path;  // e.g. "/v1/chat/completions"; always POST
  std::string body;  // compact JSON, keys sorted
};

// InvalidArgument: no messages, max_tokens < 1, an empty choice list, a schema that is not a
// JSON object, a grammar for a dialect without grammars, a bad vllm_version.
[[nodiscard]] Result<HttpCall> build_chat_request(const DialectOptions& o, const ChatRequest& r);
[[nodiscard]] Result<ChatResponse> parse_chat_response(const DialectOptions& o,
                                                       const ChatRequest& r, std::string_view body);

[[nodiscard]] Result<HttpCall> build_logprobs_request(const DialectOptions& o,
                                                      const LogprobsRequest& r);
// The returned tokens with their log-probabilities (order as the server sent them).
[[nodiscard]] Result<std::vector<TokenLogprob>> parse_logprobs_response(const DialectOptions& o,
                                                                        std::string_view body);

[[nodiscard]] Result<HttpCall> build_tokenize_request(const DialectOptions& o,
                                                      const std::string& text);
[[nodiscard]] Result<std::vector<TokenId>> parse_tokenize_response(const DialectOptions& o,
                                                                   std::string_view body);

[[nodiscard]] Result<HttpCall> build_embeddings_request(const DialectOptions& o,
                                                        const std::vector<std::string>& inputs);
// Corruption unless exactly `expected` vectors of one common, non-zero dimension come back.
[[nodiscard]] Result<std::vector<std::vector<float>>> parse_embeddings_response(
    const DialectOptions& o, std::string_view body, size_t expected);

// `choices` as a GBNF grammar: root ::= "a" | "b" (quotes, backslashes and control
// characters escaped).
std::string choices_to_gbnf(const std::vector<std::string>& choices);

// `text` as a GBNF string literal, quotes included: '"' and '\\' are backslash-escaped, \n \r
// \t spelled so, other control bytes (< 0x20, 0x7F) as \xHH; every other byte is copied, so
// UTF-8 text stays UTF-8 (llama.cpp reads literals as UTF-8).
std::string gbnf_string_literal(std::string_view text);

}  // namespace feedscout::llm
