// The engine's public API (engine.h); the write path is in writer.cc, opening and
// recovery in recovery.cc.
#include "feedscout/engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine_impl.h"
#include "feedscout/ingest/event_record.h"
#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/ranking_features.h"
#include "keys.h"

namespace feedscout {
namespace {

// The context of `user`, or an empty one for a user the engine has not seen.
const UserContext& context_or_empty(const std::unordered_map<std::string, UserContext>& users,
                                    const std::string& user) {
  static const UserContext kEmpty;
  const auto it = users.find(user);
  return it != users.end() ? it->second : kEmpty;
}

// The ids of a caller's list that the index knows: their documents, and where each was in
// the list.
struct KnownDocs {
  std::vector<DocIndex> docs;
  std::vector<size_t> at;  // parallel to docs: positions in the caller's list
};

KnownDocs known_docs(const DocumentIndex& index, const std::vector<std::string>& doc_ids) {
  KnownDocs out;
  for (size_t i = 0; i < doc_ids.size(); ++i) {
    if (const auto doc = index.find(doc_ids[i])) {
      out.docs.push_back(*doc);
      out.at.push_back(i);
    }
  }
  return out;
}

}  // namespace

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  impl_->stop_trainer();
  // The async refiner delivers through the writer: stop it first.
  if (impl_->async_refiner) impl_->async_refiner->stop();
  {
    std::lock_guard lk(impl_->queue_mu);
    impl_->stopping = true;
  }
  impl_->queue_cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();  // drains the queue, then checkpoints
}

Result<std::unique_ptr<Engine>> Engine::open(const EngineConfig& config,
                                             std::function<TimeMs()> clock) {
  return open(config, std::move(clock), nullptr);
}

Result<std::unique_ptr<Engine>> Engine::open(const EngineConfig& config,
                                             std::function<TimeMs()> clock,
                                             StoreWrapper wrap_store) {
  auto impl = std::make_unique<Impl>(config);
  impl->clock = clock ? std::move(clock) : std::function<TimeMs()>(now_ms);
  impl->wrap_store = std::move(wrap_store);
  FEEDSCOUT_RETURN_IF_ERROR(impl->load_state());
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->writer_loop(); });
  if (!config.ranking.model_path.empty()) {
    // A bad file must not stop serving: the hand-set ranking runs and the error is logged
    // and counted (EngineStats::ranker_load_failures).
    Status st = impl->models.load_ranker(config.ranking.model_path);
    if (!st.is_ok()) {
      spdlog::error("ranker '{}' refused, serving the hand-set ranking: {}",
                    config.ranking.model_path, st.to_string());
    }
  }
  if (config.ranking.feature_log.enabled) {
    auto log = FeatureLog::open(config.data_dir + "/feature-log", config.ranking.feature_log,
                                home_feature_schema());
    if (!log.is_ok()) return log.status();
    impl->feature_log = std::move(log).value();
  }
  if ((config.collaborative.enabled && config.collaborative.retrain_interval_s > 0) ||
      (!config.ranking.model_path.empty() && config.ranking.reload_check_s > 0)) {
    impl->trainer = std::thread([raw] { raw->trainer_loop(); });
  }
  spdlog::info("engine opened: store={} documents={} users={} replayed={} classifier={} ({})",
               raw->store->describe(), raw->index->size(), raw->users.size(),
               raw->counters.replayed_events.load(),
               raw->classifier ? raw->classifier->describe() : "none", raw->open_stages);
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

IngestReport Engine::ingest_events(std::string_view body, size_t first_line) {
  IngestReport report;
  auto parsed = parse_events(body, impl_->config.limits, impl_->clock(), first_line);
  report.is_array = parsed.is_array;
  report.errors = std::move(parsed.errors);
  report.rejected = report.errors.size();
  Job job;
  job.events = std::move(parsed.items);
  job.report = &report;
  impl_->submit(job);
  std::sort(report.errors.begin(), report.errors.end(),
            [](const ItemError& a, const ItemError& b) { return a.position < b.position; });
  return report;
}

IngestReport Engine::ingest_documents(std::string_view body, size_t first_line) {
  IngestReport report;
  auto parsed =
      parse_documents(body, impl_->config.limits, *impl_->taxonomy, impl_->clock(), first_line);
  report.is_array = parsed.is_array;
  report.errors = std::move(parsed.errors);
  report.rejected = report.errors.size();
  // Classify on the caller's thread, before the writer sees the batch.
  if (impl_->classifier) {
    const auto& cc = impl_->config.classifier;
    for (auto& [pos, doc] : parsed.items) {
      if (!doc.topics.empty()) continue;
      auto preds = impl_->classifier->classify(doc.title, doc.body, cc.max_topics, 0.0f);
      if (!preds.is_ok()) {
        ++impl_->counters.classifier_failures;
        continue;
      }
      for (size_t i = 0; i < preds->size(); ++i) {
        const auto& p = (*preds)[i];
        if (i > 0 && p.score < cc.min_score) break;  // the best label is always kept
        doc.topics.push_back({p.topic, p.score, p.source});
      }
      ++impl_->counters.documents_classified;
    }
  }
  Job job;
  job.documents = true;
  // Embed on the caller's thread too (empty when embeddings are off).
  if (impl_->embedder) job.vectors = impl_->embed_documents(parsed.items);
  job.docs = std::move(parsed.items);
  job.report = &report;
  impl_->submit(job);
  std::sort(report.errors.begin(), report.errors.end(),
            [](const ItemError& a, const ItemError& b) { return a.position < b.position; });
  return report;
}

