// A NextTokenScorer (constrained_beam.h) backed by an inference server through LlmClient:
// for every live beam one next-token logprobs request (the prompt followed by the beam's
// prefix as token ids, max_tokens 1, logprobs K, allowed_token_ids = the trie's allowed
// tokens), all beams of a step sent together through next_token_logprobs_batch so a
// continuously batching server takes them as one batch.
//
// An allowed token missing from the returned top logprobs gets -inf (masked); tokens the
// server returns that are not allowed are ignored. K = min(allowed.size(), max_logprobs),
// so max_logprobs must not exceed the server's limit (vLLM --max-logprobs, default 20):
// with more allowed tokens than K the least likely ones read as -inf. Meant for the vLLM
// dialect; with llama.cpp, which cannot restrict tokens, K tokens of the whole vocabulary
// come back.
//
// Thread safety: as the client's; the scorer holds no mutable state. The client is
// borrowed and must outlive the scorer.
#pragma once

#include "feedscout/llm/client.h"
#include "feedscout/llm/constrained_beam.h"

namespace feedscout::llm {

class RemoteNextTokenScorer final : public NextTokenScorer {
 public:
  explicit RemoteNextTokenScorer(LlmClient& client, int max_logprobs = 20)
      : client_(client), max_logprobs_(max_logprobs < 1 ? 1 : max_logprobs) {}

  // Errors: the first failed request's Status, with the beam's index as context.
  [[nodiscard]] Result<std::vector<std::vector<double>>> next_logprobs(
      std::span<const TokenId> prompt, const std::vector<std::vector<TokenId>>& prefixes,
      const std::vector<std::span<const TokenId>>& allowed) override;

 private:
  LlmClient& client_;
  int max_logprobs_;
};

}  // namespace feedscout::llm
