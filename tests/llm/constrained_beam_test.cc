// Trie-constrained beam search against deterministic in-process scorers: hand-computed
// ranking, prefix labels, adversarial scores (every answer is a valid label, never twice),
// beams never duplicated, scorer faults, and label collisions reported at build.
#include "feedscout/llm/constrained_beam.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>

#include "support/test_support.h"

namespace feedscout::llm {
namespace {

constexpr TokenId kEnd = 0;

// Byte-level tokens for tests: byte b is token b + 1 (so 0 is free for the end token).
std::vector<TokenId> bytes_of(const std::string& s) {
  std::vector<TokenId> out;
  for (unsigned char c : s) out.push_back(static_cast<TokenId>(c) + 1);
  return out;
}

LabelTrie trie_of(const std::vector<std::string>& labels) {
  std::vector<std::vector<TokenId>> seqs;
  for (const auto& l : labels) seqs.push_back(bytes_of(l));
  auto t = LabelTrie::build(seqs, labels, kEnd);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return std::move(t).value();
}

// Probabilities per prefix text: table[prefix][token char or '$' for end].
class TableScorer final : public NextTokenScorer {
 public:
  std::map<std::string, std::map<char, double>> table;
  std::vector<std::vector<std::vector<TokenId>>> calls;  // prefixes per step

  Result<std::vector<std::vector<double>>> next_logprobs(
      std::span<const TokenId>, const std::vector<std::vector<TokenId>>& prefixes,
      const std::vector<std::span<const TokenId>>& allowed) override {
    calls.push_back(prefixes);
    std::vector<std::vector<double>> out;
    for (size_t i = 0; i < prefixes.size(); ++i) {
      std::string prefix;
      for (TokenId t : prefixes[i]) prefix += static_cast<char>(t - 1);
      std::vector<double> lp;
      for (TokenId t : allowed[i]) {
        const char c = t == kEnd ? '$' : static_cast<char>(t - 1);
        const auto& row = table[prefix];
        auto it = row.find(c);
        lp.push_back(it == row.end() ? -std::numeric_limits<double>::infinity()
                                     : std::log(it->second));
      }
      out.push_back(std::move(lp));
    }
    return out;
  }
};

// Labels A = "ab", B = "ac", C = "b". P(a) = .6, P(b) = .4; after "a": P(b) = .7, P(c) = .3;
// each complete label then ends with probability 1. So P(A) = .42, P(C) = .4, P(B) = .18.
TableScorer three_labels() {
  TableScorer s;
  s.table[""] = {{'a', 0.6}, {'b', 0.4}};
  s.table["a"] = {{'b', 0.7}, {'c', 0.3}};
  s.table["ab"] = {{'$', 1.0}};
  s.table["ac"] = {{'$', 1.0}};
  s.table["b"] = {{'$', 1.0}};
  return s;
}

TEST(ConstrainedBeam, RanksLabelsByHandComputedProbability) {
  const LabelTrie trie = trie_of({"ab", "ac", "b"});
  TableScorer s = three_labels();
  auto r = constrained_beam_search(trie, {}, s, {});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].label, 0u);
  EXPECT_NEAR((*r)[0].probability, 0.42, 1e-12);
  EXPECT_EQ((*r)[0].tokens, 3u);  // a, b, end
  EXPECT_EQ((*r)[1].label, 2u);
  EXPECT_NEAR((*r)[1].probability, 0.40, 1e-12);
  EXPECT_EQ((*r)[2].label, 1u);
  EXPECT_NEAR((*r)[2].probability, 0.18, 1e-12);
  EXPECT_NEAR((*r)[2].logprob, std::log(0.18), 1e-12);

  // One beam is greedy decoding: "b" (C) is pruned at the first step and "ac" (B) at the
  // second, so only A is found.
  TableScorer s1 = three_labels();
  BeamOptions one;
  one.beams = 1;
  r = constrained_beam_search(trie, {}, s1, one);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].label, 0u);
  for (const auto& step : s1.calls) EXPECT_EQ(step.size(), 1u);

  // Length penalty 1: score = logprob / tokens: A log(.42)/3 = -0.289, C log(.4)/2 = -0.458,
  // B log(.18)/3 = -0.572 — the same order here, with these scores.
  TableScorer s2 = three_labels();
  BeamOptions pen;
  pen.length_penalty = 1.0;
  r = constrained_beam_search(trie, {}, s2, pen);
  ASSERT_TRUE(r.is_ok());
  EXPECT_NEAR((*r)[0].score, std::log(0.42) / 3, 1e-12);
  EXPECT_NEAR((*r)[1].score, std::log(0.40) / 2, 1e-12);

  // top_k cuts the list.
  TableScorer s3 = three_labels();
  BeamOptions top1;
  top1.top_k = 1;
  r = constrained_beam_search(trie, {}, s3, top1);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].label, 0u);
}

TEST(ConstrainedBeam, AParentLabelEndsWhereItsChildContinues) {
  // "스포츠" and "스포츠>축구": stopping at the parent is a choice, not a truncation.
  const LabelTrie trie = trie_of({"ab", "abc"});
  EXPECT_EQ(
      trie.allowed(*trie.child(*trie.child(LabelTrie::kRoot, bytes_of("a")[0]), bytes_of("b")[0]))
          .size(),
      2u);  // 'c' and the end token
  TableScorer s;
  s.table[""] = {{'a', 1.0}};
  s.table["a"] = {{'b', 1.0}};
  s.table["ab"] = {{'$', 0.25}, {'c', 0.75}};
  s.table["abc"] = {{'$', 1.0}};
  auto r = constrained_beam_search(trie, {}, s, {});
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].label, 1u);
  EXPECT_NEAR((*r)[0].probability, 0.75, 1e-12);
  EXPECT_EQ((*r)[1].label, 0u);
  EXPECT_NEAR((*r)[1].probability, 0.25, 1e-12);
}

