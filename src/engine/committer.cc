// The writer's durable stage (committer.h).
#include "committer.h"

#include <spdlog/spdlog.h>

#include <string_view>
#include <unordered_set>

#include "feedscout/ingest/event_record.h"
#include "keys.h"

namespace feedscout {
namespace {

// The error for an event naming a document neither indexed nor in this group.
ItemError unknown_document(size_t pos, const Event& ev, size_t i) {
  return {pos,
          std::string(ev.type == EventType::kSearch ? "clicked" : "docs") + "[" +
              std::to_string(i) + "]",
          "unknown document '" + ev.doc_ids[i] +
              "' (ingest documents before events that reference them)"};
}

void put_new(CommitGroup& g, std::string key, std::string value) {
  g.batch.put(std::move(key), std::move(value));
}

// The keys a commit batch creates: every op of it is a put of a key that did not exist.
std::vector<std::string> created_keys(const WriteBatch& batch) {
  std::vector<std::string> keys;
  keys.reserve(batch.size());
  for (const WriteBatch::Op& op : batch.ops()) keys.push_back(op.key);
  return keys;
}

}  // namespace

Result<CommitGroup> Committer::prepare(const std::vector<Job*>& jobs, const DocumentIndex& index) {
  std::vector<std::string> event_keys;
  for (const Job* j : jobs) {
    for (const auto& [pos, ev] : j->events) event_keys.push_back(keys::event(ev.id));
  }
  std::vector<std::optional<std::string>> existing;
  if (!event_keys.empty()) FEEDSCOUT_RETURN_IF_ERROR(store_.multi_get(event_keys, existing));

  CommitGroup g;
  g.first_seq = next_seq_;
  std::unordered_set<std::string_view> group_docs, group_events;
  std::string log_record;
  size_t existing_pos = 0;
  for (Job* j : jobs) {
    IngestReport& r = *j->report;
    for (size_t i = 0; i < j->docs.size(); ++i) {
      const Document& doc = j->docs[i].second;
      if (index.find(doc.id) || !group_docs.insert(doc.id).second) {
        ++r.duplicates;
        continue;
      }
      put_new(g, keys::doc(doc.id), document_to_json(doc, taxonomy_));
      // The embedding is durable with its document (keys.h).
      static const std::vector<float> kNoVector;
      const std::vector<float>& vector = i < j->vectors.size() ? j->vectors[i] : kNoVector;
      if (!vector.empty()) put_new(g, keys::vector(doc.id), encode_vector(vector));
      g.new_docs.push_back(&doc);
      g.new_vectors.push_back(&vector);
      ++r.accepted;
    }
    for (const auto& [pos, ev] : j->events) {
      if (existing[existing_pos++].has_value() || !group_events.insert(ev.id).second) {
        ++r.duplicates;
        continue;
      }
      // Every referenced document must be known; errors name the caller's position.
      const size_t at = g.resolved.size();
      size_t i = 0;
      for (; i < ev.doc_ids.size(); ++i) {
        if (auto d = index.find(ev.doc_ids[i])) {
          g.resolved.push_back(*d);
        } else if (group_docs.count(ev.doc_ids[i])) {
          g.resolved.push_back(kUnresolvedDoc);  // indexed before the events are applied
        } else {
          break;
        }
      }
      if (i < ev.doc_ids.size()) {
        r.errors.push_back(unknown_document(pos, ev, i));
        g.resolved.resize(at);
        group_events.erase(ev.id);
        ++r.rejected;
        continue;
      }
      put_new(g, keys::event(ev.id), encode_event_record(ev));
      if (!log_record.empty()) log_record.push_back('\n');
      log_record += ev.id;
      g.resolved_at.push_back(at);
      g.new_events.push_back(&ev);
      ++r.accepted;
    }
  }
  if (!g.new_events.empty()) put_new(g, keys::log(g.first_seq), std::move(log_record));
  return g;
}

Status Committer::resolve_pending() {
  if (pending_rollback_.empty()) return Status::ok();
  FEEDSCOUT_RETURN_IF_ERROR(
      roll_back(pending_rollback_)
          .with_context("an earlier failed commit could not be rolled back yet"));
  spdlog::info("rolled back the failed commit's {} keys", pending_rollback_.size());
  pending_rollback_.clear();
  return Status::ok();
}

Status Committer::write(const CommitGroup& g) {
  if (g.batch.empty()) return Status::ok();
  Status st = store_.write(g.batch, WriteOptions{true});
  if (st.is_ok()) {
    next_seq_ = g.first_seq + g.new_events.size();
    return st;
  }
  // Whatever part of the batch landed is deleted, so the error the callers get is true:
  // nothing of theirs is stored, and a retry is accepted.
  std::vector<std::string> keys = created_keys(g.batch);
  Status undone = roll_back(keys);
  if (!undone.is_ok()) {
    spdlog::error("rolling back a failed commit failed, retrying before the next commit: {}",
                  undone.to_string());
    pending_rollback_ = std::move(keys);
  }
  return st;
}

Status Committer::roll_back(const std::vector<std::string>& keys) {
  WriteBatch undo;
  for (const std::string& k : keys) undo.del(k);
  return store_.write(undo, WriteOptions{true});
}

}  // namespace feedscout
