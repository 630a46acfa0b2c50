// The home feed: candidates from the user's contexts, merged and ranked, each item with a
// Korean reason naming the context it came from.
//
// Ranking (serve/candidate_score.h has the formulas; docs/CONTEXTS.md "Ranking"): every
// candidate gets a relevance in [0, 1] normalised within its source; at or above
// relevance_threshold its score is a weighted sum of relevance and quality (recency blended
// with popularity), below it a penalised relevance that no recency can lift — a fresh but
// irrelevant document never outranks a relevant one. After ranking a diversity rule lets at
// most diversity_max_per_topic of the first diversity_window items (after AfterSearch) share
// a tier-2 topic; the others move down, keeping their reasons.
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
//   Keyword     — documents matching the user's interest keywords ("관심 키워드 '<k>'")
//   Embedding   — documents near the user's embedding interest profiles in the ANN ("즐겨 본
//                 '<제목>'와(과) 비슷한 콘텐츠"), when an AnnIndex is given
//                 (topic, related, keyword and embedding relevance add up, capped at 1; the
//                 reason names the largest part)
//   Collaborative — the collaborative model's best documents for the user's clicks, when a
//                 model is given ("'<제목>'을(를) 본 분들이 좋아한 콘텐츠", the title of the
//                 user's click nearest in factor space)
//   Popular     — what is popular now ("지금 인기 있는 콘텐츠"); the whole feed of a cold user
//
// With a learned ranker (FeedModels::ranker) every candidate but AfterSearch is scored by
// the model in one batch; its score, min-max normalised over the request, is the relevance
// the recency rule reads; the page is the best n by that rule, then the diversity rule.
// Already-seen documents (impressions and clicks, plus whatever `exclude` rejects) are
// never served. Pure function of its inputs; thread-safe for concurrent calls on shared
// const inputs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "feedscout/context/user_context.h"
#include "feedscout/index/ann_index.h"
#include "feedscout/index/coclick_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/index/trend_index.h"
#include "feedscout/models/collaborative_model.h"
#include "feedscout/models/gbdt_ranker.h"
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
  // Recency of a document (serve/candidate_score.h recency()), two half-lives:
  //   recency(age) = young_share · 2^(-age / recency_young_half_life_s)
  //                + (1 - young_share) · 2^(-age / fresh_half_life_s)
  // It falls fast while a document is young and slowly once it is old.
  double fresh_half_life_s = 3 * 24 * 3600.0;
  double recency_young_half_life_s = 6 * 3600.0;
  double recency_young_share = 0.5;  // 0..1
  // The recency rule (RRA-T): relevance >= relevance_threshold → score = (1 - recency_weight)
  // · relevance + recency_weight · quality; below → below_threshold_factor · (1 -
  // recency_weight) · relevance, always below every relevant candidate.
  double relevance_threshold = 0.25;    // 0..1, on the per-source normalised relevance
  double recency_weight = 0.3;          // 0..<1
  double below_threshold_factor = 0.5;  // 0..1
  // recency_weight when a learned ranker gives the relevance (0..<1). The model already
  // weighs age and popularity (they are among its features), so the hand-set weight would
  // count them twice; train-ranker reports the held-out nDCG@10 of the served order at
  // several weights (docs/RANKING.md has the figures this default was chosen from).
  double learned_recency_weight = 0.3;
  // Diversity: at most diversity_max_per_topic of the first diversity_window items (after the
  // AfterSearch block) share a tier-2 topic. 0 in either turns the rule off.
  size_t diversity_window = 10;
  size_t diversity_max_per_topic = 4;
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
  // Interest keywords (the fourth context) and embedding profiles (the fifth) as candidate
  // sources (serve/interest_candidates.h has the formulas): keywords searched, matches each,
  // and the weight of their relevance; profiles querying the ANN, hits each, weight, and the
  // lowest cosine similarity taken. A weight of 0 turns a source off.
  size_t keyword_queries = 2;
  size_t keyword_items = 4;
  double keyword_weight = 0.6;
  size_t profile_queries = 2;
  size_t profile_items = 6;
  double embedding_weight = 0.6;
  double embedding_min_similarity = 0.5;
  // The collaborative source (models/collaborative_model.h), when a model is given: its best
  // collaborative_items documents for the user, relevance collaborative_weight × score / the
  // best score. A weight of 0 keeps the documents out as candidates (the score is still a
  // ranking feature).
  size_t collaborative_items = 8;
  double collaborative_weight = 0.6;
  // With a learned ranker the pool is wider, since the model, not the source, decides: the
  // lasting-popular list (DocumentIndex::lasting_popular) adds ranker_popular_items
  // candidates beside the recent popular ones, the collaborative source proposes
  // ranker_collaborative_items instead of collaborative_items, and the co-click source
  // proposes the ranker_related_items documents most similar to the user's whole kept
  // history (RelatedDepth::kWholeHistory), whatever related_weight is.
  size_t ranker_popular_items = 50;
  size_t ranker_collaborative_items = 50;
  size_t ranker_related_items = 100;
  // The model scores at most this many candidates per request (its cost is linear in them):
  // each source's best in turn (round robin over the sources, each in its own order), so
  // every context stays represented. 0: the whole pool. Training pages (full_pool) are not
  // limited. 512: the smallest of 64/128/256/512 within 2% of the whole pool's held-out
  // nDCG@10 on MovieLens's validation replay (docs/RANKING.md); a page of 10 has fewer.
  size_t ranker_max_candidates = 512;
};

