// The write path: one writer thread validates, logs durably, then applies (engine_impl.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "engine_impl.h"
#include "keys.h"

namespace feedscout {
namespace {

constexpr size_t kCheckpointMaxDirtyUsers = 200000;
constexpr size_t kApplySlice = 256;  // events applied per exclusive-lock hold

}  // namespace

void Engine::Impl::apply_event(const Event& ev, const DocIndex* resolved) {
  thread_local std::vector<const std::vector<DocTopic>*> topics;
  thread_local std::vector<DocIndex> docs;
  topics.clear();
  docs.clear();
  for (size_t i = 0; i < ev.doc_ids.size(); ++i) {
    std::optional<DocIndex> d;
    if (resolved != nullptr && resolved[i] != kUnresolved) {
      d = resolved[i];
    } else {
      d = index->find(ev.doc_ids[i]);
    }
    topics.push_back(d ? &index->doc(*d).topics : nullptr);
    if (d) docs.push_back(*d);
  }
  auto it = users.find(ev.user);
  if (it == users.end()) it = users.emplace(ev.user, UserContext()).first;
  const bool clicks = ev.type == EventType::kClick || ev.type == EventType::kSearch;
  // Co-clicks cost about a fifth of durable ingest throughput (docs/PERFORMANCE.md): they
  // are kept only while the feed uses them.
  if (clicks && !docs.empty() && config.feed.related_weight > 0) {
    record_coclicks(it->second, ev.time_ms, docs);
  }
  it->second.apply(ev, topics, *taxonomy, config.context);
  // Embedding interest profiles (the fifth context; embeddings.cc).
  if (ann) update_profiles(it->second, ev, docs);
  // Interest keywords (the fourth context) of searches and clicks (keyword_context.h).
  if (keyword_extractor) {
    record_keywords(it->second, ev, docs, *index, *keyword_extractor, config.context,
                    &keyword_memo);
  }
  dirty_users.insert(&*it);
  // A search with clicks gets its refined query Q* at once (the default refiners answer in
  // microseconds; docs/INTENTS.md).
  if (ev.type == EventType::kSearch && !ev.doc_ids.empty() && refiner) {
    const auto by = refine_recent_search(it->second, ev.query, *index, *refiner);
    if (by != intent::RefinementSource::kNone) {
      suggestions->add(it->second.find_recent_search(ev.query)->refined, ev.time_ms);
      counters.searches_refined.fetch_add(1, std::memory_order_relaxed);
      if (by == intent::RefinementSource::kMined) {
        counters.searches_refined_mined.fetch_add(1, std::memory_order_relaxed);
      }
      if (async_refiner) {
        const RecentSearch* rs = it->second.find_recent_search(ev.query);
        async_refiner->submit({ev.user, rs->query, rs->time_ms, rs->clicked, rs->refined, 0});
      }
    }
  }
  if (ev.type == EventType::kSearch) {
    const RecentSearch* rs = it->second.find_recent_search(ev.query);
    add_to_query_graph(ev.user, ev.query, ev.time_ms, ev.doc_ids, rs ? rs->refined : "");
  }
  if (ev.type != EventType::kImpression) {
    std::sort(docs.begin(), docs.end());
    docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
    for (DocIndex d : docs) {
      index->record_click(d, ev.time_ms);
      models.add_clicks(1);
      if (feature_log) feature_log->log_click(ev.user, index->doc(d).id, ev.time_ms);
      dirty_popularity.insert(d);
      trends.record_click(d, ev.time_ms);
    }
    // Trend labels: the refined query that led to these clicks (index/trend_index.h).
    const RecentSearch* rs =
        ev.type == EventType::kSearch ? it->second.find_recent_search(ev.query) : nullptr;
    if (rs != nullptr && !rs->refined.empty()) {
      for (DocIndex d : docs) trends.record_intent(d, rs->refined);
    }
  }
}

void Engine::Impl::add_to_query_graph(const std::string& user, std::string_view query, TimeMs t,
                                      const std::vector<std::string>& clicked,
                                      std::string_view refined) {
  std::vector<uint64_t> keys;
  std::vector<std::string_view> titles;
  for (const std::string& id : clicked) {
    const auto d = index->find(id);
    if (!d) continue;
    keys.push_back(index->doc(*d).key);
    titles.push_back(index->doc(*d).title);
  }
  query_graph->add_search(user, query, t, keys, refined, titles);
}

void Engine::Impl::apply_llm_refinement(const AsyncRefinementResult& r) {
  auto it = users.find(r.task.user);
  const RecentSearch* rs =
      it == users.end() ? nullptr : it->second.find_recent_search(r.task.query);
  // A newer search with the same query, or a newer refinement, wins over this late answer.
  if (rs == nullptr || rs->time_ms != r.task.search_ms || rs->refined != r.task.default_answer ||
      !it->second.set_refinement(r.task.query, r.refined,
                                 intent::RefinementSource::kLanguageModel)) {
    counters.llm_refinements_stale.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  dirty_users.insert(&*it);
  suggestions->add(r.refined, r.task.search_ms);
  counters.searches_refined_llm.fetch_add(1, std::memory_order_relaxed);
}

void Engine::Impl::record_coclicks(const UserContext& user, TimeMs t,
                                   const std::vector<DocIndex>& clicked) {
  const auto window_ms = static_cast<TimeMs>(config.index.coclick_window_s * 1000.0);
  thread_local std::vector<DocIndex> fresh;
  fresh.clear();
  for (DocIndex d : clicked) {
    const uint64_t key = index->doc(d).key;
    const auto& recent = user.recent_clicks();
    const bool known = std::any_of(recent.begin(), recent.end(),
                                   [&](const RecentClick& c) { return c.key == key; });
    // A document the user clicked before was paired then; count each user once.
    if (known || std::find(fresh.begin(), fresh.end(), d) != fresh.end()) continue;
    fresh.push_back(d);
  }
  for (size_t i = 0; i < fresh.size(); ++i) {
    const DocIndex d = fresh[i];
    coclick->add_click(d);
    dirty_coclick.insert(d);
    for (size_t j = 0; j < i; ++j) coclick->add_pair(d, fresh[j]);
    for (const RecentClick& c : user.recent_clicks()) {
      if (std::llabs(c.time_ms - t) > window_ms) continue;
      const auto other = index->find_key(c.key);
      if (!other || *other == d) continue;
      coclick->add_pair(d, *other);
      dirty_coclick.insert(*other);
    }
  }
}

void Engine::Impl::writer_loop() {
  while (true) {
    std::vector<Job*> jobs;
    bool stop = false;
    {
      std::unique_lock lk(queue_mu);
      const bool dirty = applied_seq != checkpointed_seq || !dirty_users.empty() ||
                         checkpoint_in_flight.has_value();
      if (dirty) {
        queue_cv.wait_for(lk,
                          std::chrono::milliseconds(std::min<TimeMs>(
                              1000, std::max<TimeMs>(1, config.checkpoint_interval_ms))),
                          [&] { return stopping || !queue.empty(); });
      } else {
        queue_cv.wait(lk, [&] { return stopping || !queue.empty(); });
      }
      jobs.assign(queue.begin(), queue.end());
      queue.clear();
      stop = stopping && jobs.empty();
    }
    if (!jobs.empty()) {
      commit_group(jobs);
      {
        std::lock_guard lk(queue_mu);
        for (Job* j : jobs) j->done = true;
      }
      done_cv.notify_all();
    }
    const TimeMs now = clock();
    // Checkpoint failures are logged; the log keeps the events and the next one retries.
    if (stop) {
      // After a checkpoint the log holds nothing the store's files lack: flushing it lets
      // the next open skip its replay. A failure only makes that open slower.
      if (checkpoint().is_ok()) flush_store_on_close();
    } else if (jobs.empty() || now - last_checkpoint_ms >= config.checkpoint_interval_ms ||
               dirty_users.size() >= kCheckpointMaxDirtyUsers) {
      (void)settle_checkpoint();
      begin_checkpoint();
    } else {
      (void)poll_checkpoint();
    }
    save_ann(now, stop);  // logged on failure; the next start re-adds from the store
    if (stop) return;
  }
}

void Engine::Impl::commit_group(std::vector<Job*>& jobs) {
  // Language-model answers need no durability of their own (a checkpoint keeps them; a
  // replay falls back to the default refiner's answer).
  for (Job* j : jobs) {
    if (j->refinements.empty()) continue;
    std::unique_lock lk(state_mu);
    for (const AsyncRefinementResult& r : j->refinements) apply_llm_refinement(r);
  }
  // The writer is the index's only mutator: reading it here needs no lock.
  Status st = committer->resolve_pending();
  Result<CommitGroup> group =
      st.is_ok() ? committer->prepare(jobs, *index) : Result<CommitGroup>(st);
  if (group.is_ok()) {
    ++counters.commits;
    st = committer->write(*group);
  } else {
    st = group.status();
  }
  if (!st.is_ok()) {
    ++counters.commit_failures;
    spdlog::error("durable write failed: {}", st.to_string());
    for (Job* j : jobs) {
      j->report->commit_status = st;
      j->report->accepted = 0;  // nothing was acknowledged
      j->report->duplicates = 0;
    }
    return;
  }
  apply_group(*group);
  for (Job* j : jobs) {
    const IngestReport& r = *j->report;
    if (j->documents) {
      counters.documents_accepted += r.accepted;
      counters.documents_duplicate += r.duplicates;
      counters.documents_rejected += r.rejected;
    } else {
      counters.events_accepted += r.accepted;
      counters.events_duplicate += r.duplicates;
      counters.events_rejected += r.rejected;
    }
  }
}

void Engine::Impl::apply_group(const CommitGroup& g) {
  // Documents first (events may reference them), then events in slices so that readers are
  // never held up for long.
  if (!g.new_docs.empty()) {
    std::unique_lock lk(state_mu);
    for (const Document* d : g.new_docs) (void)index->add(*d);
  }
  // The ANN has its own lock; its documents are already indexed, so every hit resolves.
  if (ann) {
    const TimeMs now = clock();
    for (size_t i = 0; i < g.new_docs.size(); ++i) {
      if (g.new_vectors[i]->empty()) continue;
      if (const auto d = index->find(g.new_docs[i]->id)) {
        index_vector(index->doc(*d), *g.new_vectors[i], now);
      }
    }
  }
  for (size_t i = 0; i < g.new_events.size(); i += kApplySlice) {
    std::unique_lock lk(state_mu);
    const size_t end = std::min(g.new_events.size(), i + kApplySlice);
    for (size_t k = i; k < end; ++k) {
      apply_event(*g.new_events[k], g.resolved.data() + g.resolved_at[k]);
    }
  }
  if (!g.new_events.empty()) applied_seq = g.first_seq + g.new_events.size() - 1;
  expire_vectors(clock());
  refresh_popular_if_due(!g.new_events.empty(), !g.new_docs.empty());
}

void Engine::Impl::refresh_popular_if_due(bool popularity_changed, bool documents_added) {
  const TimeMs now = clock();
  // Small pools refresh on every change (cheap, and tests see it at once).
  // At most once a second, and at most ~2% of the writer's time: a refresh visits every
  // clicked document (≈ 45 ms at 200k documents, 1M events), once a second a tenth of ingest.
  const bool due =
      (popularity_changed &&
       (now - last_popular_refresh_ms >= popular_refresh_interval_ms || index->size() < 10000)) ||
      (documents_added && index->popular().size() < config.index.popular_list_size);
  if (!due) return;
  const auto started = std::chrono::steady_clock::now();
  // This (the writer) thread is the index's only mutator, so it reads the index here with
  // no lock while readers hold state_mu shared; only the swap of the lists needs it
  // exclusively, so readers no longer stall for the whole refresh.
  DocumentIndex::PopularLists lists = index->compute_popular(now);
  {
    std::unique_lock lk(state_mu);
    index->set_popular(std::move(lists));
  }
  last_popular_refresh_ms = now;
  const auto took = std::chrono::steady_clock::now() - started;
  popular_refresh_interval_ms = std::max<TimeMs>(
      1000, 50 * std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
}

IngestReport Engine::Impl::submit(Job& job) {
  if (job.events.empty() && job.docs.empty() && job.refinements.empty()) {
    (job.documents ? counters.documents_rejected : counters.events_rejected) +=
        job.report->rejected;
    return *job.report;
  }
  {
    std::lock_guard lk(queue_mu);
    queue.push_back(&job);
  }
  queue_cv.notify_one();
  std::unique_lock lk(queue_mu);
  done_cv.wait(lk, [&] { return job.done; });
  return *job.report;
}

}  // namespace feedscout
