// The fastText document embedder, trained on a small generated Korean pool: two topics
// (football, cooking) with distinct vocabularies and particles attached to the nouns.
#include "feedscout/models/fasttext_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "support/test_support.h"

namespace feedscout {
namespace {

const std::vector<std::string> kFootball = {"축구",   "손흥민",       "골키퍼",   "월드컵",
                                            "공격수", "프리미어리그", "득점",     "감독",
                                            "수비수", "경기장",       "해트트릭", "페널티킥"};
const std::vector<std::string> kCooking = {"요리", "레시피", "김치찌개", "된장",
                                           "양파", "마늘",   "프라이팬", "간장",
                                           "반찬", "식당",   "볶음밥",   "참기름"};
const std::vector<std::string> kParticles = {"", "를", "가", "의", "는", "에서"};

// A document of 6..10 words of one topic, with random particles.
std::string make_text(const std::vector<std::string>& vocab, std::mt19937& rng) {
  std::uniform_int_distribution<size_t> len(6, 10), word(0, vocab.size() - 1),
      particle(0, kParticles.size() - 1);
  std::string s;
  const size_t n = len(rng);
  for (size_t i = 0; i < n; ++i) {
    if (!s.empty()) s += ' ';
    s += vocab[word(rng)] + kParticles[particle(rng)];
  }
  return s;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

class FastTextEmbedderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing_support::TempDir("feedscout_embed");
    const std::string pool = dir_->file("pool.jsonl");
    std::ofstream out(pool);
    std::mt19937 rng(11);
    for (int i = 0; i < 300; ++i) {
      const auto& vocab = i % 2 == 0 ? kFootball : kCooking;
      out << R"({"id":"d)" << i << R"(","title":")" << make_text(vocab, rng) << R"(","body":")"
          << make_text(vocab, rng) << R"(","created_at":"2026-11-01T00:00:00Z"})"
          << "\n";
    }
    out << "{broken\n";
    out.close();
    FastTextEmbedderTrainOptions opt;
    opt.dim = 32;
    opt.epoch = 20;  // a tiny pool needs many passes at a high rate to separate topics
    opt.learning_rate = 0.2;
    opt.min_count = 1;
    model_ = new std::string(dir_->file("embed.bin"));
    auto report = train_fasttext_embedder(pool, testing_support::taxonomy(), *model_, opt);
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    EXPECT_EQ(report->documents, 300u);
    EXPECT_EQ(report->errors.size(), 1u);
    EXPECT_GT(report->words, 24u);
    std::printf("[ embed  ] trained on %zu documents, %zu words in %.2f s\n", report->documents,
                report->words, report->seconds);
    EXPECT_LT(report->seconds, 5.0);
  }
  static void TearDownTestSuite() {
    delete model_;
    delete dir_;
  }

  static std::unique_ptr<Embedder> load() {
    auto e = load_fasttext_embedder(*model_);
    EXPECT_TRUE(e.is_ok()) << e.status().to_string();
    return std::move(e).value();
  }

  static testing_support::TempDir* dir_;
  static std::string* model_;
};
testing_support::TempDir* FastTextEmbedderTest::dir_ = nullptr;
std::string* FastTextEmbedderTest::model_ = nullptr;

TEST_F(FastTextEmbedderTest, VectorsAreNormalisedAndTopicsSeparate) {
  auto embedder = load();
  ASSERT_TRUE(embedder);
  EXPECT_EQ(embedder->dimension(), 32u);
  EXPECT_EQ(embedder->describe(), "fasttext-embed:" + *model_);
  std::mt19937 rng(99);  // held-out documents, new word combinations
  std::vector<std::vector<float>> football, cooking;
  for (int i = 0; i < 20; ++i) {
    for (auto* pair : {&football, &cooking}) {
      const auto& vocab = pair == &football ? kFootball : kCooking;
      auto v = embedder->embed(make_text(vocab, rng), "");
      ASSERT_TRUE(v.is_ok()) << v.status().to_string();
      ASSERT_EQ(v->size(), 32u);
      EXPECT_NEAR(dot(*v, *v), 1.0, 1e-5);
      pair->push_back(std::move(v).value());
    }
  }
  double same = 0, cross = 0;
  size_t n_same = 0, n_cross = 0;
  for (size_t i = 0; i < football.size(); ++i) {
    for (size_t j = 0; j < football.size(); ++j) {
      if (i != j) {
        same += dot(football[i], football[j]) + dot(cooking[i], cooking[j]);
        n_same += 2;
      }
      cross += dot(football[i], cooking[j]);
      ++n_cross;
    }
  }
  same /= static_cast<double>(n_same);
  cross /= static_cast<double>(n_cross);
  std::printf("[ embed  ] mean cosine: same topic %.3f, across topics %.3f\n", same, cross);
  EXPECT_GT(same, cross + 0.3);

  // An inflection never seen in training still lands near its topic (sub-word n-grams).
  auto unseen = embedder->embed("손흥민으로부터 월드컵까지", "");
  ASSERT_TRUE(unseen.is_ok());
  EXPECT_GT(dot(*unseen, football[0]), dot(*unseen, cooking[0]));
}

TEST_F(FastTextEmbedderTest, SaveLoadGivesIdenticalVectorsAndBatchMatches) {
  auto a = load();
  auto b = load();
  const std::vector<EmbedInput> docs = {{"손흥민 해트트릭", "프리미어리그 경기장에서"},
                                        {"김치찌개 레시피", "된장 양파 마늘"},
                                        {"", "🙂🙂"}};
  auto batch = b->embed_batch(docs);
  ASSERT_EQ(batch.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    auto v = a->embed(docs[i].title, docs[i].body);
    ASSERT_TRUE(v.is_ok() && batch[i].is_ok());
    EXPECT_EQ(*v, *batch[i]);  // bit-identical across loads
  }
  EXPECT_EQ(batch[2].status().code(), Status::Code::kInvalidArgument);
}

TEST_F(FastTextEmbedderTest, TextWithoutWordsIsAnErrorNotAZeroVector) {
  auto e = load();
  for (const auto& [title, body] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"   ", "\t"}, {"🎉🎉", "!!! ..."}}) {
    auto v = e->embed(title, body);
    EXPECT_EQ(v.status().code(), Status::Code::kInvalidArgument) << title;
    EXPECT_NE(v.status().message().find("no words"), std::string::npos);
  }
}

TEST_F(FastTextEmbedderTest, LoadAndTrainErrors) {
  EXPECT_EQ(load_fasttext_embedder(dir_->file("missing.bin")).status().code(),
            Status::Code::kNotFound);
  const std::string junk = dir_->file("junk.bin");
  std::ofstream(junk) << "not a model";
  EXPECT_EQ(load_fasttext_embedder(junk).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(train_fasttext_embedder(dir_->file("none.jsonl"), testing_support::taxonomy(),
                                    dir_->file("x.bin"), {})
                .status()
                .code(),
            Status::Code::kNotFound);
  const std::string empty = dir_->file("empty.jsonl");
  std::ofstream(empty) << R"({"id":"e","title":"🙂","created_at":"2026-11-01T00:00:00Z"})"
                       << "\n";
  EXPECT_EQ(train_fasttext_embedder(empty, testing_support::taxonomy(), dir_->file("x.bin"), {})
                .status()
                .code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace feedscout
