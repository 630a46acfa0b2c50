// Topic classification: a document's title and body → up to k taxonomy topics with scores.
//
// One interface for every classifier the engine can use: the in-process fastText student
// (fasttext_classifier.h) now, a language model with trie-constrained decoding later.
// Contract for every implementation: each returned topic is a valid node of the taxonomy
// the classifier was built with, topics are distinct, sorted by score (highest first), and
// scores lie in 0..1. classify() is safe to call from many threads at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct TopicPrediction {
  TopicId topic = kNoTopic;
  float score = 0;  // 0..1
  // Who answered (stored with the document's topic); a classifier with a fallback reports
  // the fallback's source when the fallback answered.
  TopicSource source = TopicSource::kClassifier;
};

class TopicClassifier {
 public:
  virtual ~TopicClassifier() = default;

  // At most k predictions with score >= min_score.
  [[nodiscard]] virtual Result<std::vector<TopicPrediction>> classify(std::string_view title,
                                                                      std::string_view body, int k,
                                                                      float min_score) const = 0;

  // "fasttext:/path/to/model.bin" — for logs and stored topic provenance.
  virtual std::string describe() const = 0;
};

}  // namespace feedscout