enum class FeedSource {
  kAfterSearch,
  kTopic,
  kRelated,
  kPopular,
  kKeyword,
  kEmbedding,
  kCollaborative
};
const char* feed_source_name(FeedSource s);

// The ranking's components for one candidate, for ?explain=1 (all in [0, 1] but final).
struct FeedScores {
  double relevance = 0;   // normalised within the source
  double recency = 0;     // recency(age)
  double popularity = 0;  // pop(d)
  double final = 0;       // the item's score (AfterSearch: 2 + its BM25 share)
  bool above_threshold = false;
  // With a learned ranker: its raw score, and `relevance` is that score min-max normalised
  // over the request's candidates.
  bool learned = false;
  double model = 0;
  bool demoted_by_diversity = false;
  std::string diversity_topic;  // the tier-2 (or tier-1) path the diversity rule counted
};

// What the candidate sources found for one candidate: relevance parts normalised within
// their source (the formulas above and in candidate_score.h), the collaborative model's raw
// factor-space score, and an AfterSearch item's BM25 share. The ranking features
// (ranking_features.h) read them.
struct CandidateSignals {
  FeedSource source = FeedSource::kPopular;
  double topic = 0, related = 0, keyword = 0, embedding = 0, collaborative = 0;
  double collaborative_score = 0;
  double after_search_share = 0;
  // Item-to-item over the user's whole kept history (RelatedScores::Entry; 0 outside the
  // ranker's wide pool).
  double history_similarity = 0, history_hits = 0, history_best = 0;
};

struct FeedItem {
  DocIndex doc = 0;
  FeedSource source = FeedSource::kPopular;
  double score = 0;
  std::string reason;  // Korean, shown to the user
  std::string basis;   // the query or topic path the reason names ("" for popular)
  FeedScores scores;
  CandidateSignals signals{};
  // home_feature_schema() values (kFeatureCount), when FeedModels asked for them or a
  // ranker ranked; with explain and a ranker, per-feature contributions (kFeatureCount + 1,
  // the last the bias) for served items.
  std::vector<float> features{};
  std::vector<float> contributions{};
};

