// The real fastText classifier, trained on a small labelled set the test writes.
#include "feedscout/models/fasttext_classifier.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "support/test_support.h"

namespace feedscout {
namespace {

class FastTextClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = Taxonomy::load_file(testing_support::kTaxonomyPath);
    ASSERT_TRUE(t.is_ok()) << t.status().to_string();
    taxonomy_ = std::make_unique<Taxonomy>(std::move(t).value());
  }

  // Writes a labelled file: soccer (533) and baseball (545) documents with distinct words,
  // plus one line without topics and one broken line.
  std::string write_training_file() {
    const std::string path = dir_.file("train.jsonl");
    std::ofstream out(path);
    const char* soccer[] = {"손흥민 결승골 프리미어리그", "K리그 골키퍼 선방 승부차기",
                            "월드컵 예선 국가대표 축구", "챔피언스리그 해트트릭 공격수"};
    const char* baseball[] = {"홈런 타자 KBO 리그", "투수 삼진 완봉승 마운드",
                              "프로야구 한국시리즈 우승", "도루 안타 타율 야구"};
    int id = 0;
    for (int rep = 0; rep < 15; ++rep) {
      for (const char* t : soccer) {
        out << R"({"id":"s)" << id++ << R"(","title":")" << t
            << R"(","body":"축구 경기","created_at":"2026-11-01T00:00:00Z","topics":["533"]})"
            << "\n";
      }
      for (const char* t : baseball) {
        out << R"({"id":"b)" << id++ << R"(","title":")" << t
            << R"(","body":"야구 경기","created_at":"2026-11-01T00:00:00Z","topics":["스포츠>야구"]})"
            << "\n";
      }
    }
    out << R"({"id":"x","title":"no topics","created_at":"2026-11-01T00:00:00Z"})"
        << "\n";
    out << "{broken\n";
    return path;
  }

  std::unique_ptr<Taxonomy> taxonomy_;
  testing_support::TempDir dir_{"feedscout_fasttext"};
};

TEST_F(FastTextClassifierTest, TrainsLoadsAndReturnsOnlyValidTopics) {
  const std::string model = dir_.file("m.bin");
  FastTextTrainOptions opts;
  opts.epoch = 50;
  opts.bucket = 20000;
  auto report = train_fasttext_topics(write_training_file(), *taxonomy_, model, opts);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->examples, 120u);
  EXPECT_EQ(report->skipped, 1u);
  EXPECT_EQ(report->labels, 2u);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].position, 122u);  // the broken line, by number

  auto cls = load_fasttext_classifier(model, *taxonomy_);
  ASSERT_TRUE(cls.is_ok()) << cls.status().to_string();
  const TopicId soccer = *taxonomy_->find_by_external_id("533");
  const TopicId baseball = *taxonomy_->find_by_external_id("545");

  auto p = (*cls)->classify("손흥민 프리미어리그 결승골", "", 3, 0.0f);
  ASSERT_TRUE(p.is_ok());
  ASSERT_FALSE(p->empty());
  EXPECT_EQ((*p)[0].topic, soccer);
  auto q = (*cls)->classify("KBO 홈런 타자", "투수 삼진", 3, 0.0f);
  ASSERT_TRUE(q.is_ok());
  ASSERT_FALSE(q->empty());
  EXPECT_EQ((*q)[0].topic, baseball);
  for (const auto& r : {*p, *q}) {
    EXPECT_LE(r.size(), 3u);
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_LT(r[i].topic, taxonomy_->size());
      EXPECT_GE(r[i].score, 0.0f);
      EXPECT_LE(r[i].score, 1.0f);
      if (i > 0) {
        EXPECT_GE(r[i - 1].score, r[i].score);
      }
    }
  }
  // k limits the answer; an empty text gives no topics rather than an error.
  auto one = (*cls)->classify("손흥민", "", 1, 0.0f);
  ASSERT_TRUE(one.is_ok());
  EXPECT_EQ(one->size(), 1u);
  auto none = (*cls)->classify("", "!!!", 3, 0.0f);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(FastTextClassifierTest, BadModelFilesAreClearErrors) {
  auto missing = load_fasttext_classifier(dir_.file("nope.bin"), *taxonomy_);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("train-topics"), std::string::npos);

  const std::string garbage = dir_.file("garbage.bin");
  std::ofstream(garbage) << "this is not a fastText model";
  auto bad = load_fasttext_classifier(garbage, *taxonomy_);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find(garbage), std::string::npos);
}

TEST_F(FastTextClassifierTest, TrainingWithoutLabelsIsRefused) {
  const std::string path = dir_.file("empty.jsonl");
  std::ofstream(path) << R"({"id":"x","title":"t","created_at":"2026-11-01T00:00:00Z"})"
                      << "\n";
  auto r = train_fasttext_topics(path, *taxonomy_, dir_.file("m.bin"), {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  auto missing = train_fasttext_topics(dir_.file("none.jsonl"), *taxonomy_, dir_.file("m.bin"), {});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace feedscout