// Arbitrary answers: huge, NaN, ±inf, positive log-probabilities.
class AdversarialScorer final : public NextTokenScorer {
 public:
  explicit AdversarialScorer(uint64_t seed) : rng_(seed) {}
  std::vector<std::vector<std::vector<TokenId>>> calls;
  Result<std::vector<std::vector<double>>> next_logprobs(
      std::span<const TokenId>, const std::vector<std::vector<TokenId>>& prefixes,
      const std::vector<std::span<const TokenId>>& allowed) override {
    calls.push_back(prefixes);
    std::vector<std::vector<double>> out;
    for (const auto& a : allowed) {
      std::vector<double> lp;
      for (size_t j = 0; j < a.size(); ++j) {
        switch (rng_() % 7) {
          case 0:
            lp.push_back(std::numeric_limits<double>::quiet_NaN());
            break;
          case 1:
            lp.push_back(std::numeric_limits<double>::infinity());
            break;
          case 2:
            lp.push_back(-std::numeric_limits<double>::infinity());
            break;
          case 3:
            lp.push_back(1e300);
            break;
          default:
            lp.push_back(std::uniform_real_distribution<double>(-30, 30)(rng_));
        }
      }
      out.push_back(std::move(lp));
    }
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(ConstrainedBeam, AdversarialScoresNeverYieldAnInvalidOrRepeatedLabel) {
  // Every path of the shipped taxonomy (635 labels, 3 levels) as a label.
  const Taxonomy& tax = testing_support::taxonomy();
  std::vector<std::string> names;
  for (TopicId t = 0; t < tax.size(); ++t) names.push_back(tax.node(t).path);
  const LabelTrie trie = trie_of(names);
  EXPECT_EQ(trie.labels(), tax.size());
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    AdversarialScorer s(seed);
    for (bool renormalize : {true, false}) {
      BeamOptions o;
      o.renormalize = renormalize;
      o.beams = 1 + seed % 5;
      o.top_k = 1 + seed % 4;
      auto r = constrained_beam_search(trie, bytes_of("prompt"), s, o);
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      EXPECT_LE(r->size(), o.top_k);
      std::set<size_t> labels;
      for (const LabelScore& ls : *r) {
        ASSERT_LT(ls.label, names.size());
        EXPECT_TRUE(labels.insert(ls.label).second) << "label returned twice";
        EXPECT_FALSE(std::isnan(ls.score));
      }
    }
    // Beams are never duplicated within a step, and never more than `beams` of them.
    for (const auto& step : s.calls) {
      std::set<std::vector<TokenId>> distinct(step.begin(), step.end());
      EXPECT_EQ(distinct.size(), step.size());
      EXPECT_LE(step.size(), 5u);
    }
  }
}

class FaultyScorer final : public NextTokenScorer {
 public:
  int mode = 0;
  Result<std::vector<std::vector<double>>> next_logprobs(
      std::span<const TokenId>, const std::vector<std::vector<TokenId>>& prefixes,
      const std::vector<std::span<const TokenId>>& allowed) override {
    if (mode == 0) return Status::unavailable("server down");
    if (mode == 1) return std::vector<std::vector<double>>(prefixes.size() + 1);
    return std::vector<std::vector<double>>(prefixes.size(),
                                            std::vector<double>(allowed[0].size() + 1, -1.0));
  }
};

TEST(ConstrainedBeam, ScorerFaultsAndBadOptionsAreErrors) {
  const LabelTrie trie = trie_of({"ab", "ac", "b"});
  FaultyScorer f;
  for (int mode : {0, 1, 2}) {
    f.mode = mode;
    auto r = constrained_beam_search(trie, {}, f, {});
    ASSERT_FALSE(r.is_ok()) << mode;
    EXPECT_NE(r.status().to_string().find("step 0"), std::string::npos) << r.status().to_string();
  }
  TableScorer s = three_labels();
  BeamOptions bad;
  bad.beams = 0;
  EXPECT_FALSE(constrained_beam_search(trie, {}, s, bad).is_ok());
  // Every token masked: no label, no error.
  TableScorer masked;
  auto r = constrained_beam_search(trie, {}, masked, {});
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->empty());
}

TEST(LabelTrie, CollisionsAndBadLabelsAreReportedByName) {
  auto r = LabelTrie::build({{1, 2}, {3}, {1, 2}}, {"스포츠>축구", "여행", "Sports>Soccer"}, kEnd);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().to_string().find("'스포츠>축구' and 'Sports>Soccer'"), std::string::npos)
      << r.status().to_string();
  EXPECT_FALSE(LabelTrie::build({{1, kEnd}}, {"x"}, kEnd).is_ok());
  EXPECT_FALSE(LabelTrie::build({{}}, {"x"}, kEnd).is_ok());
  EXPECT_FALSE(LabelTrie::build({}, {}, kEnd).is_ok());
  EXPECT_FALSE(LabelTrie::build({{1}}, {}, kEnd).is_ok());
  auto ok = LabelTrie::build({{1, 2}, {1}}, {"ab", "a"}, kEnd);
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->max_depth(), 3u);
  EXPECT_FALSE(ok->child(LabelTrie::kRoot, 9).has_value());
  EXPECT_TRUE(ok->allowed(12345).empty());
}

}  // namespace
}  // namespace feedscout::llm
