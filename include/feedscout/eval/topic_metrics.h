// Topic classification metrics (issue 4): single-label classification of documents into a
// 1–3 level taxonomy, scored per taxonomy level.
//
// Level semantics: at level L, a topic stands for its ancestor at level L (itself when it is
// at level L). A topic above level L has no level-L label: an example whose gold topic is
// above L does not count at level L, and a prediction above L is no prediction at level L
// (a miss, never a false positive). So a gold label at level 3 counts at levels 1, 2 and 3.
//
// Per level L, over the examples that count there (n):
//   * top-1 / top-3 accuracy: the gold label is among the first 1 / 3 distinct level-L labels
//     of the ranked predictions (predictions mapped to level L, duplicates dropped, order kept).
//   * the single predicted label is the first ranked prediction's level-L label (none when
//     the first prediction is above L or there is none).
//   * micro precision = TP / (TP + FP), micro recall = TP / n, micro F1 their harmonic mean;
//     TP = predicted == gold, FP = a predicted label != gold.
//   * macro precision / recall / F1: unweighted means over the labels that occur as gold or
//     as predicted label at level L on these examples (scikit-learn's labels = union); a
//     label never predicted has precision 0, a label never gold has recall 0, and a label's
//     F1 is 0 when its precision + recall is 0. Macro F1 is the mean of per-label F1s.
//   * coverage: predicted_labels = distinct predicted labels, over taxonomy_labels = the
//     taxonomy's nodes at level L; eval_labels = distinct gold labels, of which
//     eval_labels_in_train have the same level-L label in `train_labels`.
// Values are fractions in [0, 1]; a ratio with a zero denominator is 0.
//
// Pure functions, deterministic, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct TopicExample {
  TopicId gold = kNoTopic;      // a valid node of the taxonomy
  std::vector<TopicId> ranked;  // predictions, best first; kNoTopic entries are ignored
};

struct TopicLevelMetrics {
  int level = 1;
  size_t examples = 0;  // examples whose gold label has a level-`level` label
  double micro_precision = 0, micro_recall = 0, micro_f1 = 0;
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
  double top1 = 0, top3 = 0;
  size_t taxonomy_labels = 0;
  size_t predicted_labels = 0;
  double predicted_coverage = 0;  // predicted_labels / taxonomy_labels
  size_t eval_labels = 0;
  size_t eval_labels_in_train = 0;
  double train_coverage = 0;  // eval_labels_in_train / eval_labels
};

// The level-`level` label of `topic`: its ancestor (or itself) at that level, kNoTopic when
// topic is kNoTopic or above `level`.
TopicId topic_at_level(const Taxonomy& taxonomy, TopicId topic, int level);

// One entry per level 1..(deepest level among the gold labels), in order. `train_labels` are
// the topics the classifier was trained on (any level).
std::vector<TopicLevelMetrics> evaluate_topics(const Taxonomy& taxonomy,
                                               const std::vector<TopicExample>& examples,
                                               const std::unordered_set<TopicId>& train_labels);

// The majority baseline's ranking: training topics by frequency (most frequent first, ties
// by smaller TopicId). Its first entry is the majority label; empty input gives empty output.
std::vector<TopicId> majority_ranking(const std::vector<TopicId>& train_topics);

// A Markdown table: the header (column names and separator line), then per method one row
// per level, "| <method> | <level> | <n> | micro P | micro R | micro F1 | macro P | macro R |
// macro F1 | top-1 | top-3 | predicted/taxonomy labels (share) | eval labels in train/eval
// labels (share) |", fractions with 4 decimals.
std::string topic_metrics_table_header();
std::string topic_metrics_table_rows(const std::string& method,
                                     const std::vector<TopicLevelMetrics>& levels);

}  // namespace feedscout
