// Engine internals shared by engine.cc (public API), writer.cc (the write path) and
// recovery.cc (opening a data directory). Private to src/engine.
//
// Durability and recovery: every accepted event is written, in the same fsync'd batch as
// its id marker, to the log (l/<seq>). Contexts, popularity and co-clicks are applied in memory
// only after that write, and persisted by periodic checkpoints (u/, p/, c/, m/applied_seq, in one
// atomic batch that also trims the log). Opening a data directory loads the checkpoint and
// replays the log past it, so an acknowledged event is never lost and never applied twice.
// A write that fails is rolled back before the next one (committer.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "async_refinement.h"
#include "committer.h"
#include "feedscout/engine/engine.h"
#include "feedscout/index/ann_index.h"
#include "feedscout/index/coclick_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/intent/llm_refiner.h"
#include "feedscout/llm/client.h"
#include "feedscout/llm/llm_topic_classifier.h"
#include "feedscout/models/embedder.h"
#include "feedscout/models/topic_classifier.h"
#include "feedscout/serve/related_pool_cache.h"
#include "feedscout/store/kv_store.h"
#include "keyword_context.h"
#include "ranking_models.h"
#include "search_refinement.h"
#include "served_memory.h"

namespace feedscout {

struct Engine::Impl {
  explicit Impl(const EngineConfig& c) : config(c), trends(c.trends), served(c.served_memory_ms) {}

  EngineConfig config;
  std::function<TimeMs()> clock;
  std::unique_ptr<Taxonomy> taxonomy;
  // The language-model client outlives the classifier that borrows it (declared first).
  std::unique_ptr<llm::LlmClient> llm_client;
  std::unique_ptr<TopicClassifier> classifier;
  // The language-model classifier's counters, when classifier is one (either decoding).
  std::function<llm::LlmClassifierStats()> llm_classifier_stats;
  std::unique_ptr<KvStore> store;
  // Wraps the store as it opens (Engine::open's StoreWrapper; fault injection in tests).
  StoreWrapper wrap_store;
  std::string open_stages;  // seconds per stage of load_state(), for the open's log line

  // Live state. Only the writer thread mutates it, under the exclusive lock; readers take
  // the shared lock. The writer may read it without the lock.
  mutable std::shared_mutex state_mu;
  std::unique_ptr<DocumentIndex> index;
  std::unique_ptr<CoClickIndex> coclick;
  std::unordered_map<std::string, UserContext> users;
  // Search-intent refinement over the index's word statistics (null refiner: "none").
  std::unique_ptr<intent::WordWeights> word_weights;
  std::unique_ptr<intent::QueryRefiner> refiner;
  std::unique_ptr<SuggestIndex> suggestions;  // every user's Q*, for GET /v1/suggest
  TrendIndex trends;                          // rising clicks, for GET /v1/trends
  std::unique_ptr<QueryGraph> query_graph;    // neighbouring queries, for the search feed
  // The search feed's per-query matches and sense (thread-safe itself: readers fill it
  // under the shared lock).
  std::unique_ptr<RelatedPoolCache> pool_cache;
  // Interest keywords (the fourth context) over word_weights; null for "none".
  std::unique_ptr<intent::KeywordExtractor> keyword_extractor;
  KeywordMemo keyword_memo;  // the writer's memo of extracted keywords (keyword_context.h)
  // The language-model refiner (intent.llm), run off the ingest path; null when off, and
  // during the log replay (which does not ask the model again). The
  // client and weights outlive the refiner, which outlives the async runner (declared in
  // that order; ~Engine stops the runner before the writer).
  std::unique_ptr<llm::LlmClient> intent_llm_client;
  std::unique_ptr<intent::WordWeights> locked_word_weights;  // word_weights under state_mu
  std::unique_ptr<intent::LlmRefiner> llm_refiner;
  AsyncRefinerCounters async_counters;
  std::unique_ptr<AsyncRefiner> async_refiner;

  ServedMemory served;

  // Embeddings (embeddings.kind != none; null otherwise). The embedder is used by callers'
  // threads; the ANN is thread-safe, added to and pruned by the writer only, after the
  // documents are in `index` (so every hit resolves). The client outlives the embedder.
  std::shared_ptr<llm::LlmClient> embed_llm_client;
  std::unique_ptr<Embedder> embedder;
  std::unique_ptr<AnnIndex> ann;

