// The home feed: candidates from the user's contexts, merged and ranked, each item with a
// Korean reason naming the context it came from.
//
// Sources, in the order they lead the page:
//   AfterSearch — documents matching the user's most recent searches ("최근 찾아본 'Q' 콘텐츠")
//   Topic       — the newest and the most popular documents of the user's most specific
//                 preferred topics ("관심 주제 '여행>해외여행'"), scored preference × the
//                 document's label score for the topic × quality (freshness blended with
//                 popularity; serve/candidate_score.h)
//   Related     — documents co-clicked with the user's recent clicks ("'<제목>'을(를) 본
//                 분들이 함께 본 콘텐츠"), when a co-click index is given; topic and related
//                 relevance add up, and the reason names whichever contributes more
//   Popular     — what is popular now ("지금 인기 있는 콘텐츠"); the whole feed of a cold user
// Already-seen documents (impressions and clicks, plus whatever `exclude` rejects) are
// never served. Pure function of its inputs; thread-safe for concurrent calls on shared
// const inputs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "feedscout/context/user_context.h"
#include "feedscout/index/coclick_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct FeedConfig {
  size_t default_n = 20;
  size_t max_n = 100;
  // AfterSearch: searches younger than this lead the feed.
  TimeMs after_search_window_ms = 3 * kMsPerDay;
  size_t after_search_queries = 2;  // most recent distinct searches used
  size_t after_search_items = 4;    // items for the newest search (half for the next)
  // Topic candidates.
  size_t max_topics = 6;
  // A more specific topic replaces its ancestor when its score is at least this share of
  // the ancestor's ("fine topics matter": 축구 rather than all of 스포츠).
  double specific_topic_ratio = 0.5;
  size_t max_items_per_topic = 4;
  // Freshness of a document: 0.5 + 0.5 · 2^(-age / fresh_half_life).
  double fresh_half_life_s = 3 * 24 * 3600.0;
  // Share of popularity in a document's quality, the rest being freshness (0..1).
  double popularity_weight = 0.3;
  // A popular document's stand-in for relevance: popular items rank below a real interest
  // unless the user has none.
  double popular_weight = 0.05;
  // Co-click relevance: related_weight × Σ_a w_a·cos(a, d) / Σ_a w_a over the user's
  // related_anchors most recent clicks a (w_a = 1 / rank, newest first), added to the topic
  // relevance. 0 (the default) turns co-click candidates off — and the engine then does not
  // maintain the co-click index either: docs/EVALUATION.md measured them harmful on the
  // simulator and not better than popularity on MovieLens.
  double related_weight = 0.0;
  size_t related_anchors = 10;
  // Share of a warm user's page given to popular documents (exploration).
  double popular_share = 0.1;
};

enum class FeedSource { kAfterSearch, kTopic, kRelated, kPopular };
const char* feed_source_name(FeedSource s);

struct FeedItem {
  DocIndex doc = 0;
  FeedSource source = FeedSource::kPopular;
  double score = 0;
  std::string reason;  // Korean, shown to the user
  std::string basis;   // the query or topic path the reason names ("" for popular)
};

struct Feed {
  UserClass user_class = UserClass::kCold;
  std::vector<FeedItem> items;
};

// Builds a page of at most n items (n is clamped to [1, config.max_n]).
// `coclick` may be null (no related source).
Feed build_feed(const ContextView& view, const UserContext& context, const DocumentIndex& index,
                const Taxonomy& taxonomy, const FeedConfig& config, size_t n, TimeMs now,
                const std::function<bool(uint64_t doc_key)>& exclude,
                const CoClickIndex* coclick = nullptr);

// The most specific preferred topics, as used by build_feed (exposed for the report/tests).
std::vector<TopicScore> select_feed_topics(const ContextView& view, const Taxonomy& taxonomy,
                                           const FeedConfig& config);

}  // namespace feedscout
