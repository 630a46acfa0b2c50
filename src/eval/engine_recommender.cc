// EngineRecommender; the contract is in include/feedscout/eval/engine_recommender.h.
#include "feedscout/eval/engine_recommender.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <unordered_set>

#include "feedscout/ingest/parse.h"

namespace feedscout {

EngineRecommender::EngineRecommender(EngineRecommenderOptions options, std::string dir)
    : options_(std::move(options)), dir_(std::move(dir)) {}

EngineRecommender::~EngineRecommender() {
  engine_.reset();  // closes the store before its directory goes
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::unique_ptr<EngineRecommender>> EngineRecommender::create(
    const EvalDataset& data, const EngineRecommenderOptions& options) {
  std::error_code ec;
  std::filesystem::path parent = options.temp_parent.empty()
                                     ? std::filesystem::temp_directory_path(ec)
                                     : std::filesystem::path(options.temp_parent);
  if (ec) return Status::io_error("no temporary directory: " + ec.message());
  std::string pattern = (parent / "feedscout-eval-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::io_error("cannot create a temporary directory under '" + parent.string() + "'");
  }
  std::unique_ptr<EngineRecommender> r(new EngineRecommender(options, pattern));

  const std::string taxonomy_path = (std::filesystem::path(r->dir_) / "taxonomy.tsv").string();
  {
    std::ofstream f(taxonomy_path, std::ios::binary | std::ios::trunc);
    f << data.taxonomy_tsv;
    if (!f.flush()) return Status::io_error("cannot write '" + taxonomy_path + "'");
  }
  EngineConfig config;
  config.data_dir = (std::filesystem::path(r->dir_) / "data").string();
  config.taxonomy_path = taxonomy_path;
  config.classifier.kind = "none";
  config.limits = any_time_limits();  // dataset times are years old
  config.context = options.context;
  config.feed = options.feed;
  config.index = options.index;
  config.block_cache_mb = options.block_cache_mb;
  config.collaborative = options.collaborative;
  config.collaborative.retrain_interval_s = 0;  // trained on the replay's clock (sync_locked)
  std::shared_ptr<std::atomic<TimeMs>> clock = r->clock_;
  auto engine = Engine::open(config, [clock] { return clock->load(); });
  if (!engine.is_ok()) return engine.status().with_context("eval engine");
  r->engine_ = std::move(engine).value();
  if (!options.ranker_path.empty()) {
    Status st = r->engine_->load_ranker(options.ranker_path);
    if (!st.is_ok()) return st.with_context("eval engine ranker");
  }

  r->docs_.reserve(data.documents.size());
  for (const Document& d : data.documents) {
    r->docs_.emplace_back(d.created_ms, document_to_json(d, data.taxonomy));
    r->doc_ids_.push_back(d.id);
  }
  // Stable by created_ms (the loaders already sort; this keeps any input correct).
  std::vector<size_t> order(r->docs_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return r->docs_[a].first < r->docs_[b].first; });
  std::vector<std::pair<TimeMs, std::string>> docs;
  std::vector<std::string> ids;
  for (size_t i : order) {
    docs.push_back(std::move(r->docs_[i]));
    ids.push_back(std::move(r->doc_ids_[i]));
  }
  r->docs_ = std::move(docs);
  r->doc_ids_ = std::move(ids);
  return r;
}

void EngineRecommender::observe(const Interaction& x) {
  std::lock_guard lk(mu_);
  buffer_.push_back(x);
}

void EngineRecommender::count_report(const IngestReport& r, bool documents) const {
  (documents ? counters_.documents_ingested : counters_.events_ingested) += r.accepted;
  (documents ? counters_.documents_rejected : counters_.events_rejected) += r.rejected;
  if (!r.commit_status.is_ok()) {
    ++counters_.commit_failures;
    if (counters_.first_error.empty()) counters_.first_error = r.commit_status.to_string();
  }
  if (!r.errors.empty() && counters_.first_error.empty()) {
    const ItemError& e = r.errors.front();
    counters_.first_error = std::string(documents ? "document" : "event") + " item " +
                            std::to_string(e.position) + ": " + e.field + ": " + e.message;
  }
}

void EngineRecommender::sync_locked(TimeMs now) const {
  // Documents: created before `now`, and any a buffered interaction references.
  TimeMs doc_limit = now - 1;
  for (const Interaction& x : buffer_) doc_limit = std::max(doc_limit, x.time_ms);
  std::string body;
  while (next_doc_ < docs_.size() && docs_[next_doc_].first <= doc_limit) {
    body += docs_[next_doc_].second;
    body += '\n';
    ++next_doc_;
  }
  if (!body.empty()) count_report(engine_->ingest_documents(body), true);

  body.clear();
  for (const Interaction& x : buffer_) {
    const std::string id = "eval-" + std::to_string(observed_++);
    Event e;
    e.user = x.user;
    e.time_ms = x.time_ms;
    e.surface = x.surface;
    e.doc_ids = {x.item};
    if (options_.emit_impressions) {
      e.id = id + "-i";
      e.type = EventType::kImpression;
      body += event_to_json(e);
      body += '\n';
    }
    if (x.surface == Surface::kSearch && !x.query.empty()) {
      // A search: its query always (recent searches), the item when it was clicked.
      e.id = id + "-s";
      e.type = EventType::kSearch;
      e.query = x.query;
      if (!x.clicked) e.doc_ids.clear();
      clicks_since_training_ += x.clicked;
      body += event_to_json(e);
      body += '\n';
    } else if (x.clicked) {
      ++clicks_since_training_;
      e.id = id + "-c";
      e.type = EventType::kClick;
      body += event_to_json(e);
      body += '\n';
    }
  }
  buffer_.clear();
  if (!body.empty()) count_report(engine_->ingest_events(body), false);
  maybe_train_collaborative_locked();
}

void EngineRecommender::maybe_train_collaborative_locked() const {
  if (!options_.collaborative.enabled || clicks_since_training_ == 0) return;
  const double due =
      std::max(static_cast<double>(options_.collaborative_retrain_min),
               options_.collaborative_retrain_share * static_cast<double>(clicks_trained_on_));
  if (static_cast<double>(clicks_since_training_) < due) return;
  // Nothing to learn from yet (no document clicked by enough users) leaves the model as it
  // is; the clicks stay counted for the next try.
  if (!engine_->train_collaborative().is_ok()) return;
  clicks_trained_on_ += clicks_since_training_;
  clicks_since_training_ = 0;
}

LoggedPage EngineRecommender::log_page(const std::string& user, size_t n, TimeMs now) const {
  std::lock_guard lk(mu_);
  clock_->store(now);
  sync_locked(now);
  LoggedPage out;
  out.user = user;
  out.time_ms = now;
  const FeedPage page = engine_->candidates(user, n);
  out.model_version = page.model_version;
  auto add = [&](const FeedEntry& e, uint32_t served) {
    out.doc_ids.push_back(e.doc_id);
    out.served.push_back(served);
    out.features.insert(out.features.end(), e.features.begin(), e.features.end());
  };
  for (const FeedEntry& e : page.items) add(e, 1);
  for (const FeedEntry& e : page.unserved) add(e, 0);
  return out;
}

LoggedPage EngineRecommender::log_items(const std::string& user,
                                        const std::vector<std::string>& items, TimeMs now) const {
  std::lock_guard lk(mu_);
  clock_->store(now);
  sync_locked(now + 1);  // as score_items
  LoggedPage out;
  out.user = user;
  out.time_ms = now;
  out.doc_ids = items;
  out.served.assign(items.size(), 1);
  out.features = engine_->document_features(user, items);
  return out;
}

std::vector<std::string> EngineRecommender::recommend(const std::string& user, size_t k, TimeMs now,
                                                      const ExcludeFn& exclude) const {
  std::lock_guard lk(mu_);
  clock_->store(now);
  sync_locked(now);
  std::vector<std::string> out;
  if (k == 0) return out;
  const size_t max_n = std::max<size_t>(1, engine_->config().feed.max_n);
  size_t n = options_.ranker_path.empty() ? std::min(k + 10, max_n) : max_n;
  while (true) {
    out.clear();
    const FeedPage page = engine_->feed(user, n, /*remember_served=*/false);
    std::unordered_set<std::string> listed;
    for (const FeedEntry& e : page.items) {
      if (exclude && exclude(e.doc_id)) continue;
      if (!listed.insert(e.doc_id).second) continue;
      out.push_back(e.doc_id);
      if (out.size() == k) break;
    }
    if (out.size() >= k || page.items.size() < n || n == max_n) break;
    n = max_n;
  }
  return out;
}

std::vector<double> EngineRecommender::score_items(const std::string& user,
                                                   const std::vector<std::string>& items,
                                                   TimeMs now) const {
  std::lock_guard lk(mu_);
  clock_->store(now);
  // Documents created at `now` too (see the header); interactions exactly as recommend().
  sync_locked(now + 1);
  return engine_->score_documents(user, items);
}

EngineRecommenderCounters EngineRecommender::counters() const {
  std::lock_guard lk(mu_);
  return counters_;
}

}  // namespace feedscout
