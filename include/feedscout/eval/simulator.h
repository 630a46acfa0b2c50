// A seeded simulator of multi-surface user activity (search, home feed, main page) over a
// document corpus, for demos, tests and offline evaluation. docs/SIMULATOR.md explains the
// model and its parameters at length; in short:
//
// Users "u0001"…: exactly round((1 - light_share) × users) of them, chosen at random, are
// HEAVY feed users (20–40 feed sessions in the period), the rest LIGHT (0–3). Each user has
// 1–3 distinct interest topics drawn uniformly from the vocabulary's topics (1: 40%, 2: 35%,
// 3: 25%), the first dominant (weights 1 | .7 .3 | .6 .25 .15). Interests are fine-grained:
// a document counts as "of interest" only when one of its topics is an interest topic or a
// descendant of one — a sibling under the same parent (축구 vs 야구) does not.
//   Search (95% of users, 3 + Binomial(14, 1/4) searches capped at 10): a query of an
//     interest topic (by weight) 80% of the time, else of a uniformly random topic. The
//     results are the topic's documents available at that time, titles containing a word of
//     the query first, newest first; up to 10 are logged as a "search" impression. 0–2 of
//     them are clicked (more for interest topics), preferring title matches; the clicks are
//     the search event's `clicked` list (no separate click events for search).
//   Feed session: one "feed" impression of 10 distinct documents — each slot 50% an interest
//     topic's document, 25% one of a fixed 5% "popular" set, 25% any document — then a click
//     per shown document with p = 0.35 if it is of interest, else 0.03.
//   Main page (50% of users, 1–6 sessions): a board topic (an interest topic 80% of the
//     time), one "main" impression of 8 of its 20 newest documents, clicks as in the feed.
//   Clicks follow the impression in display order, seconds apart; dwell is 5–120 s, or
//     0.5–2.9 s for 10% of clicks.
// Each session of a user starts in its own random 30-minute slot of [end - days, end] (0–5 min
// into it, whole seconds) and ends within that slot, so a user's sessions never overlap and
// every event lies in [end_ms - days, end_ms] (slots are reused only when a user has more
// sessions than the period has slots). A document is shown or clicked only when its created_at ≤
// the event time. Events come out sorted by time, ids "ev-0000001"… in that order.
//
// Deterministic: the same seed and inputs give byte-identical output on every platform
// (randomness via SampleRng). Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/eval/sample_generator.h"
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct SimulatorOptions {
  uint64_t seed = 11;
  int users = 600;                  // 1..1,000,000
  double light_share = 0.85;        // 0..1
  int days = 14;                    // 1..365
  TimeMs end_ms = kSampleNewestMs;  // events fall in [end_ms - days, end_ms]
};

// Ground truth of one simulated user, for evaluating what the engine learns.
struct SimulatedUser {
  std::string id;                  // "u0001"
  bool heavy = false;              // heavy feed user
  std::vector<TopicId> interests;  // 1–3 distinct, dominant first
  std::vector<double> weights;     // same length as interests, sums to 1
};

struct SimulationSummary {
  size_t users = 0, light_users = 0, heavy_users = 0;
  size_t events = 0, searches = 0, impressions = 0, clicks = 0;  // by event type
  size_t search_clicks = 0;                       // documents listed in search events' `clicked`
  size_t users_searching = 0, users_on_main = 0;  // users with ≥ 1 such event
  // A light user with a search in the last 2 days of the period (the most such searches),
  // and the heavy user with the most feed clicks; "" when there is none.
  std::string example_light_user, example_heavy_user;
  std::vector<SimulatedUser> profiles;  // every user, in id order
};

// Simulates activity over `docs` (topics resolved in `taxonomy`; documents whose topics are
// not vocabulary topics are shown only as "popular"/random feed items) and writes the events
// as JSON Lines (event_to_json). `summary` may be null. Errors: those of load_topic_vocab,
// out-of-range options, no documents or a document topic outside the taxonomy
// (InvalidArgument), a failing stream (IOError).
[[nodiscard]] Status simulate_activity(const std::string& vocab_path,
                                       const std::vector<Document>& docs, const Taxonomy& taxonomy,
                                       const SimulatorOptions& options, std::ostream& events_out,
                                       SimulationSummary* summary);

}  // namespace feedscout
