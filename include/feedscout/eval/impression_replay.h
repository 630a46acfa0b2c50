// The impression-log replay (issue 3, MIND style): one time-ordered pass over a dataset's
// events that trains every method on the past and, at each logged impression, asks it to
// score the impression's candidates, measured with MIND's AUC, MRR and nDCG@5/@10
// (ImpressionEvaluator, metrics.h).
//
// Interactions. The dataset's events become the Interactions a method observes
// (events_to_interactions), so that each shown document is observed exactly once, with its
// outcome:
//   * Impression groups. An impression event with id P + "-i" opens group P. A click event
//     with id P + "-c" + optional decimal digits belongs to group P when that impression
//     event exists, has the same user and time, and shows the clicked document. load_mind
//     writes exactly these: "mind-<impression id>-i" for a behaviors row and
//     "mind-<impression id>-c<k>" (k = position in the row) per clicked candidate, all at the
//     row's time; load_movielens's "ml-<user>-<movie>-i" / "-c" pairs follow the same rule.
//     The suffix is parsed from the end (trailing digits, then "-c"), so impression ids that
//     themselves contain '-' are fine, and impression ids are unique within a dataset.
//   * An impression event gives one Interaction per distinct shown document, in first-shown
//     order, at the event's position and time: {user, doc, time, rating 0, clicked = some
//     click of its group names doc, the event's surface, query ""}. The group's click events
//     give nothing more.
//   * Every other click event (MIND's history clicks "mind-<user>-h<k>", or a click that
//     matches no group) gives one Interaction per distinct document, clicked = true, with the
//     event's surface and query "".
//   * Search events give nothing (counted in events_ignored): MIND has none, and the query of
//     a search is not carried over to its results.
// So an Interaction's time is its event's time and the interactions keep the events' order.
//
// Replay (no look-ahead):
//   for each interaction x in order (events must be in non-decreasing time order):
//     first, every not yet scored impression record r with r.time_ms <= x.time_ms is scored,
//     in data.impressions order: each method gets score_items(r.user, r.candidates,
//     r.time_ms), added with r.labels to that method's ImpressionEvaluator;
//     then every method observes x.
//   remaining records are scored after the last interaction.
// Hence when an impression at time t is scored, no interaction at or after t — of any user —
// has been observed; in particular not the impression's own outcome (its clicks are at t).
// The replay stops as soon as the last record to score is scored: later interactions are not
// observed.
//
// A method's answer that breaks score_items's contract (a wrong number of scores, a NaN) is
// not an error of the replay: ImpressionEvaluator counts it as skipped "invalid" and the
// method's first_invalid says why.
//
// Errors (InvalidArgument): no method, a null method, a dataset without impressions, events or
// impressions out of time order.
//
// Thread safety: replay_impressions drives the methods from the calling thread only; the
// methods must not be used elsewhere during the call. events_to_interactions is pure.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/metrics.h"
#include "feedscout/eval/recommender.h"
#include "feedscout/ingest/records.h"

namespace feedscout {

struct ImpressionReplayOptions {
  // 0 = all. Otherwise only the first N impression records (in time order) are scored, and
  // the replay stops after the last of them.
  size_t max_impressions = 0;
  // Records before this index are not scored (their interactions are still observed): a
  // method trained on the first records (eval/ranker_training.h) is measured on the rest.
  size_t first_scored = 0;
  bool progress = false;  // a progress line (rate, ETA) on stderr, at most 4 times a second
};

struct ImpressionMethodReport {
  std::string name;
  ImpressionSummary summary;
  double seconds = 0;         // wall time inside this method's observe() and score_items() calls
  std::string first_invalid;  // why the first "invalid" answer was rejected; "" when none
};

struct ImpressionReplayReport {
  size_t impressions = 0;                       // impression records scored (by every method)
  size_t first_scored = 0;                      // ImpressionReplayOptions::first_scored
  size_t interactions = 0;                      // derived from the dataset's events (all of them)
  size_t observed = 0;                          // of them observed (by every method)
  size_t observed_clicks = 0;                   // of the observed, those with clicked == true
  size_t events_ignored = 0;                    // events that give no interaction (searches)
  std::vector<ImpressionMethodReport> methods;  // in the order given
  double seconds = 0;                           // the whole replay
};

// The Interactions of `events` (in the dataset's time order), as described above; adds the
// number of events that give none to *ignored when it is not null. O(total document ids)
// expected time.
std::vector<Interaction> events_to_interactions(const std::vector<Event>& events,
                                                size_t* ignored = nullptr);

// The dataset's skipped input stays in data.skipped; the report does not repeat it.
[[nodiscard]] Result<ImpressionReplayReport> replay_impressions(
    const EvalDataset& data, std::vector<Recommender*> methods,
    const ImpressionReplayOptions& options = {});

}  // namespace feedscout
