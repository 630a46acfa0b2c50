// The home feed's ranking signals for one document, shared by build_feed (which also picks
// the candidates) and Engine::score_documents (which ranks a caller's list).
//
//   recency(d)   = s · 2^(-age / recency_young_half_life_s) + (1 - s) · 2^(-age /
//                  fresh_half_life_s), s = recency_young_share                     in [0, 1]
//                  (falls fast while young — 6 h half-life — and slowly once old — 3 d)
//   pop(d)       = ln(1 + popularity(d)) / ln(1 + popularity of the most popular document)
//                  (0 when nothing was clicked)                                   in [0, 1]
//   quality(d)   = (1 - popularity_weight) · recency(d) + popularity_weight · pop(d)
//   relevance(d), normalised per source so that one threshold means the same everywhere:
//     topic      max over the selected feed topics t: (preference(t) / the strongest selected
//                preference) · label score of d under t, plus related(d), capped at 1
//     related    related(d) = related_weight · Σ_a w_a · cos(a, d) / Σ_a w_a over the user's
//                newest related_anchors clicks a (w_a = 1 / rank, newest first), capped at 1
//     popular    pop(d) for a cold user; popular_weight (a stand-in) for a warm one
//     (AfterSearch: BM25 / the query's best BM25; it leads the page outside this rule)
//   score(d) (the recency rule, after RRA-T):
//     relevance >= relevance_threshold: (1 - recency_weight) · relevance + recency_weight ·
//                                       quality
//     below:                            below_threshold_factor · (1 - recency_weight) ·
//                                       relevance
//   Below-threshold scores are < (1 - recency_weight) · threshold <= every above-threshold
//   score: a fresh but irrelevant document never outranks a relevant one.
//   With a learned ranker, relevance(d) is the model score's min-max share over the
//   candidates it scored and the weight is learned_recency_weight instead.
//
// Pure functions; thread-safe on shared const inputs.
#pragma once

#include <span>

#include <unordered_map>
#include <vector>

#include "feedscout/context/user_context.h"
#include "feedscout/index/coclick_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// Scale for pop(d): the decayed popularity of the most popular document at `now` (0 when
// nothing was clicked).
double top_popularity(const DocumentIndex& index, TimeMs now);

// recency(age) above, in [0, 1]; ages <= 0 (a document from the future) count as 0.
double recency(double age_s, const FeedConfig& config);

// pop(d) above, in [0, 1]. `top` is top_popularity(index, now).
double popularity_share(const DocumentIndex& index, DocIndex doc, TimeMs now, double top);

// quality(d) above from its parts: recency(d) and pop(d), both in [0, 1].
double quality(double recency, double popularity, const FeedConfig& config);

// quality(d) above, in [0, 1]. `top` is top_popularity(index, now).
double document_quality(const DocumentIndex& index, DocIndex doc, TimeMs now, double top,
                        const FeedConfig& config);

// score(d) above for `relevance` and `quality` (both in [0, 1]) at `recency_weight` (0..<1)
// and config's relevance_threshold and below_threshold_factor.
double recency_rule(double relevance, double quality, double recency_weight,
                    const FeedConfig& config);

// The recency rule: fills relevance (clamped to [0, 1]), recency, popularity, final and
// above_threshold of the result for a candidate of normalised `relevance`, at
// config.recency_weight.
FeedScores rank_scores(double relevance, const DocumentIndex& index, DocIndex doc, TimeMs now,
                       double top, const FeedConfig& config);

// rank_scores for a learned ranker's relevance (model_relevance): the same rule at
// config.learned_recency_weight.
FeedScores learned_rank_scores(double relevance, const DocumentIndex& index, DocIndex doc,
                               TimeMs now, double top, const FeedConfig& config);

// A learned ranker's scores as relevances for rank_scores: each one's min-max share over
// `model` (all 1 when they are equal). Size model.size().
std::vector<double> model_relevance(std::span<const float> model);

// The strongest preference among `topics` with clicks (1 when there is none), the scale of
// the topic source's normalised relevance.
double topic_scale(std::span<const TopicScore> topics);

// How strongly `doc` belongs to `topic`: its best label score under it (0 when none).
double topic_membership(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                        TopicId topic);

// Un-normalised topic relevance: max over `topics` (those without clicks are ignored) of
// preference · label score; divide by topic_scale(topics) for relevance(d) above.
double document_relevance(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                          std::span<const TopicScore> topics);

// The co-click side of a user's ranking: related(d) for every neighbour of the user's
// anchors, and the anchor that contributed most to each. With RelatedDepth::kWholeHistory,
// also the item-to-item score of d over every click the context keeps (the ranker's
// features; the textbook item-kNN's sum, uniform over the history).
struct RelatedScores {
  struct Entry {
    double related = 0;   // related(d) above (related_weight applied; 0 when the weight is 0)
    DocIndex anchor = 0;  // the strongest contributing anchor
    double best_contribution = 0;
    // Over the whole history H (kWholeHistory only): Σ_h cos(h, d) / |H|, the share of H
    // that has d as a kept neighbour, and max_h cos(h, d). Each in 0..1.
    double history_similarity = 0;
    double history_hits = 0;
    double history_best = 0;
  };
  std::unordered_map<DocIndex, Entry> by_doc;

  double related(DocIndex d) const {
    auto it = by_doc.find(d);
    return it == by_doc.end() ? 0.0 : it->second.related;
  }
  const Entry* find(DocIndex d) const {
    auto it = by_doc.find(d);
    return it == by_doc.end() ? nullptr : &it->second;
  }
};

// How far back related_scores() looks: the related_anchors newest clicks only (the hand-set
// ranking), or the whole kept history as well (the learned ranker's pool and features).
enum class RelatedDepth { kRecentAnchors, kWholeHistory };

// Empty when `coclick` is null or the user has no resolvable click, and with kRecentAnchors
// also when related_weight is 0.
RelatedScores related_scores(const UserContext& context, const DocumentIndex& index,
                             const CoClickIndex* coclick, const FeedConfig& config,
                             RelatedDepth depth = RelatedDepth::kRecentAnchors);

// The score a document gets in a ranked candidate list: the recency rule on
// max(normalised topic relevance over `feed_topics` + related, popular_weight), where feed_topics =
// select_feed_topics(view, ...) — so a document of a topic the feed would serve ranks as the feed's
// topic source would rank it (a fine topic standing in for its parent as in the feed), any other as
// the popular source.
double candidate_score(std::span<const TopicScore> feed_topics, const RelatedScores& related,
                       const DocumentIndex& index, const Taxonomy& taxonomy,
                       const FeedConfig& config, DocIndex doc, TimeMs now, double top);

}  // namespace feedscout
