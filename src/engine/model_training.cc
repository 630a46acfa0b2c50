// The engine's learned models: training the collaborative model (on request and in the
// background) and loading the ranker (engine.h, ranking_models.h).
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "engine_impl.h"
#include "feedscout/serve/ranking_features.h"

namespace feedscout {

std::vector<std::vector<uint64_t>> Engine::Impl::click_histories() const {
  std::vector<std::vector<uint64_t>> histories;
  std::shared_lock lk(state_mu);
  histories.reserve(users.size());
  for (const auto& [id, ctx] : users) {
    if (ctx.recent_clicks().empty()) continue;
    std::vector<uint64_t> keys;
    keys.reserve(ctx.recent_clicks().size());
    for (const RecentClick& c : ctx.recent_clicks()) keys.push_back(c.key);
    histories.push_back(std::move(keys));
  }
  // The users map's order depends on hashing and insertion: sort for a deterministic model.
  std::sort(histories.begin(), histories.end());
  return histories;
}

Status Engine::Impl::train_collaborative() {
  const size_t clicks_before = models.clicks_since_training();
  const auto histories = click_histories();
  const std::string version = "als-" + std::to_string(models.trainings() + 1);
  auto model = CollaborativeModel::train(histories, config.collaborative.options, version);
  if (!model.is_ok()) return model.status();
  const CollaborativeSummary& s = (*model)->summary();
  spdlog::info("collaborative model {}: {} users, {} documents, {} clicks, {:.2f} s", version,
               s.users, s.items, s.interactions, s.seconds);
  models.set_collaborative(std::move(model).value());
  models.trained_on(clicks_before);
  return Status::ok();
}

namespace {

// The model file's identity for change detection: size and modification time (0, 0 when it
// cannot be read).
std::pair<uintmax_t, int64_t> file_stamp(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return {0, 0};
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return {0, 0};
  return {size, static_cast<int64_t>(mtime.time_since_epoch().count())};
}

}  // namespace

void Engine::Impl::trainer_loop() {
  using Clock = std::chrono::steady_clock;
  const CollaborativeConfig& co = config.collaborative;
  const bool training = co.enabled && co.retrain_interval_s > 0;
  const bool watching = !config.ranking.model_path.empty() && config.ranking.reload_check_s > 0;
  const double tick_s = std::min(training ? co.retrain_interval_s : 3600.0,
                                 watching ? config.ranking.reload_check_s : 3600.0);
  auto stamp = watching ? file_stamp(config.ranking.model_path) : std::pair<uintmax_t, int64_t>{};
  Clock::time_point next_training = Clock::now();
  bool first = true;
  std::unique_lock lk(trainer_mu);
  while (!trainer_stopping) {
    lk.unlock();
    if (training && Clock::now() >= next_training &&
        (first || models.clicks_since_training() >= co.min_new_clicks)) {
      first = false;
      Status st = train_collaborative();
      // Nothing to learn from yet is routine on a fresh engine; other failures are logged.
      if (!st.is_ok() && st.code() != Status::Code::kInvalidArgument) {
        spdlog::warn("collaborative training failed: {}", st.to_string());
      }
      next_training = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(co.retrain_interval_s));
    }
    if (watching) {
      const auto now_stamp = file_stamp(config.ranking.model_path);
      if (now_stamp != stamp && now_stamp.first > 0) {
        stamp = now_stamp;
        Status st = models.load_ranker(config.ranking.model_path);
        if (st.is_ok()) {
          spdlog::info("ranker '{}' reloaded", config.ranking.model_path);
        } else {
          spdlog::error("ranker '{}' changed but was refused, keeping the running ranking: {}",
                        config.ranking.model_path, st.to_string());
        }
      }
    }
    lk.lock();
    trainer_cv.wait_for(lk, std::chrono::duration<double>(tick_s),
                        [this] { return trainer_stopping; });
  }
}

void Engine::Impl::stop_trainer() {
  {
    std::lock_guard lk(trainer_mu);
    trainer_stopping = true;
  }
  trainer_cv.notify_all();
  if (trainer.joinable()) trainer.join();
}

void Engine::Impl::log_page(const FeedPage& page, TimeMs now) {
  LoggedPage logged;
  logged.request_id = page.request_id;
  logged.user = page.user;
  logged.time_ms = now;
  logged.model_version = page.model_version;
  for (const FeedEntry& e : page.items) {
    if (e.features.size() != kFeatureCount) continue;  // cannot happen: features were asked for
    logged.doc_ids.push_back(e.doc_id);
    logged.served.push_back(1);
    logged.features.insert(logged.features.end(), e.features.begin(), e.features.end());
  }
  if (!logged.doc_ids.empty()) feature_log->log_page(logged);
}

Status Engine::train_collaborative() {
  if (!impl_->config.collaborative.enabled) {
    return Status::invalid_argument("collaborative.enabled is false");
  }
  return impl_->train_collaborative();
}

Status Engine::load_ranker(const std::string& path) {
  Status st = impl_->models.load_ranker(path);
  if (!st.is_ok()) {
    spdlog::error("ranker '{}' refused, keeping {}: {}", path,
                  ranker_version().empty() ? "the hand-set ranking" : ranker_version(),
                  st.to_string());
    return st;
  }
  spdlog::info("ranker '{}' loaded: version {}", path, ranker_version());
  return Status::ok();
}

void Engine::clear_ranker() {
  impl_->models.clear_ranker();
}

std::string Engine::ranker_version() const {
  const auto snap = impl_->models.snapshot();
  return snap.ranker ? snap.ranker->version() : "";
}

std::string Engine::collaborative_version() const {
  const auto snap = impl_->models.snapshot();
  return snap.collaborative ? snap.collaborative->version() : "";
}

}  // namespace feedscout
