// The language-model keyword extractor (issue 5, fourth context): the query and the clicked
// documents go to a language model through the client (llm/client.h) with a prompt file
// (data/prompts/keywords.txt, golden-tested) and a JSON-schema-constrained answer
//   {"keywords": [{"text": string, "kind": "keyword"|"entity", "weight": 0..1}, ...]}
// (at most max_keywords items; keyword_schema()). Every dialect carries the schema its own way
// (dialect.h: structured_outputs.json, guided_json, json_schema, response_format).
//
// Guard: each proposed keyword is normalised (normalize_keyword) and kept only when grounded
// in the input — every one of its words is a word of the query or of a document's title, body
// or salient words, or the start of such a word ("앨범" from "앨범을") — and it is not a
// single-word stopword (is_keyword_stopword). Items with a missing or wrong field, a kind
// outside the enum or a weight outside 0..1 are dropped as well; dropped items are counted.
// Faults — the request failing (down, timeout, 5xx after the client's retries, circuit open),
// an answer cut off at max_tokens, an answer that is not the JSON object asked for, or an
// answer whose every proposal was dropped — are counted and answered by the fallback
// extractor (the statistical one); without a fallback the error is returned. An input with
// no word at all sends nothing and gives an empty list.
//
// Not wired into the engine's ingest path (the engine uses the embedded statistical
// extractor; a blocking HTTP call does not belong on the single writer thread). No inference
// server runs in the tests: tests/intent/llm_keyword_extractor_test.cc plays one.
//
// Thread-safe: extract() may be called from many threads at once (the client bounds the
// requests in flight; counters are atomic). The client is borrowed and must outlive this.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/intent/keyword_extractor.h"
#include "feedscout/llm/client.h"
#include "feedscout/llm/prompt.h"

namespace feedscout::intent {

struct LlmKeywordOptions {
  size_t max_keywords = 8;         // maxItems of the schema and of the answer kept, >= 1
  size_t max_documents = 3;        // clicked documents put in the prompt (first ones)
  size_t body_budget = 300;        // code points of each body in the prompt (truncate_to_budget)
  int max_answer_tokens = 0;       // the request's max_tokens; 0 = 48 per keyword + 32
  std::string model_name = "llm";  // for describe()
};

struct LlmKeywordStats {
  uint64_t requests = 0;         // extract() calls that sent a request
  uint64_t answered = 0;         // answers used (after the guard)
  uint64_t failures = 0;         // requests that failed
  uint64_t invalid_answers = 0;  // cut off, not the JSON asked for, or nothing left after the guard
  uint64_t fallbacks = 0;        // faults answered by the fallback
  uint64_t dropped = 0;          // proposed keywords the guard dropped
};

// The JSON schema of the answer, with maxItems = max_keywords (compact JSON text).
std::string keyword_schema(size_t max_keywords);

// The prompt for `input`. Placeholders: {{query}} (or "(없음)" without a query), {{documents}}
// (per document "- 제목: ..." and, when there is a body, "  본문: ..." cut to body_budget code
// points; a document without title shows its salient words), {{max_keywords}}.
[[nodiscard]] Result<std::string> keyword_prompt(const llm::PromptTemplate& prompt,
                                                 const KeywordInput& input,
                                                 const LlmKeywordOptions& options);

// Whether every word of `keyword` (normalised) is grounded in `input` as the guard says.
bool keyword_grounded(std::string_view keyword, const KeywordInput& input);

// Reads an answer's content: Corruption when it is not {"keywords": [...]}; otherwise the
// grounded, valid items (finish_keywords applied), with the number dropped in *dropped.
[[nodiscard]] Result<std::vector<Keyword>> parse_keyword_answer(std::string_view content,
                                                                const KeywordInput& input,
                                                                size_t max_keywords,
                                                                size_t* dropped = nullptr);

class LlmKeywordExtractor final : public KeywordExtractor {
 public:
  // InvalidArgument: max_keywords 0, max_answer_tokens < 0, a prompt that does not take
  // exactly {{query}}, {{documents}} and {{max_keywords}}.
  [[nodiscard]] static Result<std::unique_ptr<LlmKeywordExtractor>> create(
      llm::LlmClient& client, llm::PromptTemplate prompt, LlmKeywordOptions options,
      std::unique_ptr<KeywordExtractor> fallback);

  [[nodiscard]] Result<std::vector<Keyword>> extract(const KeywordInput& input) const override;
  // "llm:<model> (fallback ...)".
  std::string describe() const override;

  // The request extract() sends (for tests and logs).
  [[nodiscard]] Result<llm::ChatRequest> request_for(const KeywordInput& input) const;
  LlmKeywordStats stats() const;

 private:
  struct Key {};

 public:
  LlmKeywordExtractor(Key, llm::LlmClient& client) : client_(client) {}

 private:
  llm::LlmClient& client_;
  llm::PromptTemplate prompt_;
  LlmKeywordOptions options_;
  std::unique_ptr<KeywordExtractor> fallback_;
  std::string schema_;
  mutable std::atomic<uint64_t> requests_{0}, answered_{0}, failures_{0}, invalid_answers_{0},
      fallbacks_{0}, dropped_{0};
};

}  // namespace feedscout::intent
