// The writer's durable stage (engine_impl.h): a group of callers' batches is validated
// against the live index and the stored event markers, turned into one store batch
// (documents, their vectors, event markers and one log record) and written synced. Nothing
// in memory changes here; the applier (writer.cc) publishes a group only after write()
// succeeded.
//
// A failed write is rolled back: every key the batch creates is deleted again, whatever
// part of the batch reached the store (none, all of it with the acknowledgement lost, or a
// torn prefix). So a commit that answered an error leaves nothing behind, and the same
// items are accepted when retried. While a rollback itself cannot be written, it stays
// pending and every later commit fails before writing, until resolve_pending() succeeds.
//
// Thread safety: used by the writer thread only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "async_refinement.h"
#include "feedscout/engine/engine.h"
#include "feedscout/index/document_index.h"
#include "feedscout/store/kv_store.h"

namespace feedscout {

// One caller's batch waiting for the writer thread.
struct Job {
  bool documents = false;
  std::vector<std::pair<size_t, Event>> events;
  std::vector<std::pair<size_t, Document>> docs;
  // vectors[i] is docs[i]'s embedding (empty: none); empty when embeddings are off.
  std::vector<std::vector<float>> vectors;
  // Language-model answers for earlier searches (async_refinement.h), applied by the writer.
  std::vector<AsyncRefinementResult> refinements;
  IngestReport* report = nullptr;
  bool done = false;
};

// What a commit adds, pointing into the jobs it was prepared from (valid while they are).
struct CommitGroup {
  WriteBatch batch;  // puts only, of keys that did not exist (what a rollback deletes)
  std::vector<const Document*> new_docs;
  std::vector<const std::vector<float>*> new_vectors;  // new_docs[i]'s embedding (may be empty)
  std::vector<const Event*> new_events;                // in log order
  // The doc ids of new_events, flattened: their index entries, or DocumentIndex-unknown
  // documents of this group as kUnresolvedDoc (indexed before the events are applied).
  std::vector<DocIndex> resolved;
  std::vector<size_t> resolved_at;  // new_events[k]'s ids start at resolved[resolved_at[k]]
  uint64_t first_seq = 0;           // log sequence number of new_events[0]
};

inline constexpr DocIndex kUnresolvedDoc = UINT32_MAX;

// A vector as stored under keys::vector (d float32 values, native order).
std::string encode_vector(const std::vector<float>& v);

class Committer {
 public:
  Committer(KvStore& store, const Taxonomy& taxonomy) : store_(store), taxonomy_(taxonomy) {}

  // The sequence number the next accepted event gets (set once after recovery).
  uint64_t next_seq() const { return next_seq_; }
  void set_next_seq(uint64_t seq) { next_seq_ = seq; }

  // Validates the jobs' documents and events: duplicates of the index, of stored events and
  // within the group are counted in the reports, events naming unknown documents rejected
  // with an error at the caller's position. Fails (changing no report) when the stored event
  // markers cannot be read.
  [[nodiscard]] Result<CommitGroup> prepare(const std::vector<Job*>& jobs,
                                            const DocumentIndex& index);

  // Retries a pending rollback (a no-op without one); an error while it stays pending.
  [[nodiscard]] Status resolve_pending();

  // Writes the group synced. On success the group's events own sequence numbers
  // first_seq.. and next_seq() moves past them. On failure the batch is rolled back (or the
  // rollback left pending) and next_seq() is unchanged.
  [[nodiscard]] Status write(const CommitGroup& group);

  bool rollback_pending() const { return !pending_rollback_.empty(); }

 private:
  [[nodiscard]] Status roll_back(const std::vector<std::string>& keys);

  KvStore& store_;
  const Taxonomy& taxonomy_;
  uint64_t next_seq_ = 1;
  std::vector<std::string> pending_rollback_;  // keys of a failed batch still to delete
};

}  // namespace feedscout
