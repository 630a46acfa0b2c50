#include "ranking_models.h"

#include "feedscout/serve/ranking_features.h"

namespace feedscout {

RankingModels::Snapshot RankingModels::snapshot() const {
  std::lock_guard lk(mu_);
  return models_;
}

void RankingModels::set_collaborative(std::shared_ptr<const CollaborativeModel> model) {
  std::lock_guard lk(mu_);
  models_.collaborative = std::move(model);
  ++trainings_;
}

Status RankingModels::load_ranker(const std::string& path) {
  auto loaded = GbdtRanker::load(path, home_feature_schema());
  if (!loaded.is_ok()) {
    ++ranker_load_failures_;
    return loaded.status();
  }
  auto model = std::make_shared<const GbdtRanker>(std::move(loaded).value());
  std::lock_guard lk(mu_);
  models_.ranker = std::move(model);
  ++ranker_loads_;
  return Status::ok();
}

void RankingModels::clear_ranker() {
  std::lock_guard lk(mu_);
  models_.ranker.reset();
}

}  // namespace feedscout
