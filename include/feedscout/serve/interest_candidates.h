// Home-feed candidates from the fourth and fifth contexts (issue 6): documents matching the
// user's interest keywords, and documents near the user's embedding interest profiles.
//
//   keyword    the config.keyword_queries heaviest keywords k of the view are searched (BM25,
//              config.keyword_items matches each, covering k's terms as DocumentIndex::search
//              with must_match = k requires); relevance(d) = keyword_weight ·
//              (weight(k) / the heaviest keyword's weight) · BM25(d, k) / the best BM25 of k.
//              Reason "관심 키워드 '<k>'".
//   embedding  the config.profile_queries heaviest profiles p query the ANN (config.profile_items
//              hits each, similarity >= embedding_min_similarity); relevance(d) =
//              embedding_weight · (weight(p) / the heaviest profile's weight) · cos(p, d) / the
//              best similarity of p. Reason "즐겨 본 '<제목>'와(과) 비슷한 콘텐츠", naming the
//              newest clicked document that moved p (its anchor).
// A document found twice keeps its larger relevance (and that basis). Relevance is in [0, 1]
// and joins the topic and co-click relevance on one scale in build_feed (feed_builder.h).
// Pure function of its inputs; thread-safe on shared const inputs (AnnIndex is thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "feedscout/context/user_context.h"
#include "feedscout/index/ann_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/serve/feed_builder.h"

namespace feedscout {

struct InterestHit {
  double relevance = 0;  // in [0, 1], weight applied
  size_t basis = 0;      // index into keywords / anchors of InterestCandidates
};

struct InterestCandidates {
  std::unordered_map<DocIndex, InterestHit> by_keyword;
  std::unordered_map<DocIndex, InterestHit> by_embedding;
  std::vector<std::string> keywords;  // the keywords searched, heaviest first
  // Per profile queried: its anchor document, nullopt when it is not in the index any more.
  std::vector<std::optional<DocIndex>> anchors;
};

// `blocked(d)` rejects documents (seen, served, already taken). `ann` may be null (no
// embedding candidates).
InterestCandidates interest_candidates(const ContextView& view, const DocumentIndex& index,
                                       const AnnIndex* ann, const FeedConfig& config,
                                       const std::function<bool(DocIndex)>& blocked);

// The reason and basis of an interest candidate, as shown to the user.
std::string keyword_reason(const std::string& keyword);
std::string embedding_reason(const InterestCandidates& c, size_t profile,
                             const DocumentIndex& index);

}  // namespace feedscout