ContextView Engine::context(const std::string& user, bool* known) const {
  std::shared_lock lk(impl_->state_mu);
  auto it = impl_->users.find(user);
  if (known) *known = it != impl_->users.end();
  static const UserContext kEmpty;
  return compute_view(it == impl_->users.end() ? kEmpty : it->second, impl_->clock(),
                      impl_->config.context);
}

void Engine::wait_for_refinements() {
  if (impl_->async_refiner) impl_->async_refiner->wait_idle();
}

std::vector<Suggestion> Engine::suggest(std::string_view q, size_t n) const {
  std::shared_lock lk(impl_->state_mu);
  return impl_->suggestions->suggest(q, n, impl_->clock());
}

FeedPage Engine::Impl::feed_page(const std::string& user, size_t n, const PageRequestFlags& r) {
  FeedPage page;
  page.user = user;
  const TimeMs now = clock();
  page.request_id = std::to_string(now) + "-" + std::to_string(next_request++);
  // Pages really served (remembered) are logged for training, when sampled.
  const bool log_this = r.remember_served && feature_log && feature_log->sampled(page.request_id);
  const bool with_features = r.explain || log_this;
  const auto recently_served = served.snapshot(user, now);
  {
    std::shared_lock lk(state_mu);
    auto it = users.find(user);
    page.known_user = it != users.end();
    static const UserContext kEmpty;
    const UserContext& ctx = page.known_user ? it->second : kEmpty;
    const ContextView view = compute_view(ctx, now, config.context);
    const RankingModels::Snapshot snapshot = models.snapshot();
    FeedModels feed_models;
    feed_models.collaborative = snapshot.collaborative.get();
    feed_models.ranker = snapshot.ranker.get();
    feed_models.features = with_features;
    feed_models.full_pool = r.full_pool;
    Feed feed = build_feed(
        view, ctx, *index, *taxonomy, config.feed, n, now,
        [&](uint64_t key) { return recently_served.count(key) > 0; }, coclick.get(), r.explain,
        ann.get(), feed_models);
    page.user_class = feed.user_class;
    page.model_version = feed.model_version;
    page.explained = r.explain;
    const auto entry = [&](const FeedItem& item) {
      const DocRecord& d = index->doc(item.doc);
      FeedEntry e{d.id,        d.title,    d.source,    d.created_ms, {},
                  item.source, item.score, item.reason, item.scores};
      for (const auto& t : d.topics) e.topic_paths.push_back(taxonomy->node(t.topic).path);
      if (with_features) {
        e.features = item.features;
        e.contributions = item.contributions;
      }
      return e;
    };
    for (const FeedItem& item : feed.items) page.items.push_back(entry(item));
    for (const FeedItem& item : feed.unserved) page.unserved.push_back(entry(item));
  }
  if (log_this) log_page(page, now);
  if (r.remember_served) {
    std::vector<uint64_t> served_keys;
    for (const auto& e : page.items) served_keys.push_back(doc_key(e.doc_id));
    served.remember(user, served_keys, now);
  }
  return page;
}

FeedPage Engine::feed(const std::string& user, size_t n, bool remember_served, bool explain) {
  return impl_->feed_page(user, n, {remember_served, explain, false});
}

FeedPage Engine::candidates(const std::string& user, size_t n) {
  return impl_->feed_page(user, n, {false, true, true});
}

