// The engine: ingest → classify → store → contexts → feed, behind one object.
//
// Write path: callers parse (and classify documents) on their own thread, then hand the
// batch to a single writer thread that validates references and drops duplicate ids, writes
// the accepted items and an event log entry per event in one durable (fsync'd) RocksDB batch
// for everything pending — group commit, so concurrent HTTP requests share one fsync — and
// only then applies them to the in-memory contexts and indexes. A call returns after its
// items are durable and applied. Contexts reach the store by checkpoints; opening a data
// directory replays the log past the last one (src/engine/engine_impl.h).
//
// Read path: context() and feed() read under a shared lock, concurrently with each other.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/context/user_context.h"
#include "feedscout/engine/config.h"
#include "feedscout/ingest/parse.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/store/kv_store.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// Wraps a store as the engine opens it (Engine::open).
using StoreWrapper = std::function<std::unique_ptr<KvStore>(std::unique_ptr<KvStore>)>;

struct IngestReport {
  bool is_array = false;  // error positions are array indexes, else line numbers
  size_t accepted = 0;
  size_t duplicates = 0;  // ids already applied: acknowledged, not applied again
  size_t rejected = 0;
  std::vector<ItemError> errors;
  Status commit_status;  // non-OK when the durable write failed (nothing was acknowledged)
};

struct FeedEntry {
  std::string doc_id;
  std::string title;
  std::string source;
  TimeMs created_ms = 0;
  std::vector<std::string> topic_paths;
  FeedSource from = FeedSource::kPopular;
  double score = 0;
  std::string reason;
  FeedScores scores;  // the ranking's components (shown with ?explain=1)
  // serve/ranking_features.h values (with explain, or feature logging), and with explain and
  // a ranker the per-feature contributions (one more: the bias).
  std::vector<float> features{};
  std::vector<float> contributions{};
};

struct FeedPage {
  std::string request_id;  // unique per engine; names the page in the feature log
  std::string user;
  UserClass user_class = UserClass::kCold;
  bool known_user = false;
  std::string model_version;  // the ranker that ranked the page; "" = the hand-set ranking
  std::vector<FeedEntry> items;
  bool explained = false;
  std::vector<FeedEntry> unserved;  // with explain: candidates left out, best first
};

struct TrendDocEntry {
  std::string doc_id;
  std::string title;
  TimeMs created_ms = 0;
  uint32_t recent_clicks = 0;
  uint32_t previous_clicks = 0;
};

struct TrendEntry {
  std::string label;       // the dominant refined intent Q*, else the topic path
  std::string label_kind;  // "intent" or "topic"
  std::string topic_path;
  uint32_t recent_clicks = 0, previous_clicks = 0;
  double growth = 0, score = 0;
  std::vector<TrendDocEntry> docs;
};

// A search-feed entry (serve/search_feed.h): the document and the wave it came from.
struct SearchFeedEntry {
  std::string doc_id, title, source;
  TimeMs created_ms = 0;
  std::vector<std::string> topic_paths;
  SearchWave wave = SearchWave::kRelated;
  double score = 0;
  std::string reason;
  SearchScores scores;  // where it came from and its score parts (shown with ?explain=1)
};

struct SearchFeedPage {
  std::string user, query;
  size_t page = 0;
  bool known_user = false;
  std::vector<SearchFeedEntry> items;
  bool explained = false;
  std::vector<SearchFeedEntry> unserved;  // with explain: the related pool left off, best first
  // The ranker that ordered the personalised pool ("" = hand-set, or a page it did not rank).
  std::string model_version;
};

struct EngineStats {
  uint64_t events_accepted = 0, events_duplicate = 0, events_rejected = 0;
  uint64_t documents_accepted = 0, documents_duplicate = 0, documents_rejected = 0;
  uint64_t documents_classified = 0, classifier_failures = 0;
  // Language-model classifier (all 0 unless classifier.kind is llm / llm+fasttext).
  uint64_t llm_classified = 0;           // documents the language model labelled
  uint64_t llm_faults = 0;               // classifications the language model failed on
  uint64_t llm_fallbacks = 0;            // of those, answered by the student
  uint64_t llm_unavailable_at_open = 0;  // 1 when the student replaced it at start-up
  uint64_t llm_requests = 0, llm_retries = 0, llm_attempt_failures = 0;
  uint64_t llm_circuit_open_rejections = 0;
  uint64_t commits = 0, commit_failures = 0;
  uint64_t checkpoints = 0, replayed_events = 0;
  // Searches with clicks given a refined query Q* (all refiners), and of those by the mined
  // table (intent.refiner "mined").
  uint64_t searches_refined = 0, searches_refined_mined = 0;
  // The language-model refiner (intent.llm): answers that replaced the default's; searches
  // handed to it, dropped (queue full or shutdown), expired unasked, failed (request error,
  // unreadable answer, guard), and answers that came after the search changed (stale).
  uint64_t searches_refined_llm = 0, llm_refinements_submitted = 0, llm_refinements_dropped = 0;
  uint64_t llm_refinements_expired = 0, llm_refinements_failed = 0, llm_refinements_stale = 0;
  // Embeddings (embeddings.kind != none): documents given a vector on ingest, those that got
  // none (no words, or the embedding server failed), vectors that left the ANN by age, and
  // the vectors the ANN holds now.
  uint64_t documents_embedded = 0, embed_failures = 0, vectors_expired = 0;
  size_t ann_vectors = 0;
  // The search feed's pool cache (RelatedPoolCache): lookups served from it, lookups that
  // computed the pool (q's own and neighbours'), and its entries now.
  uint64_t pool_cache_hits = 0, pool_cache_misses = 0;
  size_t pool_cache_entries = 0;
  // Learned models: collaborative trainings, ranker files loaded and refused.
  uint64_t collaborative_trainings = 0, ranker_loads = 0, ranker_load_failures = 0;
  // The feature log (engine/feature_log.h): pages and clicks written, records that failed.
  uint64_t feature_log_pages = 0, feature_log_clicks = 0, feature_log_failures = 0;
  size_t documents = 0, users = 0;
};

