// Training the learned ranker on a replay (issue 13): the offline twin of the engine's
// feature log. On a ValidationView (tuning.h) the engine observes the training interactions
// in time order and logs each user's whole candidate list with each candidate's ranking
// features (EngineRecommender::log_page) at several points: the user's validation cut-off
// and before their training interactions at fixed quantiles (pages_per_user). The user's
// later clicks in the view are joined to each page (serve/training_rows.h, the same join the
// engine's feature log uses), one group per page. The view holds nothing at or after a
// user's test cut-off, so the model is trained only on data before each user's test period,
// and a page's features see only interactions before it.
//
// Held out (early stopping, the report's comparison with the hand-set ranking's order of the
// same candidates): on a feature log the latest holdout_share of pages by time; on a replay
// the latest holdout_share of the validation cut-off pages, the pages that ask the test's
// question (a held-out user's other pages are labelled only up to it). Several models (model_grid)
// train on the same rows and the one with the best held-out metric is kept: which objective and
// depth suit a platform is chosen on its own held-out pages, never assumed.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/engine_recommender.h"
#include "feedscout/eval/replay.h"
#include "feedscout/eval/tuning.h"
#include "feedscout/models/gbdt_ranker.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/serve/training_rows.h"

namespace feedscout {

// Which later clicks label a replayed page.
enum class LabelHorizon {
  // The user's next interactions, as many as their validation part holds: the question the
  // test asks ("which of these in their next stretch").
  kNextQuestion,
  // Every later interaction in the view (up to the user's test cut-off).
  kUntilTestCutoff,
};

// The candidates of RankerTrainingOptions::model_grid: `base` with each objective of
// rank:pairwise and rank:ndcg and each depth of 3 and 6 (objective-major order), narrowed to
// `objective` when it is not "" and to `depth` when it is not 0 (a user's --objective /
// --max-depth). At f03e6e3 (2026-12-07) the held-out pages kept pairwise at depth 6 on
// MovieLens and ndcg at depth 3 on the simulator (docs/RANKING.md).
std::vector<RankerTrainOptions> default_model_grid(const RankerTrainOptions& base,
                                                   const std::string& objective = "",
                                                   int depth = 0);

// "rank:pairwise, depth 3": what tells a grid's candidates apart, for reports.
std::string describe_model(const RankerTrainOptions& model);

struct RankerTrainingOptions {
  // The models trained on the same rows; the one with the best held-out metric (ties: the
  // first) is kept. Must not be empty; a single entry trains just that model.
  std::vector<RankerTrainOptions> model_grid = default_model_grid({});
  double holdout_share = 0.2;  // latest pages, (0, 1)
  size_t page_size = 100;      // candidates asked per page (clamped to feed.max_n)
  // Pages logged per user on a replay: at the validation cut-off and before the training
  // interactions at the quantiles 1/k .. (k-1)/k.
  // Chosen on MovieLens's validation cut-off pages on 2026-12-07 (docs/RANKING.md): 8 pages
  // scored nDCG@10 0.1051 against 0.0973 with 4; the label rule made no difference, and every
  // later click is the rule of the engine's own feature log.
  size_t pages_per_user = 8;
  LabelHorizon label_horizon = LabelHorizon::kUntilTestCutoff;
  // After the held-out pages chose the model and its rounds, train it again on every page
  // (held-out ones included; on a replay with every label up to the test cut-off) and save
  // that: the latest pages are the most like the next question.
  bool refit_on_all = true;
  // Extra training groups, e.g. a teacher's judgements (llm/ranking_judge.h
  // judgement_rows), carrying their own group weights (the mixing weight against clicks,
  // whose groups weigh 1); cleaned like the click rows, never held out.
  RankingData extra_train;
  ReplayOptions replay;  // progress
  // The serving configuration whose recency rule (popularity_weight, relevance_threshold,
  // below_threshold_factor, learned_recency_weight) the held-out comparison applies after
  // the model (RankerTrainingResult::holdout_ndcg_by_recency_weight).
  FeedConfig feed;
};

// One model of the grid: its held-out metric (the grid's eval_metric) at its best round.
struct ModelTrial {
  std::string description;  // describe_model()
  double holdout_metric = 0;
  size_t trees = 0;  // best round + 1
};

struct RankerTrainingResult {
  std::string trained_on = "logged pages";      // for reports: "the validation replay", ...
  std::string held_out = "the latest by time";  // for reports: which pages were held out
  JoinReport join;
  std::vector<ModelTrial> trials;  // one per model_grid entry, in grid order
  size_t chosen = 0;               // index into trials of the model saved
  size_t extra_groups = 0;         // extra_train groups trained on (after cleaning)
  CleanReport train_clean, holdout_clean;
  RankerTrainReport train;           // the chosen model's
  size_t holdout_groups = 0;         // groups with a click, scored below
  double holdout_ndcg_model = 0;     // mean nDCG@10 of the model's order
  double holdout_ndcg_hand_set = 0;  // ... of the logged (hand-set) order of the same rows
  // The model's mean nDCG@10 when serving lets it score only `cap` candidates per page
  // (feed.ranker_max_candidates: each source's best in turn, in the logged order; the
  // others are never shown), for each of the caps 64, 128, 256 and 512 below the largest
  // held-out page (a larger cap cuts nothing): the cost of the cap, on held-out pages.
  std::vector<std::pair<size_t, double>> holdout_ndcg_by_cap;
  // The mean nDCG@10 of the order served with the recency rule after the model
  // (serve/candidate_score.h: learned_rank_scores, from each row's recency and popularity
  // features), for the weights 0, 0.1, 0.2, 0.3 and options.feed.learned_recency_weight.
  // Diversity and the cap are left out. configured_recency_weight is that last weight.
  std::vector<std::pair<double, double>> holdout_ndcg_by_recency_weight;
  double configured_recency_weight = 0;
  // Groups the saved model was refit on (options.refit_on_all); 0 when it was saved as
  // trained on the training groups (nothing held out, or refit off).
  size_t refit_groups = 0;
  std::string model_version;
  double seconds = 0;
};

// Trains on logged pages and the clicks that followed them (serve/training_rows.h, window
// `window_ms`): pages sorted by time, the latest holdout_share held out for early stopping
// and the comparison with the logged order; saves the model to `model_path`. Used by
// `feedscout train-ranker` on an engine's feature log and by train_ranker_on_replay.
[[nodiscard]] Result<RankerTrainingResult> train_ranker_on_pages(
    std::vector<LoggedPage> pages, const std::vector<FeedbackClick>& clicks, TimeMs window_ms,
    const RankerTrainingOptions& options, const std::string& model_path);

// Replays `view` with an engine of `engine` options (its ranker_path ignored), trains a
// GbdtRanker on home_feature_schema() and saves it to `model_path`. Errors: the engine or
// replay failing, no usable training group (InvalidArgument), training or saving failing.
[[nodiscard]] Result<RankerTrainingResult> train_ranker_on_replay(
    const ValidationView& view, const EngineRecommenderOptions& engine,
    const RankerTrainingOptions& options, const std::string& model_path);

// Trains on the first `n_train` impression records of `data` (MIND style, time order; see
// eval/impression_replay.h): an engine of `engine` options (its ranker_path ignored) replays
// the dataset as replay_impressions does and logs each of those records' candidates with
// their ranking features before anything at or after the record's time is observed
// (EngineRecommender::log_items); the record's own clicks are its labels. Then as
// train_ranker_on_pages: the latest holdout_share of those records held out. The records
// from n_train on are never read, so they can evaluate the model. Errors: n_train 0 or
// beyond the records, the replay failing, no usable training group (InvalidArgument),
// training or saving failing.
[[nodiscard]] Result<RankerTrainingResult> train_ranker_on_impressions(
    const EvalDataset& data, size_t n_train, const EngineRecommenderOptions& engine,
    const RankerTrainingOptions& options, const std::string& model_path);

// The replay's split by time (train_ranker_on_replay): of `pages` (question[i] marks a
// user's validation cut-off page), the latest ceil(holdout_share · questions) question pages
// go to `holdout`; the pages before the first of them go to `train`, their labels stopped
// there (label_until_ms), so no training row reads the held-out period — not even another
// user's clicks on the same documents then. Pages at or after it that are not held out are
// dropped. question.size() == pages.size().
void split_by_question(std::vector<LoggedPage> pages, const std::vector<bool>& question,
                       double holdout_share, std::vector<LoggedPage>* train,
                       std::vector<LoggedPage>* holdout);

// A Markdown paragraph and table of `r` for reports.
std::string ranker_training_markdown(const RankerTrainingResult& r);

}  // namespace feedscout
