#include "feedscout/llm/taxonomy_grammar.h"

#include "feedscout/llm/dialect.h"
#include "feedscout/text/utf8.h"

namespace feedscout::llm {
namespace {

Status check_options(const TaxonomyLabelOptions& o) {
  if (o.max_level < 1 || o.max_level > kMaxTopicLevel) {
    return Status::invalid_argument("taxonomy labels: max_level must be 1.." +
                                    std::to_string(kMaxTopicLevel) + ", not " +
                                    std::to_string(o.max_level));
  }
  return Status::ok();
}

// Children of every node and the level-1 nodes, in taxonomy order, within max_level.
struct Tree {
  std::vector<std::vector<TopicId>> children;
  std::vector<TopicId> roots;
};

Tree tree_of(const Taxonomy& t, int max_level) {
  Tree tree;
  tree.children.resize(t.size());
  for (TopicId id = 0; id < t.size(); ++id) {
    const TopicNode& n = t.node(id);
    if (n.level > max_level) continue;
    if (n.parent == kNoTopic) {
      tree.roots.push_back(id);
    } else {
      tree.children[n.parent].push_back(id);
    }
  }
  return tree;
}

}  // namespace

Result<std::vector<TopicId>> taxonomy_labels(const Taxonomy& taxonomy,
                                             const TaxonomyLabelOptions& options) {
  FEEDSCOUT_RETURN_IF_ERROR(check_options(options));
  const Tree tree = tree_of(taxonomy, options.max_level);
  std::vector<TopicId> out;
  for (TopicId id = 0; id < taxonomy.size(); ++id) {
    if (taxonomy.node(id).level > options.max_level) continue;
    if (options.leaves_only && !tree.children[id].empty()) continue;
    out.push_back(id);
  }
  return out;
}

Result<std::string> taxonomy_to_gbnf(const Taxonomy& taxonomy,
                                     const TaxonomyLabelOptions& options) {
  FEEDSCOUT_RETURN_IF_ERROR(check_options(options));
  const Tree tree = tree_of(taxonomy, options.max_level);
  if (tree.roots.empty()) return Status::invalid_argument("taxonomy grammar: no label");
  for (TopicId id = 0; id < taxonomy.size(); ++id) {
    if (!text::is_valid_utf8(taxonomy.node(id).name)) {
      return Status::invalid_argument("taxonomy grammar: name of '" +
                                      taxonomy.node(id).external_id + "' is not valid UTF-8");
    }
  }
  // A leaf is inlined as its literal; a node with children is referenced by its rule.
  // (Built with append: GCC 12 warns falsely on "literal" + std::string temporaries.)
  const auto rule_name = [](TopicId id) {
    std::string s("n");
    s.append(std::to_string(id));
    return s;
  };
  const auto term = [&](TopicId id) {
    return tree.children[id].empty() ? gbnf_string_literal(taxonomy.node(id).name) : rule_name(id);
  };
  const auto alternation = [&](const std::vector<TopicId>& ids, bool parenthesise) {
    const bool group = parenthesise && ids.size() > 1;
    std::string s(group ? "(" : "");
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) s.append(" | ");
      s.append(term(ids[i]));
    }
    if (group) s.append(")");
    return s;
  };
  std::string out("root ::= ");
  out.append(alternation(tree.roots, false)).append("\n");
  for (TopicId id = 0; id < taxonomy.size(); ++id) {
    const auto& kids = tree.children[id];
    if (kids.empty()) continue;
    out.append(rule_name(id)).append(" ::= ").append(gbnf_string_literal(taxonomy.node(id).name));
    // Every node within max_level is a label unless leaves_only; then continuing is a must.
    out.append(options.leaves_only ? " " : " (");
    out.append(gbnf_string_literal(">")).append(" ").append(alternation(kids, true));
    out.append(options.leaves_only ? "\n" : ")?\n");
  }
  return out;
}

Result<std::vector<LabelTokenisation>> check_label_tokenisation(
    PromptTokenizer& tokenizer, const std::string& context,
    const std::vector<std::string>& labels) {
  auto ctx = tokenizer.tokenize(context);
  if (!ctx.is_ok()) return ctx.status().with_context("tokenising the context");
  std::vector<LabelTokenisation> out;
  for (const std::string& label : labels) {
    auto alone = tokenizer.tokenize(label);
    if (!alone.is_ok()) return alone.status().with_context("tokenising label '" + label + "'");
    auto joined = tokenizer.tokenize(context + label);
    if (!joined.is_ok()) {
      return joined.status().with_context("tokenising label '" + label + "' in context");
    }
    size_t common = 0;
    while (common < ctx->size() && common < joined->size() && (*ctx)[common] == (*joined)[common]) {
      ++common;
    }
    LabelTokenisation t;
    t.boundary_merged = common < ctx->size();
    t.in_context.assign(joined->begin() + static_cast<std::ptrdiff_t>(common), joined->end());
    if (!t.boundary_merged && t.in_context == *alone) continue;
    t.label = label;
    t.standalone = std::move(alone).value();
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace feedscout::llm
