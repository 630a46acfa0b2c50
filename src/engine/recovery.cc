// Opening a data directory: taxonomy and classifier, the store, the checkpoint, and a
// replay of the log past it (engine_impl.h).
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine_impl.h"
#include "feedscout/common/hash.h"
#include "feedscout/ingest/event_record.h"
#include "feedscout/llm/choice_topic_classifier.h"
#include "feedscout/llm/client_adapters.h"
#include "feedscout/llm/remote_scorer.h"
#include "feedscout/models/fasttext_classifier.h"
#include "feedscout/store/rocksdb_store.h"
#include "keys.h"

namespace feedscout {
namespace {

std::string taxonomy_fingerprint(const Taxonomy& t) {
  uint64_t h = kFnv1aOffset;
  for (TopicId i = 0; i < t.size(); ++i) {
    h = fnv1a64("\xFF", fnv1a64(t.node(i).external_id, h));
    h = fnv1a64("\xFF", fnv1a64(t.node(i).path, h));
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%zu:%016llx", t.size(), static_cast<unsigned long long>(h));
  return buf;
}

// Where an open's time goes, for its log line: "name seconds" per stage, in order.
class OpenStages {
 public:
  void mark(std::string_view name) {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    text_ += fmt::format("{}{} {:.2f} s", text_.empty() ? "" : ", ", name, s);
  }
  const std::string& text() const { return text_; }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::string text_;
};

// Users whose stored contexts are loaded, in store order, handed to the thread that rebuilds
// suggestions and the query graph from their recent searches. The map's elements never move
// (std::unordered_map keeps references across rehashing), and the loading thread does not
// touch a user again once handed over.
class LoadedUsers {
 public:
  using User = const std::pair<const std::string, UserContext>*;

  void push(User u) {
    batch_.push_back(u);
    if (batch_.size() >= kBatch) flush();
  }
  // No more users: the consumer drains what is queued, then next() answers false.
  void close() {
    flush();
    std::lock_guard lk(mu_);
    closed_ = true;
    cv_.notify_one();
  }
  // The next batch, in push order; false once closed and drained.
  bool next(std::vector<User>& out) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

 private:
  static constexpr size_t kBatch = 256;
  void flush() {
    if (batch_.empty()) return;
    std::lock_guard lk(mu_);
    queue_.push_back(std::move(batch_));
    batch_.clear();
    cv_.notify_one();
  }

  std::vector<User> batch_;  // the loading thread's own
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<User>> queue_;
  bool closed_ = false;
};

}  // namespace

Status Engine::Impl::load_contexts() {
  // Suggestions are rebuilt from the refined queries users still hold (each recent search
  // once, at its newest time); the log replay adds the rest. So is the query graph, oldest
  // search first (its session edges follow time). That rebuild runs on a second thread, fed
  // users in store order (the same order, so the same result, as one thread).
  LoadedUsers loaded;
  std::thread rebuild([&] {
    std::vector<LoadedUsers::User> batch;
    while (loaded.next(batch)) {
      for (LoadedUsers::User u : batch) {
        const auto& searches = u->second.recent_searches();
        for (const RecentSearch& rs : searches) {
          if (!rs.refined.empty()) suggestions->add(rs.refined, rs.time_ms);
        }
        for (auto rs = searches.rbegin(); rs != searches.rend(); ++rs) {
          add_to_query_graph(u->first, rs->query, rs->time_ms, rs->clicked, rs->refined);
        }
      }
    }
  });
  Status inner;
  const Status scanned =
      store->scan_prefix(keys::kUserPrefix, [&](std::string_view key, std::string_view value) {
        auto ctx = UserContext::decode(value);
        if (!ctx.is_ok()) {
          inner = ctx.status().with_context("stored context '" + std::string(key) + "'");
          return false;
        }
        for (const auto& surface : ctx->surfaces()) {
          for (const auto& [topic, evidence] : surface.topics) {
            if (topic >= taxonomy->size()) {
              inner = Status::corruption("stored context '" + std::string(key) + "' names topic " +
                                         std::to_string(topic) + ", outside the taxonomy");
              return false;
            }
          }
        }
        const auto [it, added] = users.emplace(std::string(key.substr(keys::kUserPrefix.size())),
                                               std::move(ctx).value());
        if (added) loaded.push(&*it);
        return true;
      });
  loaded.close();
  rebuild.join();
  FEEDSCOUT_RETURN_IF_ERROR(scanned);
  return inner;
}

Status Engine::Impl::load_state() {
  OpenStages stages;
  auto tax = Taxonomy::load_file(config.taxonomy_path);
  if (!tax.is_ok()) return tax.status();
  taxonomy = std::make_unique<Taxonomy>(std::move(tax).value());
  index = std::make_unique<DocumentIndex>(*taxonomy, config.index);
  coclick = std::make_unique<CoClickIndex>(CoClickConfig{config.index.coclick_neighbours});
  word_weights = std::make_unique<IndexWordWeights>(*index);
  {
    auto r = make_refiner(config.intent, *word_weights);
    if (!r.is_ok()) return r.status();
    refiner = std::move(r).value();
  }
  suggestions = std::make_unique<SuggestIndex>(config.intent.suggest);
  query_graph = std::make_unique<QueryGraph>(config.query_graph);
  pool_cache = std::make_unique<RelatedPoolCache>(config.search_feed.pool_cache_entries,
                                                  config.search_feed.pool_cache_max_stale_ms);
  {
    auto k = make_keyword_extractor(config.keywords, *word_weights);
    if (!k.is_ok()) return k.status();
    keyword_extractor = std::move(k).value();
  }

  const std::string& kind = config.classifier.kind;
  if (kind != "fasttext" && kind != "none" && kind != "llm" && kind != "llm+fasttext") {
    return Status::invalid_argument(
        "classifier.kind must be 'fasttext', 'none', 'llm' or 'llm+fasttext', got '" + kind + "'");
  }
  std::unique_ptr<TopicClassifier> student;
  if ((kind == "fasttext" || kind == "llm+fasttext") && !config.classifier.model_path.empty()) {
    auto cls = load_fasttext_classifier(config.classifier.model_path, *taxonomy);
    if (!cls.is_ok()) return cls.status();
    student = std::move(cls).value();
  }
  if (kind == "llm+fasttext" && !student) {
    return Status::invalid_argument("classifier.kind 'llm+fasttext' needs classifier.model");
  }
  if (kind == "fasttext") classifier = std::move(student);
  if (kind == "llm" || kind == "llm+fasttext") {
    FEEDSCOUT_RETURN_IF_ERROR(open_llm_classifier(std::move(student)));
  }

  RocksDbStoreOptions so;
  so.block_cache_mb = config.block_cache_mb;
  auto st = open_rocksdb_store(config.data_dir, so);
  if (!st.is_ok()) return st.status();
  store = std::move(st).value();
  if (wrap_store) store = wrap_store(std::move(store));
  stages.mark("models and store");

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

  const ParseLimits relaxed = stored_record_limits();
  Status inner;
  FEEDSCOUT_RETURN_IF_ERROR(
      store->scan_prefix(keys::kDocPrefix, [&](std::string_view key, std::string_view value) {
        auto parsed = parse_documents(value, relaxed, *taxonomy, 0);
        if (parsed.items.size() != 1) {
          inner = Status::corruption("stored document '" + std::string(key) + "' is unreadable");
          return false;
        }
        (void)index->add(parsed.items[0].second);
        return true;
      }));
  FEEDSCOUT_RETURN_IF_ERROR(inner);
  stages.mark("documents");
  // Before the replay: replayed clicks move embedding profiles with the ANN's vectors.
  FEEDSCOUT_RETURN_IF_ERROR(open_embeddings());
  stages.mark("embeddings");
  FEEDSCOUT_RETURN_IF_ERROR(load_contexts());
  stages.mark("contexts with suggestions and query graph");
  FEEDSCOUT_RETURN_IF_ERROR(store->scan_prefix(
      keys::kPopularityPrefix, [&](std::string_view key, std::string_view value) {
        auto doc = index->find(key.substr(keys::kPopularityPrefix.size()));
        if (!doc) return true;  // a document that is gone
        auto p = decode_doc_popularity(value);
        if (!p.is_ok()) {
          inner = p.status().with_context("stored popularity '" + std::string(key) + "'");
          return false;
        }
        index->set_popularity(*doc, *p);
        return true;
      }));
  FEEDSCOUT_RETURN_IF_ERROR(
      store->scan_prefix(keys::kCoClickPrefix, [&](std::string_view key, std::string_view value) {
        auto doc = index->find(key.substr(keys::kCoClickPrefix.size()));
        if (!doc) return true;  // a document that is gone
        Status st = coclick->decode(*doc, value, [&](uint64_t k) { return index->find_key(k); });
        if (!st.is_ok()) {
          inner = st.with_context("stored co-clicks '" + std::string(key) + "'");
          return false;
        }
        return true;
      }));
  FEEDSCOUT_RETURN_IF_ERROR(inner);
  auto applied = store->get(keys::kAppliedSeq);
  if (!applied.is_ok()) return applied.status();
  if (applied->has_value()) {
    applied_seq = std::strtoull((*applied)->c_str(), nullptr, 10);
  }
  checkpointed_seq = applied_seq;
  stages.mark("popularity and co-clicks");
  FEEDSCOUT_RETURN_IF_ERROR(replay_log());
  stages.mark("log replay");
  committer = std::make_unique<Committer>(*store, *taxonomy);
  committer->set_next_seq(applied_seq + 1);
  if (config.intent.llm.enabled) FEEDSCOUT_RETURN_IF_ERROR(open_llm_refiner());
  last_popular_refresh_ms = clock();
  index->refresh_popular(last_popular_refresh_ms);
  last_checkpoint_ms = clock();
  const Status checkpointed = checkpoint();
  stages.mark("checkpoint");
  open_stages = stages.text();
  return checkpointed;
}

namespace {

// intent::WordWeights over the index's statistics for threads other than the writer: each
// lookup takes the engine's shared lock.
class LockedWordWeights final : public intent::WordWeights {
 public:
  LockedWordWeights(const intent::WordWeights& inner, std::shared_mutex& mu)
      : inner_(inner), mu_(mu) {}
  double idf(std::string_view word) const override {
    std::shared_lock lk(mu_);
    return inner_.idf(word);
  }
  bool known(std::string_view word) const override {
    std::shared_lock lk(mu_);
    return inner_.known(word);
  }

