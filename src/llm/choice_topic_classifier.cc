#include "feedscout/llm/choice_topic_classifier.h"

#include <algorithm>

namespace feedscout::llm {
namespace {

size_t code_points(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string_view trim_ascii(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string quote(std::string_view s) {
  constexpr size_t kMax = 120;
  std::string out("'");
  out.append(s.substr(0, kMax)).append(s.size() > kMax ? "...'" : "'");
  return out;
}

}  // namespace

Result<std::unique_ptr<ChoiceTopicClassifier>> ChoiceTopicClassifier::create(
    const Taxonomy& taxonomy, LlmClient& client, PromptTemplate prompt,
    ChoiceClassifierOptions options, std::unique_ptr<TopicClassifier> fallback) {
  if (!(options.score >= 0.0f && options.score <= 1.0f)) {
    return Status::invalid_argument("choice classifier: score must be within 0..1");
  }
  if (options.max_tokens < 0) {
    return Status::invalid_argument("choice classifier: negative max_tokens");
  }
  // Fails now, not on the first document, when the prompt wants other placeholders.
  auto probe = classification_prompt(prompt, "title", "body", options.body_budget);
  if (!probe.is_ok()) return probe.status().with_context("choice classifier prompt");

  auto topics = taxonomy_labels(taxonomy, options.labels);
  if (!topics.is_ok()) return topics.status().with_context("choice classifier");
  if (topics->empty()) return Status::invalid_argument("choice classifier: no label");

  auto c = std::make_unique<ChoiceTopicClassifier>(Key{}, client);
  std::vector<std::string> labels;
  size_t longest = 0;
  for (TopicId t : *topics) {
    const std::string& path = taxonomy.node(t).path;
    labels.push_back(path);
    c->by_label_.emplace(path, t);
    longest = std::max(longest, code_points(path));
  }
  if (client.config().dialect == Dialect::kLlamaCpp) {
    auto grammar = taxonomy_to_gbnf(taxonomy, options.labels);
    if (!grammar.is_ok()) return grammar.status().with_context("choice classifier");
    c->constraint_ = Constraint::gbnf(std::move(grammar).value());
  } else {
    // vLLM: structured_outputs.choice / guided_choice; OpenAI, Ollama: a JSON schema with an
    // enum of the labels, unwrapped by the client (dialect.h).
    c->constraint_ = Constraint::choice(std::move(labels));
  }
  c->max_tokens_ = options.max_tokens > 0 ? options.max_tokens : static_cast<int>(4 * longest + 16);
  c->prompt_ = std::move(prompt);
  c->options_ = std::move(options);
  c->fallback_ = std::move(fallback);
  return c;
}

Result<ChatRequest> ChoiceTopicClassifier::request_for(std::string_view title,
                                                       std::string_view body,
                                                       bool* truncated) const {
  auto prompt = classification_prompt(prompt_, title, body, options_.body_budget, truncated);
  if (!prompt.is_ok()) return prompt.status();
  ChatRequest r;
  r.messages = {{"user", std::move(prompt).value()}};
  r.max_tokens = max_tokens_;
  r.temperature = options_.temperature;
  r.constraint = constraint_;
  return r;
}

std::optional<TopicId> ChoiceTopicClassifier::topic_of(std::string_view answer) const {
  auto it = by_label_.find(std::string(trim_ascii(answer)));
  if (it == by_label_.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<TopicPrediction>> ChoiceTopicClassifier::classify(std::string_view title,
                                                                     std::string_view body, int k,
                                                                     float min_score) const {
  if (k <= 0) return std::vector<TopicPrediction>{};
  auto answer = [&]() -> Result<std::vector<TopicPrediction>> {
    bool truncated = false;
    auto request = request_for(title, body, &truncated);
    if (!request.is_ok()) return request.status();
    if (truncated) ++truncated_;
    auto response = client_.chat(*request);
    if (!response.is_ok()) return response.status();
    if (response->finish_reason == "length") {
      ++invalid_answers_;
      return Status::corruption("answer cut off at max_tokens " + std::to_string(max_tokens_) +
                                ": " + quote(response->content));
    }
    const auto topic = topic_of(response->content);
    if (!topic.has_value()) {
      ++invalid_answers_;
      return Status::corruption("answer " + quote(response->content) +
                                " is not an offered taxonomy label");
    }
    std::vector<TopicPrediction> out;
    if (options_.score >= min_score) {
      out.push_back({*topic, options_.score, TopicSource::kLanguageModel});
    }
    return out;
  }();
  if (answer.is_ok()) {
    ++classified_;
    return answer;
  }
  ++faults_;
  if (!fallback_) return answer.status().with_context("choice classifier");
  ++fallbacks_;
  return fallback_->classify(title, body, k, min_score);
}

std::string ChoiceTopicClassifier::describe() const {
  return "llm-choice:" + options_.model_name +
         (fallback_ ? " (fallback " + fallback_->describe() + ")" : "");
}

LlmClassifierStats ChoiceTopicClassifier::stats() const {
  return {classified_.load(), faults_.load(), fallbacks_.load(), truncated_.load()};
}

}  // namespace feedscout::llm
