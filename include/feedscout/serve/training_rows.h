// Training rows for the learned ranker: logged feed pages (each candidate's features as
// served, serve/ranking_features.h) joined with the clicks that followed them.
//
// Attribution: a candidate of a page logged for user u at time t is relevant (label 1) when
// u clicked it in (t, t + window_ms] (and not after the page's label_until_ms); one click may
// credit several pages (each page is its own group, an independent ranking question). Only what
// happened after the page counts, and the features were computed when the page was served, so no
// row reads the future. The feature log (engine) and eval-rec's replays build rows with this same
// function.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/models/gbdt_ranker.h"

namespace feedscout {

// One served (or, offline, replayed) page: every scored candidate, in the order the
// current ranking put them, with its feature row.
struct LoggedPage {
  std::string request_id;
  std::string user;
  TimeMs time_ms = 0;
  std::string model_version;         // "" = the hand-set ranking
  std::vector<std::string> doc_ids;  // candidates, best first
  std::vector<uint32_t> served;      // 1 for candidates on the page (the first n), else 0
  std::vector<float> features;       // size doc_ids.size() * n_features, row-major
  // Clicks after this time do not count for this page even inside the window (0: no such
  // limit). Offline replays set it to the end of the page's question (e.g. the user's next
  // interactions); the engine's feature log leaves it 0.
  TimeMs label_until_ms = 0;
};

struct FeedbackClick {
  std::string user;
  std::string doc_id;
  TimeMs time_ms = 0;
};

struct JoinReport {
  size_t pages = 0, rows = 0, positives = 0;
  size_t pages_malformed = 0;      // features not doc_ids.size() * n_features: skipped
  size_t pages_without_click = 0;  // kept (cleaning drops them before training)
};

// Rows in page order, one group per page (pages with a malformed feature block are
// skipped and counted). Group weights are left empty (all 1). `report` may be null.
RankingData join_clicks(const std::vector<LoggedPage>& pages,
                        const std::vector<FeedbackClick>& clicks, TimeMs window_ms,
                        size_t n_features, JoinReport* report);

}  // namespace feedscout
