#include "async_refinement.h"

#include "feedscout/text/tokenize.h"

namespace feedscout {

AsyncRefiner::AsyncRefiner(const intent::QueryRefiner& refiner, size_t workers, size_t max_queue,
                           TimeMs timeout_ms, std::function<TimeMs()> clock, LoadDocuments load,
                           Deliver deliver, AsyncRefinerCounters& counters)
    : refiner_(refiner),
      max_queue_(max_queue),
      timeout_ms_(timeout_ms),
      clock_(std::move(clock)),
      load_(std::move(load)),
      deliver_(std::move(deliver)),
      counters_(counters) {
  for (size_t i = 0; i < std::max<size_t>(1, workers); ++i) {
    workers_.emplace_back([this] { work(); });
  }
}

AsyncRefiner::~AsyncRefiner() {
  stop();
}

bool AsyncRefiner::submit(AsyncRefinementTask task) {
  {
    std::lock_guard lk(mu_);
    if (stopping_ || queue_.size() >= max_queue_) {
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    task.submitted_ms = clock_();
    queue_.push_back(std::move(task));
  }
  counters_.submitted.fetch_add(1, std::memory_order_relaxed);
  cv_.notify_one();
  return true;
}

void AsyncRefiner::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    counters_.dropped.fetch_add(queue_.size(), std::memory_order_relaxed);
    queue_.clear();
  }
  cv_.notify_all();
  idle_cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

void AsyncRefiner::wait_idle() {
  std::unique_lock lk(mu_);
  idle_cv_.wait(lk, [&] { return stopping_ || (queue_.empty() && in_flight_ == 0); });
}

void AsyncRefiner::work() {
  while (true) {
    AsyncRefinementTask task;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++in_flight_;
    }
    const auto finish = [&] {
      std::lock_guard lk(mu_);
      --in_flight_;
      if (queue_.empty() && in_flight_ == 0) idle_cv_.notify_all();
    };
    if (clock_() - task.submitted_ms > timeout_ms_) {
      counters_.expired.fetch_add(1, std::memory_order_relaxed);
      finish();
      continue;
    }
    const std::vector<ClickedText> texts = load_(task.doc_ids);
    std::vector<std::vector<std::string>> words(texts.size());
    std::vector<intent::ClickedDocument> docs;
    for (size_t i = 0; i < texts.size(); ++i) {
      words[i] = text::words(texts[i].title);
      intent::ClickedDocument d;
      d.id = texts[i].id;
      d.title = texts[i].title;
      d.body = texts[i].body;
      for (const std::string& w : words[i]) d.words.emplace_back(w);
      d.title_words = d.words.size();
      docs.push_back(std::move(d));
    }
    auto refined = docs.empty() ? Result<intent::Refinement>(Status::not_found("no clicked text"))
                                : refiner_.refine(task.query, docs);
    if (!refined.is_ok() || refined->query.empty()) {
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters_.delivered.fetch_add(1, std::memory_order_relaxed);
      deliver_({std::move(task), std::move(refined->query)});
    }
    finish();
  }
}

}  // namespace feedscout
