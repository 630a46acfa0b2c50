// The home feed's first stage: candidates from every source, each with its signals and its
// hand-set score (feed_builder.h has the sources and formulas). Private to src/serve.
#pragma once

#include <cstddef>
#include <functional>
#include <unordered_set>
#include <vector>

#include "feedscout/serve/feed_builder.h"

namespace feedscout {

// One feed request's inputs, borrowed for the duration of the call.
struct FeedRequest {
  const ContextView& view;
  const UserContext& context;
  const DocumentIndex& index;
  const Taxonomy& taxonomy;
  const FeedConfig& config;
  TimeMs now = 0;
  const std::function<bool(uint64_t doc_key)>& exclude;
  const CoClickIndex* coclick = nullptr;
  const AnnIndex* ann = nullptr;
  const FeedModels& models;
};

struct CandidatePool {
  std::vector<FeedItem> after_search;  // leads the page, in order
  std::vector<FeedItem> items;         // every other candidate, hand-set score best first
  bool cold = false;                   // no interest of any kind: popular only
  size_t popular_quota = 0;            // popular items on a warm user's hand-set page
};

// Gathers at most a page's worth of AfterSearch items and the candidate pool for a page of
// n items. Documents in `used` (and seen or excluded ones) are never taken; taken
// AfterSearch documents are added to it.
CandidatePool gather_candidates(const FeedRequest& request, size_t n,
                                std::unordered_set<DocIndex>& used);

// Each of `docs`' signals from every source as if a source had proposed it (any document:
// e.g. an impression list's), credited to the source with the largest part (kPopular when
// none has one).
std::vector<CandidateSignals> candidate_signals(const FeedRequest& request,
                                                const std::vector<DocIndex>& docs);

}  // namespace feedscout
