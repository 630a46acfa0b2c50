// The taxonomy's labels as a GBNF grammar (issue 4), for servers that constrain generation by
// grammar (llama.cpp `grammar`; vLLM's `structured_outputs.grammar` reads GBNF too).
//
// Labels are taxonomy paths joined with '>' ("스포츠>축구>K리그"), exactly the strings
// LlmTopicClassifier decodes (TopicNode::path). The grammar's language is exactly the offered
// label set (taxonomy_labels), nothing more: no surrounding whitespace, quotes or newline.
//
// Shape: a prefix-shared trie over path segments, not a flat alternation of every path.
// Every taxonomy node with offered descendants gets one rule, named n<TopicId>, that spells its
// own name once and continues with '>' and its children; leaves are inlined as literals:
//
//   root ::= n0 | n7 | "취미"
//   n0 ::= "스포츠" (">" (n1 | "야구"))?      the node is a label itself: continuing is optional
//   n1 ::= "축구" ">" ("K리그" | "해외축구")    leaves_only: a non-leaf must be continued
//
// Alternatives appear in taxonomy file order, so the output is deterministic (golden-tested).
// The grammar is unambiguous: names cannot contain '>' and sibling names are distinct, so a
// path has one derivation. Literals are written by gbnf_string_literal (dialect.h): quotes and
// backslashes escaped, UTF-8 kept as UTF-8.
//
// Also here: check_label_tokenisation, whether labels tokenise the same standalone as after
// the prompt (docs/LLM.md explains why that matters for the beam search).
//
// The grammar functions are pure and thread-safe; check_label_tokenisation is as thread-safe
// as the tokenizer it is given.
#pragma once

#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/llm/llm_topic_classifier.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout::llm {

// Which taxonomy nodes are offered as labels. The default offers every node, as
// LlmTopicClassifier does.
struct TaxonomyLabelOptions {
  int max_level = kMaxTopicLevel;  // 1..3: deeper nodes are neither labels nor continued
  bool leaves_only = false;        // only nodes without a child within max_level are labels
};

// The offered labels' topics, in taxonomy order (their strings: taxonomy.node(t).path).
// InvalidArgument: max_level outside 1..3.
[[nodiscard]] Result<std::vector<TopicId>> taxonomy_labels(const Taxonomy& taxonomy,
                                                           const TaxonomyLabelOptions& options);

// The GBNF grammar described above, with start rule "root". InvalidArgument: bad options, no
// label offered, a name that is not valid UTF-8 (Taxonomy::parse already refuses those).
[[nodiscard]] Result<std::string> taxonomy_to_gbnf(const Taxonomy& taxonomy,
                                                   const TaxonomyLabelOptions& options = {});

// How one label tokenises standalone and in context.
struct LabelTokenisation {
  std::string label;
  std::vector<TokenId> standalone;  // tokenize(label)
  std::vector<TokenId> in_context;  // tokenize(context + label) after its common prefix with
                                    // tokenize(context)
  bool boundary_merged = false;     // tokenize(context) is not a prefix of tokenize(context +
                                    // label): a token crosses the boundary, no clean split
};

// The labels whose standalone tokens differ from their tokens after `context` (the prompt's
// end, e.g. "주제:"), in input order; empty when every label tokenises the same. One tokenize
// call per label plus one. Errors: the tokenizer's, naming the label.
[[nodiscard]] Result<std::vector<LabelTokenisation>> check_label_tokenisation(
    PromptTokenizer& tokenizer, const std::string& context, const std::vector<std::string>& labels);

}  // namespace feedscout::llm
