// A Recommender backed by a real feedscout Engine (issue 3): the offline replay drives the
// same ingest, context and feed code the server uses.
//
// What it does:
//   * create() opens an Engine on a fresh temporary directory it owns (removed by the
//     destructor): the dataset's taxonomy_tsv written to a file there, classifier "none",
//     ParseLimits wide enough for decades-old data, and an engine clock that is the replay
//     clock (an atomic set from `now` by recommend()).
//   * observe() only buffers. recommend() first brings the engine up to `now`: it ingests,
//     with Engine::ingest_documents (document_to_json), every document with created_ms < now
//     not yet ingested (plus any a buffered interaction references), then the buffered
//     interactions with Engine::ingest_events as JSON Lines (event_to_json), on the
//     interaction's surface at its time: an impression (when options.emit_impressions) and,
//     when Interaction::clicked, a click — or, for a search-surface interaction with a
//     query, a search event with the query listing the item as clicked when it was (so the
//     engine's recent searches see every query); ids "eval-<n>-i" / "-c" / "-s" (n = observe
//     order, so deterministic and unique).
//     Clicks are therefore the dataset's rule (e.g. MovieLensOptions::click_min_rating).
//   * Documents are ingested lazily, not up front, on purpose: an engine that knew a
//     document before its created_ms (on MovieLens, the movie's first rating) would serve
//     "fresh" documents from the future, which leaks the test period into the ranking.
//   * recommend() then calls Engine::feed(user, n, remember_served = false) and returns the
//     doc ids for which `exclude` is false, cut at k. n starts at min(k + 10, feed.max_n) and
//     grows to feed.max_n when filtering left fewer than k; so at most feed.max_n (100 by
//     default) candidates are considered and k above that is served short.
//   * The engine itself never serves what it has in the user's seen set (every impressed or
//     clicked document, i.e. everything the user rated in training, up to
//     context.max_seen_docs); `exclude` is applied on top.
//   * score_items() brings the engine up to `now` the same way, except that documents with
//     created_ms == `now` are ingested too (the candidates of an impression exist when they
//     are shown; on MIND a news item's created_ms is its first impression, so without this
//     every first showing would be unknown to the engine). It then returns
//     Engine::score_documents(user, items): the home feed's ranking signals at `now`, -1 for
//     a document the engine does not know. Seen documents are scored like any other.
//
// Contract beyond Recommender's: calls must come with non-decreasing `now` (as in a replay);
// a recommend() or score_items() with an earlier `now` than a previous call still works but
// sees documents ingested for the later time. Ingest problems (rejected items, a failed
// commit) cannot be returned by recommend() or score_items(): they are counted in counters()
// — a clean replay has all zeros.
//
// Thread safety: observe(), recommend() and score_items() serialize on an internal mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/context/context_config.h"
#include "feedscout/engine/engine.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/recommender.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/serve/training_rows.h"

namespace feedscout {

struct EngineRecommenderOptions {
  std::string name = "engine";
  // Whether every observed interaction is first an impression (so unclicked ones count
  // against their topics); false sends clicks (and searches) only.
  bool emit_impressions = true;
  ContextConfig context;  // the engine's context, feed and index settings (ablations, tuning)
  FeedConfig feed;
  IndexConfig index;
  // The collaborative model: on by default as in the product; retrained on the replay's
  // clock (never by wall time): before a query, whenever the clicks ingested since the last
  // training reach collaborative_retrain_share of those trained on (at least
  // collaborative_retrain_min), so answers stay a function of what was observed.
  CollaborativeConfig collaborative;
  double collaborative_retrain_share = 0.1;
  size_t collaborative_retrain_min = 50;
  // A learned ranker file (`train-ranker`, or train_ranker_on_replay); "" = hand-set. With
  // one, every recommend() asks the feed for feed.max_n items.
  std::string ranker_path;
  size_t block_cache_mb = 8;
  std::string temp_parent;  // where the data directory is made; "" = the system temp dir
};

struct EngineRecommenderCounters {
  size_t documents_ingested = 0, documents_rejected = 0;
  size_t events_ingested = 0, events_rejected = 0;
  size_t commit_failures = 0;
  std::string first_error;  // "" when none
};

class EngineRecommender final : public Recommender {
 public:
  // Errors: the temporary directory or taxonomy file cannot be written (IOError), the
  // engine does not open (its Status).
  [[nodiscard]] static Result<std::unique_ptr<EngineRecommender>> create(
      const EvalDataset& data, const EngineRecommenderOptions& options = {});
  ~EngineRecommender() override;
  EngineRecommender(const EngineRecommender&) = delete;
  EngineRecommender& operator=(const EngineRecommender&) = delete;

  std::string name() const override { return options_.name; }
  void observe(const Interaction& x) override;
  std::vector<std::string> recommend(const std::string& user, size_t k, TimeMs now,
                                     const ExcludeFn& exclude) const override;
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override;

  // The engine's whole candidate list for `user` at `now` (as recommend() brings it up to
  // date): served items then the unserved candidates, best first, each with its ranking
  // features (serve/ranking_features.h), the first `n` marked served. For training rows.
  LoggedPage log_page(const std::string& user, size_t n, TimeMs now) const;
  // A given list as a page: `items` for `user` at `now` (brought up to date as score_items
  // does), each with its ranking features (Engine::document_features), all marked served.
  // For training rows from a logged impression.
  LoggedPage log_items(const std::string& user, const std::vector<std::string>& items,
                       TimeMs now) const;

  EngineRecommenderCounters counters() const;
  const std::string& data_dir() const { return dir_; }

 private:
  EngineRecommender(EngineRecommenderOptions options, std::string dir);
  // Brings the engine up to `now` (see the file comment), retraining the collaborative
  // model when enough clicks arrived. Requires mu_ held.
  void sync_locked(TimeMs now) const;
  void maybe_train_collaborative_locked() const;
  void count_report(const IngestReport& r, bool documents) const;

  EngineRecommenderOptions options_;
  std::string dir_;  // owned temporary directory
  std::shared_ptr<std::atomic<TimeMs>> clock_ = std::make_shared<std::atomic<TimeMs>>(0);
  std::unique_ptr<Engine> engine_;
  std::vector<std::pair<TimeMs, std::string>> docs_;  // (created_ms, JSON), by created_ms
  std::vector<std::string> doc_ids_;                  // parallel to docs_

  mutable std::mutex mu_;
  mutable size_t next_doc_ = 0;  // docs_[0, next_doc_) are ingested
  mutable std::vector<Interaction> buffer_;
  mutable size_t observed_ = 0;
  mutable EngineRecommenderCounters counters_;
  mutable size_t clicks_since_training_ = 0;
  mutable size_t clicks_trained_on_ = 0;
};

}  // namespace feedscout
