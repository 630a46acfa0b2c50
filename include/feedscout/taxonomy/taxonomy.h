// A topic taxonomy of one to three levels (the default is IAB Content Taxonomy 3.1, tiers
// 1–3, with Korean names; see data/taxonomy/README.md).
//
// File format (UTF-8 TSV, header line required, extra columns ignored):
//   id <TAB> parent <TAB> name [<TAB> name_en]
// `parent` is empty for a top-level node. Every parent must be defined somewhere in the
// file; depth may not exceed 3; sibling names must be distinct; names may not contain '>'.
// A node's path joins the names from the root with '>': "스포츠>축구".
//
// Immutable after load; all methods are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

// Dense index of a node, 0..size()-1, stable for one loaded taxonomy.
using TopicId = uint32_t;
constexpr TopicId kNoTopic = UINT32_MAX;
constexpr int kMaxTopicLevel = 3;

struct TopicNode {
  std::string external_id;  // the id column of the file
  TopicId parent = kNoTopic;
  int level = 1;  // 1..3
  std::string name;
  std::string name_en;
  std::string path;  // "스포츠>축구"
};

class Taxonomy {
 public:
  // Loads and validates a taxonomy file. Errors name the file and line.
  [[nodiscard]] static Result<Taxonomy> load_file(const std::string& path);
  // Same, from text already in memory; `source` names it in messages.
  [[nodiscard]] static Result<Taxonomy> parse(std::string_view text, const std::string& source);

  size_t size() const { return nodes_.size(); }
  const TopicNode& node(TopicId id) const { return nodes_[id]; }

  std::optional<TopicId> find_by_external_id(std::string_view external_id) const;
  std::optional<TopicId> find_by_path(std::string_view path) const;
  // Accepts either an external id or a path.
  std::optional<TopicId> resolve(std::string_view id_or_path) const;

  // The node and its ancestors, root first: for 스포츠>축구>K리그 → {스포츠, 스포츠>축구,
  // 스포츠>축구>K리그}. At most kMaxTopicLevel entries.
  std::vector<TopicId> lineage(TopicId id) const;
  // Allocation-free form: writes the lineage, root first, into out; returns its length.
  int lineage(TopicId id, std::array<TopicId, kMaxTopicLevel>& out) const;
  // True when `ancestor` is `id` or one of its ancestors.
  bool is_ancestor_or_self(TopicId ancestor, TopicId id) const;

  // Number of nodes at each level (index 0 = level 1).
  std::vector<size_t> level_counts() const;

 private:
  std::vector<TopicNode> nodes_;
  std::unordered_map<std::string, TopicId> by_external_id_;
  std::unordered_map<std::string, TopicId> by_path_;
};

}  // namespace feedscout
