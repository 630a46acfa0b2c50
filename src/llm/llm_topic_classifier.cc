#include "feedscout/llm/llm_topic_classifier.h"

#include <algorithm>

namespace feedscout::llm {

Result<std::unique_ptr<LlmTopicClassifier>> LlmTopicClassifier::create(
    const Taxonomy& taxonomy, std::shared_ptr<PromptTokenizer> tokenizer,
    std::shared_ptr<NextTokenScorer> scorer, PromptTemplate prompt, LlmClassifierOptions options,
    std::unique_ptr<TopicClassifier> fallback) {
  if (!tokenizer || !scorer) {
    return Status::invalid_argument("language-model classifier: no tokenizer or scorer");
  }
  std::vector<std::vector<TokenId>> labels;
  std::vector<std::string> names;
  for (TopicId t = 0; t < taxonomy.size(); ++t) {
    const std::string& path = taxonomy.node(t).path;
    auto tokens = tokenizer->tokenize(path);
    if (!tokens.is_ok()) return tokens.status().with_context("tokenising label '" + path + "'");
    labels.push_back(std::move(tokens).value());
    names.push_back(path);
  }
  auto trie = LabelTrie::build(labels, names, options.end_token);
  if (!trie.is_ok()) return trie.status();
  auto c = std::make_unique<LlmTopicClassifier>(Key{});
  c->taxonomy_ = &taxonomy;
  c->tokenizer_ = std::move(tokenizer);
  c->scorer_ = std::move(scorer);
  c->prompt_ = std::move(prompt);
  c->options_ = options;
  c->fallback_ = std::move(fallback);
  c->trie_ = std::make_unique<LabelTrie>(std::move(trie).value());
  return c;
}

Result<std::vector<TopicPrediction>> LlmTopicClassifier::classify(std::string_view title,
                                                                  std::string_view body, int k,
                                                                  float min_score) const {
  auto answer = [&]() -> Result<std::vector<TopicPrediction>> {
    bool truncated = false;
    auto prompt = classification_prompt(prompt_, title, body, options_.body_budget, &truncated);
    if (!prompt.is_ok()) return prompt.status();
    if (truncated) ++truncated_;
    auto tokens = tokenizer_->tokenize(*prompt);
    if (!tokens.is_ok()) return tokens.status().with_context("tokenising the prompt");
    BeamOptions beam = options_.beam;
    beam.top_k = std::max<size_t>(1, std::min<size_t>(beam.top_k, k > 0 ? k : 1));
    auto labels = constrained_beam_search(*trie_, *tokens, *scorer_, beam);
    if (!labels.is_ok()) return labels.status();
    std::vector<TopicPrediction> out;
    for (const LabelScore& l : *labels) {
      const auto score = static_cast<float>(std::clamp(l.probability, 0.0, 1.0));
      if (score < min_score) continue;
      out.push_back({static_cast<TopicId>(l.label), score, TopicSource::kLanguageModel});
    }
    std::stable_sort(
        out.begin(), out.end(),
        [](const TopicPrediction& a, const TopicPrediction& b) { return a.score > b.score; });
    return out;
  }();
  if (answer.is_ok()) {
    ++classified_;
    return answer;
  }
  ++faults_;
  if (!fallback_) return answer.status().with_context("language-model classifier");
  ++fallbacks_;
  return fallback_->classify(title, body, k, min_score);
}

std::string LlmTopicClassifier::describe() const {
  return "llm:" + options_.model_name +
         (fallback_ ? " (fallback " + fallback_->describe() + ")" : "");
}

LlmClassifierStats LlmTopicClassifier::stats() const {
  return {classified_.load(), faults_.load(), fallbacks_.load(), truncated_.load()};
}

}  // namespace feedscout::llm
