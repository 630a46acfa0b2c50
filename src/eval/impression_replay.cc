// The impression-log replay; the contract is in include/feedscout/eval/impression_replay.h.
#include "feedscout/eval/impression_replay.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "progress.h"

namespace feedscout {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// P of an impression id P + "-i"; empty when the id does not have that form.
std::string_view impression_group(std::string_view id) {
  if (id.size() < 3 || !id.ends_with("-i")) return {};
  return id.substr(0, id.size() - 2);
}

// P of a click id P + "-c" + optional digits; empty when the id does not have that form.
std::string_view click_group(std::string_view id) {
  size_t end = id.size();
  while (end > 0 && id[end - 1] >= '0' && id[end - 1] <= '9') --end;
  if (end < 3 || id.substr(end - 2, 2) != "-c") return {};
  return id.substr(0, end - 2);
}

}  // namespace

std::vector<Interaction> events_to_interactions(const std::vector<Event>& events, size_t* ignored) {
  // Impression events by group, and per impression event the documents its group clicked.
  std::unordered_map<std::string_view, size_t> group_of;  // P -> event index
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].type != EventType::kImpression) continue;
    const std::string_view p = impression_group(events[i].id);
    if (!p.empty()) group_of.emplace(p, i);
  }
  std::unordered_map<size_t, std::unordered_set<std::string_view>> clicked;  // by event index
  std::vector<bool> folded(events.size(), false);  // a click that belongs to a group
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.type != EventType::kClick) continue;
    const std::string_view p = click_group(e.id);
    if (p.empty()) continue;
    auto g = group_of.find(p);
    if (g == group_of.end()) continue;
    const Event& imp = events[g->second];
    if (imp.user != e.user || imp.time_ms != e.time_ms) continue;
    bool shown = !e.doc_ids.empty();
    for (const std::string& doc : e.doc_ids) {
      shown = shown && std::find(imp.doc_ids.begin(), imp.doc_ids.end(), doc) != imp.doc_ids.end();
    }
    if (!shown) continue;
    folded[i] = true;
    auto& docs = clicked[g->second];
    for (const std::string& doc : e.doc_ids) docs.insert(doc);
  }

  std::vector<Interaction> out;
  size_t none = 0;
  std::unordered_set<std::string_view> emitted;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.type == EventType::kSearch) {
      ++none;
      continue;
    }
    if (folded[i]) continue;
    const std::unordered_set<std::string_view>* group_clicks = nullptr;
    if (e.type == EventType::kImpression) {
      auto c = clicked.find(i);
      if (c != clicked.end()) group_clicks = &c->second;
    }
    emitted.clear();
    for (const std::string& doc : e.doc_ids) {
      if (!emitted.insert(doc).second) continue;
      Interaction x;
      x.user = e.user;
      x.item = doc;
      x.time_ms = e.time_ms;
      x.rating = 0;
      x.clicked =
          e.type == EventType::kClick || (group_clicks != nullptr && group_clicks->count(doc) > 0);
      x.surface = e.surface;
      out.push_back(std::move(x));
    }
  }
  if (ignored != nullptr) *ignored += none;
  return out;
}

Result<ImpressionReplayReport> replay_impressions(const EvalDataset& data,
                                                  std::vector<Recommender*> methods,
                                                  const ImpressionReplayOptions& options) {
  if (methods.empty()) return Status::invalid_argument("impression replay: no method");
  for (size_t i = 0; i < methods.size(); ++i) {
    if (methods[i] == nullptr) {
      return Status::invalid_argument("impression replay: method " + std::to_string(i) +
                                      " is null");
    }
  }
  if (data.impressions.empty()) {
    return Status::invalid_argument("impression replay: dataset '" + data.name +
                                    "' has no impressions");
  }
  for (size_t i = 1; i < data.events.size(); ++i) {
    if (data.events[i].time_ms < data.events[i - 1].time_ms) {
      return Status::invalid_argument("impression replay: events out of time order at index " +
                                      std::to_string(i));
    }
  }
  for (size_t i = 1; i < data.impressions.size(); ++i) {
    if (data.impressions[i].time_ms < data.impressions[i - 1].time_ms) {
      return Status::invalid_argument("impression replay: impressions out of time order at index " +
                                      std::to_string(i));
    }
  }
  const auto start = Clock::now();

  ImpressionReplayReport report;
  const std::vector<Interaction> interactions =
      events_to_interactions(data.events, &report.events_ignored);
  report.interactions = interactions.size();
  const size_t to_score = options.max_impressions == 0
                              ? data.impressions.size()
                              : std::min(options.max_impressions, data.impressions.size());

  std::vector<ImpressionEvaluator> evaluators(methods.size());
  std::vector<double> method_seconds(methods.size(), 0.0);
  std::vector<std::string> first_invalid(methods.size());
  eval_internal::ProgressLine progress(options.progress, "impression replay", "impressions scored",
                                       "impressions", to_score, start);

  size_t next = 0;
  auto score_until = [&](TimeMs limit, bool all) {
    while (next < to_score && (all || data.impressions[next].time_ms <= limit)) {
      const ImpressionRecord& r = data.impressions[next];
      if (next < options.first_scored) {
        ++next;
        continue;
      }
      for (size_t m = 0; m < methods.size(); ++m) {
        const auto t0 = Clock::now();
        const std::vector<double> scores = methods[m]->score_items(r.user, r.candidates, r.time_ms);
        method_seconds[m] += seconds_since(t0);
        const Status added = evaluators[m].add(scores, r.labels);
        if (!added.is_ok() && first_invalid[m].empty()) {
          first_invalid[m] = "impression '" + r.id + "': " + added.message();
        }
      }
      ++next;
      progress.update(next);
    }
  };

  for (const Interaction& x : interactions) {
    score_until(x.time_ms, false);
    if (next == to_score) break;
    ++report.observed;
    if (x.clicked) ++report.observed_clicks;
    for (size_t m = 0; m < methods.size(); ++m) {
      const auto t0 = Clock::now();
      methods[m]->observe(x);
      method_seconds[m] += seconds_since(t0);
    }
  }
  score_until(0, true);
  progress.finish(next);
  report.first_scored = std::min(options.first_scored, next);
  report.impressions = next - report.first_scored;

  for (size_t m = 0; m < methods.size(); ++m) {
    report.methods.push_back({methods[m]->name(), evaluators[m].summary(), method_seconds[m],
                              std::move(first_invalid[m])});
  }
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace feedscout
