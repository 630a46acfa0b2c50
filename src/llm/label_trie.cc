#include "feedscout/llm/label_trie.h"

#include <algorithm>

namespace feedscout::llm {

Result<LabelTrie> LabelTrie::build(const std::vector<std::vector<TokenId>>& labels,
                                   const std::vector<std::string>& names, TokenId end_token) {
  if (labels.size() != names.size()) {
    return Status::invalid_argument("label trie: " + std::to_string(labels.size()) +
                                    " label sequences but " + std::to_string(names.size()) +
                                    " names");
  }
  if (labels.empty()) return Status::invalid_argument("label trie: no label");
  LabelTrie t;
  t.end_token_ = end_token;
  t.label_count_ = labels.size();
  t.nodes_.emplace_back();
  std::string collisions;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& seq = labels[i];
    if (seq.empty()) {
      return Status::invalid_argument("label trie: label '" + names[i] + "' has no token");
    }
    NodeId node = kRoot;
    for (TokenId tok : seq) {
      if (tok == end_token) {
        return Status::invalid_argument("label trie: label '" + names[i] +
                                        "' contains the end token");
      }
      Node& n = t.nodes_[node];
      auto pos = std::lower_bound(n.tokens.begin(), n.tokens.end(), tok);
      const size_t at = static_cast<size_t>(pos - n.tokens.begin());
      if (pos != n.tokens.end() && *pos == tok) {
        node = n.children[at];
        continue;
      }
      const auto next = static_cast<NodeId>(t.nodes_.size());
      n.tokens.insert(pos, tok);
      n.children.insert(n.children.begin() + static_cast<ptrdiff_t>(at), next);
      t.nodes_.emplace_back();  // invalidates n
      node = next;
    }
    Node& leaf = t.nodes_[node];
    if (leaf.label >= 0) {
      collisions += (collisions.empty() ? "" : "; ") + std::string("'") +
                    names[static_cast<size_t>(leaf.label)] + "' and '" + names[i] + "'";
      continue;
    }
    leaf.label = static_cast<int64_t>(i);
    t.max_depth_ = std::max(t.max_depth_, seq.size() + 1);
  }
  if (!collisions.empty()) {
    return Status::invalid_argument(
        "label trie: labels with the same token sequence cannot be told apart: " + collisions);
  }
  for (Node& n : t.nodes_) {
    n.allowed = n.tokens;
    if (n.label >= 0) n.allowed.push_back(end_token);
  }
  return t;
}

std::span<const TokenId> LabelTrie::allowed(NodeId node) const {
  if (node >= nodes_.size()) return {};
  return nodes_[node].allowed;
}

std::optional<LabelTrie::NodeId> LabelTrie::child(NodeId node, TokenId token) const {
  if (node >= nodes_.size()) return std::nullopt;
  const Node& n = nodes_[node];
  auto pos = std::lower_bound(n.tokens.begin(), n.tokens.end(), token);
  if (pos == n.tokens.end() || *pos != token) return std::nullopt;
  return n.children[static_cast<size_t>(pos - n.tokens.begin())];
}

std::optional<size_t> LabelTrie::label_at(NodeId node) const {
  if (node >= nodes_.size() || nodes_[node].label < 0) return std::nullopt;
  return static_cast<size_t>(nodes_[node].label);
}

}  // namespace feedscout::llm