// Models the feed may use, each optional (null: not used).
struct FeedModels {
  const CollaborativeModel* collaborative = nullptr;
  // A ranker trained on home_feature_schema(); it scores every candidate in one batch and
  // the recency and diversity rules apply after it. Null: the hand-set ranking.
  const GbdtRanker* ranker = nullptr;
  // Fill FeedItem::features for served (and, with explain, unserved) items even without a
  // ranker: feature logging.
  bool features = false;
  // Gather the ranker's wider pool (lasting-popular and ranker_collaborative_items) even
  // without a ranker, and list every unserved candidate with explain (no max_n cap): the
  // candidate lists training pages are logged from, the same a ranker will score.
  bool full_pool = false;
};

struct Feed {
  UserClass user_class = UserClass::kCold;
  std::string model_version;  // the ranker's, "" for the hand-set ranking
  std::vector<FeedItem> items;
  // With explain: candidates that were scored but not served, best first (at most max_n).
  std::vector<FeedItem> unserved;
};

// Which candidates a model limited to `cap` of them scores (FeedConfig::ranker_max_candidates;
// 0: no limit), given each candidate's source, best first: each source's first in turn,
// round robin over the sources in the order of their first candidate. A mask parallel to
// `sources`. Serving and the validation report of the cap's cost (eval/ranker_training.h)
// both use it.
std::vector<bool> pick_by_source(std::span<const FeedSource> sources, size_t cap);

// Builds a page of at most n items (n is clamped to [1, config.max_n]).
// `coclick` may be null (no related source), `ann` too (no embedding source). With
// `explain`, Feed::unserved lists the candidates left out.
Feed build_feed(const ContextView& view, const UserContext& context, const DocumentIndex& index,
                const Taxonomy& taxonomy, const FeedConfig& config, size_t n, TimeMs now,
                const std::function<bool(uint64_t doc_key)>& exclude,
                const CoClickIndex* coclick = nullptr, bool explain = false,
                const AnnIndex* ann = nullptr, const FeedModels& models = {});

// The ranking features (serve/ranking_features.h) of `docs` for the user: each document's
// signals as if a source had proposed it, one row of kFeatureCount values per document
// (size docs.size() * kFeatureCount, row-major). models.ranker is not read. What
// learned_scores feeds its model; eval-rec logs them for training on impression lists.
std::vector<float> document_feature_rows(const ContextView& view, const UserContext& context,
                                         const DocumentIndex& index, const Taxonomy& taxonomy,
                                         const FeedConfig& config, TimeMs now,
                                         const std::vector<DocIndex>& docs,
                                         const CoClickIndex* coclick, const AnnIndex* ann,
                                         const FeedModels& models);

// Scores `docs` for the user as a learned home feed would rank them (models.ranker required):
// each document's signals as if a source had proposed it, its feature row, the model's
// scores in one batch, their min-max share through the recency rule. Returns one score per
// document (higher is better); an empty vector on a model error. Used where a list is given
// rather than gathered (eval-rec's impression lists).
std::vector<double> learned_scores(const ContextView& view, const UserContext& context,
                                   const DocumentIndex& index, const Taxonomy& taxonomy,
                                   const FeedConfig& config, TimeMs now,
                                   const std::vector<DocIndex>& docs, const CoClickIndex* coclick,
                                   const AnnIndex* ann, const FeedModels& models);

// The diversity rule on `items` (already ranked): walking the first config.diversity_window
// positions, an item whose tier-2 topic already has diversity_max_per_topic items there is
// passed over for the next one that does not (it is marked demoted_by_diversity); when none
// is left the best remaining item is taken. Order is otherwise kept.
void apply_diversity(std::vector<FeedItem>& items, const DocumentIndex& index,
                     const Taxonomy& taxonomy, const FeedConfig& config);

// The most specific preferred topics, as used by build_feed (exposed for the report/tests).
std::vector<TopicScore> select_feed_topics(const ContextView& view, const Taxonomy& taxonomy,
                                           const FeedConfig& config);

}  // namespace feedscout
