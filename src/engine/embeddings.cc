// Document embeddings in the engine: the embedder, stored vectors, the ANN index (load,
// reconcile, rebuild, expiry, save) and the embedding interest profiles (engine_impl.h).
#include <spdlog/spdlog.h>

#include <cstring>
#include <filesystem>

#include "engine_impl.h"
#include "feedscout/llm/llm_embedder.h"
#include "feedscout/models/fasttext_embedder.h"
#include "keys.h"

namespace feedscout {

std::string encode_vector(const std::vector<float>& v) {
  std::string out(v.size() * sizeof(float), '\0');
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

namespace {

// A stored vector of `dimension` floats, or empty when the record has another length.
std::vector<float> decode_vector(std::string_view bytes, size_t dimension) {
  if (bytes.size() != dimension * sizeof(float)) return {};
  std::vector<float> v(dimension);
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

}  // namespace

std::string Engine::Impl::ann_path() const {
  return (std::filesystem::path(config.data_dir) / "ann-index.bin").string();
}

Status Engine::Impl::open_embeddings() {
  const EmbeddingsConfig& c = config.embeddings;
  if (c.kind == "none") return Status::ok();
  if (c.kind == "fasttext") {
    auto e = load_fasttext_embedder(c.model_path);
    if (!e.is_ok()) return e.status().with_context("embeddings.model");
    embedder = std::move(e).value();
  } else if (c.kind == "llm") {
    auto client = llm::LlmClient::create(c.client);
    if (!client.is_ok()) return client.status().with_context("embeddings.llm");
    embed_llm_client = std::move(client).value();
    llm::LlmEmbedderOptions o;
    o.dimension = c.llm_dimension;
    o.max_batch = c.llm_max_batch;
    o.document_prefix = c.llm_document_prefix;
    auto e = llm::LlmEmbedder::create(embed_llm_client, o);
    if (!e.is_ok()) return e.status().with_context("embeddings.llm");
    embedder = std::move(e).value();
  } else {
    return Status::invalid_argument("embeddings.kind must be 'fasttext', 'llm' or 'none', got '" +
                                    c.kind + "'");
  }
  const size_t dim = embedder->dimension();
  const std::string meta = embedder->describe() + "\n" + std::to_string(dim);
  AnnIndexConfig ann_config = c.ann;
  ann_config.dimension = dim;
  const TimeMs now = clock();
  const TimeMs cutoff = c.max_age_ms > 0 ? now - c.max_age_ms : INT64_MIN;

  auto stored = store->get(keys::kEmbedder);
  if (!stored.is_ok()) return stored.status();
  const bool same_embedder = stored->has_value() && **stored == meta;

  if (same_embedder) {
    auto loaded = AnnIndex::load(ann_path(), dim);
    if (loaded.is_ok()) {
      ann = std::move(loaded).value();
    } else {
      if (loaded.status().code() != Status::Code::kNotFound) {
        spdlog::warn("ann index unusable, rebuilding from stored vectors: {}",
                     loaded.status().to_string());
      }
      auto created = AnnIndex::create(ann_config);
      if (!created.is_ok()) return created.status();
      ann = std::move(created).value();
    }
    // Reconcile: add what the file lacks (documents after its last save), drop the expired.
    size_t added = 0, unreadable = 0;
    FEEDSCOUT_RETURN_IF_ERROR(
        store->scan_prefix(keys::kVectorPrefix, [&](std::string_view key, std::string_view value) {
          const auto doc = index->find(key.substr(keys::kVectorPrefix.size()));
          if (!doc) return true;
          const DocRecord& d = index->doc(*doc);
          if (d.created_ms < cutoff) {
            if (ann->contains(d.key)) {
              (void)ann->remove(d.key);
              ann_dirty = true;
            }
            return true;
          }
          if (!ann->contains(d.key)) {
            const std::vector<float> v = decode_vector(value, dim);
            if (v.empty() || !ann->add(d.key, v).is_ok()) {
              ++unreadable;
              return true;
            }
            ++added;
          }
          ann_by_age.emplace(d.created_ms, d.key);
          return true;
        }));
    if (added > 0) ann_dirty = true;
    if (unreadable > 0) spdlog::warn("{} stored vectors are unreadable; skipped", unreadable);
    spdlog::info("ann index: {} vectors ({} added from the store)", ann->size(), added);
  } else {
    // First start with this embedder: embed every stored document again.
    auto created = AnnIndex::create(ann_config);
    if (!created.is_ok()) return created.status();
    ann = std::move(created).value();
    std::error_code ec;
    std::filesystem::remove(ann_path(), ec);
    const ParseLimits relaxed = stored_record_limits();
    std::vector<std::pair<size_t, Document>> chunk;
    size_t embedded = 0;
    const auto flush = [&]() -> Status {
      const auto vectors = embed_documents(chunk);
      WriteBatch b;
      for (size_t i = 0; i < chunk.size(); ++i) {
        const Document& doc = chunk[i].second;
        if (vectors[i].empty()) {
          b.del(keys::vector(doc.id));
          continue;
        }
        b.put(keys::vector(doc.id), encode_vector(vectors[i]));
        if (const auto d = index->find(doc.id)) index_vector(index->doc(*d), vectors[i], now);
        ++embedded;
      }
      chunk.clear();
      return store->write(b, WriteOptions{false});
    };
    Status inner;
    FEEDSCOUT_RETURN_IF_ERROR(
        store->scan_prefix(keys::kDocPrefix, [&](std::string_view, std::string_view value) {
          auto parsed = parse_documents(value, relaxed, *taxonomy, 0);
          if (parsed.items.size() == 1) chunk.push_back(std::move(parsed.items[0]));
          if (chunk.size() >= 256) inner = flush();
          return inner.is_ok();
        }));
    FEEDSCOUT_RETURN_IF_ERROR(inner);
    if (!chunk.empty()) FEEDSCOUT_RETURN_IF_ERROR(flush());
    WriteBatch b;
    b.put(std::string(keys::kEmbedder), meta);
    FEEDSCOUT_RETURN_IF_ERROR(store->write(b, WriteOptions{true}));
    ann_dirty = true;
    if (stored->has_value() || embedded > 0) {
      spdlog::info("embedder is new for this data directory ({}): {} documents embedded", meta,
                   embedded);
    }
  }
  last_ann_save_ms = now;
  return Status::ok();
}

std::vector<std::vector<float>> Engine::Impl::embed_documents(
    const std::vector<std::pair<size_t, Document>>& docs) {
  std::vector<std::vector<float>> out(docs.size());
  if (!embedder || docs.empty()) return out;
  std::vector<EmbedInput> inputs;
  inputs.reserve(docs.size());
  for (const auto& [pos, doc] : docs) inputs.push_back({doc.title, doc.body});
  auto results = embedder->embed_batch(inputs);
  for (size_t i = 0; i < docs.size() && i < results.size(); ++i) {
    if (results[i].is_ok()) {
      out[i] = std::move(results[i]).value();
      counters.documents_embedded.fetch_add(1, std::memory_order_relaxed);
    } else {
      // No words, or the embedding server failed: the document is kept without a vector.
      counters.embed_failures.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return out;
}

void Engine::Impl::index_vector(const DocRecord& doc, std::span<const float> vector, TimeMs now) {
  if (!ann) return;
  const EmbeddingsConfig& c = config.embeddings;
  if (c.max_age_ms > 0 && doc.created_ms < now - c.max_age_ms) return;
  if (!ann->add(doc.key, vector).is_ok()) return;
  ann_by_age.emplace(doc.created_ms, doc.key);
  ann_dirty = true;
}

void Engine::Impl::expire_vectors(TimeMs now) {
  const TimeMs max_age = config.embeddings.max_age_ms;
  if (!ann || max_age <= 0) return;
  while (!ann_by_age.empty() && ann_by_age.top().first < now - max_age) {
    if (ann->remove(ann_by_age.top().second).is_ok()) {
      counters.vectors_expired.fetch_add(1, std::memory_order_relaxed);
      ann_dirty = true;
    }
    ann_by_age.pop();
  }
}

void Engine::Impl::save_ann(TimeMs now, bool force) {
  if (!ann || !ann_dirty) return;
  if (!force && now - last_ann_save_ms < config.embeddings.save_interval_ms) return;
  Status st = ann->save(ann_path());
  if (!st.is_ok()) {
    // Not fatal: the next start rebuilds what the file lacks from the stored vectors.
    spdlog::error("ann index save failed: {}", st.to_string());
    return;
  }
  ann_dirty = false;
  last_ann_save_ms = now;
}

void Engine::Impl::update_profiles(UserContext& user, const Event& ev,
                                   const std::vector<DocIndex>& docs) {
  const ProfileContextConfig& pc = config.context.profiles;
  if (!ann || pc.max_profiles == 0) return;
  InterestProfiles& profiles = user.mutable_profiles();
  for (const PendingImpression& p : profiles.take_skips(ev.time_ms, pc)) {
    if (auto v = ann->get(p.key); v.is_ok()) profiles.on_skip(*v, pc);
  }
  for (DocIndex d : docs) {
    const uint64_t key = index->doc(d).key;
    if (ev.type == EventType::kImpression) {
      const auto& clicked = user.recent_clicks();
      const bool was_clicked = std::any_of(clicked.begin(), clicked.end(),
                                           [&](const RecentClick& c) { return c.key == key; });
      // Only documents with a vector can become skips.
      if (!was_clicked && ann->contains(key)) profiles.add_pending(key, ev.time_ms, pc);
    } else if (auto v = ann->get(key); v.is_ok()) {
      profiles.on_click(key, *v, ev.time_ms, pc);
    } else {
      profiles.clear_pending(key);
    }
  }
}

}  // namespace feedscout
