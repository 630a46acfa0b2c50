// The project's fastText prediction (src/models/fasttext_inference.h) against the library's
// own predictLine, on models trained here from the shipped sample: same labels in the same
// order, same probabilities up to float summation order (and the library's +1e-5).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "feedscout/ingest/parse.h"
#include "feedscout/models/fasttext_classifier.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr char kSamplePath[] = FEEDSCOUT_SOURCE_DIR "/data/sample/documents.jsonl";

class FastTextInferenceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto t = Taxonomy::load_file(testing_support::kTaxonomyPath);
    ASSERT_TRUE(t.is_ok()) << t.status().to_string();
    taxonomy_ = std::make_unique<Taxonomy>(std::move(t).value());
  }

  // Texts the model has and has not seen: sample documents as they are, with words cut in
  // half (out-of-vocabulary: character n-grams only), shuffled, mixed with Latin, digits,
  // emoji, label-looking tokens, and empty or whitespace-only texts.
  std::vector<std::pair<std::string, std::string>> texts(const std::vector<Document>& docs) {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < docs.size() && out.size() < 400; i += 6) {
      const Document& d = docs[i];
      out.emplace_back(d.title, d.body);
      std::string cut;
      for (size_t p = 0; p < d.body.size();) {
        size_t e = d.body.find(' ', p);
        if (e == std::string::npos) e = d.body.size();
        std::string_view w(d.body.data() + p, e - p);
        // Keep the first code point of each word (UTF-8 aware) plus a suffix nobody wrote.
        size_t n = 1;
        while (n < w.size() && (static_cast<unsigned char>(w[n]) & 0xC0) == 0x80) ++n;
        cut += std::string(w.substr(0, n)) + "겷 ";
        p = e + 1;
      }
      out.emplace_back("Breaking " + std::to_string(i) + " 🚀", cut);
      out.emplace_back(d.body, d.title + " __label__533 __label__nothing");
    }
    out.emplace_back("", "");
    out.emplace_back("   ", "\t\n");
    out.emplace_back("x", "");
    return out;
  }

  std::unique_ptr<Taxonomy> taxonomy_;
  testing_support::TempDir dir_{"feedscout_fasttext_inference"};
};

TEST_P(FastTextInferenceTest, MatchesTheLibraryOnSeenAndUnseenTexts) {
  const std::string model = dir_.file("m.bin");
  FastTextTrainOptions opts;
  opts.epoch = 3;
  opts.learning_rate = 0.3;
  opts.bucket = 50000;
  opts.loss = GetParam();
  auto report = train_fasttext_topics(kSamplePath, *taxonomy_, model, opts);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();

  auto fast = load_fasttext_classifier(model, *taxonomy_);
  FastTextLoadOptions library_only;
  library_only.library_inference = true;
  auto library = load_fasttext_classifier(model, *taxonomy_, library_only);
  ASSERT_TRUE(fast.is_ok() && library.is_ok());
  auto docs = read_documents_file(kSamplePath, *taxonomy_);
  ASSERT_TRUE(docs.is_ok()) << docs.status().to_string();

  size_t compared = 0, with_topics = 0;
  for (const auto& [title, body] : texts(*docs)) {
    auto a = (*fast)->classify(title, body, 5, 0.0f);
    auto b = (*library)->classify(title, body, 5, 0.0f);
    ASSERT_TRUE(a.is_ok() && b.is_ok());
    ASSERT_EQ(a->size(), b->size()) << title;
    for (size_t i = 0; i < a->size(); ++i) {
      // The library reports p + 1e-5; summation order differs by a few ulps.
      EXPECT_NEAR((*a)[i].score + 1e-5f, (*b)[i].score, 1e-4f) << title << " rank " << i;
      if ((*a)[i].topic != (*b)[i].topic) {
        // Only a near-tie may swap places.
        EXPECT_NEAR((*a)[i].score, (*b)[i].score, 1e-4f) << title << " rank " << i;
      }
    }
    ++compared;
    if (!a->empty()) ++with_topics;
  }
  EXPECT_GE(compared, 400u);
  EXPECT_GE(with_topics, 400u);
}

INSTANTIATE_TEST_SUITE_P(Losses, FastTextInferenceTest, ::testing::Values("ova", "softmax"));

}  // namespace
}  // namespace feedscout
