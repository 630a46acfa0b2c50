// The home feed's ranking signals for one document, shared by build_feed (which also picks
// the candidates) and Engine::score_documents (which ranks a caller's list).
//
//   quality(d)   = (1 - popularity_weight) · freshness(d) + popularity_weight · pop(d)
//     freshness  = 0.5 + 0.5 · 2^(-age / fresh_half_life_s)                      in [0.5, 1]
//     pop        = ln(1 + popularity(d)) / ln(1 + popularity of the most popular document)
//                  (0 when nothing was clicked)                                   in [0, 1]
//   relevance(d) = max over the user's topics t with clicks, and the document's labels l
//                  under t (l = t or a descendant of t): preference(t) · score(l)  in [0, 1]
//   related(d)   = related_weight · Σ_a w_a · cos(a, d) / Σ_a w_a over the user's newest
//                  related_anchors clicks a (w_a = 1 / rank, newest first; cos from the
//                  co-click index)                                                  in [0, w]
//   topic score  = (relevance + related) · quality;  popular score = popular_weight · quality
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

// quality(d) above, in [0, 1]. `top` is top_popularity(index, now).
double document_quality(const DocumentIndex& index, DocIndex doc, TimeMs now, double top,
                        const FeedConfig& config);

// How strongly `doc` belongs to `topic`: its best label score under it (0 when none).
double topic_membership(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                        TopicId topic);

// relevance(d) above over `topics` (those without clicks are ignored).
double document_relevance(const DocumentIndex& index, const Taxonomy& taxonomy, DocIndex doc,
                          std::span<const TopicScore> topics);

// The co-click side of a user's ranking: related(d) for every neighbour of the user's
// anchors, and the anchor that contributed most to each.
struct RelatedScores {
  struct Entry {
    double related = 0;   // related(d) above (related_weight applied)
    DocIndex anchor = 0;  // the strongest contributing anchor
    double best_contribution = 0;
  };
  std::unordered_map<DocIndex, Entry> by_doc;

  double related(DocIndex d) const {
    auto it = by_doc.find(d);
    return it == by_doc.end() ? 0.0 : it->second.related;
  }
};

// Empty when `coclick` is null, related_weight is 0 or the user has no resolvable click.
RelatedScores related_scores(const UserContext& context, const DocumentIndex& index,
                             const CoClickIndex* coclick, const FeedConfig& config);

// The score a document gets in a ranked candidate list: max(relevance over `feed_topics` +
// related, popular_weight) · quality, where feed_topics = select_feed_topics(view, ...) — so
// a document of a topic the feed would serve ranks as the feed's topic source would rank it
// (a fine topic standing in for its parent as in the feed), any other as the popular source.
double candidate_score(std::span<const TopicScore> feed_topics, const RelatedScores& related,
                       const DocumentIndex& index, const Taxonomy& taxonomy,
                       const FeedConfig& config, DocIndex doc, TimeMs now, double top);

}  // namespace feedscout
