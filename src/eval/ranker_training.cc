// train_ranker_on_replay; the contract is in include/feedscout/eval/ranker_training.h.
#include "feedscout/eval/ranker_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/ranking_features.h"
#include "suite_common.h"

namespace feedscout {
namespace {

// One page to log: user `user` at `time_ms`, before any interaction at or after it; its
// labels stop at label_until_ms (0: the user's test cut-off).
struct LogPoint {
  TimeMs time_ms = 0;
  std::string user;
  TimeMs label_until_ms = 0;
  bool question = false;  // the page at the user's validation cut-off: the test's question
};

// Where each user's pages are logged: before their training interactions at the quantiles
// 1/per_user .. (per_user-1)/per_user and at their validation cut-off — several questions
// per user. With LabelHorizon::kNextQuestion a page's question is the user's next
// interactions as many as their validation part holds (the size of the test question: the
// validation cut-off page's is exactly their validation part); with kUntilTestCutoff every
// later interaction in the view counts. Sorted by (time, user); a user with no training
// interaction is skipped.
std::vector<LogPoint> log_points(const ValidationView& view, size_t per_user,
                                 LabelHorizon horizon) {
  std::unordered_map<std::string, std::vector<TimeMs>> times;  // training and validation
  for (const Interaction& x : view.data.interactions) times[x.user].push_back(x.time_ms);
  std::vector<LogPoint> points;
  for (const UserCutoffs& u : view.split.users) {
    const auto it = times.find(u.user);
    // In the view the validation period is the "test" part (tuning.h).
    if (it == times.end() || u.test == 0) continue;
    std::vector<TimeMs>& t = it->second;
    std::sort(t.begin(), t.end());
    const size_t train =
        static_cast<size_t>(std::lower_bound(t.begin(), t.end(), u.test_cutoff_ms) - t.begin());
    if (train == 0) continue;
    auto point = [&](size_t i) {  // the page before interaction i
      LogPoint p{t[i] - 1, u.user, 0};
      if (horizon == LabelHorizon::kNextQuestion) {
        p.label_until_ms = t[std::min(t.size(), i + u.test) - 1];
      }
      return p;
    };
    std::vector<LogPoint> mine;
    if (train < t.size()) {
      mine.push_back(point(train));
      // One millisecond before: clicks at the cut-off itself come after the page.
      mine.back().time_ms = u.test_cutoff_ms - 1;
      mine.back().question = true;
    }
    for (size_t q = 1; q < per_user; ++q) {
      const size_t i = train * q / per_user;
      if (i > 0 && i < train && t[i] > t[i - 1]) mine.push_back(point(i));
    }
    std::sort(mine.begin(), mine.end(),
              [](const LogPoint& a, const LogPoint& b) { return a.time_ms < b.time_ms; });
    mine.erase(
        std::unique(mine.begin(), mine.end(),
                    [](const LogPoint& a, const LogPoint& b) { return a.time_ms == b.time_ms; }),
        mine.end());
    points.insert(points.end(), mine.begin(), mine.end());
  }
  std::sort(points.begin(), points.end(), [](const LogPoint& a, const LogPoint& b) {
    return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.user < b.user;
  });
  return points;
}

// Removes from `page` the candidates in `known` (their rows and features).
void drop_known(const std::unordered_set<std::string>& known, LoggedPage& page) {
  if (known.empty()) return;
  size_t kept = 0;
  for (size_t i = 0; i < page.doc_ids.size(); ++i) {
    if (known.count(page.doc_ids[i]) != 0) continue;
    if (kept != i) {
      page.doc_ids[kept] = std::move(page.doc_ids[i]);
      page.served[kept] = page.served[i];
      std::copy_n(page.features.begin() + static_cast<std::ptrdiff_t>(i * kFeatureCount),
                  kFeatureCount,
                  page.features.begin() + static_cast<std::ptrdiff_t>(kept * kFeatureCount));
    }
    ++kept;
  }
  page.doc_ids.resize(kept);
  page.served.resize(kept);
  page.features.resize(kept * kFeatureCount);
}

// Replays the view's training interactions in time order into `engine`, logging a page at
// every point before the first interaction at or after its time (as replay_next_item
// queries), so a page sees only earlier interactions of every user. A page asks the test's
// question: as the test never lists an item the user interacted with before (clicked or
// not), their page does not either. `question` gets, per page, whether it is a validation
// cut-off page (LogPoint::question).
std::vector<LoggedPage> log_pages(const ValidationView& view, const std::vector<LogPoint>& points,
                                  EngineRecommender& engine, size_t page_size,
                                  std::vector<bool>* question) {
  std::vector<LoggedPage> pages;
  std::unordered_map<std::string, std::unordered_set<std::string>> known;  // by user
  size_t next = 0;
  auto run_until = [&](TimeMs t) {
    while (next < points.size() && points[next].time_ms <= t) {
      const LogPoint& p = points[next];
      pages.push_back(engine.log_page(p.user, page_size, p.time_ms));
      drop_known(known[p.user], pages.back());
      pages.back().label_until_ms = p.label_until_ms;
      question->push_back(p.question);
      ++next;
    }
  };
  for (const Interaction& x : view.data.interactions) {
    run_until(x.time_ms);
    if (view.split.part(x.user, x.time_ms) != SplitPart::kTrain) continue;
    engine.observe(x);
    known[x.user].insert(x.item);
  }
  run_until(std::numeric_limits<TimeMs>::max());
  return pages;
}

// `pages` joined with `clicks`, cleaned for training.
Result<RankingData> rows_of(const std::vector<LoggedPage>& pages,
                            const std::vector<FeedbackClick>& clicks, TimeMs window_ms,
                            JoinReport* join, CleanReport* clean) {
  JoinReport j;
  const RankingData raw = join_clicks(pages, clicks, window_ms, kFeatureCount, &j);
  join->pages += j.pages;
  join->rows += j.rows;
  join->positives += j.positives;
  join->pages_malformed += j.pages_malformed;
  join->pages_without_click += j.pages_without_click;
  return clean_ranking_data(home_feature_schema(), raw, clean);
}

// Appends `extra`'s groups to `*data`, giving every group an explicit weight (1 where none
// was given).
void append_groups(const RankingData& extra, RankingData* data) {
  if (data->group_weights.empty()) data->group_weights.assign(data->n_groups(), 1.0f);
  data->features.insert(data->features.end(), extra.features.begin(), extra.features.end());
  data->labels.insert(data->labels.end(), extra.labels.begin(), extra.labels.end());
  data->group_sizes.insert(data->group_sizes.end(), extra.group_sizes.begin(),
                           extra.group_sizes.end());
  if (extra.group_weights.empty()) {
    data->group_weights.insert(data->group_weights.end(), extra.n_groups(), 1.0f);
  } else {
    data->group_weights.insert(data->group_weights.end(), extra.group_weights.begin(),
                               extra.group_weights.end());
  }
}

// `scores` with every row a serving cap of `cap` would not let the model score pushed to the
// bottom: per group, AfterSearch rows always (they lead the page, outside the pool), the
// others as pick_by_source (serve/feed_builder.h) keeps them, in row order.
std::vector<float> capped_scores(const RankingData& data, const std::vector<float>& scores,
                                 size_t cap) {
  std::vector<float> out(scores.size(), std::numeric_limits<float>::lowest());
  size_t begin = 0;
  for (uint32_t size : data.group_sizes) {
    std::vector<size_t> pooled;  // rows of the group's pool
    std::vector<FeedSource> sources;
    for (size_t r = begin; r < begin + size; ++r) {
      const FeedSource s = row_source(
          std::span<const float>(data.features).subspan(r * kFeatureCount, kFeatureCount));
      if (s == FeedSource::kAfterSearch) {
        out[r] = scores[r];
      } else {
        pooled.push_back(r);
        sources.push_back(s);
      }
    }
    const std::vector<bool> keep = pick_by_source(sources, cap);
    for (size_t i = 0; i < pooled.size(); ++i) {
      if (keep[i]) out[pooled[i]] = scores[pooled[i]];
    }
    begin += size;
  }
  return out;
}

// `scores` as served after the recency rule at `recency_weight`: per group, each row's
// min-max share of the group's scores as relevance, its recency and popularity features as
// quality (learned_rank_scores in serve/candidate_score.h).
std::vector<float> rule_scores(const RankingData& data, const std::vector<float>& scores,
                               double recency_weight, const FeedConfig& feed) {
  std::vector<float> out(scores.size());
  size_t begin = 0;
  for (uint32_t size : data.group_sizes) {
    const std::span<const float> group(scores.data() + begin, size);
    const std::vector<double> relevance = model_relevance(group);
    for (size_t i = 0; i < size; ++i) {
      const float* row = data.features.data() + (begin + i) * kFeatureCount;
      const double q = quality(row[static_cast<size_t>(Feature::kRecency)],
                               row[static_cast<size_t>(Feature::kPopularityShare)], feed);
      out[begin + i] = static_cast<float>(recency_rule(relevance[i], q, recency_weight, feed));
    }
    begin += size;
  }
  return out;
}

// Mean nDCG@10 of the model's and of the hand-set order (row order) over `data`'s groups,
// with the serving cap and with the recency rule after the model.
Status compare_on_holdout(const GbdtRanker& model, const RankingData& data, const FeedConfig& feed,
                          RankerTrainingResult* result) {
  result->holdout_groups = data.n_groups();
  if (data.empty()) return Status::ok();
  std::vector<float> scores;
  FEEDSCOUT_RETURN_IF_ERROR(model.predict(data.features, data.n_rows(), &scores));
  std::vector<float> hand_set(data.n_rows());
  size_t row = 0;
  for (uint32_t size : data.group_sizes) {
    for (uint32_t i = 0; i < size; ++i) hand_set[row++] = -static_cast<float>(i);
  }
  auto mean = [](const std::vector<double>& v) {
    return v.empty() ? 0.0
                     : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  result->holdout_ndcg_model = mean(ndcg_at_k_per_group(data.labels, scores, data.group_sizes, 10));
  result->holdout_ndcg_hand_set =
      mean(ndcg_at_k_per_group(data.labels, hand_set, data.group_sizes, 10));
  const uint32_t largest = *std::max_element(data.group_sizes.begin(), data.group_sizes.end());
  for (size_t cap : {size_t{64}, size_t{128}, size_t{256}, size_t{512}}) {
    if (cap >= largest) break;  // no page is cut: the figure is the model's own
    result->holdout_ndcg_by_cap.emplace_back(
        cap, mean(ndcg_at_k_per_group(data.labels, capped_scores(data, scores, cap),
                                      data.group_sizes, 10)));
  }
  result->configured_recency_weight = feed.learned_recency_weight;
  std::vector<double> weights{0.0, 0.1, 0.2, 0.3};
  if (std::find(weights.begin(), weights.end(), feed.learned_recency_weight) == weights.end())
    weights.push_back(feed.learned_recency_weight);
  for (double w : weights) {
    result->holdout_ndcg_by_recency_weight.emplace_back(
        w, mean(ndcg_at_k_per_group(data.labels, rule_scores(data, scores, w, feed),
                                    data.group_sizes, 10)));
  }
  return Status::ok();
}

// Trains every model of `grid` on `train` and keeps the one with the best held-out metric
// (the first on ties, and the first alone when there is nothing held out to choose by);
// records each in result->trials and the kept one's report in result->train.
Result<GbdtRanker> train_grid(const RankingData& train, const RankingData& holdout,
                              const std::vector<RankerTrainOptions>& grid,
                              RankerTrainingResult* result) {
  if (grid.empty()) return Status::invalid_argument("ranker training: the model grid is empty");
  const size_t n = holdout.empty() ? 1 : grid.size();
  std::optional<GbdtRanker> best;
  for (size_t i = 0; i < n; ++i) {
    RankerTrainReport report;
    auto model = GbdtRanker::train(home_feature_schema(), train, holdout, grid[i], &report);
    if (!model.is_ok())
      return model.status().with_context("ranker training, " + describe_model(grid[i]));
    result->trials.push_back(
        {describe_model(grid[i]), report.best_validation_metric, report.best_round + 1});
    if (!best || report.best_validation_metric > result->trials[result->chosen].holdout_metric) {
      result->chosen = i;
      result->train = report;
      best = std::move(model).value();
    }
  }
  return std::move(*best);
}

Status check_holdout_share(const RankerTrainingOptions& options) {
  if (options.holdout_share > 0 && options.holdout_share < 1) return Status::ok();
  return Status::invalid_argument("ranker training: holdout_share must be in (0, 1)");
}

// Trains `chosen` again on `rows` for `trees` rounds, with nothing held out: the rounds were
// chosen on the held-out pages.
Result<GbdtRanker> refit(const RankingData& rows, RankerTrainOptions chosen, size_t trees) {
  chosen.max_rounds = std::max<size_t>(1, trees);
  chosen.early_stopping_rounds = 0;
  return GbdtRanker::train(home_feature_schema(), rows, RankingData{}, chosen, nullptr);
}

// Trains the grid on `train_pages`, held out `holdout_pages` (both joined with `clicks`),
// compares with the logged order on the held-out ones, refits the kept model on `all_rows`
// (cleaned rows of every page; null: the training and held-out rows) when
// options.refit_on_all, and saves it.
Result<RankerTrainingResult> train_on_split(const std::vector<LoggedPage>& train_pages,
                                            const std::vector<LoggedPage>& holdout_pages,
                                            const std::vector<FeedbackClick>& clicks,
                                            TimeMs window_ms, const RankerTrainingOptions& options,
                                            std::optional<RankingData> all_rows,
                                            const std::string& model_path) {
  const auto start = std::chrono::steady_clock::now();
  RankerTrainingResult result;
  auto train = rows_of(train_pages, clicks, window_ms, &result.join, &result.train_clean);
  if (!train.is_ok()) return train.status();
  auto holdout = rows_of(holdout_pages, clicks, window_ms, &result.join, &result.holdout_clean);
  if (!holdout.is_ok()) return holdout.status();
  if (!all_rows && options.refit_on_all) {
    all_rows = *train;
    append_groups(*holdout, &*all_rows);
  }
  if (!options.extra_train.empty()) {
    CleanReport extra_clean;
    auto extra = clean_ranking_data(home_feature_schema(), options.extra_train, &extra_clean);
    if (!extra.is_ok()) return extra.status().with_context("extra training rows");
    append_groups(*extra, &train.value());
    if (all_rows) append_groups(*extra, &*all_rows);
    result.extra_groups = extra->n_groups();
  }
  if (train->empty()) {
    return Status::invalid_argument(
        "ranker training: no page outside the held-out ones has both a clicked and an "
        "unclicked candidate (" +
        std::to_string(train_pages.size() + holdout_pages.size()) + " pages, " +
        std::to_string(clicks.size()) + " clicks)");
  }
  auto model = train_grid(*train, *holdout, options.model_grid, &result);
  if (!model.is_ok()) return model.status();
  FEEDSCOUT_RETURN_IF_ERROR(compare_on_holdout(*model, *holdout, options.feed, &result));
  if (options.refit_on_all && all_rows && !holdout->empty()) {
    auto refitted =
        refit(*all_rows, options.model_grid[result.chosen], result.trials[result.chosen].trees);
    if (!refitted.is_ok()) return refitted.status().with_context("ranker refit");
    model = std::move(refitted).value();
    result.refit_groups = all_rows->n_groups();
  }
  FEEDSCOUT_RETURN_IF_ERROR(model->save(model_path));
  result.model_version = model->version();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

void split_by_question(std::vector<LoggedPage> pages, const std::vector<bool>& question,
                       double holdout_share, std::vector<LoggedPage>* train,
                       std::vector<LoggedPage>* holdout) {
  std::vector<size_t> questions;
  for (size_t i = 0; i < pages.size(); ++i) {
    if (question[i]) questions.push_back(i);
  }
  std::stable_sort(questions.begin(), questions.end(),
                   [&](size_t a, size_t b) { return pages[a].time_ms < pages[b].time_ms; });
  const size_t n_held = std::min(
      questions.size(),
      static_cast<size_t>(std::ceil(holdout_share * static_cast<double>(questions.size()))));
  std::vector<bool> held(pages.size(), false);
  for (size_t k = questions.size() - n_held; k < questions.size(); ++k) held[questions[k]] = true;
  // Every held-out page is at or after `cut`: training pages end before it and their labels
  // stop there, so nothing the model learns from happened in the held-out period.
  const TimeMs cut = n_held == 0 ? std::numeric_limits<TimeMs>::max()
                                 : pages[questions[questions.size() - n_held]].time_ms;
  for (size_t i = 0; i < pages.size(); ++i) {
    if (held[i]) {
      holdout->push_back(std::move(pages[i]));
      continue;
    }
    if (pages[i].time_ms >= cut) continue;
    if (pages[i].label_until_ms == 0 || pages[i].label_until_ms > cut) {
      pages[i].label_until_ms = cut;
    }
    train->push_back(std::move(pages[i]));
  }
}

std::vector<RankerTrainOptions> default_model_grid(const RankerTrainOptions& base,
                                                   const std::string& objective, int depth) {
  const std::vector<std::string> objectives =
      objective.empty() ? std::vector<std::string>{"rank:pairwise", "rank:ndcg"}
                        : std::vector<std::string>{objective};
  const std::vector<int> depths = depth == 0 ? std::vector<int>{3, 6} : std::vector<int>{depth};
  std::vector<RankerTrainOptions> grid;
  for (const std::string& o : objectives) {
    for (int d : depths) {
      RankerTrainOptions m = base;
      m.objective = o;
      m.max_depth = d;
      grid.push_back(m);
    }
  }
  return grid;
}

std::string describe_model(const RankerTrainOptions& model) {
  return model.objective + ", depth " + std::to_string(model.max_depth);
}

Result<RankerTrainingResult> train_ranker_on_pages(std::vector<LoggedPage> pages,
                                                   const std::vector<FeedbackClick>& clicks,
                                                   TimeMs window_ms,
                                                   const RankerTrainingOptions& options,
                                                   const std::string& model_path) {
  FEEDSCOUT_RETURN_IF_ERROR(check_holdout_share(options));
  std::stable_sort(pages.begin(), pages.end(),
                   [](const LoggedPage& a, const LoggedPage& b) { return a.time_ms < b.time_ms; });
  const size_t holdout_pages =
      static_cast<size_t>(std::ceil(options.holdout_share * static_cast<double>(pages.size())));
  const auto holdout_begin =
      pages.begin() +
      static_cast<std::ptrdiff_t>(pages.size() - std::min(pages.size(), holdout_pages));
  std::vector<LoggedPage> train(std::make_move_iterator(pages.begin()),
                                std::make_move_iterator(holdout_begin));
  std::vector<LoggedPage> holdout(std::make_move_iterator(holdout_begin),
                                  std::make_move_iterator(pages.end()));
  return train_on_split(train, holdout, clicks, window_ms, options, std::nullopt, model_path);
}

Result<RankerTrainingResult> train_ranker_on_replay(const ValidationView& view,
                                                    const EngineRecommenderOptions& engine,
                                                    const RankerTrainingOptions& options,
                                                    const std::string& model_path) {
  const auto start = std::chrono::steady_clock::now();
  FEEDSCOUT_RETURN_IF_ERROR(check_holdout_share(options));
  EngineRecommenderOptions logging = engine;
  logging.ranker_path.clear();
  logging.name = "engine (logging)";
  auto recommender = EngineRecommender::create(view.data, logging);
  if (!recommender.is_ok()) return recommender.status().with_context("ranker training");
  std::vector<bool> question;
  std::vector<LoggedPage> pages = log_pages(
      view, log_points(view, std::max<size_t>(1, options.pages_per_user), options.label_horizon),
      **recommender, std::max<size_t>(1, options.page_size), &question);
  // The clicks that follow each page: every later click of the user in the view (training
  // and validation; the view holds nothing at or after a user's test cut-off).
  std::vector<FeedbackClick> clicks;
  for (const Interaction& x : view.data.interactions) {
    if (x.clicked) clicks.push_back({x.user, x.item, x.time_ms});
  }
  const TimeMs window_ms = std::numeric_limits<TimeMs>::max() / 2;
  // The refit's rows: every page, labelled up to the user's test cut-off (or its question).
  std::optional<RankingData> all_rows;
  if (options.refit_on_all) {
    JoinReport join;
    CleanReport clean;
    auto rows = rows_of(pages, clicks, window_ms, &join, &clean);
    if (!rows.is_ok()) return rows.status();
    all_rows = std::move(rows).value();
  }
  std::vector<LoggedPage> train, holdout;
  split_by_question(std::move(pages), question, options.holdout_share, &train, &holdout);
  auto result =
      train_on_split(train, holdout, clicks, window_ms, options, std::move(all_rows), model_path);
  if (result.is_ok()) {
    result->trained_on = "the validation replay";
    result->held_out =
        "the latest users' pages at their validation cut-off, each asking the test's question";
    result->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return result;
}

std::string ranker_training_markdown(const RankerTrainingResult& r) {
  using eval_internal::fixed;
  std::ostringstream os;
  os << "Learned ranker `" << r.model_version << "` (" << home_feature_schema().name << " v"
     << home_feature_schema().version << ", " << kFeatureCount << " features): trained on "
     << r.trained_on << " — " << r.join.pages << " pages (" << r.join.rows << " candidates, "
     << r.join.positives << " clicked; " << r.join.pages_without_click
     << " pages without a click are dropped), " << r.train.train_groups << " training groups, "
     << r.train.validation_groups << " held-out groups (" << r.held_out << "); "
     << fixed(r.seconds, 1) << " s.";
  if (r.refit_groups > 0) {
    os << " The kept model was then trained again, for its rounds, on all " << r.refit_groups
       << " groups (the held-out ones and every later label too): that model is saved and "
          "served; the held-out figures below are the model's before.";
  }
  os << "\n\n";
  if (!r.trials.empty()) {
    os << "Models trained on the same rows; the best on the held-out groups is kept:\n\n"
       << "| model | held-out nDCG@10 | trees | |\n|---|---:|---:|---|\n";
    for (size_t i = 0; i < r.trials.size(); ++i) {
      const ModelTrial& t = r.trials[i];
      os << "| " << t.description << " | " << fixed(t.holdout_metric, 4) << " | " << t.trees
         << " | " << (i == r.chosen ? "kept" : "") << " |\n";
    }
    os << "\n";
  }
  os << "| on the held-out groups | nDCG@10 |\n|---|---:|\n"
     << "| hand-set order of the same candidates | " << fixed(r.holdout_ndcg_hand_set, 4) << " |\n"
     << "| learned ranker | " << fixed(r.holdout_ndcg_model, 4) << " |\n";
  for (const auto& [cap, ndcg] : r.holdout_ndcg_by_cap) {
    os << "| learned ranker scoring at most " << cap
       << " candidates per page (each source's best in turn) | " << fixed(ndcg, 4) << " |\n";
  }
  for (const auto& [weight, ndcg] : r.holdout_ndcg_by_recency_weight) {
    os << "| learned ranker, then the recency rule at weight " << fixed(weight, 2)
       << (weight == r.configured_recency_weight ? " (feed.learned_recency_weight)" : "") << " | "
       << fixed(ndcg, 4) << " |\n";
  }
  return os.str();
}

}  // namespace feedscout
