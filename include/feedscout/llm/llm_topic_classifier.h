// A TopicClassifier backed by a language model (issue 4): the classification prompt
// (data/prompts/classify.txt) is tokenised and every taxonomy path is decoded with
// trie-constrained beam search (constrained_beam.h), so every returned topic is a valid
// taxonomy node, always. When the model fails (server down, timeouts, malformed answers —
// after the client's own retries), the fallback classifier (the fastText student) answers and
// the fault is counted; without a fallback the error is returned.
//
// Labels are the taxonomy's paths ("스포츠>축구"), tokenised once at create() as standalone
// strings; labels whose token sequences collide are reported then. Scores are the labels'
// probabilities under the (re-normalised) constrained distribution, in 0..1.
//
// Thread safety: classify() may run concurrently iff the tokenizer and scorer allow it (the
// language-model client does); counters are atomic.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "feedscout/llm/constrained_beam.h"
#include "feedscout/llm/prompt.h"
#include "feedscout/models/topic_classifier.h"

namespace feedscout::llm {

class PromptTokenizer {
 public:
  virtual ~PromptTokenizer() = default;
  [[nodiscard]] virtual Result<std::vector<TokenId>> tokenize(const std::string& text) = 0;
};

struct LlmClassifierOptions {
  BeamOptions beam;                // beams 3, top_k 3 as in the reference
  size_t body_budget = 1000;       // code points of body in the prompt (explicit truncation)
  TokenId end_token = 2;           // the model's end-of-sequence token id
  std::string model_name = "llm";  // for describe()
};

struct LlmClassifierStats {
  uint64_t classified = 0;  // answered by the language model
  uint64_t faults = 0;      // the model failed
  uint64_t fallbacks = 0;   // of those, answered by the fallback
  uint64_t truncated = 0;   // prompts whose body was cut to the budget
};

class LlmTopicClassifier final : public TopicClassifier {
 public:
  // Errors: the tokenizer fails on a label, labels collide (named), null tokenizer/scorer.
  [[nodiscard]] static Result<std::unique_ptr<LlmTopicClassifier>> create(
      const Taxonomy& taxonomy, std::shared_ptr<PromptTokenizer> tokenizer,
      std::shared_ptr<NextTokenScorer> scorer, PromptTemplate prompt, LlmClassifierOptions options,
      std::unique_ptr<TopicClassifier> fallback);

  [[nodiscard]] Result<std::vector<TopicPrediction>> classify(std::string_view title,
                                                              std::string_view body, int k,
                                                              float min_score) const override;
  std::string describe() const override;
  LlmClassifierStats stats() const;

 private:
  struct Key {};  // only create() constructs

 public:
  explicit LlmTopicClassifier(Key) {}

 private:
  const Taxonomy* taxonomy_ = nullptr;
  std::shared_ptr<PromptTokenizer> tokenizer_;
  std::shared_ptr<NextTokenScorer> scorer_;
  PromptTemplate prompt_;
  LlmClassifierOptions options_;
  std::unique_ptr<TopicClassifier> fallback_;
  std::unique_ptr<LabelTrie> trie_;
  mutable std::atomic<uint64_t> classified_{0}, faults_{0}, fallbacks_{0}, truncated_{0};
};

}  // namespace feedscout::llm
