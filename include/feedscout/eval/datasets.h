// Dataset adapters for offline evaluation: public logs turned into feedscout's data model
// (a generated taxonomy, Documents, Events) plus the records an evaluator scores against.
// docs/DATASETS.md explains every mapping decision and lists the counts on the shared copies.
//
//   load_movielens  ml-latest-small layout: ratings.csv + movies.csv
//   load_mind       MIND layout: news.tsv + behaviors.tsv
//   load_simulated  the activity simulator over the shipped Korean sample corpus
//   temporal_split  per-user time cut-offs over Interactions (test, optional validation)
//
// Contracts common to the loaders (checked by tests/eval/datasets_test.cc and
// simulated_dataset_test.cc):
//   * `taxonomy` is Taxonomy::parse(taxonomy_tsv); the TopicIds in `documents` refer to it.
//     TopicIds are dense indexes in file order, so any later load of the same text (for
//     example by an engine given the text written to a file) yields the same ids.
//   * Every document referenced by an event or a record has created_ms <= the time of that
//     event or record; documents are sorted by created_ms (stable: file order on ties).
//   * Events are sorted by time (stable: generation order on ties, an impression before its
//     clicks), have unique deterministic ids, reference known documents only, and read back
//     unchanged through event_to_json / parse_events. Times may be decades old (MovieLens
//     starts in 1996): ingest them with ParseLimits::max_past_ms covering stats.first_time_ms.
//   * A row or reference that cannot be used is never silently dropped: it is counted under
//     a reason in `skipped`, with the first place it happened as "file:line".
//   * Errors (a Status, never an exception): a missing or unreadable file is NotFound and
//     names the path; a bad header (MovieLens) or a first row of the wrong shape (MIND, whose
//     files have no header) is InvalidArgument naming "path:line"; bad options are
//     InvalidArgument.
//
// Pure functions of their inputs, deterministic, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/eval/simulator.h"
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// One kind of input that could not be used: a malformed row, or a reference to an item the
// catalogue lacks. `reason` is stable text starting with the file name, e.g.
// "ratings.csv: unknown movieId" or "behaviors.tsv: candidate news id not in news.tsv".
struct SkippedCount {
  std::string reason;
  size_t count = 0;
  std::string first_example;  // "ratings.csv:17": file name and 1-based line of the first case
};

// One consumed item (MovieLens: one usable rating; simulated: one shown document). The unit
// of next-item evaluation and of temporal_split.
struct Interaction {
  std::string user;
  std::string item;  // a document id
  TimeMs time_ms = 0;
  double rating = 0;                 // 0.5..5 for MovieLens; 0 where the dataset has no ratings
  bool clicked = false;              // the interaction produced a click
  Surface surface = Surface::kFeed;  // where it happened
  std::string query{};               // the search query on Surface::kSearch, "" otherwise
};

// One logged impression (MIND), restricted to news present in the catalogue. Only usable
// impressions are kept: >= 1 known clicked and >= 1 known non-clicked candidate.
struct ImpressionRecord {
  std::string id;  // the dataset's impression id
  std::string user;
  TimeMs time_ms = 0;
  std::vector<std::string> history;     // known news clicked before the log window, oldest first
  std::vector<std::string> candidates;  // known candidates, in logged order
  std::vector<int> labels;              // 1 clicked, 0 not; parallel to candidates
};

// Summary counts. Fields that do not apply to a dataset stay 0.
struct DatasetStats {
  size_t rows_read = 0;  // data rows over all files read (header lines and blank lines excluded)
  size_t documents = 0;  // == documents.size()
  size_t documents_unreferenced = 0;  // in the catalogue, never referenced by the log
  size_t documents_without_topics = 0;
  size_t topic_labels_dropped = 0;  // MovieLens: genres beyond Document's 3-topic limit
  size_t users = 0;                 // distinct users with >= 1 event
  size_t users_read = 0;  // distinct users in the usable log rows (with or without events)
  size_t events = 0, impression_events = 0, click_events = 0;
  size_t interactions = 0, positive_interactions = 0;  // MovieLens: usable ratings, those clicked
  // MIND. History counts are per user (each user's history becomes click events once);
  // candidate counts are per impression row.
  size_t impressions_read = 0;    // behaviors rows parsed
  size_t impressions_usable = 0;  // == impressions.size()
  size_t impression_users = 0;    // distinct users with >= 1 usable impression
  size_t candidates = 0, candidates_known = 0;
  size_t history_items = 0, history_items_known = 0;
  TimeMs first_time_ms = 0, last_time_ms = 0;  // over events; 0 when there are none
};

