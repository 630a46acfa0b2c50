#include "feedscout/llm/constrained_beam.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace feedscout::llm {
namespace {

struct Beam {
  LabelTrie::NodeId node = LabelTrie::kRoot;
  std::vector<TokenId> tokens;
  double logprob = 0;
};

double length_score(double logprob, size_t length, double penalty) {
  if (penalty == 0 || length == 0) return logprob;
  return logprob / std::pow(static_cast<double>(length), penalty);
}

// Re-normalises finite entries of `lp` to a log-softmax over themselves; non-finite entries
// (and -inf) become -inf. Returns false when nothing finite is left.
bool log_softmax(std::vector<double>& lp) {
  double top = -std::numeric_limits<double>::infinity();
  for (double& v : lp) {
    if (!std::isfinite(v)) v = -std::numeric_limits<double>::infinity();
    top = std::max(top, v);
  }
  if (!std::isfinite(top)) return false;
  double sum = 0;
  for (double v : lp) {
    if (std::isfinite(v)) sum += std::exp(v - top);
  }
  const double log_z = top + std::log(sum);
  for (double& v : lp) {
    if (std::isfinite(v)) v -= log_z;
  }
  return true;
}

}  // namespace

Result<std::vector<LabelScore>> constrained_beam_search(const LabelTrie& trie,
                                                        std::span<const TokenId> prompt,
                                                        NextTokenScorer& scorer,
                                                        const BeamOptions& options) {
  if (options.beams == 0 || options.top_k == 0) {
    return Status::invalid_argument("beam search: beams and top_k must be >= 1");
  }
  std::vector<Beam> live{Beam{}};
  std::vector<LabelScore> finished;
  for (size_t step = 0; step < options.max_tokens && !live.empty(); ++step) {
    std::vector<std::vector<TokenId>> prefixes;
    std::vector<std::span<const TokenId>> allowed;
    prefixes.reserve(live.size());
    for (const Beam& b : live) {
      prefixes.push_back(b.tokens);
      allowed.push_back(trie.allowed(b.node));
    }
    auto answer = scorer.next_logprobs(prompt, prefixes, allowed);
    if (!answer.is_ok())
      return answer.status().with_context("beam search step " + std::to_string(step));
    if (answer->size() != live.size()) {
      return Status::invalid_argument("beam search step " + std::to_string(step) +
                                      ": scorer gave " + std::to_string(answer->size()) +
                                      " answers for " + std::to_string(live.size()) + " beams");
    }
    std::vector<Beam> next;
    for (size_t i = 0; i < live.size(); ++i) {
      std::vector<double> lp = std::move((*answer)[i]);
      if (lp.size() != allowed[i].size()) {
        return Status::invalid_argument("beam search step " + std::to_string(step) +
                                        ": scorer gave " + std::to_string(lp.size()) +
                                        " log-probabilities for " +
                                        std::to_string(allowed[i].size()) + " allowed tokens");
      }
      if (options.renormalize) {
        if (!log_softmax(lp)) continue;  // every allowed token masked: the beam dies
      }
      for (size_t j = 0; j < lp.size(); ++j) {
        if (!std::isfinite(lp[j])) continue;
        const TokenId tok = allowed[i][j];
        const double logprob = live[i].logprob + lp[j];
        if (tok == trie.end_token()) {
          const auto label = trie.label_at(live[i].node);
          if (!label) continue;  // cannot happen: end is allowed only at a label's end
          const size_t length = live[i].tokens.size() + 1;
          finished.push_back({*label, logprob,
                              length_score(logprob, length, options.length_penalty),
                              std::exp(logprob), length});
          continue;
        }
        const auto child = trie.child(live[i].node, tok);
        if (!child) continue;
        Beam b{*child, live[i].tokens, logprob};
        b.tokens.push_back(tok);
        next.push_back(std::move(b));
      }
    }
    // Keep the best `beams` partial labels (score at their current length; ties by tokens).
    auto better = [&](const Beam& a, const Beam& b) {
      const double sa = length_score(a.logprob, a.tokens.size(), options.length_penalty);
      const double sb = length_score(b.logprob, b.tokens.size(), options.length_penalty);
      return sa != sb ? sa > sb : a.tokens < b.tokens;
    };
    if (next.size() > options.beams) {
      std::partial_sort(next.begin(), next.begin() + static_cast<ptrdiff_t>(options.beams),
                        next.end(), better);
      next.resize(options.beams);
    } else {
      std::sort(next.begin(), next.end(), better);
    }
    live = std::move(next);
  }
  std::sort(finished.begin(), finished.end(), [](const LabelScore& a, const LabelScore& b) {
    return a.score != b.score ? a.score > b.score : a.label < b.label;
  });
  std::vector<LabelScore> out;
  for (const LabelScore& s : finished) {
    if (out.size() >= options.top_k) break;
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const LabelScore& o) { return o.label == s.label; });
    if (!seen) out.push_back(s);
  }
  return out;
}

}  // namespace feedscout::llm
