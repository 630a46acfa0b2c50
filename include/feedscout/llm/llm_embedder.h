// Language-model document embeddings (issue 6) through the client's /v1/embeddings
// (client.h; vLLM, llama.cpp server, Ollama, OpenAI). Contract: models/embedder.h.
//
// A document is sent as document_prefix + title + "\n" + body, cut to max_text_bytes on a
// UTF-8 boundary. Every returned vector is checked (exactly `dimension` finite values, not
// all zero: else Corruption naming the sizes, e.g. after the server's model was swapped)
// and L2-normalised here, whatever the server does. Text without words is not sent
// (InvalidArgument, as for every embedder). Transport faults after the client's retries
// are Unavailable; other server refusals InvalidArgument (client.h).
//
// embed_batch() sends up to max_batch documents per request; a failed request fails every
// document of that request. Thread safety: as the client, all methods may be called
// concurrently; the client is shared (shared_ptr), not owned exclusively.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "feedscout/llm/client.h"
#include "feedscout/models/embedder.h"

namespace feedscout::llm {

struct LlmEmbedderOptions {
  size_t dimension = 0;   // required: the model's vector length d, >= 1
  size_t max_batch = 32;  // documents per request, >= 1
  size_t max_text_bytes = 8192;
  std::string document_prefix;  // e.g. "passage: " for E5-style models
};

class LlmEmbedder final : public Embedder {
 public:
  // InvalidArgument: null client, dimension 0, max_batch 0.
  [[nodiscard]] static Result<std::unique_ptr<LlmEmbedder>> create(
      std::shared_ptr<LlmClient> client, LlmEmbedderOptions options);

  [[nodiscard]] Result<std::vector<float>> embed(std::string_view title,
                                                 std::string_view body) const override;
  std::vector<Result<std::vector<float>>> embed_batch(
      const std::vector<EmbedInput>& inputs) const override;
  size_t dimension() const override { return options_.dimension; }
  // "llm-embed:<model>@<base_url>"
  std::string describe() const override;

 private:
  LlmEmbedder(std::shared_ptr<LlmClient> client, LlmEmbedderOptions options)
      : client_(std::move(client)), options_(std::move(options)) {}

  // The text sent for one document; empty when it has no words.
  std::string request_text(const EmbedInput& in) const;
  // Checks and normalises one answer vector.
  Result<std::vector<float>> finish(std::vector<float> v) const;

  std::shared_ptr<LlmClient> client_;
  LlmEmbedderOptions options_;
};

}  // namespace feedscout::llm
