// Checkpoints (engine_impl.h): the writer encodes, another thread writes.
#include <spdlog/spdlog.h>

#include <cassert>
#include <chrono>
#include <memory>

#include "engine_impl.h"
#include "keys.h"

namespace feedscout {

void Engine::Impl::begin_checkpoint() {
  assert(!checkpoint_in_flight);
  if (dirty_users.empty() && dirty_popularity.empty() && dirty_coclick.empty() &&
      applied_seq == checkpointed_seq) {
    return;
  }
  // The writer is the only mutator: reading the live state here needs no lock.
  auto b = std::make_shared<WriteBatch>();
  CheckpointInFlight c;
  c.applied_seq = applied_seq;
  c.users.assign(dirty_users.begin(), dirty_users.end());
  c.popularity.assign(dirty_popularity.begin(), dirty_popularity.end());
  c.coclick.assign(dirty_coclick.begin(), dirty_coclick.end());
  for (const auto* entry : c.users) b->put(keys::user(entry->first), entry->second.encode());
  for (DocIndex d : c.popularity) {
    b->put(keys::popularity(index->doc(d).id), encode_doc_popularity(index->popularity_state(d)));
  }
  const auto key_of = [this](DocIndex d) { return index->doc(d).key; };
  for (DocIndex d : c.coclick) b->put(keys::coclick(index->doc(d).id), coclick->encode(d, key_of));
  if (feature_log) feature_log->flush();
  b->put(std::string(keys::kAppliedSeq), std::to_string(applied_seq));
  b->del_range(keys::log(0), keys::log(applied_seq + 1));
  dirty_users.clear();
  dirty_popularity.clear();
  dirty_coclick.clear();
  // Not synced: a lost checkpoint only means a longer replay of the (synced) log. The store
  // is safe for concurrent calls, so the writer's commits go on meanwhile.
  KvStore* s = store.get();
  c.write = std::async(std::launch::async, [s, b] { return s->write(*b, WriteOptions{false}); });
  checkpoint_in_flight = std::move(c);
}

Status Engine::Impl::poll_checkpoint() {
  if (!checkpoint_in_flight ||
      checkpoint_in_flight->write.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return Status::ok();
  }
  return settle_checkpoint();
}

Status Engine::Impl::settle_checkpoint() {
  if (!checkpoint_in_flight) return Status::ok();
  CheckpointInFlight c = std::move(*checkpoint_in_flight);
  checkpoint_in_flight.reset();
  Status st = c.write.get();
  if (!st.is_ok()) {
    spdlog::error("checkpoint failed: {}", st.to_string());
    // Everything it held is dirty again (the next checkpoint encodes it as it is then).
    dirty_users.insert(c.users.begin(), c.users.end());
    dirty_popularity.insert(c.popularity.begin(), c.popularity.end());
    dirty_coclick.insert(c.coclick.begin(), c.coclick.end());
    return st;
  }
  checkpointed_seq = c.applied_seq;
  last_checkpoint_ms = clock();
  ++counters.checkpoints;
  return Status::ok();
}

Status Engine::Impl::checkpoint() {
  Status earlier = settle_checkpoint();
  begin_checkpoint();
  Status st = settle_checkpoint();
  return st.is_ok() ? earlier : st;
}

void Engine::Impl::flush_store_on_close() {
  const Status st = store->flush();
  if (!st.is_ok())
    spdlog::warn("store flush at close failed (the next open replays its log): {}", st.to_string());
}

}  // namespace feedscout
