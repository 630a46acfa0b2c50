// Trie-constrained beam search (issue 4): the top-k taxonomy labels a language model assigns
// to a prompt, decoded token by token with every step restricted to tokens that continue a
// valid label (label_trie.h). Written once over NextTokenScorer, so the same search drives a
// remote server (prompts as token ids, allowed_token_ids + logprobs) or an in-process model.
//
// Scores. At each step the scorer gives log-probabilities for the allowed tokens of each
// beam. With `renormalize` (the default) they are re-normalised over the allowed set (a
// log-softmax over the unmasked tokens — what masking the logits does in constrained
// decoding); otherwise the raw log-probabilities are summed. A finished label's
//   logprob = Σ of its tokens' (re-normalised) log-probabilities, end token included
//   score   = logprob / length^length_penalty   (length in tokens; 0 = no penalty)
// and results are ranked by score (ties: lower label index first). `probability` is
// exp(logprob); with renormalize the probabilities of all labels sum to at most 1.
//
// Search. `beams` partial labels are kept per step (by score, ties by token sequence); a
// beam that takes the end token becomes a finished candidate. The search stops when no beam
// is left or max_tokens steps were taken. Every returned label is a valid label of the trie,
// each at most once, at most top_k of them.
//
// Faults in the scorer are contained: a non-finite log-probability (NaN, +inf) masks its
// token; an answer of the wrong shape or an error from the scorer fails the search (its
// Status, or InvalidArgument naming the step). The scorer is called once per step with all
// live beams (a batch), so a continuously batching server can take them together.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/llm/label_trie.h"

namespace feedscout::llm {

class NextTokenScorer {
 public:
  virtual ~NextTokenScorer() = default;
  // For each i: log-probabilities of allowed[i] (same order, same size) as the next token
  // after `prompt` followed by prefixes[i]. prefixes.size() == allowed.size() >= 1.
  [[nodiscard]] virtual Result<std::vector<std::vector<double>>> next_logprobs(
      std::span<const TokenId> prompt, const std::vector<std::vector<TokenId>>& prefixes,
      const std::vector<std::span<const TokenId>>& allowed) = 0;
};

struct BeamOptions {
  size_t beams = 3;             // partial labels kept per step, >= 1
  size_t top_k = 3;             // labels returned, >= 1
  double length_penalty = 0.0;  // score = logprob / length^length_penalty
  bool renormalize = true;      // log-softmax over the allowed tokens at each step
  size_t max_tokens = 64;       // steps at most (a label longer than this is not found)
};

struct LabelScore {
  size_t label = 0;        // index into the labels the trie was built from
  double logprob = 0;      // see the file comment
  double score = 0;        // ranking key
  double probability = 0;  // exp(logprob)
  size_t tokens = 0;       // end token included
};

// Errors: bad options (beams or top_k 0) are InvalidArgument; scorer faults as above.
[[nodiscard]] Result<std::vector<LabelScore>> constrained_beam_search(
    const LabelTrie& trie, std::span<const TokenId> prompt, NextTokenScorer& scorer,
    const BeamOptions& options = {});

}  // namespace feedscout::llm