SearchFeedPage Engine::search_feed(const std::string& user, std::string_view query, size_t page,
                                   size_t n, bool remember_served, bool explain) {
  SearchFeedPage out;
  out.user = user;
  out.query = std::string(query);
  out.page = page;
  out.explained = explain;
  const TimeMs now = impl_->clock();
  const auto recently_served = impl_->served.snapshot(user, now);
  {
    std::shared_lock lk(impl_->state_mu);
    auto it = impl_->users.find(user);
    out.known_user = it != impl_->users.end();
    const UserContext* ctx = out.known_user ? &it->second : nullptr;
    std::optional<ContextView> view;
    if (ctx != nullptr) view = compute_view(*ctx, now, impl_->config.context);
    const RankingModels::Snapshot models = impl_->models.snapshot();
    const SearchFeedInputs in{*impl_->index,           *impl_->taxonomy,
                              impl_->coclick.get(),    impl_->query_graph.get(),
                              view ? &*view : nullptr, ctx,
                              impl_->ann.get(),        impl_->pool_cache.get(),
                              models.ranker.get(),     &impl_->config.feed};
    std::vector<SearchFeedItem> left_out;
    const auto items = build_search_feed(
        in, query, page, n, now, impl_->config.search_feed,
        [&](uint64_t key) {
          return recently_served.count(key) > 0 || (ctx != nullptr && ctx->has_seen(key));
        },
        explain ? &left_out : nullptr);
    const auto entry = [&](const SearchFeedItem& item) {
      const DocRecord& d = impl_->index->doc(item.doc);
      SearchFeedEntry e{d.id,      d.title,    d.source,    d.created_ms, {},
                        item.wave, item.score, item.reason, item.scores};
      for (const auto& t : d.topics) e.topic_paths.push_back(impl_->taxonomy->node(t.topic).path);
      return e;
    };
    for (const SearchFeedItem& item : items) out.items.push_back(entry(item));
    for (const SearchFeedItem& item : left_out) out.unserved.push_back(entry(item));
    const auto learned = [](const SearchFeedEntry& e) { return e.scores.learned; };
    if (models.ranker != nullptr &&
        (std::any_of(out.items.begin(), out.items.end(), learned) ||
         std::any_of(out.unserved.begin(), out.unserved.end(), learned))) {
      out.model_version = models.ranker->version();
    }
  }
  if (remember_served) {
    std::vector<uint64_t> served_keys;
    for (const auto& e : out.items) served_keys.push_back(doc_key(e.doc_id));
    impl_->served.remember(user, served_keys, now);
  }
  return out;
}

