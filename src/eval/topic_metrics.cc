#include "feedscout/eval/topic_metrics.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace feedscout {
namespace {

double ratio(double num, double den) {
  return den > 0 ? num / den : 0.0;
}

double harmonic(double p, double r) {
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

struct LabelCounts {
  size_t tp = 0, predicted = 0, gold = 0;
};

TopicLevelMetrics evaluate_level(const Taxonomy& taxonomy,
                                 const std::vector<TopicExample>& examples,
                                 const std::unordered_set<TopicId>& train_labels, int level) {
  TopicLevelMetrics m;
  m.level = level;
  std::unordered_set<TopicId> train_at_level;
  for (TopicId t : train_labels) {
    const TopicId l = topic_at_level(taxonomy, t, level);
    if (l != kNoTopic) train_at_level.insert(l);
  }
  std::map<TopicId, LabelCounts> labels;  // ordered: deterministic sums
  std::unordered_set<TopicId> predicted_set, gold_set;
  size_t tp = 0, fp = 0, top1 = 0, top3 = 0;
  std::vector<TopicId> distinct;
  for (const TopicExample& ex : examples) {
    const TopicId gold = topic_at_level(taxonomy, ex.gold, level);
    if (gold == kNoTopic) continue;
    ++m.examples;
    gold_set.insert(gold);
    ++labels[gold].gold;
    distinct.clear();
    for (TopicId t : ex.ranked) {
      const TopicId l = topic_at_level(taxonomy, t, level);
      if (l == kNoTopic || std::find(distinct.begin(), distinct.end(), l) != distinct.end())
        continue;
      distinct.push_back(l);
      if (distinct.size() == 3) break;
    }
    for (size_t i = 0; i < distinct.size(); ++i) {
      if (distinct[i] != gold) continue;
      if (i == 0) ++top1;
      ++top3;
    }
    const TopicId pred =
        ex.ranked.empty() ? kNoTopic : topic_at_level(taxonomy, ex.ranked.front(), level);
    if (pred == kNoTopic) continue;
    predicted_set.insert(pred);
    ++labels[pred].predicted;
    if (pred == gold) {
      ++tp;
      ++labels[gold].tp;
    } else {
      ++fp;
    }
  }
  const double n = static_cast<double>(m.examples);
  m.micro_precision = ratio(static_cast<double>(tp), static_cast<double>(tp + fp));
  m.micro_recall = ratio(static_cast<double>(tp), n);
  m.micro_f1 = harmonic(m.micro_precision, m.micro_recall);
  m.top1 = ratio(static_cast<double>(top1), n);
  m.top3 = ratio(static_cast<double>(top3), n);
  double sum_p = 0, sum_r = 0, sum_f = 0;
  for (const auto& [label, c] : labels) {
    const double p = ratio(static_cast<double>(c.tp), static_cast<double>(c.predicted));
    const double r = ratio(static_cast<double>(c.tp), static_cast<double>(c.gold));
    sum_p += p;
    sum_r += r;
    sum_f += harmonic(p, r);
  }
  const double k = static_cast<double>(labels.size());
  m.macro_precision = ratio(sum_p, k);
  m.macro_recall = ratio(sum_r, k);
  m.macro_f1 = ratio(sum_f, k);
  const std::vector<size_t> counts = taxonomy.level_counts();
  m.taxonomy_labels = static_cast<size_t>(level) <= counts.size() ? counts[level - 1] : 0;
  m.predicted_labels = predicted_set.size();
  m.predicted_coverage =
      ratio(static_cast<double>(m.predicted_labels), static_cast<double>(m.taxonomy_labels));
  m.eval_labels = gold_set.size();
  for (TopicId g : gold_set) m.eval_labels_in_train += train_at_level.count(g);
  m.train_coverage =
      ratio(static_cast<double>(m.eval_labels_in_train), static_cast<double>(m.eval_labels));
  return m;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

}  // namespace

TopicId topic_at_level(const Taxonomy& taxonomy, TopicId topic, int level) {
  if (topic == kNoTopic || topic >= taxonomy.size() || level < 1) return kNoTopic;
  std::array<TopicId, kMaxTopicLevel> lineage{};
  const int n = taxonomy.lineage(topic, lineage);
  return level <= n ? lineage[static_cast<size_t>(level - 1)] : kNoTopic;
}

std::vector<TopicLevelMetrics> evaluate_topics(const Taxonomy& taxonomy,
                                               const std::vector<TopicExample>& examples,
                                               const std::unordered_set<TopicId>& train_labels) {
  int deepest = 0;
  for (const TopicExample& ex : examples) {
    if (ex.gold != kNoTopic && ex.gold < taxonomy.size())
      deepest = std::max(deepest, taxonomy.node(ex.gold).level);
  }
  std::vector<TopicLevelMetrics> out;
  for (int level = 1; level <= deepest; ++level)
    out.push_back(evaluate_level(taxonomy, examples, train_labels, level));
  return out;
}

std::vector<TopicId> majority_ranking(const std::vector<TopicId>& train_topics) {
  std::unordered_map<TopicId, size_t> freq;
  for (TopicId t : train_topics) ++freq[t];
  std::vector<std::pair<TopicId, size_t>> items(freq.begin(), freq.end());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<TopicId> out;
  out.reserve(items.size());
  for (const auto& [t, c] : items) out.push_back(t);
  return out;
}

std::string topic_metrics_table_header() {
  return "| method | level | n | micro P | micro R | micro F1 | macro P | macro R | macro F1 | "
         "top-1 | top-3 | labels predicted (of taxonomy) | eval labels seen in train |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
}

std::string topic_metrics_table_rows(const std::string& method,
                                     const std::vector<TopicLevelMetrics>& levels) {
  std::string out;
  for (const TopicLevelMetrics& m : levels) {
    out += "| " + method + " | " + std::to_string(m.level) + " | " + std::to_string(m.examples) +
           " | " + fixed(m.micro_precision, 4) + " | " + fixed(m.micro_recall, 4) + " | " +
           fixed(m.micro_f1, 4) + " | " + fixed(m.macro_precision, 4) + " | " +
           fixed(m.macro_recall, 4) + " | " + fixed(m.macro_f1, 4) + " | " + fixed(m.top1, 4) +
           " | " + fixed(m.top3, 4) + " | " + std::to_string(m.predicted_labels) + "/" +
           std::to_string(m.taxonomy_labels) + " (" + fixed(m.predicted_coverage, 3) + ") | " +
           std::to_string(m.eval_labels_in_train) + "/" + std::to_string(m.eval_labels) + " (" +
           fixed(m.train_coverage, 3) + ") |\n";
  }
  return out;
}

}  // namespace feedscout