 private:
  const intent::WordWeights& inner_;
  std::shared_mutex& mu_;
};

}  // namespace

Status Engine::Impl::open_llm_refiner() {
  const IntentLlmConfig& c = config.intent.llm;
  llm::LlmClientConfig client_config = c.client;
  client_config.deadline_ms = c.timeout_ms;
  auto client = llm::LlmClient::create(client_config);
  if (!client.is_ok()) return client.status().with_context("intent.llm");
  intent_llm_client = std::move(client).value();
  auto prompt = llm::PromptTemplate::load_file(c.prompt_path);
  if (!prompt.is_ok()) return prompt.status().with_context("intent.llm_prompt");
  locked_word_weights = std::make_unique<LockedWordWeights>(*word_weights, state_mu);
  intent::LlmRefinerOptions options;
  options.budget = config.intent.options;
  options.body_budget = c.body_budget;
  llm_refiner = std::make_unique<intent::LlmRefiner>(*intent_llm_client, std::move(prompt).value(),
                                                     *locked_word_weights, options);
  async_refiner = std::make_unique<AsyncRefiner>(
      *llm_refiner, c.workers, c.max_queue, c.timeout_ms, clock,
      [this](const std::vector<std::string>& ids) { return load_clicked_texts(ids); },
      [this](AsyncRefinementResult r) {
        IngestReport report;
        Job job;
        job.refinements.push_back(std::move(r));
        job.report = &report;
        (void)submit(job);
      },
      async_counters);
  return Status::ok();
}

std::vector<ClickedText> Engine::Impl::load_clicked_texts(const std::vector<std::string>& ids) {
  std::vector<ClickedText> out;
  std::vector<std::string> ks;
  for (const std::string& id : ids) ks.push_back(keys::doc(id));
  std::vector<std::optional<std::string>> values;
  if (!store->multi_get(ks, values).is_ok()) return out;
  for (size_t i = 0; i < ids.size() && i < values.size(); ++i) {
    if (!values[i]) continue;
    const auto doc = nlohmann::json::parse(*values[i], nullptr, false);
    if (!doc.is_object()) continue;
    ClickedText t;
    t.id = ids[i];
    if (doc.contains("title") && doc["title"].is_string()) t.title = doc["title"];
    if (doc.contains("body") && doc["body"].is_string()) t.body = doc["body"];
    out.push_back(std::move(t));
  }
  return out;
}

Result<Event> Engine::Impl::read_stored_event(std::string_view value, const ParseLimits& limits) {
  if (is_event_record(value)) return decode_event_record(value);
  auto parsed = parse_events(value, limits, 0);
  if (parsed.items.size() != 1) return Status::corruption("unreadable (neither record nor JSON)");
  return std::move(parsed.items[0].second);
}

Status Engine::Impl::replay_log() {
  // Log keys are fixed-width hex, so key order is sequence order.
  std::vector<std::pair<uint64_t, std::string>> pending;
  FEEDSCOUT_RETURN_IF_ERROR(
      store->scan_prefix(keys::kLogPrefix, [&](std::string_view key, std::string_view value) {
        uint64_t seq =
            std::strtoull(std::string(key.substr(keys::kLogPrefix.size())).c_str(), nullptr, 16);
        size_t start = 0;
        while (start <= value.size()) {
          size_t nl = value.find('\n', start);
          if (nl == std::string_view::npos) nl = value.size();
          if (seq > applied_seq)
            pending.emplace_back(seq, std::string(value.substr(start, nl - start)));
          ++seq;
          start = nl + 1;
        }
        return true;
      }));
  if (pending.empty()) return Status::ok();
  const ParseLimits relaxed = stored_record_limits();
  constexpr size_t kChunk = 4096;
  for (size_t i = 0; i < pending.size(); i += kChunk) {
    const size_t end = std::min(pending.size(), i + kChunk);
    std::vector<std::string> event_keys;
    for (size_t k = i; k < end; ++k) event_keys.push_back(keys::event(pending[k].second));
    std::vector<std::optional<std::string>> values;
    FEEDSCOUT_RETURN_IF_ERROR(store->multi_get(event_keys, values));
    for (size_t k = 0; k < values.size(); ++k) {
      if (!values[k]) {
        return Status::corruption("log entry " + std::to_string(pending[i + k].first) +
                                  " names event '" + pending[i + k].second +
                                  "', which is not stored");
      }
      auto event = read_stored_event(*values[k], relaxed);
      if (!event.is_ok()) {
        return event.status().with_context("stored event '" + pending[i + k].second + "'");
      }
      apply_event(*event, nullptr);
      applied_seq = pending[i + k].first;
    }
  }
  counters.replayed_events += pending.size();
  spdlog::info("replayed events={} from the log (seq up to {})", pending.size(), applied_seq);
  return Status::ok();
}

}  // namespace feedscout

namespace feedscout {

Status Engine::Impl::open_llm_classifier(std::unique_ptr<TopicClassifier> student) {
  const LlmClassifierConfig& c = config.classifier.llm;
  auto client = llm::LlmClient::create(c.client);
  if (!client.is_ok()) return client.status().with_context("classifier.llm");
  llm_client = std::move(client).value();
  auto prompt = llm::PromptTemplate::load_file(c.prompt_path);
  if (!prompt.is_ok()) return prompt.status().with_context("classifier.llm_prompt");
  if (c.decoding == "choice") {
    llm::ChoiceClassifierOptions choice;
    choice.body_budget = c.options.body_budget;
    choice.model_name = c.client.model;
    auto chooser = llm::ChoiceTopicClassifier::create(
        *taxonomy, *llm_client, std::move(prompt).value(), choice, std::move(student));
    if (!chooser.is_ok()) return chooser.status().with_context("classifier.llm");
    const llm::ChoiceTopicClassifier* view = chooser->get();
    llm_classifier_stats = [view] { return view->stats(); };
    classifier = std::move(chooser).value();
    return Status::ok();
  }
  llm::LlmClassifierOptions options = c.options;
  options.model_name = c.client.model;
  // The student is kept aside: if the server cannot tokenise the labels now, it answers alone.
  const bool has_student = student != nullptr;
  auto llm_classifier = llm::LlmTopicClassifier::create(
      *taxonomy, std::make_shared<llm::ClientTokenizer>(*llm_client),
      std::make_shared<llm::RemoteNextTokenScorer>(*llm_client, c.max_logprobs),
      std::move(prompt).value(), options, std::move(student));
  if (!llm_classifier.is_ok()) {
    if (!has_student) return llm_classifier.status().with_context("classifier.llm");
    spdlog::warn("language-model classifier unavailable at start-up ({}); the student answers",
                 llm_classifier.status().to_string());
    ++counters.llm_unavailable_at_open;
    auto reloaded = load_fasttext_classifier(config.classifier.model_path, *taxonomy);
    if (!reloaded.is_ok()) return reloaded.status();
    classifier = std::move(reloaded).value();
    return Status::ok();
  }
  const llm::LlmTopicClassifier* view = llm_classifier->get();
  llm_classifier_stats = [view] { return view->stats(); };
  classifier = std::move(llm_classifier).value();
  return Status::ok();
}

}  // namespace feedscout