struct EvalDataset {
  std::string name;  // "movielens", "mind", "simulated"
  std::string taxonomy_tsv;
  Taxonomy taxonomy;                          // Taxonomy::parse(taxonomy_tsv)
  std::vector<Document> documents;            // topics resolved in `taxonomy`, sorted by created_ms
  std::vector<Event> events;                  // sorted by time, unique ids
  std::vector<Interaction> interactions;      // MovieLens: one per usable rating; simulated: one
                                              // per shown document; sorted by time
  std::vector<ImpressionRecord> impressions;  // MIND: usable impressions, sorted by time
  std::vector<SkippedCount> skipped;          // in order of first occurrence
  DatasetStats stats;
};

// MovieLens (ml-latest-small layout) in `dir`:
//   movies.csv   header "movieId,title,genres"; RFC 4180 quoting ("a, b" and "" inside
//                quotes); genres pipe-separated or "(no genres listed)".
//   ratings.csv  header "userId,movieId,rating,timestamp"; Unix seconds.
// Mapping (docs/DATASETS.md):
//   taxonomy   one level, one node per genre used: id "g:<Genre>", name = name_en = <Genre>
//              (English), sorted by name.
//   documents  one per movie: id = movieId, title as given (trimmed), source "movielens",
//              topics = up to 3 genres, the rarest in the catalogue first (ties by name);
//              created_ms = the movie's first usable rating, or stats.first_time_ms for a
//              movie nobody rated. "(no genres listed)" gives no topics.
//   events     per usable rating, in time order: an impression of the movie ("ml-<user>-
//              <movie>-i", when emit_impressions) then, when rating >= click_min_rating, a
//              click ("ml-<user>-<movie>-c", no dwell), both on `surface` at the rating time.
//   ids        userId and movieId in canonical decimal ("007" reads as "7").
struct MovieLensOptions {
  double click_min_rating = 3.5;     // ratings >= this are clicks; above 5 nothing is a click
  bool emit_impressions = true;      // every usable rating is first an impression
  Surface surface = Surface::kFeed;  // kFeed or kMain
  size_t max_ratings = 0;            // read only the first N data rows of ratings.csv; 0 = all
};
[[nodiscard]] Result<EvalDataset> load_movielens(const std::string& dir,
                                                 const MovieLensOptions& options = {});

// MIND (news.tsv + behaviors.tsv, no header lines) in `dir`:
//   news.tsv       id, category, subcategory, title, abstract, url, title_entities,
//                  abstract_entities (8 tab-separated columns)
//   behaviors.tsv  impression id, user id, time "11/12/2019 2:14:46 PM" (read as UTC),
//                  history (space-separated news ids, oldest first), impressions
//                  ("N123-1 N456-0": news id, '-', 1 clicked / 0 not)
// Mapping (docs/DATASETS.md):
//   taxonomy   two levels: "cat:<category>" > "sub:<category>/<subcategory>", names as in
//              the file; a document's one topic is its subcategory (its category when empty).
//   documents  one per news: id, title, body = abstract, url, source "mind"; created_ms =
//              the first time the log references it, stats.first_time_ms when never.
//   events     a user's history, taken from their earliest behaviors row, becomes one click
//              per known item ("mind-<user>-h<k>", k = position in the full history) at
//              W - (H - k) s, W = the earliest impression time, H = the history's length:
//              before the log window, order kept. Each row with >= 1 known candidate gives an
//              impression of its known candidates ("mind-<impression id>-i") and a click per
//              known clicked candidate ("mind-<impression id>-c<k>", k = position in the
//              row), all at the row's time.
//   impressions  rows with >= 1 known clicked and >= 1 known non-clicked candidate.
// Unknown news ids (the shared subset's news.tsv covers ~3% of referenced items) are counted
// in `skipped` per reference, and rows that are not usable per reason.
struct MindOptions {
  Surface surface = Surface::kFeed;  // kFeed or kMain
  size_t max_impressions = 0;        // read only the first N rows of behaviors.tsv; 0 = all
};
[[nodiscard]] Result<EvalDataset> load_mind(const std::string& dir,
                                            const MindOptions& options = {});

