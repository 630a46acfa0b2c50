// The language-model refiner (issue 5): Q and the clicked documents' titles and bodies go to
// a language model through the client (llm/client.h) with a short prompt
// (data/prompts/refine.txt, golden-tested) and a JSON-schema-constrained answer
// {"refined": "..."}; the answer is cut to the token/byte budget and checked by a guard
// before it is used:
//   - it must keep Q's key words: every word of Q (particles stripped as query_words does)
//     whose idf is at least RefinerOptions::min_idf — all of Q's words when none is that rare —
//     must appear in the answer, alone or with a particle attached ("에스파의");
//   - it must not add words found in neither Q nor D: each answer word must be a word of Q or
//     of a clicked document's title or body, that word with a Korean particle stripped, or the
//     start (at least two code points) of such a word ("일본" from "일본에서").
// Anything else — a request failure, an answer that is not the JSON asked for, an empty
// answer, or a guard rejection — is an error; the engine then keeps the default refiner's
// answer (engine/async_refinement.h runs this off the ingest path).
//
// Thread-safe: refine() may be called from many threads at once (the client bounds requests
// in flight); counters are atomic.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/llm/client.h"
#include "feedscout/llm/prompt.h"

namespace feedscout::intent {

struct LlmRefinerOptions {
  RefinerOptions budget;       // max_tokens / max_bytes of Q*, min_idf of key words
  size_t body_budget = 300;    // code points of each document's body in the prompt
  size_t max_documents = 3;    // clicked documents put in the prompt (first ones)
  int max_answer_tokens = 64;  // the request's max_tokens
};

struct LlmRefinerStats {
  uint64_t requests = 0;  // refine() calls that reached the model
  uint64_t accepted = 0;
  uint64_t failures = 0;       // request failed (down, timeout, 5xx after retries, circuit open)
  uint64_t bad_answers = 0;    // not the JSON asked for, or empty
  uint64_t guard_rejects = 0;  // dropped a key word of Q or added a word from neither Q nor D
};

// The prompt for `query` and `docs` (each document's title and body, the body cut with
// llm::truncate_to_budget to `body_budget` code points; at most `max_documents`).
// Placeholders: {{query}} {{documents}} {{max_words}}.
[[nodiscard]] Result<std::string> refine_prompt(const llm::PromptTemplate& prompt,
                                                std::string_view query,
                                                const std::vector<ClickedDocument>& docs,
                                                const LlmRefinerOptions& options);

// The guard described above. OK, or InvalidArgument naming the offending word.
[[nodiscard]] Status guard_refinement(std::string_view query, std::string_view refined,
                                      const std::vector<ClickedDocument>& docs,
                                      const WordWeights& weights, double min_idf);

// The JSON schema sent as the answer's constraint: {"refined": string}, nothing else.
std::string refinement_schema();

class LlmRefiner final : public QueryRefiner {
 public:
  // `client` and `weights` are borrowed and must outlive the refiner.
  LlmRefiner(llm::LlmClient& client, llm::PromptTemplate prompt, const WordWeights& weights,
             LlmRefinerOptions options)
      : client_(client), prompt_(std::move(prompt)), weights_(weights), options_(options) {}

  // Uses docs' title and body (ClickedDocument::title/body) for the prompt and the guard.
  // Errors: InvalidArgument for a query without words or no document text; the client's
  // error; Corruption for an unreadable answer; InvalidArgument from the guard.
  [[nodiscard]] Result<Refinement> refine(std::string_view query,
                                          const std::vector<ClickedDocument>& docs) const override;

  LlmRefinerStats stats() const;

 private:
  llm::LlmClient& client_;
  llm::PromptTemplate prompt_;
  const WordWeights& weights_;
  LlmRefinerOptions options_;
  mutable std::atomic<uint64_t> requests_{0}, accepted_{0}, failures_{0}, bad_answers_{0},
      guard_rejects_{0};
};

}  // namespace feedscout::intent
