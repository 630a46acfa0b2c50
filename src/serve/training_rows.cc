#include "feedscout/serve/training_rows.h"

#include <algorithm>
#include <unordered_map>

namespace feedscout {

RankingData join_clicks(const std::vector<LoggedPage>& pages,
                        const std::vector<FeedbackClick>& clicks, TimeMs window_ms,
                        size_t n_features, JoinReport* report) {
  JoinReport local;
  JoinReport& r = report != nullptr ? *report : local;
  r = JoinReport{};
  // user -> doc -> click times, ascending.
  std::unordered_map<std::string, std::unordered_map<std::string, std::vector<TimeMs>>> by_user;
  for (const FeedbackClick& c : clicks) by_user[c.user][c.doc_id].push_back(c.time_ms);
  for (auto& [user, docs] : by_user) {
    for (auto& [doc, times] : docs) std::sort(times.begin(), times.end());
  }
  RankingData data;
  data.n_features = n_features;
  for (const LoggedPage& page : pages) {
    if (page.doc_ids.empty() || page.features.size() != page.doc_ids.size() * n_features) {
      ++r.pages_malformed;
      continue;
    }
    const auto user = by_user.find(page.user);
    const TimeMs until_ms = page.label_until_ms > 0
                                ? std::min(page.label_until_ms, page.time_ms + window_ms)
                                : page.time_ms + window_ms;
    size_t positives = 0;
    for (size_t i = 0; i < page.doc_ids.size(); ++i) {
      bool clicked = false;
      if (user != by_user.end()) {
        const auto doc = user->second.find(page.doc_ids[i]);
        if (doc != user->second.end()) {
          // The first click after the page decides.
          const auto it = std::upper_bound(doc->second.begin(), doc->second.end(), page.time_ms);
          clicked = it != doc->second.end() && *it <= until_ms;
        }
      }
      data.labels.push_back(clicked ? 1.0f : 0.0f);
      positives += clicked;
    }
    data.features.insert(data.features.end(), page.features.begin(), page.features.end());
    data.group_sizes.push_back(static_cast<uint32_t>(page.doc_ids.size()));
    ++r.pages;
    r.rows += page.doc_ids.size();
    r.positives += positives;
    if (positives == 0) ++r.pages_without_click;
  }
  return data;
}

}  // namespace feedscout
