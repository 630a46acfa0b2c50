// The language-model refiner off the ingest path (issue 5): the writer answers every search
// with clicks with the default refiner at once, then hands the search here; worker threads
// ask the language model (intent/llm_refiner.h) and deliver an accepted answer back to the
// writer, which replaces the default's answer if the search still holds it. Private to
// src/engine.
//
// Bounded: at most max_queue searches wait (a full queue drops the new one, counted); a
// search that waited longer than timeout_ms is dropped unasked (expired); each request is
// bounded by the client's deadline (set to timeout_ms by the engine). Failures and guard
// rejections leave the default's answer in place.
//
// Thread safety: submit() from any thread; the callbacks run on worker threads. stop() (and
// the destructor) drops waiting searches and joins the workers; call it before the writer
// that `deliver` submits to stops.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/intent/refiner.h"

namespace feedscout {

struct AsyncRefinementTask {
  std::string user;
  std::string query;  // the recent search's query, as stored
  TimeMs search_ms = 0;
  std::vector<std::string> doc_ids;  // clicked documents
  std::string default_answer;        // Q* the default refiner stored
  TimeMs submitted_ms = 0;           // set by submit()
};

struct AsyncRefinementResult {
  AsyncRefinementTask task;
  std::string refined;  // the language model's Q*, guarded and within budget
};

// A clicked document's text, read from the store.
struct ClickedText {
  std::string id, title, body;
};

struct AsyncRefinerCounters {
  std::atomic<uint64_t> submitted{0}, dropped{0}, expired{0}, failed{0}, delivered{0};
};

class AsyncRefiner {
 public:
  using LoadDocuments = std::function<std::vector<ClickedText>(const std::vector<std::string>&)>;
  using Deliver = std::function<void(AsyncRefinementResult)>;

  // `refiner` (the language-model refiner), `counters` and the callbacks must outlive this.
  AsyncRefiner(const intent::QueryRefiner& refiner, size_t workers, size_t max_queue,
               TimeMs timeout_ms, std::function<TimeMs()> clock, LoadDocuments load,
               Deliver deliver, AsyncRefinerCounters& counters);
  ~AsyncRefiner();
  AsyncRefiner(const AsyncRefiner&) = delete;
  AsyncRefiner& operator=(const AsyncRefiner&) = delete;

  // Queues a search; false (counted as dropped) when the queue is full or stopped.
  bool submit(AsyncRefinementTask task);
  void stop();
  // Blocks until no search is queued or in flight (tests and shutdown).
  void wait_idle();

 private:
  void work();

  const intent::QueryRefiner& refiner_;
  const size_t max_queue_;
  const TimeMs timeout_ms_;
  std::function<TimeMs()> clock_;
  LoadDocuments load_;
  Deliver deliver_;
  AsyncRefinerCounters& counters_;

  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<AsyncRefinementTask> queue_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace feedscout
