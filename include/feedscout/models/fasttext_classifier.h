// The default, in-process topic classifier on fastText (Debian libfasttext-dev).
//
// Trained from labelled JSON Lines in the document format (docs/FORMATS.md): every
// document with a non-empty "topics" list is a training example, labelled with each of
// its topics (any level of any taxonomy). Loss "ova" (one-vs-all) gives independent
// per-label probabilities, so a document can carry several topics.
#pragma once

#include <memory>
#include <string>

#include "feedscout/common/status.h"
#include "feedscout/ingest/parse.h"
#include "feedscout/models/topic_classifier.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct FastTextTrainOptions {
  int epoch = 30;
  double learning_rate = 0.5;
  int dim = 48;
  int word_ngrams = 2;
  int min_char_ngram = 2;  // sub-word n-grams (in characters) cover Korean morphology
  int max_char_ngram = 3;
  int bucket = 100000;
  int threads = 1;  // 1 keeps training deterministic for a given seed
  int seed = 7;
  std::string loss = "ova";  // "ova" or "softmax"
  size_t max_text_bytes = 4096;
};

struct TrainReport {
  size_t examples = 0;            // documents used
  size_t skipped = 0;             // documents without topics
  size_t labels = 0;              // distinct topics seen
  std::vector<ItemError> errors;  // unreadable lines, with line numbers
  double seconds = 0;
};

// Trains on `labelled_jsonl` and writes the model to `model_path`.
[[nodiscard]] Result<TrainReport> train_fasttext_topics(const std::string& labelled_jsonl,
                                                        const Taxonomy& taxonomy,
                                                        const std::string& model_path,
                                                        const FastTextTrainOptions& options);

struct FastTextLoadOptions {
  // Predict with fastText's own predictLine instead of the project's re-implementation
  // (src/models/fasttext_inference.h), which gives the same probabilities several times
  // faster. Models the re-implementation does not support (quantised, other losses) always
  // use the library.
  bool library_inference = false;
};

// Loads a model written by train_fasttext_topics. Labels unknown to `taxonomy` are never
// returned (and counted in the message when all labels are unknown, which is an error).
// `taxonomy` must outlive the classifier.
[[nodiscard]] Result<std::unique_ptr<TopicClassifier>> load_fasttext_classifier(
    const std::string& model_path, const Taxonomy& taxonomy,
    const FastTextLoadOptions& options = {});

}  // namespace feedscout