std::vector<TrendEntry> Engine::trends(size_t n, size_t window_h) const {
  std::vector<TrendEntry> out;
  const TimeMs now = impl_->clock();
  std::shared_lock lk(impl_->state_mu);
  const DocumentIndex& index = *impl_->index;
  for (const TrendCluster& c : impl_->trends.trends(index, *impl_->taxonomy, n, window_h, now)) {
    TrendEntry e;
    e.label = c.label;
    e.label_kind = c.label_is_intent ? "intent" : "topic";
    e.topic_path = impl_->taxonomy->node(c.topic).path;
    e.recent_clicks = c.recent_clicks;
    e.previous_clicks = c.previous_clicks;
    e.growth = c.growth;
    e.score = c.score;
    for (const TrendDoc& td : c.docs) {
      const DocRecord& d = index.doc(td.doc);
      e.docs.push_back({d.id, d.title, d.created_ms, td.recent_clicks, td.previous_clicks});
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<double> Engine::score_documents(const std::string& user,
                                            const std::vector<std::string>& doc_ids) const {
  std::vector<double> scores(doc_ids.size(), -1.0);
  const TimeMs now = impl_->clock();
  std::shared_lock lk(impl_->state_mu);
  const UserContext& ctx = context_or_empty(impl_->users, user);
  const ContextView view = compute_view(ctx, now, impl_->config.context);
  const DocumentIndex& index = *impl_->index;
  const RankingModels::Snapshot models = impl_->models.snapshot();
  if (models.ranker != nullptr) {
    const KnownDocs known = known_docs(index, doc_ids);
    FeedModels feed_models;
    feed_models.collaborative = models.collaborative.get();
    feed_models.ranker = models.ranker.get();
    const std::vector<double> learned =
        learned_scores(view, ctx, index, *impl_->taxonomy, impl_->config.feed, now, known.docs,
                       impl_->coclick.get(), impl_->ann.get(), feed_models);
    if (learned.size() == known.docs.size()) {
      for (size_t j = 0; j < known.docs.size(); ++j) scores[known.at[j]] = learned[j];
      return scores;
    }
  }
  const double top = top_popularity(index, now);
  const auto topics = select_feed_topics(view, *impl_->taxonomy, impl_->config.feed);
  const RelatedScores related =
      related_scores(ctx, index, impl_->coclick.get(), impl_->config.feed);
  for (size_t i = 0; i < doc_ids.size(); ++i) {
    const auto doc = index.find(doc_ids[i]);
    if (!doc) continue;
    scores[i] = candidate_score(topics, related, index, *impl_->taxonomy, impl_->config.feed, *doc,
                                now, top);
  }
  return scores;
}

std::vector<float> Engine::document_features(const std::string& user,
                                             const std::vector<std::string>& doc_ids) const {
  std::vector<float> rows(doc_ids.size() * kFeatureCount, 0.0f);
  const TimeMs now = impl_->clock();
  std::shared_lock lk(impl_->state_mu);
  const UserContext& ctx = context_or_empty(impl_->users, user);
  const ContextView view = compute_view(ctx, now, impl_->config.context);
  const DocumentIndex& index = *impl_->index;
  const KnownDocs known = known_docs(index, doc_ids);
  const RankingModels::Snapshot models = impl_->models.snapshot();
  FeedModels feed_models;
  feed_models.collaborative = models.collaborative.get();
  const std::vector<float> found =
      document_feature_rows(view, ctx, index, *impl_->taxonomy, impl_->config.feed, now, known.docs,
                            impl_->coclick.get(), impl_->ann.get(), feed_models);
  for (size_t j = 0; j < known.docs.size(); ++j) {
    std::copy_n(found.begin() + static_cast<std::ptrdiff_t>(j * kFeatureCount), kFeatureCount,
                rows.begin() + static_cast<std::ptrdiff_t>(known.at[j] * kFeatureCount));
  }
  return rows;
}

Result<std::optional<std::string>> Engine::event_json(const std::string& id) const {
  auto stored = impl_->store->get(keys::event(id));
  if (!stored.is_ok() || !stored->has_value() || !is_event_record(**stored)) return stored;
  auto event = decode_event_record(**stored);
  if (!event.is_ok()) return event.status().with_context("stored event '" + id + "'");
  return std::optional<std::string>(event_to_json(*event));
}

Result<std::optional<std::string>> Engine::document_json(const std::string& id) const {
  return impl_->store->get(keys::doc(id));
}

EngineStats Engine::stats() const {
  EngineStats s;
  const auto& c = impl_->counters;
  s.events_accepted = c.events_accepted;
  s.events_duplicate = c.events_duplicate;
  s.events_rejected = c.events_rejected;
  s.documents_accepted = c.documents_accepted;
  s.documents_duplicate = c.documents_duplicate;
  s.documents_rejected = c.documents_rejected;
  s.documents_classified = c.documents_classified;
  s.classifier_failures = c.classifier_failures;
  s.llm_unavailable_at_open = c.llm_unavailable_at_open;
  if (impl_->llm_classifier_stats) {
    const auto l = impl_->llm_classifier_stats();
    s.llm_classified = l.classified;
    s.llm_faults = l.faults;
    s.llm_fallbacks = l.fallbacks;
  }
  if (impl_->llm_client) {
    const auto l = impl_->llm_client->stats();
    s.llm_requests = l.requests;
    s.llm_retries = l.retries;
    s.llm_attempt_failures = l.failures_connect + l.failures_timeout + l.failures_transport +
                             l.failures_http_429 + l.failures_http_5xx + l.failures_http_4xx +
                             l.failures_bad_response;
    s.llm_circuit_open_rejections = l.circuit_open_rejections;
  }
  s.commits = c.commits;
  s.commit_failures = c.commit_failures;
  s.checkpoints = c.checkpoints;
  s.replayed_events = c.replayed_events;
  s.searches_refined = c.searches_refined;
  s.searches_refined_mined = c.searches_refined_mined;
  s.searches_refined_llm = c.searches_refined_llm;
  s.llm_refinements_stale = c.llm_refinements_stale;
  const AsyncRefinerCounters& a = impl_->async_counters;
  s.llm_refinements_submitted = a.submitted;
  s.llm_refinements_dropped = a.dropped;
  s.llm_refinements_expired = a.expired;
  s.llm_refinements_failed = a.failed;
  s.documents_embedded = c.documents_embedded;
  s.embed_failures = c.embed_failures;
  s.vectors_expired = c.vectors_expired;
  s.ann_vectors = impl_->ann ? impl_->ann->size() : 0;
  const RelatedPoolCache::Stats pc = impl_->pool_cache->stats();
  s.pool_cache_hits = pc.hits;
  s.pool_cache_misses = pc.misses;
  s.pool_cache_entries = pc.entries;
  s.collaborative_trainings = impl_->models.trainings();
  s.ranker_loads = impl_->models.ranker_loads();
  s.ranker_load_failures = impl_->models.ranker_load_failures();
  if (impl_->feature_log) {
    s.feature_log_pages = impl_->feature_log->pages_logged();
    s.feature_log_clicks = impl_->feature_log->clicks_logged();
    s.feature_log_failures = impl_->feature_log->write_failures();
  }
  std::shared_lock lk(impl_->state_mu);
  s.documents = impl_->index->size();
  s.users = impl_->users.size();
  return s;
}

const Taxonomy& Engine::taxonomy() const {
  return *impl_->taxonomy;
}
const EngineConfig& Engine::config() const {
  return impl_->config;
}
TimeMs Engine::now() const {
  return impl_->clock();
}
std::string Engine::classifier_description() const {
  return impl_->classifier ? impl_->classifier->describe() : "none";
}

}  // namespace feedscout
