// A TopicClassifier that asks a language model for one label per document in one constrained
// chat request (issue 4): the "constrained choice" mode, for servers without token-level
// control (Ollama, plain OpenAI) and as a cheaper one-request alternative to the beam search of
// LlmTopicClassifier (one request per document instead of one per beam and label token).
//
// The request is the classification prompt (data/prompts/classify.txt, body cut explicitly to
// body_budget) as one user message, with the constraint each dialect understands:
//   vLLM        a choice list (structured_outputs.choice, or guided_choice before v0.12)
//   llama.cpp   the taxonomy's GBNF grammar (taxonomy_to_gbnf: a trie of rules, not a list)
//   Ollama,     a JSON schema {"choice": {"enum": [labels]}} in response_format / format;
//   OpenAI      the client unwraps "choice" (dialect.h)
// Labels are taxonomy paths ("스포츠>축구", TopicNode::path), every node by default
// (options.labels narrows them), as LlmTopicClassifier decodes.
//
// Never a label outside the taxonomy: the answer (surrounding ASCII whitespace removed) must be
// one of the offered labels, exactly; anything else — a path the server made up despite the
// constraint, an offered-set violation, an answer cut off by max_tokens (finish_reason
// "length") — is an invalid answer. Invalid answers and request failures (after the client's
// retries: down, timeouts, 5xx, malformed JSON, circuit open) are faults: counted, then the
// fallback classifier (the fastText student) answers with its own source; without a fallback
// the error is returned.
//
// Score: the chosen label gets options.score (1.0 by default) and source language_model; at
// most one topic is returned (k >= 1; k <= 0 gives none and sends nothing). Log-probabilities
// are not used for the score: vLLM and OpenAI report the raw model distribution, not the one
// renormalised over the allowed labels; with a JSON schema they also cover the forced wrapper
// tokens; Ollama and llama.cpp's chat endpoint report them in other shapes or not at all. A
// calibrated score needs the beam-search mode (LlmTopicClassifier).
//
// Thread safety: classify() may run concurrently (the client is thread-safe, the classifier
// is immutable after create() except for atomic counters). The client is borrowed and must
// outlive the classifier.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "feedscout/llm/client.h"
#include "feedscout/llm/llm_topic_classifier.h"
#include "feedscout/llm/prompt.h"
#include "feedscout/llm/taxonomy_grammar.h"
#include "feedscout/models/topic_classifier.h"

namespace feedscout::llm {

struct ChoiceClassifierOptions {
  TaxonomyLabelOptions labels;     // which paths may be answered (default: every node)
  size_t body_budget = 1000;       // code points of body in the prompt (explicit truncation)
  int max_tokens = 0;              // answer budget; 0 = 4 per code point of the longest label + 16
  double temperature = 0.0;        //
  float score = 1.0f;              // score of the chosen label (see above), 0..1
  std::string model_name = "llm";  // for describe()
};

class ChoiceTopicClassifier final : public TopicClassifier {
 public:
  // InvalidArgument: bad label options, no label, score outside 0..1, max_tokens < 0, a
  // prompt without {{title}} and {{body}}. The taxonomy and client are borrowed.
  [[nodiscard]] static Result<std::unique_ptr<ChoiceTopicClassifier>> create(
      const Taxonomy& taxonomy, LlmClient& client, PromptTemplate prompt,
      ChoiceClassifierOptions options, std::unique_ptr<TopicClassifier> fallback);

  [[nodiscard]] Result<std::vector<TopicPrediction>> classify(std::string_view title,
                                                              std::string_view body, int k,
                                                              float min_score) const override;
  // "llm-choice:<model> (fallback ...)".
  std::string describe() const override;

  // The same counters as LlmTopicClassifier: classified by the model, faults (invalid answers
  // included), fallbacks, truncated prompts.
  LlmClassifierStats stats() const;
  // Of the faults, answers that were not an offered label (or were cut off).
  uint64_t invalid_answers() const { return invalid_answers_.load(); }

  // The request classify() sends for a document (for tests and logs).
  [[nodiscard]] Result<ChatRequest> request_for(std::string_view title, std::string_view body,
                                                bool* truncated = nullptr) const;
  // The topic an answer names, if it is an offered label; nullopt otherwise.
  std::optional<TopicId> topic_of(std::string_view answer) const;

 private:
  struct Key {};  // only create() constructs

 public:
  explicit ChoiceTopicClassifier(Key, LlmClient& client) : client_(client) {}

 private:
  LlmClient& client_;
  PromptTemplate prompt_;
  ChoiceClassifierOptions options_;
  std::unique_ptr<TopicClassifier> fallback_;
  Constraint constraint_;
  int max_tokens_ = 0;
  std::unordered_map<std::string, TopicId> by_label_;
  mutable std::atomic<uint64_t> classified_{0}, faults_{0}, fallbacks_{0}, truncated_{0},
      invalid_answers_{0};
};

}  // namespace feedscout::llm
