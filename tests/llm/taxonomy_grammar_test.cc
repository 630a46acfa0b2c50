// The taxonomy as a GBNF grammar (taxonomy_grammar.h). A small matcher for the subset of GBNF
// the generator writes (rules, string literals with escapes, rule references, groups,
// alternation and '?') enumerates the grammar's language; it must be exactly the label paths,
// each with one derivation, for the shipped IAB taxonomy and for a tiny taxonomy with tricky
// names, whose grammar is also pinned by a golden file (tests/llm/golden/taxonomy_tiny.gbnf;
// regenerate with FEEDSCOUT_UPDATE_GOLDEN=1 and review the diff). No llama.cpp server runs
// here: that the server's own parser accepts the grammar is to be checked against one.
#include "feedscout/llm/taxonomy_grammar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "feedscout/llm/dialect.h"
#include "support/test_support.h"

namespace feedscout::llm {
namespace {

// ---- A GBNF-subset matcher -------------------------------------------------------------
// Enumerates the language of a finite grammar as a multiset (a string derived two ways
// appears twice). Anything outside the subset (character classes, '*', '+', recursion)
// fails the test.
class GbnfSubset {
 public:
  explicit GbnfSubset(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const size_t def = line.find(" ::= ");
      if (def == std::string::npos) {
        ADD_FAILURE() << "not a rule: " << line;
        continue;
      }
      const std::string name = line.substr(0, def);
      for (char c : name) {
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-') << name;
      }
      EXPECT_TRUE(rules_.emplace(name, line.substr(def + 5)).second) << "rule twice: " << name;
    }
  }

  size_t rules() const { return rules_.size(); }

  std::vector<std::string> language(const std::string& rule = "root") {
    return expand_rule(rule, 0);
  }

 private:
  std::vector<std::string> expand_rule(const std::string& name, int depth) {
    auto it = rules_.find(name);
    if (it == rules_.end()) {
      ADD_FAILURE() << "undefined rule " << name;
      return {};
    }
    if (depth > 16) {
      ADD_FAILURE() << "recursion through " << name;
      return {};
    }
    size_t pos = 0;
    auto out = alternation(it->second, pos, depth);
    skip_space(it->second, pos);
    EXPECT_EQ(pos, it->second.size()) << "trailing text in rule " << name;
    return out;
  }

  static void skip_space(const std::string& s, size_t& pos) {
    while (pos < s.size() && s[pos] == ' ') ++pos;
  }

  std::vector<std::string> alternation(const std::string& s, size_t& pos, int depth) {
    std::vector<std::string> out = sequence(s, pos, depth);
    skip_space(s, pos);
    while (pos < s.size() && s[pos] == '|') {
      ++pos;
      auto more = sequence(s, pos, depth);
      out.insert(out.end(), more.begin(), more.end());
      skip_space(s, pos);
    }
    return out;
  }

  std::vector<std::string> sequence(const std::string& s, size_t& pos, int depth) {
    std::vector<std::string> out = {""};
    for (;;) {
      skip_space(s, pos);
      if (pos >= s.size() || s[pos] == '|' || s[pos] == ')') break;
      std::vector<std::string> item;
      if (s[pos] == '"') {
        item = {literal(s, pos)};
      } else if (s[pos] == '(') {
        ++pos;
        item = alternation(s, pos, depth);
        skip_space(s, pos);
        if (pos >= s.size() || s[pos] != ')') {
          ADD_FAILURE() << "unclosed group in: " << s;
          return {};
        }
        ++pos;
      } else if (std::isalnum(static_cast<unsigned char>(s[pos]))) {
        size_t end = pos;
        while (end < s.size() &&
               (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '-')) {
          ++end;
        }
        item = expand_rule(s.substr(pos, end - pos), depth + 1);
        pos = end;
      } else {
        ADD_FAILURE() << "outside the subset at '" << s.substr(pos, 10) << "'";
        return {};
      }
      if (pos < s.size() && s[pos] == '?') {
        item.insert(item.begin(), "");
        ++pos;
      } else if (pos < s.size() && (s[pos] == '*' || s[pos] == '+')) {
        ADD_FAILURE() << "repetition is outside the subset";
        return {};
      }
      std::vector<std::string> next;
      for (const auto& a : out) {
        for (const auto& b : item) next.push_back(a + b);
      }
      out = std::move(next);
    }
    return out;
  }

  // A "..." literal with GBNF escapes: \" \\ \n \r \t \xHH. Raw bytes are UTF-8 text.
  static std::string literal(const std::string& s, size_t& pos) {
    std::string out;
    ++pos;  // opening quote
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] != '\\') {
        out += s[pos++];
        continue;
      }
      ++pos;
      if (pos >= s.size()) break;
      const char e = s[pos++];
      if (e == '"' || e == '\\') {
        out += e;
      } else if (e == 'n') {
        out += '\n';
      } else if (e == 'r') {
        out += '\r';
      } else if (e == 't') {
        out += '\t';
      } else if (e == 'x' && pos + 2 <= s.size()) {
        out += static_cast<char>(std::stoi(s.substr(pos, 2), nullptr, 16));
        pos += 2;
      } else {
        ADD_FAILURE() << "unknown escape \\" << e;
      }
    }
    EXPECT_LT(pos, s.size()) << "unterminated literal in: " << s;
    ++pos;  // closing quote
    return out;
  }

  std::map<std::string, std::string> rules_;
};

