#include "search_refinement.h"

namespace feedscout {

Result<std::unique_ptr<intent::QueryRefiner>> make_refiner(const IntentConfig& config,
                                                           const intent::WordWeights& weights) {
  if (config.refiner == "none") return std::unique_ptr<intent::QueryRefiner>();
  auto extractive = std::make_unique<intent::ExtractiveRefiner>(weights, config.options);
  if (config.refiner == "extractive") {
    return std::unique_ptr<intent::QueryRefiner>(std::move(extractive));
  }
  auto mined =
      intent::MinedRefiner::load(config.mined_table, std::move(extractive), config.options);
  if (!mined.is_ok()) return mined.status().with_context("intent.mined_table");
  return std::unique_ptr<intent::QueryRefiner>(std::move(mined).value());
}

intent::RefinementSource refine_recent_search(UserContext& user, std::string_view query,
                                              const DocumentIndex& index,
                                              const intent::QueryRefiner& refiner) {
  const RecentSearch* search = user.find_recent_search(query);
  if (search == nullptr) return intent::RefinementSource::kNone;
  std::vector<intent::ClickedDocument> docs;
  for (const std::string& id : search->clicked) {
    const auto d = index.find(id);
    if (!d) continue;  // clicks on documents the index does not know say nothing
    const DocRecord& rec = index.doc(*d);
    intent::ClickedDocument cd;
    cd.id = rec.id;
    std::string_view words = rec.salient;
    while (!words.empty()) {
      const size_t space = words.find(' ');
      cd.words.push_back(words.substr(0, space));
      if (space == std::string_view::npos) break;
      words.remove_prefix(space + 1);
    }
    cd.title_words = rec.salient_title;
    docs.push_back(std::move(cd));
  }
  if (docs.empty()) return intent::RefinementSource::kNone;
  auto refined = refiner.refine(query, docs);
  if (!refined.is_ok() || refined->query.empty()) return intent::RefinementSource::kNone;
  const intent::RefinementSource by = refined->source;
  if (!user.set_refinement(query, std::move(refined->query), by)) {
    return intent::RefinementSource::kNone;
  }
  return by;
}

}  // namespace feedscout
