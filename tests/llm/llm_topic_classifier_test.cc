// The language-model topic classifier over the shipped taxonomy with a deterministic
// in-process scorer and tokenizer (no language-model server runs here): every answer is a
// valid topic with its constrained probability, faults fall back to the student and are
// counted, and label collisions are reported when the classifier is built.
#include "feedscout/llm/llm_topic_classifier.h"

#include <gtest/gtest.h>

#include <mutex>

#include "support/test_support.h"

namespace feedscout::llm {
namespace {

using testing_support::taxonomy;
using testing_support::topic;

constexpr TokenId kEnd = 0;

// Byte tokens: byte b is token b + 1. `fold` maps '>' to ' ' (to make labels collide).
class ByteTokenizer final : public PromptTokenizer {
 public:
  bool fail = false;
  Result<std::vector<TokenId>> tokenize(const std::string& text) override {
    if (fail) return Status::unavailable("tokenizer down");
    std::vector<TokenId> out;
    for (unsigned char c : text) out.push_back(static_cast<TokenId>(c) + 1);
    return out;
  }
};

// Strongly prefers continuing `target` (its next byte, or the end token once it is
// complete); everything else gets a low log-probability. Thread-safe.
class PreferScorer final : public NextTokenScorer {
 public:
  explicit PreferScorer(std::string target) : target_(std::move(target)) {}
  bool down = false;
  Result<std::vector<std::vector<double>>> next_logprobs(
      std::span<const TokenId>, const std::vector<std::vector<TokenId>>& prefixes,
      const std::vector<std::span<const TokenId>>& allowed) override {
    if (down) return Status::unavailable("server down");
    std::vector<std::vector<double>> out;
    for (size_t i = 0; i < prefixes.size(); ++i) {
      const size_t n = prefixes[i].size();
      bool on_path = n <= target_.size();
      for (size_t j = 0; j < n && on_path; ++j) {
        on_path = prefixes[i][j] == static_cast<unsigned char>(target_[j]) + 1;
      }
      std::vector<double> lp;
      for (TokenId t : allowed[i]) {
        const TokenId want = n < target_.size()
                                 ? static_cast<TokenId>(static_cast<unsigned char>(target_[n])) + 1
                                 : kEnd;
        lp.push_back(on_path && t == want ? 0.0 : -8.0);
      }
      out.push_back(std::move(lp));
    }
    return out;
  }

 private:
  std::string target_;
};

class FixedClassifier final : public TopicClassifier {
 public:
  explicit FixedClassifier(TopicId t) : t_(t) {}
  Result<std::vector<TopicPrediction>> classify(std::string_view, std::string_view, int,
                                                float) const override {
    return std::vector<TopicPrediction>{{t_, 0.9f}};
  }
  std::string describe() const override { return "fixed"; }

 private:
  TopicId t_;
};

PromptTemplate classify_prompt() {
  auto t = PromptTemplate::load_file(FEEDSCOUT_SOURCE_DIR "/data/prompts/classify.txt");
  EXPECT_TRUE(t.is_ok());
  return std::move(t).value();
}

LlmClassifierOptions options() {
  LlmClassifierOptions o;
  o.end_token = kEnd;
  o.body_budget = 50;
  return o;
}

TEST(LlmTopicClassifier, AnswersAreValidTopicsWithConstrainedProbabilities) {
  const TopicId football = topic("스포츠>축구");
  auto scorer = std::make_shared<PreferScorer>(taxonomy().node(football).path);
  auto c = LlmTopicClassifier::create(taxonomy(), std::make_shared<ByteTokenizer>(), scorer,
                                      classify_prompt(), options(), nullptr);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  auto r = (*c)->classify("손흥민 결승골", std::string(500, 'x'), 3, 0.0f);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].topic, football);
  EXPECT_GT((*r)[0].score, 0.9f);
  EXPECT_EQ((*r)[0].source, TopicSource::kLanguageModel);
  for (size_t i = 0; i < r->size(); ++i) {
    EXPECT_LT((*r)[i].topic, taxonomy().size());
    EXPECT_GE((*r)[i].score, 0.0f);
    EXPECT_LE((*r)[i].score, 1.0f);
    if (i > 0) {
      EXPECT_GE((*r)[i - 1].score, (*r)[i].score);
    }
  }
  EXPECT_LE(r->size(), 3u);
  const auto s = (*c)->stats();
  EXPECT_EQ(s.classified, 1u);
  EXPECT_EQ(s.truncated, 1u);  // 500 characters of body, budget 50
  // min_score filters.
  r = (*c)->classify("손흥민 결승골", "짧은 본문", 3, 0.95f);
  ASSERT_TRUE(r.is_ok());
  for (const auto& p : *r) EXPECT_GE(p.score, 0.95f);
}

TEST(LlmTopicClassifier, FaultsFallBackToTheStudentAndAreCounted) {
  const TopicId travel = topic("여행");
  auto scorer = std::make_shared<PreferScorer>("여행");
  scorer->down = true;
  auto c = LlmTopicClassifier::create(taxonomy(), std::make_shared<ByteTokenizer>(), scorer,
                                      classify_prompt(), options(),
                                      std::make_unique<FixedClassifier>(travel));
  ASSERT_TRUE(c.is_ok());
  auto r = (*c)->classify("제주 여행", "본문", 3, 0.0f);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].topic, travel);
  EXPECT_EQ((*r)[0].source, TopicSource::kClassifier);  // the student answered
  EXPECT_EQ((*c)->stats().faults, 1u);
  EXPECT_EQ((*c)->stats().fallbacks, 1u);
  EXPECT_NE((*c)->describe().find("fallback fixed"), std::string::npos);

  // Without a fallback the fault is an error.
  auto bare = LlmTopicClassifier::create(taxonomy(), std::make_shared<ByteTokenizer>(), scorer,
                                         classify_prompt(), options(), nullptr);
  ASSERT_TRUE(bare.is_ok());
  auto e = (*bare)->classify("제주 여행", "본문", 3, 0.0f);
  ASSERT_FALSE(e.is_ok());
  EXPECT_NE(e.status().to_string().find("server down"), std::string::npos);
}

TEST(LlmTopicClassifier, BuildErrorsAreReported) {
  auto scorer = std::make_shared<PreferScorer>("x");
  auto tok = std::make_shared<ByteTokenizer>();
  tok->fail = true;
  auto c =
      LlmTopicClassifier::create(taxonomy(), tok, scorer, classify_prompt(), options(), nullptr);
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().to_string().find("tokenising label"), std::string::npos);
  EXPECT_FALSE(
      LlmTopicClassifier::create(taxonomy(), nullptr, scorer, classify_prompt(), options(), nullptr)
          .is_ok());
  // A label containing the end token's byte cannot be built: the end token must not occur.
  LlmClassifierOptions o = options();
  o.end_token = static_cast<TokenId>(static_cast<unsigned char>('>')) + 1;
  EXPECT_FALSE(LlmTopicClassifier::create(taxonomy(), std::make_shared<ByteTokenizer>(), scorer,
                                          classify_prompt(), o, nullptr)
                   .is_ok());
}

}  // namespace
}  // namespace feedscout::llm
