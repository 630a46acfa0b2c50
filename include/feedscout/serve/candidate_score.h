// The home feed's ranking signals for one document, shared by build_feed (which also picks
// the candidates) and Engine::score_documents (which ranks a caller's list).
//
//   quality(d)   = (1 - popularity_weight) · freshness(d) + popularity_weight · pop(d)
//     freshness  = 0.5 + 0.5 · 2^(-age / fresh_half_life_s)                      in [0.5, 1]
//     pop        = ln(1 + popularity(d)) / ln(1 + popularity of the most popular document)
//                  (0 when nothing was clicked)                                   in [0, 1]
//   relevance(d) = max over the user's topics t with clicks, and the document's labels l
//                  under t (l = t or a descendant of t): preference(t) · score(l)  in [0, 1]
//   topic score  = relevance · quality;  popular score = popular_weight · quality
//
// Pure functions; thread-safe on shared const inputs.
#pragma once

#include <span>

#include "feedscout/context/user_context.h"
#include "feedscout/index/document_index.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// Scale for pop(d): the decayed popularity of the most popular document at `now` (0 when
// nothing was clicked).
double top_popularity(const DocumentIndex& index, TimeMs now);

// quality(d) above, in [0, 1]. `top` is top_popularity(index, now).
double document_quality(const DocumentIndex& index, DocIndex doc, TimeMs now, double top,
                        const FeedConfig& config);

// How strongly `doc` belongs to `topic`: its best label score under it (0 when none).
double topic_membership(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                        TopicId topic);

// relevance(d) above over `topics` (those without clicks are ignored).
double document_relevance(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                          std::span<const TopicScore> topics);

// The score a document gets in a ranked candidate list: max(relevance over `feed_topics`,
// popular_weight) · quality, where feed_topics = select_feed_topics(view, ...) — so a
// document of a topic the feed would serve ranks as the feed's topic source would rank it
// (a fine topic standing in for its parent as in the feed), any other as the popular source.
double candidate_score(std::span<const TopicScore> feed_topics, const DocumentIndex& index,
                       const Taxonomy& taxonomy, const FeedConfig& config, DocIndex doc,
                       TimeMs now, double top);

}  // namespace feedscout
