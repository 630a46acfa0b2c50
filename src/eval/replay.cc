// The next-item replay; the contract is in include/feedscout/eval/replay.h.
#include "feedscout/eval/replay.h"

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

struct UserPlan {
  TimeMs cutoff = 0;
  std::unordered_set<std::string> train;  // exclude set
  std::vector<std::string> relevant;      // clicked test items, distinct, first-seen order
};

}  // namespace

Result<ReplayReport> replay_next_item(const EvalDataset& data, const TemporalSplit& split,
                                      std::vector<Recommender*> methods,
                                      const ReplayOptions& options) {
  if (methods.empty()) return Status::invalid_argument("replay: no method");
  for (size_t i = 0; i < methods.size(); ++i) {
    if (methods[i] == nullptr) {
      return Status::invalid_argument("replay: method " + std::to_string(i) + " is null");
    }
  }
  if (data.documents.empty()) return Status::invalid_argument("replay: dataset has no documents");
  for (size_t i = 1; i < data.interactions.size(); ++i) {
    if (data.interactions[i].time_ms < data.interactions[i - 1].time_ms) {
      return Status::invalid_argument("replay: interactions out of time order at index " +
                                      std::to_string(i));
    }
  }
  const auto start = Clock::now();

  // Users taking part: the first max_users by id.
  std::unordered_map<std::string, UserPlan> plans;
  for (const UserCutoffs& u : split.users) {
    if (options.max_users != 0 && plans.size() >= options.max_users) break;
    plans[u.user].cutoff = u.test_cutoff_ms;
  }

  ReplayReport report;
  report.users = plans.size();

  // Item ids for the metrics: documents in dataset order, then unknown ids as they appear.
  std::unordered_map<std::string, ItemId> item_ids;
  for (const Document& d : data.documents) item_ids.emplace(d.id, item_ids.size());
  auto item_id = [&](const std::string& item) {
    return item_ids.emplace(item, item_ids.size()).first->second;
  };
  std::vector<double> train_clicks(data.documents.size(), 0.0);

  for (const Interaction& x : data.interactions) {
    auto it = plans.find(x.user);
    if (it == plans.end()) continue;
    UserPlan& p = it->second;
    const SplitPart part = split.part(x.user, x.time_ms);
    if (part == SplitPart::kTrain) {
      p.train.insert(x.item);
      const ItemId id = item_id(x.item);
      if (x.clicked && id < train_clicks.size()) train_clicks[id] += 1;
    } else if (part == SplitPart::kTest) {
      ++report.test_interactions;
      if (x.clicked) {
        ++report.test_clicks;
        if (std::find(p.relevant.begin(), p.relevant.end(), x.item) == p.relevant.end()) {
          p.relevant.push_back(x.item);
        }
      }
    }
  }

  // Query points, in (cut-off, user id) order.
  std::vector<std::pair<TimeMs, const std::string*>> queries;
  for (const auto& [user, p] : plans) {
    if (p.relevant.empty()) {
      ++report.users_without_clicked_test;
    } else {
      queries.emplace_back(p.cutoff, &user);
    }
  }
  std::sort(queries.begin(), queries.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  });
  report.users_queried = queries.size();

  std::vector<ItemId> catalogue_items(data.documents.size());
  for (size_t i = 0; i < catalogue_items.size(); ++i) catalogue_items[i] = i;
  auto catalogue = Catalogue::from_counts(catalogue_items, train_clicks);
  if (!catalogue.is_ok()) return catalogue.status().with_context("replay catalogue");
  report.catalogue_size = catalogue->size();

  std::vector<RankingEvaluator> evaluators;
  std::vector<double> method_seconds(methods.size(), 0.0);
  for (size_t m = 0; m < methods.size(); ++m) {
    auto ev = RankingEvaluator::create(options.cutoffs, *catalogue);
    if (!ev.is_ok()) return ev.status().with_context("replay");
    evaluators.push_back(std::move(ev).value());
    if (report.users_without_clicked_test > 0) {
      evaluators.back().add_skipped(kSkipNoClickedTest, report.users_without_clicked_test);
    }
  }
  const size_t k = evaluators.front().cutoffs().back();

  eval_internal::ProgressLine progress(options.progress, "replay", "users queried", "users",
                                       queries.size(), start);

  size_t next_query = 0;
  std::vector<ItemId> ranked_ids, relevant_ids;
  auto run_queries_before = [&](TimeMs limit, bool all) {
    while (next_query < queries.size() && (all || queries[next_query].first <= limit)) {
      const auto& [cutoff, user] = queries[next_query];
      const UserPlan& p = plans.at(*user);
      const Recommender::ExcludeFn exclude = [&p](const std::string& item) {
        return p.train.count(item) > 0;
      };
      relevant_ids.clear();
      for (const auto& item : p.relevant) relevant_ids.push_back(item_id(item));
      for (size_t m = 0; m < methods.size(); ++m) {
        const auto t0 = Clock::now();
        std::vector<std::string> list = methods[m]->recommend(*user, k, cutoff, exclude);
        method_seconds[m] += seconds_since(t0);
        ranked_ids.clear();
        for (const auto& item : list) ranked_ids.push_back(item_id(item));
        evaluators[m].add(ranked_ids, relevant_ids);
      }
      ++next_query;
      progress.update(next_query);
    }
  };

  for (const Interaction& x : data.interactions) {
    run_queries_before(x.time_ms, false);
    if (!plans.contains(x.user)) continue;
    if (split.part(x.user, x.time_ms) != SplitPart::kTrain) continue;
    ++report.observed;
    for (size_t m = 0; m < methods.size(); ++m) {
      const auto t0 = Clock::now();
      methods[m]->observe(x);
      method_seconds[m] += seconds_since(t0);
    }
  }
  run_queries_before(0, true);
  progress.finish(next_query);

  for (size_t m = 0; m < methods.size(); ++m) {
    report.methods.push_back({methods[m]->name(), evaluators[m].summary(), method_seconds[m]});
  }
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace feedscout