// The multi-surface activity simulator (simulator.h) over the shipped sample corpus:
// <sample_dir>/topic_vocab.json, <sample_dir>/documents.jsonl (read_documents_file) and the
// taxonomy file at taxonomy_path. Relative paths resolve against the working directory.
// Mapping (docs/DATASETS.md):
//   taxonomy      the file's text as is (the shipped one has 3 levels).
//   documents     the corpus, sorted by created_ms (stable: file order on ties).
//   events        what simulate_activity writes for the documents in file order (byte for
//                 byte what `feedscout simulate` writes with the same options), parsed back.
//   interactions  one per (event, shown document), at the event's time, rating 0:
//                 * feed / main impression: each shown document, clicked when a click event
//                   of the same user on the same surface names it while this impression is
//                   the user's latest on that surface (the simulator's clicks follow their
//                   impression within its session, and a user's sessions never overlap);
//                 * search: each result of the search's results impression (same user,
//                   surface search, same time, after the search event), clicked when in the
//                   search event's `clicked` list, query = the search query.
//   stats         users_read = simulated users; users = those with >= 1 event;
//                 interactions / positive_interactions = interactions / those clicked.
// Unusable input is counted in `skipped`, first example "events.jsonl:<line>" (the line of
// the simulator's output): an event line that does not parse or an event that references an
// unknown document or one created after the event (both left out of `events`), and, left
// out of `interactions` only, a click or search click matching no shown document, a document
// repeated in one impression, a search without a results impression or a results impression
// without its search. The defaults produce none of these.
// `summary` (may be null) receives the simulator's summary, with the ground-truth profiles
// of every user. Errors: a missing taxonomy or documents file (NotFound naming it), a bad
// taxonomy or documents file (InvalidArgument), those of simulate_activity.
struct SimulatedOptions {
  std::string sample_dir = "data/sample";
  std::string taxonomy_path = "data/taxonomy/iab-content-3.1-ko.tsv";
  SimulatorOptions simulator;
};
[[nodiscard]] Result<EvalDataset> load_simulated(const SimulatedOptions& options = {},
                                                 SimulationSummary* summary = nullptr);

// Parses a MIND behaviors time, "M/D/YYYY h:mm:ss AM|PM" (12 AM is midnight, 12 PM noon),
// as UTC. InvalidArgument when malformed or out of range.
[[nodiscard]] Result<TimeMs> parse_mind_time(std::string_view text);

// Per-user temporal split. For a user with n interactions ordered by (time, item id):
//   n_test = clamp(round(n * test_fraction), 1, n); test_cutoff_ms = the time of the first
//   of the last n_test. Test is every interaction at or after the cut-off, so ties at the
//   cut-off go to test and every training interaction is strictly earlier.
//   Validation (when validation_fraction > 0 and the user has m >= 1 interactions before the
//   test cut-off) is cut the same way from the end of those m: validation_cutoff_ms is the
//   time of the first of the last clamp(round(m * validation_fraction), 1, m) of them.
//   Otherwise validation_cutoff_ms == test_cutoff_ms.
// So: train t < validation_cutoff_ms <= validation t < test_cutoff_ms <= test t.
// A replay that scores a user at a cut-off must apply only events earlier than it — of every
// user, not just this one — for no later information to reach the engine.
struct SplitOptions {
  double test_fraction = 0.2;        // in (0, 1)
  double validation_fraction = 0.0;  // in [0, 1); of the interactions before the test cut-off
};

enum class SplitPart { kTrain = 0, kValidation = 1, kTest = 2 };
const char* split_part_name(SplitPart part);  // "train", "validation", "test"

struct UserCutoffs {
  std::string user;
  TimeMs validation_cutoff_ms = 0;
  TimeMs test_cutoff_ms = 0;
  size_t train = 0, validation = 0, test = 0;  // interactions in each part
};

struct TemporalSplit {
  std::vector<UserCutoffs> users;  // sorted by user id, one per user with interactions

  // The user's cut-offs; nullptr for a user without interactions.
  const UserCutoffs* find(std::string_view user) const;
  // Where an interaction of `user` at `time_ms` falls; kTrain for an unknown user.
  SplitPart part(std::string_view user, TimeMs time_ms) const;
  size_t total(SplitPart part) const;  // interactions in a part over all users
};

// InvalidArgument when a fraction is out of range.
[[nodiscard]] Result<TemporalSplit> temporal_split(const std::vector<Interaction>& interactions,
                                                   const SplitOptions& options = {});

// A human-readable multi-line summary: name, stats, skipped reasons with first examples.
std::string format_dataset_summary(const EvalDataset& dataset);

}  // namespace feedscout
