// A trie over tokenised taxonomy labels, for constrained decoding (issue 4): at every step a
// language model may only emit a token that continues some valid label, or the end token
// where a label is complete. So the decoder can never invent a label, misspell one or stop
// at the wrong depth.
//
// Labels are token sequences (the tokenised label text, e.g. a topic path "스포츠>축구"); the
// end token is appended by the trie, so a label that is a prefix of another ("스포츠" and
// "스포츠>축구") stays distinct. Two labels with the same token sequence cannot be told apart
// by the model: build() reports every such collision as an error naming both labels.
//
// Immutable after build; thread-safe for concurrent readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout::llm {

using TokenId = int32_t;

class LabelTrie {
 public:
  using NodeId = uint32_t;
  static constexpr NodeId kRoot = 0;

  // `labels[i]` is label i's token sequence (non-empty, without the end token, which must not
  // occur inside a label); `names[i]` names it in errors (same size as labels).
  // InvalidArgument: sizes differ, no label, an empty label, the end token inside a label,
  // or labels whose sequences collide (every collision is listed, by name).
  [[nodiscard]] static Result<LabelTrie> build(const std::vector<std::vector<TokenId>>& labels,
                                               const std::vector<std::string>& names,
                                               TokenId end_token);

  // Tokens allowed after reaching `node`: its children's tokens, ascending, then the end
  // token when a label ends here.
  std::span<const TokenId> allowed(NodeId node) const;
  // The node reached from `node` by `token`; nullopt for a token not allowed there (the end
  // token has no node: use label_at).
  std::optional<NodeId> child(NodeId node, TokenId token) const;
  // The label ending at `node` (what the end token completes), if any.
  std::optional<size_t> label_at(NodeId node) const;

  TokenId end_token() const { return end_token_; }
  size_t labels() const { return label_count_; }
  size_t nodes() const { return nodes_.size(); }
  size_t max_depth() const { return max_depth_; }  // longest label, end token included

 private:
  struct Node {
    std::vector<TokenId> tokens;   // children's tokens, ascending
    std::vector<NodeId> children;  // parallel to tokens
    std::vector<TokenId> allowed;  // tokens, plus end_token_ when terminal
    int64_t label = -1;            // label ending here, -1 when none
  };
  std::vector<Node> nodes_;
  TokenId end_token_ = 0;
  size_t label_count_ = 0;
  size_t max_depth_ = 0;
};

}  // namespace feedscout::llm
