#include "feedscout/serve/ranking_features.h"

#include <algorithm>
#include <cmath>

#include "feedscout/serve/candidate_score.h"

namespace feedscout {

namespace {

float to_float(double x) {
  return std::isfinite(x) ? static_cast<float>(x) : 0.0f;
}

size_t source_slot(FeedSource s) {
  switch (s) {
    case FeedSource::kAfterSearch:
      return static_cast<size_t>(Feature::kFromAfterSearch);
    case FeedSource::kTopic:
      return static_cast<size_t>(Feature::kFromTopic);
    case FeedSource::kRelated:
      return static_cast<size_t>(Feature::kFromRelated);
    case FeedSource::kKeyword:
      return static_cast<size_t>(Feature::kFromKeyword);
    case FeedSource::kEmbedding:
      return static_cast<size_t>(Feature::kFromEmbedding);
    case FeedSource::kPopular:
      return static_cast<size_t>(Feature::kFromPopular);
    case FeedSource::kCollaborative:
      return static_cast<size_t>(Feature::kFromCollaborative);
  }
  return static_cast<size_t>(Feature::kFromPopular);
}

}  // namespace

FeedSource row_source(std::span<const float> row) {
  for (FeedSource s :
       {FeedSource::kAfterSearch, FeedSource::kTopic, FeedSource::kRelated, FeedSource::kKeyword,
        FeedSource::kEmbedding, FeedSource::kPopular, FeedSource::kCollaborative}) {
    if (row[source_slot(s)] > 0.5f) return s;
  }
  return FeedSource::kPopular;
}

const FeatureSchema& home_feature_schema() {
  static const FeatureSchema kSchema{"feedscout.home",
                                     2,
                                     {
                                         "user_class",
                                         "user_topic_clicks_log",
                                         "feed_activity",
                                         "surface_weight_search",
                                         "surface_weight_feed",
                                         "surface_weight_main",
                                         "age_hours_log",
                                         "recency",
                                         "popularity_share",
                                         "popularity_log",
                                         "lasting_popularity_log",
                                         "click_count_log",
                                         "topic_depth",
                                         "label_score",
                                         "topic_relevance",
                                         "related_relevance",
                                         "keyword_relevance",
                                         "embedding_relevance",
                                         "collaborative_score",
                                         "after_search_share",
                                         "history_similarity",
                                         "history_hits",
                                         "history_best",
                                         "user_click_age_log",
                                         "age_gap_log",
                                         "pref_search_l1",
                                         "pref_search_l2",
                                         "pref_search_l3",
                                         "pref_feed_l1",
                                         "pref_feed_l2",
                                         "pref_feed_l3",
                                         "pref_main_l1",
                                         "pref_main_l2",
                                         "pref_main_l3",
                                         "pref_integrated_l1",
                                         "pref_integrated_l2",
                                         "pref_integrated_l3",
                                         "from_after_search",
                                         "from_topic",
                                         "from_related",
                                         "from_keyword",
                                         "from_embedding",
                                         "from_popular",
                                         "from_collaborative",
                                     }};
  return kSchema;
}

FeatureContext::FeatureContext(const ContextView& view, const UserContext* context,
                               const DocumentIndex& index, const Taxonomy& taxonomy,
                               const FeedConfig& config, TimeMs now)
    : index_(index), taxonomy_(taxonomy), config_(config), now_(now) {
  top_ = top_popularity(index, now);
  if (context != nullptr) click_age(*context);
  double level1_clicks = 0;
  for (const TopicScore& ts : view.integrated) {
    if (ts.topic < taxonomy.size() && taxonomy.node(ts.topic).level == 1)
      level1_clicks += ts.clicks;
  }
  user_ = {static_cast<float>(view.user_class), to_float(std::log1p(std::max(0.0, level1_clicks))),
           to_float(view.feed_activity),        to_float(view.surface_weights[0]),
           to_float(view.surface_weights[1]),   to_float(view.surface_weights[2])};
  auto slot = [&](TopicId topic) -> TopicPreference& {
    auto it = std::lower_bound(preference_.begin(), preference_.end(), topic,
                               [](const TopicPreference& p, TopicId t) { return p.topic < t; });
    if (it == preference_.end() || it->topic != topic) {
      it = preference_.insert(it, TopicPreference{topic, {}});
    }
    return *it;
  };
  preference_.reserve(view.integrated.size());
  for (const TopicScore& ts : view.integrated) {
    slot(ts.topic).score[kNumSurfaces] = to_float(ts.score);
  }
  for (int s = 0; s < kNumSurfaces; ++s) {
    for (const TopicScore& ts : view.per_surface[s]) {
      slot(ts.topic).score[static_cast<size_t>(s)] = to_float(ts.score);
    }
  }
}

void FeatureContext::click_age(const UserContext& context) {
  double sum = 0;
  size_t n = 0;
  for (const RecentClick& c : context.recent_clicks()) {
    const auto d = index_.find_key(c.key);
    if (!d) continue;
    const double age_h =
        std::max(0.0, static_cast<double>(c.time_ms - index_.doc(*d).created_ms) / 3.6e6);
    sum += std::log1p(age_h);
    ++n;
  }
  has_click_age_ = n > 0;
  if (has_click_age_) click_age_log_ = sum / static_cast<double>(n);
}

void FeatureContext::topic_preferences(DocIndex doc, std::span<float> out) const {
  if (preference_.empty()) return;
  std::array<TopicId, kMaxTopicLevel> lineage{};
  for (const DocTopic& label : index_.doc(doc).topics) {
    const int n = taxonomy_.lineage(label.topic, lineage);
    for (int level = 0; level < n; ++level) {
      const auto it =
          std::lower_bound(preference_.begin(), preference_.end(), lineage[level],
                           [](const TopicPreference& p, TopicId t) { return p.topic < t; });
      if (it == preference_.end() || it->topic != lineage[level]) continue;
      for (size_t table = 0; table < it->score.size(); ++table) {
        float& out_slot = out[table * kMaxTopicLevel + static_cast<size_t>(level)];
        out_slot = std::max(out_slot, it->score[table]);
      }
    }
  }
}

void FeatureContext::compute(DocIndex doc, const CandidateSignals& signals,
                             std::span<float> out) const {
  std::fill(out.begin(), out.end(), 0.0f);
  auto set = [&](Feature f, double v) { out[static_cast<size_t>(f)] = to_float(v); };
  for (size_t i = 0; i < user_.size(); ++i) out[i] = user_[i];
  const DocRecord& d = index_.doc(doc);
  const double age_s = std::max(0.0, static_cast<double>(now_ - d.created_ms) / 1000.0);
  const double age_log = std::log1p(age_s / 3600.0);
  set(Feature::kAgeHoursLog, age_log);
  set(Feature::kUserClickAgeLog, click_age_log_);
  set(Feature::kAgeGapLog, has_click_age_ ? age_log - click_age_log_ : 0.0);
  set(Feature::kRecency, recency(age_s, config_));
  set(Feature::kPopularityShare, popularity_share(index_, doc, now_, top_));
  set(Feature::kPopularityLog, std::log1p(index_.popularity(doc, now_)));
  set(Feature::kLastingPopularityLog, std::log1p(index_.lasting_popularity(doc, now_)));
  set(Feature::kClickCountLog, std::log1p(static_cast<double>(index_.click_count(doc))));
  int depth = 0;
  double label = 0;
  for (const DocTopic& t : d.topics) {
    if (t.topic < taxonomy_.size()) depth = std::max(depth, taxonomy_.node(t.topic).level);
    label = std::max(label, static_cast<double>(t.score));
  }
  set(Feature::kTopicDepth, depth);
  set(Feature::kLabelScore, label);
  set(Feature::kTopicRelevance, signals.topic);
  set(Feature::kRelatedRelevance, signals.related);
  set(Feature::kKeywordRelevance, signals.keyword);
  set(Feature::kEmbeddingRelevance, signals.embedding);
  set(Feature::kCollaborativeScore, signals.collaborative_score);
  set(Feature::kAfterSearchShare, signals.after_search_share);
  set(Feature::kHistorySimilarity, signals.history_similarity);
  set(Feature::kHistoryHits, signals.history_hits);
  set(Feature::kHistoryBest, signals.history_best);
  topic_preferences(doc, out.subspan(static_cast<size_t>(Feature::kPrefSearchL1),
                                     (kNumSurfaces + 1) * kMaxTopicLevel));
  out[source_slot(signals.source)] = 1.0f;
}

}  // namespace feedscout
