#include "feedscout/engine/engine.h"

#include <spdlog/spdlog.h>

#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_set>

#include "feedscout/common/hash.h"
#include "feedscout/index/document_index.h"
#include "feedscout/models/fasttext_classifier.h"
#include "feedscout/store/rocksdb_store.h"
#include "keys.h"
#include "served_memory.h"

namespace feedscout {
namespace {

std::string taxonomy_fingerprint(const Taxonomy& t) {
  uint64_t h = kFnv1aOffset;
  auto mix = [&](std::string_view s) { h = fnv1a64("\xFF", fnv1a64(s, h)); };
  for (TopicId i = 0; i < t.size(); ++i) {
    mix(t.node(i).external_id);
    mix(t.node(i).path);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zu:%016llx", t.size(), static_cast<unsigned long long>(h));
  return buf;
}

std::string encode_popularity(double clicks, TimeMs ref) {
  std::string out(sizeof(double) + sizeof(TimeMs), '\0');
  std::memcpy(out.data(), &clicks, sizeof(double));
  std::memcpy(out.data() + sizeof(double), &ref, sizeof(TimeMs));
  return out;
}

// One caller's batch waiting for the writer thread.
struct Job {
  bool documents = false;
  std::vector<std::pair<size_t, Event>> events;
  std::vector<std::pair<size_t, Document>> docs;
  IngestReport* report = nullptr;
  bool done = false;
};

}  // namespace

struct Engine::Impl {
  EngineConfig config;
  std::function<TimeMs()> clock;
  std::unique_ptr<Taxonomy> taxonomy;
  std::unique_ptr<TopicClassifier> classifier;
  std::unique_ptr<KvStore> store;

  // State guarded by state_mu: writers hold it exclusively only while applying to memory.
  mutable std::shared_mutex state_mu;
  std::unique_ptr<DocumentIndex> index;
  std::unordered_map<std::string, UserContext> users;
  TimeMs last_popular_refresh_ms = 0;

  ServedMemory served;

  // Writer queue.
  std::mutex queue_mu;
  std::condition_variable queue_cv;  // writer waits for work
  std::condition_variable done_cv;   // callers wait for their job
  std::deque<Job*> queue;
  bool stopping = false;
  std::thread writer;

  struct Counters {
    std::atomic<uint64_t> events_accepted{0}, events_duplicate{0}, events_rejected{0};
    std::atomic<uint64_t> documents_accepted{0}, documents_duplicate{0}, documents_rejected{0};
    std::atomic<uint64_t> documents_classified{0}, classifier_failures{0};
    std::atomic<uint64_t> commits{0}, commit_failures{0};
  } counters;

  explicit Impl(const EngineConfig& c) : config(c), served(c.served_memory_ms) {}

