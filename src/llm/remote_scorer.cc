#include "feedscout/llm/remote_scorer.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace feedscout::llm {

Result<std::vector<std::vector<double>>> RemoteNextTokenScorer::next_logprobs(
    std::span<const TokenId> prompt, const std::vector<std::vector<TokenId>>& prefixes,
    const std::vector<std::span<const TokenId>>& allowed) {
  if (prefixes.size() != allowed.size()) {
    return Status::invalid_argument("scorer: prefixes and allowed differ in size");
  }
  std::vector<LogprobsRequest> requests(prefixes.size());
  for (size_t i = 0; i < prefixes.size(); ++i) {
    LogprobsRequest& r = requests[i];
    r.prompt.assign(prompt.begin(), prompt.end());
    r.prompt.insert(r.prompt.end(), prefixes[i].begin(), prefixes[i].end());
    r.allowed.assign(allowed[i].begin(), allowed[i].end());
    r.top_logprobs = std::clamp(static_cast<int>(std::min<size_t>(allowed[i].size(), 1 << 20)), 1,
                                max_logprobs_);
  }
  auto answers = client_.next_token_logprobs_batch(requests);
  std::vector<std::vector<double>> out(prefixes.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].is_ok()) {
      return answers[i].status().with_context("scorer: beam " + std::to_string(i));
    }
    std::unordered_map<TokenId, double> got;
    for (const TokenLogprob& t : *answers[i]) got.emplace(t.token, t.logprob);
    out[i].reserve(allowed[i].size());
    for (TokenId t : allowed[i]) {
      auto it = got.find(t);
      out[i].push_back(it == got.end() ? -std::numeric_limits<double>::infinity() : it->second);
    }
  }
  return out;
}

}  // namespace feedscout::llm