  // The collaborative model and the learned ranker (ranking_models.h), and the background
  // trainer: retrains the collaborative model and reloads a changed ranker file.
  RankingModels models;
  std::unique_ptr<FeatureLog> feature_log;  // null when ranking.log_features is off
  std::atomic<uint64_t> next_request{0};
  std::mutex trainer_mu;
  std::condition_variable trainer_cv;
  bool trainer_stopping = false;
  std::thread trainer;

  // Writer-thread state. The durable stage (committer.h): built when the store opens.
  std::unique_ptr<Committer> committer;
  uint64_t applied_seq = 0;       // every event up to here is applied in memory
  uint64_t checkpointed_seq = 0;  // ... and up to here persisted by a checkpoint
  // Users changed since the last checkpoint, as nodes of `users` (stable while they exist;
  // users are never erased).
  std::unordered_set<const std::pair<const std::string, UserContext>*> dirty_users;
  std::unordered_set<DocIndex> dirty_popularity;
  std::unordered_set<DocIndex> dirty_coclick;
  TimeMs last_checkpoint_ms = 0;
  struct CheckpointInFlight {
    std::future<Status> write;  // the store write, on its own thread
    uint64_t applied_seq = 0;   // what it covers
    // Its entries, marked dirty again if the write fails.
    std::vector<const std::pair<const std::string, UserContext>*> users;
    std::vector<DocIndex> popularity, coclick;
  };
  std::optional<CheckpointInFlight> checkpoint_in_flight;
  TimeMs last_popular_refresh_ms = 0;
  // ANN documents by creation time, oldest on top: they leave the ANN at embeddings.max_age.
  std::priority_queue<std::pair<TimeMs, uint64_t>, std::vector<std::pair<TimeMs, uint64_t>>,
                      std::greater<>>
      ann_by_age;
  bool ann_dirty = false;  // changed since the ANN file was written
  TimeMs last_ann_save_ms = 0;
  TimeMs popular_refresh_interval_ms = 1000;  // adapts to the refresh's cost (writer.cc)

  // Writer queue.
  std::mutex queue_mu;
  std::condition_variable queue_cv;  // the writer waits for work
  std::condition_variable done_cv;   // callers wait for their job
  std::deque<Job*> queue;
  bool stopping = false;
  std::thread writer;

  struct Counters {
    std::atomic<uint64_t> events_accepted{0}, events_duplicate{0}, events_rejected{0};
    std::atomic<uint64_t> documents_accepted{0}, documents_duplicate{0}, documents_rejected{0};
    std::atomic<uint64_t> documents_classified{0}, classifier_failures{0};
    std::atomic<uint64_t> llm_unavailable_at_open{0};
    std::atomic<uint64_t> commits{0}, commit_failures{0};
    std::atomic<uint64_t> checkpoints{0}, replayed_events{0};
    std::atomic<uint64_t> searches_refined{0}, searches_refined_mined{0};
    std::atomic<uint64_t> searches_refined_llm{0}, llm_refinements_stale{0};
    std::atomic<uint64_t> documents_embedded{0}, embed_failures{0}, vectors_expired{0};
  } counters;

  // recovery.cc
  [[nodiscard]] Status load_state();
  // The stored contexts, with suggestions and the query graph rebuilt from them (recovery.cc).
  [[nodiscard]] Status load_contexts();
  // A stored event: a binary record, or canonical JSON as stored before records (parsed
  // with `limits`). Corruption when it is neither.
  [[nodiscard]] static Result<Event> read_stored_event(std::string_view value,
                                                       const ParseLimits& limits);
  // Builds the language-model classifier (kind llm / llm+fasttext) around `student`.
  [[nodiscard]] Status open_llm_classifier(std::unique_ptr<TopicClassifier> student);
  [[nodiscard]] Status replay_log();
  // Builds the language-model refiner and its async runner (intent.llm).
  [[nodiscard]] Status open_llm_refiner();
  // Reads clicked documents' titles and bodies from the store (any thread).
  std::vector<ClickedText> load_clicked_texts(const std::vector<std::string>& ids);

