// The learned ranker's features: one named, versioned schema for a (user, candidate) pair,
// computed once per request and shared by serving, feature logging, training and explain.
//
// Every value is a float read at the request's `now` from state the engine held then, so a
// logged row never reads the future. The schema (home_feature_schema()) is stamped into
// every model file and feature log record; changing a feature's meaning or order means a
// new version. docs/RANKING.md lists each feature with its unit and range.
//
// Thread safety: a FeatureContext is immutable after construction; compute() may run on
// many threads at once.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "feedscout/context/user_context.h"
#include "feedscout/index/document_index.h"
#include "feedscout/models/gbdt_ranker.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// Feature positions in a row. kCount is the row width.
enum class Feature : size_t {
  // User.
  kUserClass = 0,        // 0 cold, 1 light, 2 medium, 3 heavy
  kUserClicksLog,        // ln(1 + decayed integrated clicks over level-1 topics)
  kFeedActivity,         // decayed feed clicks (ContextView::feed_activity)
  kSurfaceWeightSearch,  // integrated preference's weight of each surface (0..1)
  kSurfaceWeightFeed,
  kSurfaceWeightMain,
  // Document.
  kAgeHoursLog,           // ln(1 + age in hours), 0 for a document from the future
  kRecency,               // recency(age) of candidate_score.h (0..1)
  kPopularityShare,       // pop(d): recent popularity over the most popular's (0..1)
  kPopularityLog,         // ln(1 + decayed clicks, index half-life)
  kLastingPopularityLog,  // ln(1 + decayed clicks, lasting half-life)
  kClickCountLog,         // ln(1 + every click ever)
  kTopicDepth,            // deepest level among the document's labels (0 when none)
  kLabelScore,            // its best label score (0..1)
  // What the candidate sources found (normalised relevance parts, feed_builder.h).
  kTopicRelevance,
  kRelatedRelevance,  // co-click strength
  kKeywordRelevance,
  kEmbeddingRelevance,
  kCollaborativeScore,  // factor-space score (0 when the model or the document is unknown)
  kAfterSearchShare,    // BM25 over the query's best BM25 (AfterSearch items, else 0)
  // Co-click item-to-item over the user's whole kept history (candidate_score.h
  // RelatedScores::Entry): mean cosine, share of the history with the document as a
  // neighbour, best cosine (0..1).
  kHistorySimilarity,
  kHistoryHits,
  kHistoryBest,
  // The age a user's kept clicks had when clicked (ln(1 + hours), mean over the history; 0
  // without one), and the candidate's age_hours_log minus it: whether they take documents
  // as new or as old as this one.
  kUserClickAgeLog,
  kAgeGapLog,
  // Topic preference of the document's topics (max over its labels' ancestors at the level),
  // per surface and integrated, levels 1..3 (0..1; 0 when the user has no evidence there).
  kPrefSearchL1,
  kPrefSearchL2,
  kPrefSearchL3,
  kPrefFeedL1,
  kPrefFeedL2,
  kPrefFeedL3,
  kPrefMainL1,
  kPrefMainL2,
  kPrefMainL3,
  kPrefIntegratedL1,
  kPrefIntegratedL2,
  kPrefIntegratedL3,
  // Which source proposed the candidate (one-hot).
  kFromAfterSearch,
  kFromTopic,
  kFromRelated,
  kFromKeyword,
  kFromEmbedding,
  kFromPopular,
  kFromCollaborative,
  kCount
};
inline constexpr size_t kFeatureCount = static_cast<size_t>(Feature::kCount);

// name "feedscout.home", version 2, the feature names in Feature order (snake_case).
const FeatureSchema& home_feature_schema();

// The source a row's one-hot names (a row of kFeatureCount values); kPopular when none is
// set (compute() always sets one).
FeedSource row_source(std::span<const float> row);

// Request-level inputs, prepared once per request: the user's features and per-surface
// preference tables.
class FeatureContext {
 public:
  // References are borrowed and must outlive the FeatureContext. `context` (the user's kept
  // clicks) may be null: an unknown user.
  FeatureContext(const ContextView& view, const UserContext* context, const DocumentIndex& index,
                 const Taxonomy& taxonomy, const FeedConfig& config, TimeMs now);

  // Writes kFeatureCount values for `doc` into out (size kFeatureCount).
  void compute(DocIndex doc, const CandidateSignals& signals, std::span<float> out) const;

 private:
  // Sets click_age_log_ from the user's kept clicks.
  void click_age(const UserContext& context);
  // Max preference over the document's labels' ancestors at each level, per table.
  void topic_preferences(DocIndex doc, std::span<float> out) const;

  const DocumentIndex& index_;
  const Taxonomy& taxonomy_;
  const FeedConfig& config_;
  TimeMs now_;
  double top_ = 0;            // top_popularity(index, now)
  double click_age_log_ = 0;  // Feature::kUserClickAgeLog
  bool has_click_age_ = false;
  std::array<float, 6> user_{};
  // One row per topic the user has any preference for, sorted by topic: the preference
  // score per surface (search, feed, main) then integrated, 0 where that table lacks it.
  struct TopicPreference {
    TopicId topic;
    std::array<float, kNumSurfaces + 1> score;
  };
  std::vector<TopicPreference> preference_;
};

}  // namespace feedscout
