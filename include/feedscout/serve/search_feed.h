// The search feed (issue 6): what a user sees below a search result, in "waves" that start
// close to the query and broaden as the user scrolls (../shared/seeds/searchfeed-surf-waves.txt).
//
//   reactive     documents nearest to the one the user clicked last (within
//                config.session_window_ms) by embedding (the ANN, cosine) and co-clicked with
//                it (the larger similarity counts); without either, those whose text is
//                closest to its title, "방금 본 '<제목>'와(과) 비슷한 콘텐츠"
//   related      the best text matches of q (config.related_pool of them), re-ranked by
//                relevance, freshness and — when the query graph knows q — cosine similarity
//                of the title to q's context text; documents off q's sense (similarity below
//                config.min_context_similarity while enough others pass) are dropped, so
//                homonyms do not leak in (the filter applies when at least config.min_on_sense
//                of all q's matches, served ones included, are on sense). "'<q>' 관련 최신 콘텐츠"
//   personalised related documents re-ranked by the user's integrated topic preference and
//                closeness to the user's embedding interest profiles, "'<q>' 중 관심 주제
//                '<주제>'" or "'<q>' 중 즐겨 본 '<제목>'와(과) 비슷한 콘텐츠" (page 1 on)
//   expansive    documents of q's neighbouring queries (query graph: co-clicks and sessions),
//                each kept only if it fits that neighbour's own context text, "'<q>'와(과)
//                함께 찾는 '<q2>'" (page 2 on)
// Page 0 is reactive then related; page 1 personalised; page ≥ 2 expansive, then the rest of
// the related pool. The caller excludes documents served on earlier pages (the engine's
// served memory), so no document repeats and a click between pages changes the next one.
// A pure function of its inputs (the pool cache only saves work: a page is the same with or
// without it); thread-safe for concurrent calls on shared const inputs.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/context/user_context.h"
#include "feedscout/index/ann_index.h"
#include "feedscout/index/coclick_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/index/query_graph.h"
#include "feedscout/models/gbdt_ranker.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/serve/related_pool_cache.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct SearchFeedConfig {
  size_t default_n = 10;
  size_t max_n = 50;
  size_t max_page = 20;       // pages past this are empty
  size_t related_pool = 200;  // text matches considered
  // With a learned ranker: the personalised pages' best this many (by the hand-set score) are
  // re-ordered by the model, ahead of the rest (0: the whole pool).
  size_t ranker_max_candidates = 64;
  size_t reactive_items = 3;  // on page 0
  TimeMs session_window_ms = 30 * 60 * 1000;
  double min_context_similarity = 0.05;
  size_t min_on_sense = 3;  // the sense filter applies only when this many pass
  double fresh_half_life_s = 2 * 24 * 3600.0;
  double text_weight = 0.6, fresh_weight = 0.25, context_weight = 0.15;
  double preference_weight = 0.5;  // personalised: + weight × topic preference
  // personalised: + weight × closeness to the user's embedding profiles (cosine × the
  // profile's weight / the heaviest's; needs the ANN); a document at least
  // min_profile_closeness close, where this part outweighs the topic part, is named after the
  // profile's newest clicked document.
  double profile_weight = 0.3;
  double min_profile_closeness = 0.5;
  size_t expansive_queries = 3;
  size_t expansive_items_per_query = 3;
  // The engine's RelatedPoolCache: entries (0: off) and the staleness it may serve (0: none,
  // a cached pool is used only while the index and the query's context are unchanged).
  size_t pool_cache_entries = 8192;
  TimeMs pool_cache_max_stale_ms = 0;
};

enum class SearchWave { kReactive, kRelated, kPersonalised, kExpansive };
const char* search_wave_name(SearchWave w);  // "reactive", "related", ...

// An item's scores and rule outcomes, for ?explain=1.
struct SearchScores {
  // Where the candidate came from: "ann", "coclick" or "text" (reactive: text closest to the
  // clicked title), "query" (q's text matches), "neighbour" (a neighbouring query's).
  std::string via;
  double text = 0;            // BM25 share of q's best match (related, personalised)
  double freshness = 0;       // 2^(−age / fresh_half_life_s)
  double context = 0;         // cosine of the title to the query's context text (0: none known)
  double preference = 0;      // the user's preference of the document's topic (personalised)
  double profile = 0;         // closeness to the user's embedding profiles (personalised)
  double similarity = 0;      // reactive: cosine or co-click similarity; expansive: edge weight
  bool sense_filter = false;  // the query's sense filter applied
  bool on_sense = true;       // false: left out as another sense of the query
  // Personalised pages with a ranker (SearchFeedInputs::ranker): the pool was ordered by the
  // model; `model` is its raw score, `relevance` its min-max share over the pool, which the
  // feed's recency rule (candidate_score.h) turns into the item's score.
  bool learned = false;
  double model = 0;
  double relevance = 0;
};

struct SearchFeedItem {
  DocIndex doc = 0;
  SearchWave wave = SearchWave::kRelated;
  double score = 0;
  std::string reason;  // Korean, shown to the user
  std::string basis;   // the query, neighbour query, topic path or anchor title named
  SearchScores scores;
};

struct SearchFeedInputs {
  const DocumentIndex& index;
  const Taxonomy& taxonomy;
  const CoClickIndex* coclick = nullptr;  // null: reactive wave by text only
  const QueryGraph* graph = nullptr;      // null: no sense filter, no expansive wave
  const ContextView* view = nullptr;      // null: unknown user (no personalisation)
  const UserContext* context = nullptr;   // null: unknown user (no reactive wave)
  const AnnIndex* ann = nullptr;          // null: reactive wave without embeddings
  // null: every request computes q's (and neighbours') matches and their sense itself.
  // Otherwise shared by concurrent calls (it is thread-safe) and kept across them.
  RelatedPoolCache* pool_cache = nullptr;
  // With a view: the personalised pages' pool (page >= 1) is scored by this model on
  // home_feature_schema() rows in one batch (each candidate as an AfterSearch match: BM25
  // share, topic preference, profile closeness), then ordered by the recency rule of
  // `feed_config` over the model's min-max share (at most
  // SearchFeedConfig::ranker_max_candidates of them). null: the hand-set preference weights.
  const GbdtRanker* ranker = nullptr;
  const FeedConfig* feed_config = nullptr;  // required with a ranker
};

// At most n items (n clamped to [1, config.max_n]) for `query` on `page` (0-based).
// `exclude(doc_key)` rejects documents (seen, or served on earlier pages). When `unserved` is
// given (explain), it receives the related pool's candidates left off this page, best first,
// at most config.max_n — those dropped as another sense of q with scores.on_sense false.
std::vector<SearchFeedItem> build_search_feed(const SearchFeedInputs& in, std::string_view query,
                                              size_t page, size_t n, TimeMs now,
                                              const SearchFeedConfig& config,
                                              const std::function<bool(uint64_t)>& exclude,
                                              std::vector<SearchFeedItem>* unserved = nullptr);

}  // namespace feedscout