std::multiset<std::string> as_multiset(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

std::multiset<std::string> paths_of(const Taxonomy& t, const std::vector<TopicId>& ids) {
  std::multiset<std::string> out;
  for (TopicId id : ids) out.insert(t.node(id).path);
  return out;
}

// Names that trip naive generators: quotes, backslashes, grammar metacharacters inside
// literals, non-ASCII, a name that is a prefix of its sibling ("축구" / "축구화", "x" / "x y"),
// a top-level name that is a prefix of another ("스포츠" / "스포츠 용품").
constexpr char kTiny[] =
    "id\tparent\tname\n"
    "1\t\t스포츠\n"
    "2\t1\t축구\n"
    "3\t1\t축구화\n"
    "4\t2\tK리그\n"
    "5\t2\tsay \"hi\"\n"
    "6\t\ta\\b\n"
    "7\t6\tx\n"
    "8\t6\tx y\n"
    "9\t\t스포츠 용품\n"
    "10\t9\t#1 | (a)?\n"
    "11\t10\tÜmlaut ü \"q\"\\\n"
    "12\t\t기타\n";

Taxonomy tiny() {
  auto t = Taxonomy::parse(kTiny, "tiny");
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return std::move(t).value();
}

std::vector<TopicId> labels_or_die(const Taxonomy& t, const TaxonomyLabelOptions& o) {
  auto l = taxonomy_labels(t, o);
  EXPECT_TRUE(l.is_ok()) << l.status().to_string();
  return l.is_ok() ? *l : std::vector<TopicId>{};
}

TEST(TaxonomyGrammarTest, ShippedTaxonomyLanguageIsExactlyItsPaths) {
  const Taxonomy& t = testing_support::taxonomy();
  auto g = taxonomy_to_gbnf(t);
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  GbnfSubset grammar(*g);
  const auto language = grammar.language();
  // Exactly every node's path (as LlmTopicClassifier names labels), each derived once.
  std::multiset<std::string> want;
  for (TopicId id = 0; id < t.size(); ++id) want.insert(t.node(id).path);
  EXPECT_EQ(want.size(), t.size());
  EXPECT_EQ(as_multiset(language), want);
  EXPECT_EQ(paths_of(t, labels_or_die(t, {})), want);

  // A prefix-shared trie, not a flat alternation: one rule per node with children, and every
  // node's name is spelt exactly once in the whole grammar.
  size_t inner = 0;
  std::vector<bool> has_child(t.size(), false);
  for (TopicId id = 0; id < t.size(); ++id) {
    if (t.node(id).parent != kNoTopic) has_child[t.node(id).parent] = true;
  }
  for (bool b : has_child) inner += b;
  EXPECT_EQ(grammar.rules(), inner + 1);
  std::map<std::string, size_t> nodes_named;
  for (TopicId id = 0; id < t.size(); ++id) ++nodes_named[t.node(id).name];
  for (const auto& [name, nodes] : nodes_named) {
    const std::string literal = gbnf_string_literal(name);
    size_t spelt = 0;
    for (size_t at = g->find(literal); at != std::string::npos; at = g->find(literal, at + 1)) {
      ++spelt;
    }
    EXPECT_EQ(spelt, nodes) << name;
  }
  EXPECT_LT(g->size(), 40000u);  // the flat alternation of ~635 full paths is larger
}

TEST(TaxonomyGrammarTest, ShippedTaxonomyLeavesAndLevels) {
  const Taxonomy& t = testing_support::taxonomy();
  for (int level = 1; level <= kMaxTopicLevel; ++level) {
    for (bool leaves : {false, true}) {
      TaxonomyLabelOptions o;
      o.max_level = level;
      o.leaves_only = leaves;
      auto g = taxonomy_to_gbnf(t, o);
      ASSERT_TRUE(g.is_ok()) << g.status().to_string();
      std::multiset<std::string> want;
      for (TopicId id = 0; id < t.size(); ++id) {
        const TopicNode& n = t.node(id);
        if (n.level > level) continue;
        bool has_child = false;
        for (TopicId c = 0; c < t.size() && !has_child; ++c) {
          has_child = t.node(c).parent == id && t.node(c).level <= level;
        }
        if (leaves && has_child) continue;
        want.insert(n.path);
      }
      EXPECT_EQ(as_multiset(GbnfSubset(*g).language()), want)
          << "max_level " << level << " leaves_only " << leaves;
      EXPECT_EQ(paths_of(t, labels_or_die(t, o)), want);
    }
  }
}

TEST(TaxonomyGrammarTest, TinyTaxonomyWithTrickyNames) {
  const Taxonomy t = tiny();
  auto g = taxonomy_to_gbnf(t);
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  const std::multiset<std::string> want = {"스포츠",
                                           "스포츠>축구",
                                           "스포츠>축구화",
                                           "스포츠>축구>K리그",
                                           "스포츠>축구>say \"hi\"",
                                           "a\\b",
                                           "a\\b>x",
                                           "a\\b>x y",
                                           "스포츠 용품",
                                           "스포츠 용품>#1 | (a)?",
                                           "스포츠 용품>#1 | (a)?>Ümlaut ü \"q\"\\",
                                           "기타"};
  EXPECT_EQ(as_multiset(GbnfSubset(*g).language()), want);

  TaxonomyLabelOptions leaves;
  leaves.leaves_only = true;
  auto gl = taxonomy_to_gbnf(t, leaves);
  ASSERT_TRUE(gl.is_ok());
  EXPECT_EQ(as_multiset(GbnfSubset(*gl).language()),
            (std::multiset<std::string>{"스포츠>축구화", "스포츠>축구>K리그",
                                        "스포츠>축구>say \"hi\"", "a\\b>x", "a\\b>x y",
                                        "스포츠 용품>#1 | (a)?>Ümlaut ü \"q\"\\", "기타"}));

  // Golden: the exact text, all options.
  std::string got = "# taxonomy_to_gbnf(tiny)\n" + *g + "# leaves_only\n" + *gl;
  TaxonomyLabelOptions two;
  two.max_level = 2;
  got += "# max_level 2\n" + *taxonomy_to_gbnf(t, two);
  const std::string path =
      std::string(FEEDSCOUT_SOURCE_DIR) + "/tests/llm/golden/taxonomy_tiny.gbnf";
  if (std::getenv("FEEDSCOUT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path;
  std::stringstream want_text;
  want_text << in.rdbuf();
  EXPECT_EQ(want_text.str(), got);
}

TEST(TaxonomyGrammarTest, EscapesLiterals) {
  EXPECT_EQ(gbnf_string_literal("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(gbnf_string_literal("축구"), "\"축구\"");
  EXPECT_EQ(gbnf_string_literal(std::string("\n\t\x01\x7f", 4)), "\"\\n\\t\\x01\\x7F\"");
}

TEST(TaxonomyGrammarTest, RejectsBadOptions) {
  const Taxonomy t = tiny();
  TaxonomyLabelOptions o;
  o.max_level = 0;
  EXPECT_EQ(taxonomy_to_gbnf(t, o).status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(taxonomy_labels(t, o).is_ok());
  o.max_level = 4;
  EXPECT_FALSE(taxonomy_to_gbnf(t, o).is_ok());
}

// Fake tokenizers for check_label_tokenisation: bytes as tokens, optionally with a
// SentencePiece-like dummy prefix token on every string, or a BPE-like merge of ':' with the
// byte after it.
class FakeTokenizer final : public PromptTokenizer {
 public:
  enum class Kind { kBytes, kDummyPrefix, kColonMerge };
  explicit FakeTokenizer(Kind k) : kind_(k) {}
  Result<std::vector<TokenId>> tokenize(const std::string& text) override {
    std::vector<TokenId> out;
    if (kind_ == Kind::kDummyPrefix) out.push_back(999);
    for (size_t i = 0; i < text.size(); ++i) {
      const auto b = static_cast<unsigned char>(text[i]);
      if (kind_ == Kind::kColonMerge && b == ':' && i + 1 < text.size()) {
        out.push_back(1000 + static_cast<unsigned char>(text[++i]));
      } else {
        out.push_back(b);
      }
    }
    return out;
  }

 private:
  Kind kind_;
};

TEST(TaxonomyGrammarTest, LabelTokenisationInContext) {
  const std::vector<std::string> labels = {"스포츠", "스포츠>축구"};
  FakeTokenizer bytes(FakeTokenizer::Kind::kBytes);
  auto same = check_label_tokenisation(bytes, "주제:", labels);
  ASSERT_TRUE(same.is_ok());
  EXPECT_TRUE(same->empty());

  FakeTokenizer dummy(FakeTokenizer::Kind::kDummyPrefix);
  auto prefixed = check_label_tokenisation(dummy, "주제:", labels);
  ASSERT_TRUE(prefixed.is_ok());
  ASSERT_EQ(prefixed->size(), 2u);
  EXPECT_FALSE((*prefixed)[0].boundary_merged);
  EXPECT_EQ((*prefixed)[0].standalone.front(), 999);
  EXPECT_EQ((*prefixed)[0].in_context.size() + 1, (*prefixed)[0].standalone.size());

  FakeTokenizer merge(FakeTokenizer::Kind::kColonMerge);
  auto merged = check_label_tokenisation(merge, "주제:", labels);
  ASSERT_TRUE(merged.is_ok());
  ASSERT_EQ(merged->size(), 2u);
  EXPECT_TRUE((*merged)[1].boundary_merged);
  EXPECT_EQ((*merged)[1].label, "스포츠>축구");
  // After a newline nothing merges: the separator the docs recommend.
  auto newline = check_label_tokenisation(merge, "주제:\n", labels);
  ASSERT_TRUE(newline.is_ok());
  EXPECT_TRUE(newline->empty());
}

}  // namespace
}  // namespace feedscout::llm
