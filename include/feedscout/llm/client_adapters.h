// Adapters from LlmClient to the narrow interfaces the rest of the llm module is written
// against: a PromptTokenizer on the server's /tokenize, and a TextGenerator on chat
// completions. The client is borrowed and must outlive the adapter; thread-safe as the client.
#pragma once

#include "feedscout/llm/client.h"
#include "feedscout/llm/distill.h"
#include "feedscout/llm/llm_topic_classifier.h"

namespace feedscout::llm {

class ClientTokenizer final : public PromptTokenizer {
 public:
  explicit ClientTokenizer(LlmClient& client) : client_(client) {}
  [[nodiscard]] Result<std::vector<TokenId>> tokenize(const std::string& text) override {
    return client_.tokenize(text);
  }

 private:
  LlmClient& client_;
};

// One user message per prompt; the answer's text. `max_tokens` and `temperature` per call.
class ClientTextGenerator final : public TextGenerator {
 public:
  ClientTextGenerator(LlmClient& client, int max_tokens, double temperature)
      : client_(client), max_tokens_(max_tokens), temperature_(temperature) {}
  [[nodiscard]] Result<std::string> generate(const std::string& prompt) override;

 private:
  LlmClient& client_;
  int max_tokens_;
  double temperature_;
};

}  // namespace feedscout::llm