  // embeddings.cc
  // Builds the embedder and the ANN: loads the saved ANN file and adds stored vectors it
  // lacks, rebuilds it from the stored vectors when the file is missing or unusable, and
  // re-embeds every stored document when the embedder changed. After the documents are
  // indexed, before the log replay.
  [[nodiscard]] Status open_embeddings();
  // Embeds a parsed batch on the caller's thread: out[i] for docs[i] (empty on failure).
  std::vector<std::vector<float>> embed_documents(
      const std::vector<std::pair<size_t, Document>>& docs);
  // Adds an indexed document's vector to the ANN unless it is already too old (writer).
  void index_vector(const DocRecord& doc, std::span<const float> vector, TimeMs now);
  // Removes documents older than embeddings.max_age from the ANN (writer).
  void expire_vectors(TimeMs now);
  // Writes the ANN file when it changed and save_interval passed, or `force` (writer).
  void save_ann(TimeMs now, bool force);
  std::string ann_path() const;
  // Moves the user's embedding profiles (the fifth context) for one event: pending
  // impressions past the session become skips, clicks pull, impressions wait (writer).
  void update_profiles(UserContext& user, const Event& event, const std::vector<DocIndex>& docs);

  // model_training.cc
  // Every user's recent clicks (document keys, newest first), read under the shared lock.
  std::vector<std::vector<uint64_t>> click_histories() const;
  // Trains the collaborative model from click_histories() off any lock and swaps it in.
  [[nodiscard]] Status train_collaborative();
  void trainer_loop();
  void stop_trainer();
  // A home-feed page (Engine::feed, Engine::candidates); takes the shared lock.
  struct PageRequestFlags {
    bool remember_served = false;
    bool explain = false;
    bool full_pool = false;  // FeedModels::full_pool
  };
  FeedPage feed_page(const std::string& user, size_t n, const PageRequestFlags& r);
  // Appends a served page's items (with their features) to the feature log.
  void log_page(const FeedPage& page, TimeMs now);

  // writer.cc
  void writer_loop();
  // Commits a group of jobs (committer.h), then applies what it accepted; on a failed commit
  // every job's report carries the error and nothing is applied.
  void commit_group(std::vector<Job*>& jobs);
  // Publishes a committed group: documents into the index and the ANN, then the events in
  // slices of the exclusive lock, then the popular lists when due.
  void apply_group(const CommitGroup& group);
  void refresh_popular_if_due(bool popularity_changed, bool documents_added);
  // Applies a durable event to memory; the caller holds state_mu exclusively. `docs[i]`
  // is event.doc_ids[i] resolved (kUnresolved: look it up now; absent ids are skipped).
  static constexpr DocIndex kUnresolved = kUnresolvedDoc;
  void apply_event(const Event& event, const DocIndex* docs);
  // Adds a user's search to the query graph (clicked documents the index knows).
  void add_to_query_graph(const std::string& user, std::string_view query, TimeMs t,
                          const std::vector<std::string>& clicked, std::string_view refined);
  // Replaces a search's default Q* with the language model's answer when the search still
  // holds that default; the caller holds state_mu exclusively.
  void apply_llm_refinement(const AsyncRefinementResult& result);
  // Pairs the documents a user just clicked (distinct, resolved) with each other and with
  // the user's recent clicks within index.coclick_window_s, before the event is applied to
  // the user's context. Documents the user clicked before are not paired again.
  void record_coclicks(const UserContext& user, TimeMs t, const std::vector<DocIndex>& clicked);
  // checkpoint.cc. A checkpoint persists the dirty contexts, popularity and co-clicks with
  // the applied sequence number and trims the log up to it. The writer encodes the batch
  // and clears the dirty sets; the store write runs on another thread while the writer goes
  // on. One is in flight at a time; a failed one marks its entries dirty again.
  void begin_checkpoint();
  // Waits for the checkpoint in flight (if any) and settles it: its error, or ok.
  [[nodiscard]] Status settle_checkpoint();
  // Settles the checkpoint in flight only if its write has finished.
  [[nodiscard]] Status poll_checkpoint();
  // A whole checkpoint, waited for: settles any in flight, then begins and settles one.
  [[nodiscard]] Status checkpoint();
  // The clean shutdown's last step (KvStore::flush); a failure is logged, not returned.
  void flush_store_on_close();
  IngestReport submit(Job& job);
};

}  // namespace feedscout