class Engine {
 public:
  // Opens the data directory (refused with Status::busy if another process holds it),
  // loads the taxonomy and classifier, and rebuilds the in-memory state from the store.
  // `clock` supplies "now" (tests pin it); defaults to the wall clock.
  [[nodiscard]] static Result<std::unique_ptr<Engine>> open(
      const EngineConfig& config, std::function<TimeMs()> clock = nullptr);
  // The same, with the opened store passed through `wrap_store` before use: the returned
  // store (which takes ownership of the given one) serves every read and write. For storage
  // fault injection (store/fault_injection_store.h).
  [[nodiscard]] static Result<std::unique_ptr<Engine>> open(const EngineConfig& config,
                                                            std::function<TimeMs()> clock,
                                                            StoreWrapper wrap_store);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // JSON Lines or a JSON array. `first_line` numbers the body's first line (files read
  // in chunks). Returns after every accepted item is durable.
  IngestReport ingest_events(std::string_view body, size_t first_line = 1);
  IngestReport ingest_documents(std::string_view body, size_t first_line = 1);

  // The user's contexts at now; a user with no events gets an empty (cold) view.
  ContextView context(const std::string& user, bool* known = nullptr) const;

  // Blocks until every search handed to the language-model refiner so far has its answer
  // applied or given up (no-op when intent.llm is off). For tests and tools.
  void wait_for_refinements();

  // Re-search suggestions for `q` (index/suggest_index.h), best first, at most n.
  std::vector<Suggestion> suggest(std::string_view q, size_t n) const;

  // A feed page. When remember_served is set, its documents are not served again for
  // config.served_memory_ms.
  // With explain the page also lists the candidates left out (FeedPage::unserved).
  FeedPage feed(const std::string& user, size_t n, bool remember_served = true,
                bool explain = false);

  // The page's whole candidate list as the learned ranker sees it (FeedModels::full_pool):
  // served items then every unserved candidate, in the current ranking's order, each with
  // its features; nothing remembered or logged. For training pages (eval replays) and the
  // teacher's judgements.
  FeedPage candidates(const std::string& user, size_t n);
  // Rising trends (index/trend_index.h) over the window of window_h hours ending at now(),
  // best first, at most n; window_h is clamped to 1..trends.max_window_h.
  std::vector<TrendEntry> trends(size_t n, size_t window_h) const;

  // A search-feed page for `query` (page 0 first): waves that broaden as pages go on. Seen
  // documents and those served (by either feed) within config.served_memory_ms are left
  // out; remember_served as in feed(). n is clamped to [1, search_feed.max_n].
  // With explain, items carry their score parts and the page lists the related candidates
  // left out, those dropped as another sense of the query included.
  SearchFeedPage search_feed(const std::string& user, std::string_view query, size_t page, size_t n,
                             bool remember_served = true, bool explain = false);

  // Scores caller-supplied candidates for `user` at now() with the home feed's ranking
  // signals (serve/candidate_score.h), for re-ranking a given list such as a logged
  // impression; with a learned ranker loaded, as the model ranks them
  // (serve/feed_builder.h learned_scores), the hand-set rule if the model fails. One score
  // per id, in order; higher is better. Known documents score >= 0;
  // an id the engine does not know scores -1. Seen documents are scored like any other.
  std::vector<double> score_documents(const std::string& user,
                                      const std::vector<std::string>& doc_ids) const;

  // The learned ranker's feature rows (serve/ranking_features.h) of caller-supplied
  // candidates for `user` at now(), as score_documents feeds them to a model, whether or not
  // one is loaded: kFeatureCount values per id in order (size doc_ids.size() *
  // kFeatureCount), all 0 for an id the engine does not know. For training rows from a
  // logged impression list (eval-rec on MIND).
  std::vector<float> document_features(const std::string& user,
                                       const std::vector<std::string>& doc_ids) const;

  // Trains the collaborative model now from every user's recent clicks and swaps it in
  // (InvalidArgument when collaborative.enabled is off or nothing can be learned yet). The
  // background trainer does the same every collaborative.retrain_interval_s.
  [[nodiscard]] Status train_collaborative();
  // Loads a learned ranker file and swaps it in without a restart: requests in flight finish
  // with the model they started with. A missing, corrupt or truncated file, or a model of
  // another feature schema, is refused with a clear error and the running ranking kept.
  [[nodiscard]] Status load_ranker(const std::string& path);
  void clear_ranker();                        // back to the hand-set ranking
  std::string ranker_version() const;         // "" when none
  std::string collaborative_version() const;  // "" when none
  // Stored canonical JSON, or nullopt when absent.
  [[nodiscard]] Result<std::optional<std::string>> event_json(const std::string& id) const;
  [[nodiscard]] Result<std::optional<std::string>> document_json(const std::string& id) const;

  EngineStats stats() const;
  const Taxonomy& taxonomy() const;
  const EngineConfig& config() const;
  TimeMs now() const;
  std::string classifier_description() const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace feedscout