  Status load_state();
  void writer_loop();
  void commit_group(std::vector<Job*>& jobs);
  void apply_documents(Job& job, WriteBatch& batch, std::unordered_set<std::string>& dirty_pop);
  void apply_events(Job& job, const std::vector<std::optional<std::string>>& existing,
                    size_t& existing_pos, std::unordered_set<std::string>& group_ids,
                    WriteBatch& batch, std::unordered_set<std::string>& dirty_users,
                    std::unordered_set<DocIndex>& dirty_pop);
  IngestReport submit(Job& job);
};

Status Engine::Impl::load_state() {
  auto tax = Taxonomy::load_file(config.taxonomy_path);
  if (!tax.is_ok()) return tax.status();
  taxonomy = std::make_unique<Taxonomy>(std::move(tax).value());
  index = std::make_unique<DocumentIndex>(*taxonomy, config.index);

  if (config.classifier.kind == "fasttext" && !config.classifier.model_path.empty()) {
    auto cls = load_fasttext_classifier(config.classifier.model_path, *taxonomy);
    if (!cls.is_ok()) return cls.status();
    classifier = std::move(cls).value();
  } else if (config.classifier.kind != "fasttext" && config.classifier.kind != "none") {
    return Status::invalid_argument("classifier.kind must be 'fasttext' or 'none', got '" +
                                    config.classifier.kind + "'");
  }

  RocksDbStoreOptions so;
  so.block_cache_mb = config.block_cache_mb;
  auto st = open_rocksdb_store(config.data_dir, so);
  if (!st.is_ok()) return st.status();
  store = std::move(st).value();

  const std::string fp = taxonomy_fingerprint(*taxonomy);
  auto stored_fp = store->get(keys::kTaxonomyFingerprint);
  if (!stored_fp.is_ok()) return stored_fp.status();
  if (stored_fp->has_value() && **stored_fp != fp) {
    return Status::invalid_argument(
        "data directory '" + config.data_dir + "' was built with a different taxonomy (" +
        **stored_fp + ", loaded " + fp + "); use another data directory or the original taxonomy");
  }
  if (!stored_fp->has_value()) {
    WriteBatch b;
    b.put(std::string(keys::kTaxonomyFingerprint), fp);
    FEEDSCOUT_RETURN_IF_ERROR(store->write(b, WriteOptions{true}));
  }

  // Stored documents were validated on ingest; the canonical form may be longer than what
  // was sent, and limits may have been lowered since: re-read them without limits.
  ParseLimits relaxed;
  relaxed.max_past_ms = relaxed.max_future_ms = INT64_MAX / 4;
  relaxed.max_item_bytes = relaxed.max_body_bytes = relaxed.max_title_bytes = SIZE_MAX / 4;
  relaxed.max_url_bytes = relaxed.max_id_bytes = SIZE_MAX / 4;
  Status inner;
  FEEDSCOUT_RETURN_IF_ERROR(store->scan_prefix(keys::kDocPrefix, [&](std::string_view key,
                                                                     std::string_view value) {
    auto parsed = parse_documents(value, relaxed, *taxonomy, 0);
    if (parsed.items.size() != 1) {
      inner = Status::corruption("stored document '" + std::string(key) + "' is unreadable");
      return false;
    }
    (void)index->add(parsed.items[0].second);
    return true;
  }));
  FEEDSCOUT_RETURN_IF_ERROR(inner);
  FEEDSCOUT_RETURN_IF_ERROR(store->scan_prefix(keys::kUserPrefix, [&](std::string_view key,
                                                                      std::string_view value) {
    auto ctx = UserContext::decode(value);
    if (!ctx.is_ok()) {
      inner = ctx.status().with_context("stored context '" + std::string(key) + "'");
      return false;
    }
    users.emplace(std::string(key.substr(keys::kUserPrefix.size())), std::move(ctx).value());
    return true;
  }));
  FEEDSCOUT_RETURN_IF_ERROR(inner);
  FEEDSCOUT_RETURN_IF_ERROR(store->scan_prefix(
      keys::kPopularityPrefix, [&](std::string_view key, std::string_view value) {
        auto doc = index->find(key.substr(keys::kPopularityPrefix.size()));
        if (doc && value.size() == sizeof(double) + sizeof(TimeMs)) {
          double clicks;
          TimeMs ref;
          std::memcpy(&clicks, value.data(), sizeof(double));
          std::memcpy(&ref, value.data() + sizeof(double), sizeof(TimeMs));
          index->set_popularity(*doc, clicks, ref);
        }
        return true;
      }));
  index->refresh_popular(clock());
  last_popular_refresh_ms = clock();
  return Status::ok();
}

void Engine::Impl::writer_loop() {
  while (true) {
    std::vector<Job*> jobs;
    {
      std::unique_lock lk(queue_mu);
      queue_cv.wait(lk, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping with nothing left
      jobs.assign(queue.begin(), queue.end());
      queue.clear();
    }
    commit_group(jobs);
    {
      std::lock_guard lk(queue_mu);
      for (Job* j : jobs) j->done = true;
    }
    done_cv.notify_all();
  }
}

void Engine::Impl::apply_documents(Job& job, WriteBatch& batch,
                                   std::unordered_set<std::string>& /*dirty_pop*/) {
  IngestReport& r = *job.report;
  for (auto& [pos, doc] : job.docs) {
    if (index->find(doc.id)) {
      ++r.duplicates;
      continue;
    }
    (void)index->add(doc);
    batch.put(keys::doc(doc.id), document_to_json(doc, *taxonomy));
    ++r.accepted;
  }
}

void Engine::Impl::apply_events(Job& job, const std::vector<std::optional<std::string>>& existing,
                                size_t& existing_pos, std::unordered_set<std::string>& group_ids,
                                WriteBatch& batch, std::unordered_set<std::string>& dirty_users,
                                std::unordered_set<DocIndex>& dirty_pop) {
  IngestReport& r = *job.report;
  std::vector<const std::vector<DocTopic>*> topics;
  std::vector<DocIndex> doc_idx;
  for (auto& [pos, ev] : job.events) {
    const bool stored = existing[existing_pos++].has_value();
    if (stored || group_ids.count(ev.id)) {
      ++r.duplicates;
      continue;
    }
    // Every referenced document must be known.
    topics.clear();
    doc_idx.clear();
    const char* field = ev.type == EventType::kSearch ? "clicked" : "docs";
    bool ok = true;
    for (size_t i = 0; i < ev.doc_ids.size(); ++i) {
      auto d = index->find(ev.doc_ids[i]);
      if (!d) {
        r.errors.push_back({pos, std::string(field) + "[" + std::to_string(i) + "]",
                            "unknown document '" + ev.doc_ids[i] +
                                "' (ingest documents before events that reference them)"});
        ok = false;
        break;
      }
      doc_idx.push_back(*d);
      topics.push_back(&index->doc(*d).topics);
    }
    if (!ok) {
      ++r.rejected;
      continue;
    }
    users[ev.user].apply(ev, topics, *taxonomy, config.context);
    dirty_users.insert(ev.user);
    if (ev.type != EventType::kImpression) {
      std::sort(doc_idx.begin(), doc_idx.end());
      doc_idx.erase(std::unique(doc_idx.begin(), doc_idx.end()), doc_idx.end());
      for (DocIndex d : doc_idx) {
        index->record_click(d, ev.time_ms);
        dirty_pop.insert(d);
      }
    }
    group_ids.insert(ev.id);
    batch.put(keys::event(ev.id), event_to_json(ev));
    ++r.accepted;
  }
}

void Engine::Impl::commit_group(std::vector<Job*>& jobs) {
  // Which event ids are already stored: one multi_get for the whole group.
  std::vector<std::string> event_keys;
  for (Job* j : jobs) {
    for (const auto& [pos, ev] : j->events) event_keys.push_back(keys::event(ev.id));
  }
  std::vector<std::optional<std::string>> existing;
  Status lookup = event_keys.empty() ? Status::ok() : store->multi_get(event_keys, existing);
  if (!lookup.is_ok()) {
    for (Job* j : jobs) j->report->commit_status = lookup;
    ++counters.commit_failures;
    return;
  }

  WriteBatch batch;
  std::unordered_set<std::string> dirty_users;
  std::unordered_set<DocIndex> dirty_pop;
  std::unordered_set<std::string> unused;
  {
    std::unique_lock lk(state_mu);
    std::unordered_set<std::string> group_ids;
    size_t existing_pos = 0;
    for (Job* j : jobs) {
      if (j->documents) {
        apply_documents(*j, batch, unused);
      } else {
        apply_events(*j, existing, existing_pos, group_ids, batch, dirty_users, dirty_pop);
      }
    }
    for (const auto& u : dirty_users) batch.put(keys::user(u), users[u].encode());
    for (DocIndex d : dirty_pop) {
      auto [clicks, ref] = index->popularity_state(d);
      batch.put(keys::popularity(index->doc(d).id), encode_popularity(clicks, ref));
    }
    const TimeMs now = clock();
    if (!dirty_pop.empty() && (now - last_popular_refresh_ms >= 1000 || index->size() < 10000)) {
      index->refresh_popular(now);
      last_popular_refresh_ms = now;
    } else if (jobs.front()->documents && index->popular().size() < config.index.popular_list_size) {
      index->refresh_popular(now);
    }
  }
  Status st = batch.empty() ? Status::ok() : store->write(batch, WriteOptions{true});
  ++counters.commits;
  if (!st.is_ok()) {
    ++counters.commit_failures;
    spdlog::error("durable write failed: {}", st.to_string());
  }
  for (Job* j : jobs) {
    IngestReport& r = *j->report;
    if (!st.is_ok()) {
      r.commit_status = st;
      continue;
    }
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

IngestReport Engine::Impl::submit(Job& job) {
  if (job.events.empty() && job.docs.empty()) {
    if (job.documents) {
      counters.documents_rejected += job.report->rejected;
    } else {
      counters.events_rejected += job.report->rejected;
    }
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

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  {
    std::lock_guard lk(impl_->queue_mu);
    impl_->stopping = true;
  }
  impl_->queue_cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
}

Result<std::unique_ptr<Engine>> Engine::open(const EngineConfig& config,
                                             std::function<TimeMs()> clock) {
  auto impl = std::make_unique<Impl>(config);
  impl->clock = clock ? std::move(clock) : std::function<TimeMs()>(now_ms);
  FEEDSCOUT_RETURN_IF_ERROR(impl->load_state());
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->writer_loop(); });
  spdlog::info("engine opened: store={} documents={} users={} classifier={}",
               raw->store->describe(), raw->index->size(), raw->users.size(),
               raw->classifier ? raw->classifier->describe() : "none");
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
  auto parsed = parse_documents(body, impl_->config.limits, *impl_->taxonomy, impl_->clock(),
                                first_line);
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
        doc.topics.push_back({p.topic, p.score, TopicSource::kClassifier});
      }
      ++impl_->counters.documents_classified;
    }
  }
  Job job;
  job.documents = true;
  job.docs = std::move(parsed.items);
  job.report = &report;
  impl_->submit(job);
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

FeedPage Engine::feed(const std::string& user, size_t n, bool remember_served) {
  FeedPage page;
  page.user = user;
  const TimeMs now = impl_->clock();
  const auto recently_served = impl_->served.snapshot(user, now);
  {
    std::shared_lock lk(impl_->state_mu);
    auto it = impl_->users.find(user);
    page.known_user = it != impl_->users.end();
    static const UserContext kEmpty;
    const UserContext& ctx = page.known_user ? it->second : kEmpty;
    const ContextView view = compute_view(ctx, now, impl_->config.context);
    Feed feed = build_feed(view, ctx, *impl_->index, *impl_->taxonomy, impl_->config.feed, n, now,
                           [&](uint64_t key) { return recently_served.count(key) > 0; });
    page.user_class = feed.user_class;
    for (const FeedItem& item : feed.items) {
      const DocRecord& d = impl_->index->doc(item.doc);
      FeedEntry e{d.id, d.title, d.source, d.created_ms, {}, item.source, item.score, item.reason};
      for (const auto& t : d.topics) e.topic_paths.push_back(impl_->taxonomy->node(t.topic).path);
      page.items.push_back(std::move(e));
    }
  }
  if (remember_served) {
    std::vector<uint64_t> served_keys;
    for (const auto& e : page.items) served_keys.push_back(doc_key(e.doc_id));
    impl_->served.remember(user, served_keys, now);
  }
  return page;
}

Result<std::optional<std::string>> Engine::event_json(const std::string& id) const {
  return impl_->store->get(keys::event(id));
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
  s.commits = c.commits;
  s.commit_failures = c.commit_failures;
  std::shared_lock lk(impl_->state_mu);
  s.documents = impl_->index->size();
  s.users = impl_->users.size();
  return s;
}

const Taxonomy& Engine::taxonomy() const { return *impl_->taxonomy; }
const EngineConfig& Engine::config() const { return impl_->config; }
TimeMs Engine::now() const { return impl_->clock(); }
std::string Engine::classifier_description() const {
  return impl_->classifier ? impl_->classifier->describe() : "none";
}

}  // namespace feedscout
