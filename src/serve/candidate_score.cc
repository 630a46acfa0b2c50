#include "feedscout/serve/candidate_score.h"

#include <algorithm>
#include <cmath>

#include "feedscout/common/decay.h"

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

double recency(double age_s, const FeedConfig& config) {
  const double age = std::max(0.0, age_s);
  const double s = std::clamp(config.recency_young_share, 0.0, 1.0);
  const auto half = [age](double half_life_s) {
    return half_life_s > 0 ? std::exp2(-age / half_life_s) : (age > 0 ? 0.0 : 1.0);
  };
  return s * half(config.recency_young_half_life_s) + (1 - s) * half(config.fresh_half_life_s);
}

double popularity_share(const DocumentIndex& index, DocIndex doc, TimeMs now, double top) {
  return top > 0 ? std::min(1.0, std::log1p(index.popularity(doc, now)) / std::log1p(top)) : 0.0;
}

double quality(double recency, double popularity, const FeedConfig& config) {
  const double w = std::clamp(config.popularity_weight, 0.0, 1.0);
  return (1 - w) * recency + w * popularity;
}

double document_quality(const DocumentIndex& index, DocIndex doc, TimeMs now, double top,
                        const FeedConfig& config) {
  const double age_s = static_cast<double>(now - index.doc(doc).created_ms) / 1000.0;
  return quality(recency(age_s, config), popularity_share(index, doc, now, top), config);
}

std::vector<double> model_relevance(std::span<const float> model) {
  std::vector<double> out(model.size(), 1.0);
  if (model.empty()) return out;
  const auto [lo, hi] = std::minmax_element(model.begin(), model.end());
  if (*hi > *lo) {
    for (size_t i = 0; i < model.size(); ++i) out[i] = (model[i] - *lo) / (*hi - *lo);
  }
  return out;
}

double recency_rule(double relevance, double quality, double recency_weight,
                    const FeedConfig& config) {
  const double rw = std::clamp(recency_weight, 0.0, 1.0);
  return relevance >= config.relevance_threshold
             ? (1 - rw) * relevance + rw * quality
             : std::clamp(config.below_threshold_factor, 0.0, 1.0) * (1 - rw) * relevance;
}

namespace {

FeedScores scores_at(double recency_weight, double relevance, const DocumentIndex& index,
                     DocIndex doc, TimeMs now, double top, const FeedConfig& config) {
  FeedScores s;
  s.relevance = std::clamp(relevance, 0.0, 1.0);
  const double age_s = static_cast<double>(now - index.doc(doc).created_ms) / 1000.0;
  s.recency = recency(age_s, config);
  s.popularity = popularity_share(index, doc, now, top);
  s.above_threshold = s.relevance >= config.relevance_threshold;
  s.final =
      recency_rule(s.relevance, quality(s.recency, s.popularity, config), recency_weight, config);
  return s;
}

}  // namespace

FeedScores rank_scores(double relevance, const DocumentIndex& index, DocIndex doc, TimeMs now,
                       double top, const FeedConfig& config) {
  return scores_at(config.recency_weight, relevance, index, doc, now, top, config);
}

FeedScores learned_rank_scores(double relevance, const DocumentIndex& index, DocIndex doc,
                               TimeMs now, double top, const FeedConfig& config) {
  return scores_at(config.learned_recency_weight, relevance, index, doc, now, top, config);
}

double topic_scale(std::span<const TopicScore> topics) {
  double scale = 0;
  for (const TopicScore& ts : topics) {
    if (ts.clicks > 0) scale = std::max(scale, ts.score);
  }
  return scale > 0 ? scale : 1.0;
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

namespace {

// related(d) over the related_anchors newest clicks (w_a = 1 / rank), related_weight applied.
void add_recent_anchors(const UserContext& context, const DocumentIndex& index,
                        const CoClickIndex& coclick, const FeedConfig& config, RelatedScores& out) {
  double total = 0;
  size_t rank = 0;
  for (const RecentClick& c : context.recent_clicks()) {
    if (rank >= config.related_anchors) break;
    const auto anchor = index.find_key(c.key);
    if (!anchor) continue;
    ++rank;
    const double w = 1.0 / static_cast<double>(rank);
    total += w;
    for (const CoClickNeighbour& n : coclick.neighbours(*anchor)) {
      const double contribution = w * coclick.similarity(*anchor, n.doc);
      if (contribution <= 0) continue;
      auto& e = out.by_doc[n.doc];
      e.related += contribution;
      if (contribution > e.best_contribution) {
        e.best_contribution = contribution;
        e.anchor = *anchor;
      }
    }
  }
  if (total > 0) {
    for (auto& [doc, e] : out.by_doc) e.related *= config.related_weight / total;
  }
}

// The history_* parts over every kept click; an entry found only here names its most
// similar anchor.
void add_whole_history(const UserContext& context, const DocumentIndex& index,
                       const CoClickIndex& coclick, RelatedScores& out) {
  size_t anchors = 0;
  for (const RecentClick& c : context.recent_clicks()) {
    const auto anchor = index.find_key(c.key);
    if (!anchor) continue;
    ++anchors;
    for (const CoClickNeighbour& n : coclick.neighbours(*anchor)) {
      const double sim = coclick.similarity(*anchor, n.doc);
      if (sim <= 0) continue;
      auto& e = out.by_doc[n.doc];
      e.history_similarity += sim;
      e.history_hits += 1;
      if (sim > e.history_best) {
        e.history_best = sim;
        if (e.best_contribution <= 0) e.anchor = *anchor;
      }
    }
  }
  if (anchors == 0) return;
  const double n = static_cast<double>(anchors);
  for (auto& [doc, e] : out.by_doc) {
    e.history_similarity /= n;
    e.history_hits /= n;
  }
}

}  // namespace

RelatedScores related_scores(const UserContext& context, const DocumentIndex& index,
                             const CoClickIndex* coclick, const FeedConfig& config,
                             RelatedDepth depth) {
  RelatedScores out;
  if (coclick == nullptr) return out;
  if (config.related_weight > 0) add_recent_anchors(context, index, *coclick, config, out);
  if (depth == RelatedDepth::kWholeHistory) add_whole_history(context, index, *coclick, out);
  return out;
}

double candidate_score(std::span<const TopicScore> feed_topics, const RelatedScores& related,
                       const DocumentIndex& index, const Taxonomy& taxonomy,
                       const FeedConfig& config, DocIndex doc, TimeMs now, double top) {
  const double relevance =
      document_relevance(index, taxonomy, doc, feed_topics) / topic_scale(feed_topics) +
      related.related(doc);
  return rank_scores(std::max(relevance, config.popular_weight), index, doc, now, top, config)
      .final;
}

}  // namespace feedscout
