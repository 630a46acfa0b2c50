#include "feedscout/serve/candidate_score.h"

#include <algorithm>
#include <cmath>

#include "feedscout/context/decay.h"

namespace feedscout {

double top_popularity(const DocumentIndex& index, TimeMs now) {
  double top = 0;
  // popular() is ordered as of the last refresh; decay is uniform, so its head is still the
  // maximum up to clicks since then — take the max over a short head to be safe.
  const auto& popular = index.popular();
  for (size_t i = 0; i < popular.size() && i < 8; ++i) {
    top = std::max(top, index.popularity(popular[i], now));
  }
  return top;
}

double document_quality(const DocumentIndex& index, DocIndex doc, TimeMs now, double top,
                        const FeedConfig& config) {
  const double fresh =
      0.5 + 0.5 * decay_factor(now - index.doc(doc).created_ms, config.fresh_half_life_s);
  const double pop =
      top > 0 ? std::min(1.0, std::log1p(index.popularity(doc, now)) / std::log1p(top)) : 0.0;
  const double w = std::clamp(config.popularity_weight, 0.0, 1.0);
  return (1 - w) * fresh + w * pop;
}

double topic_membership(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                        TopicId topic) {
  double membership = 0;
  for (const DocTopic& dt : index.doc(doc).topics) {
    if (taxonomy.is_ancestor_or_self(topic, dt.topic)) {
      membership = std::max(membership, static_cast<double>(dt.score));
    }
  }
  return membership;
}

double document_relevance(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                          std::span<const TopicScore> topics) {
  double best = 0;
  for (const TopicScore& ts : topics) {
    if (ts.clicks <= 0 || ts.score <= best) continue;
    best = std::max(best, ts.score * topic_membership(index, taxonomy, doc, ts.topic));
  }
  return best;
}

double candidate_score(std::span<const TopicScore> feed_topics, const DocumentIndex& index,
                       const Taxonomy& taxonomy, const FeedConfig& config, DocIndex doc,
                       TimeMs now, double top) {
  const double relevance = document_relevance(index, taxonomy, doc, feed_topics);
  return std::max(relevance, config.popular_weight) *
         document_quality(index, doc, now, top, config);
}

}  // namespace feedscout
