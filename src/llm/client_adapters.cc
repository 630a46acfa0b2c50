#include "feedscout/llm/client_adapters.h"

namespace feedscout::llm {

Result<std::string> ClientTextGenerator::generate(const std::string& prompt) {
  ChatRequest request;
  request.messages.push_back({"user", prompt});
  request.max_tokens = max_tokens_;
  request.temperature = temperature_;
  auto response = client_.chat(request);
  if (!response.is_ok()) return response.status();
  return std::move(response).value().content;
}

}  // namespace feedscout::llm
