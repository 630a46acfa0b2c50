// Dataset adapters on tiny hand-written fixtures (never rows of the real datasets).
#include "feedscout/eval/datasets.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "feedscout/ingest/parse.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

void write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name), std::ios::binary) << text;
}

// ---- MovieLens fixture ----
// Genre counts over usable movies: Drama 3, Adventure 2, Fantasy 2, Animation 1, Children 1,
// Comedy 1, Romance 1. Lines 7 and 8 are unusable.
const char kMovies[] =
    "movieId,title,genres\r\n"
    "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\r\n"
    "2,\"City of Lost Children, The (Cite des enfants perdus, La) (1995)\","
    "Adventure|Drama|Fantasy\r\n"
    "3,\"11'09\"\"01 - September 11 (2002)\",Drama\r\n"
    "4,Unrated Film (2000),Drama|Romance\r\n"
    "5,Hyena Road,(no genres listed)\r\n"
    "x,Bad Id (1999),Drama\r\n"
    "6,Two Columns\r\n";

// Lines 5, 6, 7 and 10 are unusable; 2.0 and 3.0 are below the click threshold, 3.5 is on it.
const char kRatings[] =
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,1000\n"
    "1,2,3.0,2000\n"
    "1,3,5.0,3000\n"
    "1,99,4.0,3500\n"
    "1,1,2.0,4000\n"
    "2,2,abc,1500\n"
    "2,2,3.5,1500\n"
    "2,5,1.0,900\n"
    "2,3,4.5\n"
    "\n";

struct MovieLensFixture {
  TempDir dir{"feedscout_ml"};
  MovieLensFixture(const std::string& movies = kMovies, const std::string& ratings = kRatings) {
    write_file(dir, "movies.csv", movies);
    write_file(dir, "ratings.csv", ratings);
  }
  Result<EvalDataset> load(const MovieLensOptions& options = {}) const {
    return load_movielens(dir.path().string(), options);
  }
};

const Document* find_doc(const EvalDataset& ds, const std::string& id) {
  for (const auto& d : ds.documents) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::vector<std::string> topic_names(const EvalDataset& ds, const Document& d) {
  std::vector<std::string> out;
  for (const auto& t : d.topics) out.push_back(ds.taxonomy.node(t.topic).external_id);
  return out;
}

std::vector<std::string> event_ids(const EvalDataset& ds) {
  std::vector<std::string> out;
  for (const auto& e : ds.events) out.push_back(e.id);
  return out;
}

std::map<std::string, std::pair<size_t, std::string>> skipped_map(const EvalDataset& ds) {
  std::map<std::string, std::pair<size_t, std::string>> out;
  for (const auto& s : ds.skipped) out[s.reason] = {s.count, s.first_example};
  return out;
}

// The contracts of datasets.h that hold for every dataset.
void check_invariants(const EvalDataset& ds) {
  auto reparsed = Taxonomy::parse(ds.taxonomy_tsv, "generated");
  ASSERT_TRUE(reparsed.is_ok()) << reparsed.status().to_string();
  ASSERT_EQ(reparsed->size(), ds.taxonomy.size());
  for (TopicId i = 0; i < ds.taxonomy.size(); ++i) {
    EXPECT_EQ(reparsed->node(i).path, ds.taxonomy.node(i).path);
  }
  std::unordered_map<std::string, TimeMs> created;
  for (size_t i = 0; i < ds.documents.size(); ++i) {
    const Document& d = ds.documents[i];
    EXPECT_TRUE(created.emplace(d.id, d.created_ms).second) << "duplicate document " << d.id;
    if (i > 0) {
      EXPECT_LE(ds.documents[i - 1].created_ms, d.created_ms);
    }
    EXPECT_LE(d.topics.size(), 3u);
    for (const auto& t : d.topics) EXPECT_LT(t.topic, ds.taxonomy.size());
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < ds.events.size(); ++i) {
    const Event& e = ds.events[i];
    EXPECT_TRUE(ids.insert(e.id).second) << "duplicate event id " << e.id;
    if (i > 0) {
      EXPECT_LE(ds.events[i - 1].time_ms, e.time_ms);
    }
    EXPECT_FALSE(e.doc_ids.empty());
    for (const auto& doc : e.doc_ids) {
      auto it = created.find(doc);
      ASSERT_NE(it, created.end()) << e.id << " references unknown " << doc;
      EXPECT_LE(it->second, e.time_ms) << e.id << " before " << doc << " exists";
    }
  }
  for (const auto& r : ds.impressions) {
    for (const auto& doc : r.candidates) {
      ASSERT_TRUE(created.count(doc)) << doc;
      EXPECT_LE(created[doc], r.time_ms);
    }
  }
  EXPECT_EQ(ds.stats.events, ds.events.size());
  EXPECT_EQ(ds.stats.documents, ds.documents.size());
}

// Every event and document reads back unchanged through the ingest parser, with limits
// generous enough for old times.
void check_round_trip(const EvalDataset& ds) {
  ParseLimits limits;
  limits.max_past_ms = 200LL * 365 * kMsPerDay;
  const TimeMs now = ds.stats.last_time_ms + kMsPerDay;
  std::string text;
  for (const auto& e : ds.events) text += event_to_json(e) + "\n";
  auto events = parse_events(text, limits, now);
  ASSERT_TRUE(events.errors.empty())
      << events.errors.front().position << " " << events.errors.front().field << " "
      << events.errors.front().message;
  ASSERT_EQ(events.items.size(), ds.events.size());
  for (size_t i = 0; i < ds.events.size(); ++i) {
    const Event& a = ds.events[i];
    const Event& b = events.items[i].second;
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.user, b.user);
    EXPECT_EQ(a.time_ms, b.time_ms);
    EXPECT_EQ(a.surface, b.surface);
    EXPECT_EQ(a.doc_ids, b.doc_ids);
    EXPECT_EQ(a.dwell_s, b.dwell_s);
  }
  std::string docs;
  for (const auto& d : ds.documents) docs += document_to_json(d, ds.taxonomy) + "\n";
  auto parsed = parse_documents(docs, limits, ds.taxonomy, now);
  ASSERT_TRUE(parsed.errors.empty())
      << parsed.errors.front().position << " " << parsed.errors.front().message;
  ASSERT_EQ(parsed.items.size(), ds.documents.size());
  for (size_t i = 0; i < ds.documents.size(); ++i) {
    const Document& a = ds.documents[i];
    const Document& b = parsed.items[i].second;
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.title, b.title);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.created_ms, b.created_ms);
    ASSERT_EQ(a.topics.size(), b.topics.size());
    for (size_t k = 0; k < a.topics.size(); ++k) EXPECT_EQ(a.topics[k].topic, b.topics[k].topic);
  }
}

TEST(MovieLensTest, ParsesQuotedTitlesGenresAndTaxonomy) {
  MovieLensFixture f;
  auto ds = f.load();
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->name, "movielens");
  ASSERT_EQ(ds->documents.size(), 5u);
  EXPECT_EQ(find_doc(*ds, "2")->title,
            "City of Lost Children, The (Cite des enfants perdus, La) (1995)");
  EXPECT_EQ(find_doc(*ds, "3")->title, "11'09\"01 - September 11 (2002)");
  EXPECT_EQ(find_doc(*ds, "1")->title, "Toy Story (1995)");
  EXPECT_EQ(find_doc(*ds, "1")->source, "movielens");

  // One level, one node per genre, sorted by name.
  EXPECT_EQ(ds->taxonomy.size(), 7u);
  EXPECT_EQ(ds->taxonomy.level_counts(), (std::vector<size_t>{7, 0, 0}));
  EXPECT_EQ(ds->taxonomy.node(0).external_id, "g:Adventure");
  EXPECT_EQ(ds->taxonomy.node(0).path, "Adventure");
  EXPECT_EQ(ds->taxonomy.node(0).name_en, "Adventure");
  EXPECT_TRUE(ds->taxonomy.resolve("Sci-Fi") == std::nullopt);

  // At most 3 genres, the rarest first (ties by name): Toy Story loses Adventure, Fantasy.
  EXPECT_EQ(topic_names(*ds, *find_doc(*ds, "1")),
            (std::vector<std::string>{"g:Animation", "g:Children", "g:Comedy"}));
  EXPECT_EQ(topic_names(*ds, *find_doc(*ds, "2")),
            (std::vector<std::string>{"g:Adventure", "g:Fantasy", "g:Drama"}));
  EXPECT_TRUE(find_doc(*ds, "5")->topics.empty());  // (no genres listed)
  EXPECT_EQ(ds->stats.topic_labels_dropped, 2u);
  EXPECT_EQ(ds->stats.documents_without_topics, 1u);
  check_invariants(*ds);
}

TEST(MovieLensTest, EveryRatingIsAnImpressionAndHighRatingsAreClicks) {
  MovieLensFixture f;
  auto ds = f.load();
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  // Sorted by time; an impression precedes its click at the same time.
  EXPECT_EQ(event_ids(*ds),
            (std::vector<std::string>{"ml-2-5-i", "ml-1-1-i", "ml-1-1-c", "ml-2-2-i", "ml-2-2-c",
                                      "ml-1-2-i", "ml-1-3-i", "ml-1-3-c"}));
  for (const Event& e : ds->events) {
    EXPECT_EQ(e.surface, Surface::kFeed);
    EXPECT_LT(e.dwell_s, 0);
    ASSERT_EQ(e.doc_ids.size(), 1u);
  }
  EXPECT_EQ(ds->events[0].time_ms, 900 * kMsPerSecond);
  EXPECT_EQ(ds->events[0].type, EventType::kImpression);
  EXPECT_EQ(ds->events[2].type, EventType::kClick);
  EXPECT_EQ(ds->stats.impression_events, 5u);
  EXPECT_EQ(ds->stats.click_events, 3u);
  EXPECT_EQ(ds->stats.users, 2u);
  EXPECT_EQ(ds->stats.users_read, 2u);
  EXPECT_EQ(ds->stats.interactions, 5u);
  EXPECT_EQ(ds->stats.positive_interactions, 3u);
  ASSERT_EQ(ds->interactions.size(), 5u);
  EXPECT_EQ(ds->interactions[0].item, "5");
  EXPECT_FALSE(ds->interactions[0].clicked);
  EXPECT_EQ(ds->interactions[2].rating, 3.5);
  EXPECT_TRUE(ds->interactions[2].clicked);
  EXPECT_TRUE(ds->impressions.empty());

  // created_at: the first rating; the unrated movie 4 exists from the first event on.
  EXPECT_EQ(find_doc(*ds, "1")->created_ms, 1000 * kMsPerSecond);
  EXPECT_EQ(find_doc(*ds, "2")->created_ms, 1500 * kMsPerSecond);  // user 2 before user 1
  EXPECT_EQ(find_doc(*ds, "4")->created_ms, 900 * kMsPerSecond);
  EXPECT_EQ(ds->stats.documents_unreferenced, 1u);
  EXPECT_EQ(ds->documents.front().id, "4");  // 900 s, before "5" (900 s) in file order
  EXPECT_EQ(ds->stats.first_time_ms, 900 * kMsPerSecond);
  EXPECT_EQ(ds->stats.last_time_ms, 3000 * kMsPerSecond);
  check_invariants(*ds);
  check_round_trip(*ds);
}

TEST(MovieLensTest, OptionsChangeTheClickRule) {
  MovieLensFixture f;
  MovieLensOptions o;
  o.click_min_rating = 4.5;
  o.emit_impressions = false;
  o.surface = Surface::kMain;
  auto ds = f.load(o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(event_ids(*ds), (std::vector<std::string>{"ml-1-3-c"}));
  EXPECT_EQ(ds->events[0].surface, Surface::kMain);
  EXPECT_EQ(ds->stats.interactions, 5u);  // every usable rating is still an interaction
  check_round_trip(*ds);

  o = {};
  o.surface = Surface::kSearch;
  EXPECT_EQ(f.load(o).status().code(), Status::Code::kInvalidArgument);
  o = {};
  o.max_ratings = 2;  // the first two data rows only
  ds = f.load(o);
  ASSERT_TRUE(ds.is_ok());
  EXPECT_EQ(ds->stats.interactions, 2u);
  EXPECT_EQ(ds->stats.rows_read, 7u + 2u);
}

TEST(MovieLensTest, UnusableRowsAreCountedByReasonWithTheirFirstLine) {
  MovieLensFixture f;
  auto ds = f.load();
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  auto s = skipped_map(*ds);
  using P = std::pair<size_t, std::string>;
  EXPECT_EQ(s["movies.csv: bad movieId"], P(1, "movies.csv:7"));
  EXPECT_EQ(s["movies.csv: wrong column count"], P(1, "movies.csv:8"));
  EXPECT_EQ(s["ratings.csv: unknown movieId (not a usable row of movies.csv)"],
            P(1, "ratings.csv:5"));
  EXPECT_EQ(s["ratings.csv: duplicate rating of a movie by the same user (later row ignored)"],
            P(1, "ratings.csv:6"));
  EXPECT_EQ(s["ratings.csv: bad rating (not a number in 0.5..5)"], P(1, "ratings.csv:7"));
  EXPECT_EQ(s["ratings.csv: wrong column count"], P(1, "ratings.csv:10"));
  EXPECT_EQ(ds->skipped.size(), 6u);
  EXPECT_EQ(ds->stats.rows_read, 7u + 9u);  // blank lines are not rows

  // More kinds: counted together, first line kept.
  MovieLensFixture g(kMovies,
                     "userId,movieId,rating,timestamp\n"
                     "1,1,9,1000\n"
                     "1,2,0,1000\n"
                     "-1,1,4,1000\n"
                     "1,1,4,-5\n"
                     "1,1,4,12.5\n"
                     "1,\"1,4,1000\n"
                     "1,1,nan,1000\n");
  ds = g.load();
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  s = skipped_map(*ds);
  EXPECT_EQ(s["ratings.csv: bad rating (not a number in 0.5..5)"], P(3, "ratings.csv:2"));
  EXPECT_EQ(s["ratings.csv: bad userId"], P(1, "ratings.csv:4"));
  EXPECT_EQ(s["ratings.csv: bad timestamp"], P(2, "ratings.csv:5"));
  EXPECT_EQ(s["ratings.csv: malformed CSV quoting"], P(1, "ratings.csv:7"));
  EXPECT_TRUE(ds->events.empty());
  EXPECT_EQ(ds->stats.documents_unreferenced, 5u);
  check_invariants(*ds);
  const std::string summary = format_dataset_summary(*ds);
  EXPECT_NE(summary.find("ratings.csv: bad userId: 1 (first at ratings.csv:4)"), std::string::npos)
      << summary;
}

TEST(MovieLensTest, MissingFilesAndBadHeadersAreErrorsNamingFileAndLine) {
  TempDir empty("feedscout_ml_empty");
  auto r = load_movielens(empty.path().string());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find(empty.file("movies.csv")), std::string::npos)
      << r.status().message();

  {
    TempDir dir("feedscout_ml_partial");
    write_file(dir, "movies.csv", kMovies);
    r = load_movielens(dir.path().string());
    EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
    EXPECT_NE(r.status().message().find("ratings.csv"), std::string::npos);
  }

  MovieLensFixture bad_ratings(kMovies, "user,movie,rating,timestamp\n1,1,4,1000\n");
  r = bad_ratings.load();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(bad_ratings.dir.file("ratings.csv") + ":1: bad header"),
            std::string::npos)
      << r.status().message();

  MovieLensFixture bad_movies("movieId,title\n1,A\n", kRatings);
  r = bad_movies.load();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("movies.csv:1:"), std::string::npos);

  MovieLensFixture empty_movies("", kRatings);
  r = empty_movies.load();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("movies.csv:1: empty file"), std::string::npos);

  // A byte order mark before the header is tolerated.
  MovieLensFixture bom(std::string("\xEF\xBB\xBF") + kMovies, kRatings);
  EXPECT_TRUE(bom.load().is_ok());
}

// ---- Temporal split ----

std::vector<Interaction> interactions_of(const std::string& user, std::vector<TimeMs> times) {
  std::vector<Interaction> out;
  for (size_t i = 0; i < times.size(); ++i) {
    out.push_back({user, "i" + std::to_string(i), times[i], 4.0, true});
  }
  return out;
}

TEST(DatasetSplitTest, LastTwentyPercentByTimeIsTestAndNothingLeaks) {
  auto all = interactions_of("a", {10, 9, 8, 7, 6, 5, 4, 3, 2, 1});  // unordered input
  auto b = interactions_of("b", {1, 2, 3, 3, 3});  // ties at the cut-off go to test
  auto c = interactions_of("c", {5});              // one interaction: test only
  all.insert(all.end(), b.begin(), b.end());
  all.insert(all.end(), c.begin(), c.end());

  auto split = temporal_split(all);
  ASSERT_TRUE(split.is_ok()) << split.status().to_string();
  ASSERT_EQ(split->users.size(), 3u);
  const UserCutoffs* a_cut = split->find("a");
  ASSERT_NE(a_cut, nullptr);
  EXPECT_EQ(a_cut->test_cutoff_ms, 9);
  EXPECT_EQ(a_cut->validation_cutoff_ms, 9);
  EXPECT_EQ(a_cut->train, 8u);
  EXPECT_EQ(a_cut->test, 2u);
  const UserCutoffs* b_cut = split->find("b");
  EXPECT_EQ(b_cut->test_cutoff_ms, 3);
  EXPECT_EQ(b_cut->test, 3u);
  EXPECT_EQ(b_cut->train, 2u);
  EXPECT_EQ(split->find("c")->test, 1u);
  EXPECT_EQ(split->find("c")->train, 0u);
  EXPECT_EQ(split->find("nobody"), nullptr);
  EXPECT_EQ(split->part("nobody", 1), SplitPart::kTrain);

  // No test interaction before its user's cut-off, no training one at or after it.
  for (const Interaction& x : all) {
    const UserCutoffs* u = split->find(x.user);
    ASSERT_NE(u, nullptr);
    const SplitPart p = split->part(x.user, x.time_ms);
    if (p == SplitPart::kTest) {
      EXPECT_GE(x.time_ms, u->test_cutoff_ms);
    }
    if (p == SplitPart::kTrain) {
      EXPECT_LT(x.time_ms, u->test_cutoff_ms);
    }
  }
  EXPECT_EQ(split->total(SplitPart::kTest), 6u);
  EXPECT_EQ(split->total(SplitPart::kTrain), 10u);
  EXPECT_STREQ(split_part_name(SplitPart::kValidation), "validation");
}

TEST(DatasetSplitTest, ValidationIsCutFromTheEndOfTheTrainingPart) {
  auto all = interactions_of("a", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  SplitOptions o;
  o.validation_fraction = 0.25;  // of the 8 before the test cut-off: 2
  auto split = temporal_split(all, o);
  ASSERT_TRUE(split.is_ok());
  const UserCutoffs* u = split->find("a");
  EXPECT_EQ(u->validation_cutoff_ms, 7);
  EXPECT_EQ(u->test_cutoff_ms, 9);
  EXPECT_EQ(u->train, 6u);
  EXPECT_EQ(u->validation, 2u);
  EXPECT_EQ(u->test, 2u);
  EXPECT_EQ(split->part("a", 6), SplitPart::kTrain);
  EXPECT_EQ(split->part("a", 7), SplitPart::kValidation);
  EXPECT_EQ(split->part("a", 8), SplitPart::kValidation);
  EXPECT_EQ(split->part("a", 9), SplitPart::kTest);

  o.test_fraction = 0;
  EXPECT_EQ(temporal_split(all, o).status().code(), Status::Code::kInvalidArgument);
  o.test_fraction = 0.2;
  o.validation_fraction = 1.0;
  EXPECT_EQ(temporal_split(all, o).status().code(), Status::Code::kInvalidArgument);
}

TEST(DatasetSplitTest, SplitsMovieLensRatingsPerUser) {
  MovieLensFixture f;
  auto ds = f.load();
  ASSERT_TRUE(ds.is_ok());
  auto split = temporal_split(ds->interactions);
  ASSERT_TRUE(split.is_ok());
  // User 1: 1000, 2000, 3000 → round(0.6) = 1 test item; user 2: 900, 1500 → 1.
  EXPECT_EQ(split->find("1")->test_cutoff_ms, 3000 * kMsPerSecond);
  EXPECT_EQ(split->find("2")->test_cutoff_ms, 1500 * kMsPerSecond);
  EXPECT_EQ(split->total(SplitPart::kTest), 2u);
  EXPECT_EQ(split->total(SplitPart::kTrain), 3u);
}

// ---- MIND ----

TEST(MindTest, ParsesTimesWithTwelveHourClock) {
  auto at = [](const char* text) {
    auto t = parse_mind_time(text);
    EXPECT_TRUE(t.is_ok()) << text << ": " << t.status().to_string();
    return t.is_ok() ? format_rfc3339(*t) : std::string();
  };
  EXPECT_EQ(at("11/12/2019 2:14:46 PM"), "2019-11-12T14:14:46Z");
  EXPECT_EQ(at("11/12/2019 2:14:46 AM"), "2019-11-12T02:14:46Z");
  EXPECT_EQ(at("11/12/2019 12:00:00 AM"), "2019-11-12T00:00:00Z");  // midnight
  EXPECT_EQ(at("11/12/2019 12:30:05 PM"), "2019-11-12T12:30:05Z");  // noon
  EXPECT_EQ(at("11/12/2019 11:59:59 PM"), "2019-11-12T23:59:59Z");
  EXPECT_EQ(at("1/9/2019 09:05:00 AM"), "2019-01-09T09:05:00Z");
  EXPECT_EQ(at("2/29/2020 1:00:00 PM"), "2020-02-29T13:00:00Z");
  for (const char* bad : {"", "11/12/2019 2:14:46", "11/12/2019 14:14:46 PM",
                          "11/12/2019 0:14:46 AM", "13/12/2019 2:14:46 PM", "2/29/2019 1:00:00 PM",
                          "11/12/19 2:14:46 PM", "11/12/2019 2:14:46 pm x", "11/12/2019 2:60:00 PM",
                          "11-12-2019 2:14:46 PM", "11/12/2019  2:14:46 PM"}) {
    EXPECT_FALSE(parse_mind_time(bad).is_ok()) << bad;
  }
}

// Line 6 of news.tsv has the wrong column count; N5 is never referenced.
const char kNews[] =
    "N1\tsports\tfootball_nfl\tTitle one\tAbstract one\thttps://example.org/1\t[]\t[]\n"
    "N2\tsports\tbaseball\tTitle two\t\thttps://example.org/2\t[]\t[]\n"
    "N3\tnews\tnewspolitics\tTitle three\tAbstract \"three\"\thttps://example.org/3\t[]\t[]\n"
    "N4\tnews\t\tTitle four\tAbstract four\t\t[]\t[]\n"
    "N5\tlifestyle\tlifestyleroyals\tNever shown\tAbstract five\thttps://example.org/5\t[]\t[]\n"
    "N6\tbroken\trow\n";

// The earliest row is line 3 (W = 2019-11-11T00:05:00Z). Lines 5, 7 and 8 are unusable.
const char kBehaviors[] =
    "1\tU1\t11/12/2019 2:14:46 PM\tN1 N99 N2\tN3-1 N98-0 N4-0\n"  // usable
    "2\tU1\t11/12/2019 3:00:00 PM\tN1 N99 N2\tN97-1 N1-0\n"       // no known click
    "3\tU2\t11/11/2019 12:05:00 AM\t\tN3-1 N96-0\n"               // no known non-click
    "4\tU2\t11/11/2019 1:00:00 PM\tN1\tN95-1 N94-0\n"             // nothing known
    "5\tU3\t11/31/2019 9:00:00 AM\tN2\tN1-1 N2-0\n"               // bad time
    "6\tU3\t11/13/2019 9:00:00 AM\tN2\tN1-1 N2-0 N3-1\n"          // usable
    "1\tU4\t11/13/2019 10:00:00 AM\tN1\tN1-1 N2-0\n"              // duplicate id
    "8\tU4\t11/13/2019 10:00:00 AM\tN1\tN1-2\n";                  // bad item

struct MindFixture {
  TempDir dir{"feedscout_mind"};
  MindFixture(const std::string& news = kNews, const std::string& behaviors = kBehaviors) {
    write_file(dir, "news.tsv", news);
    write_file(dir, "behaviors.tsv", behaviors);
  }
  Result<EvalDataset> load(const MindOptions& options = {}) const {
    return load_mind(dir.path().string(), options);
  }
};

TimeMs mind_time(const char* text) {
  auto t = parse_mind_time(text);
  EXPECT_TRUE(t.is_ok());
  return t.is_ok() ? *t : 0;
}

TEST(MindTest, BuildsTwoLevelTaxonomyAndDocuments) {
  MindFixture f;
  auto ds = f.load();
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->name, "mind");
  EXPECT_EQ(ds->taxonomy.level_counts(), (std::vector<size_t>{3, 4, 0}));
  auto id = ds->taxonomy.resolve("sports>football_nfl");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(ds->taxonomy.node(*id).external_id, "sub:sports>football_nfl");
  EXPECT_EQ(ds->taxonomy.node(ds->taxonomy.node(*id).parent).external_id, "cat:sports");

  ASSERT_EQ(ds->documents.size(), 5u);
  EXPECT_EQ(topic_names(*ds, *find_doc(*ds, "N1")),
            (std::vector<std::string>{"sub:sports>football_nfl"}));
  EXPECT_EQ(topic_names(*ds, *find_doc(*ds, "N4")), (std::vector<std::string>{"cat:news"}));
  const Document* n3 = find_doc(*ds, "N3");
  EXPECT_EQ(n3->title, "Title three");
  EXPECT_EQ(n3->body, "Abstract \"three\"");
  EXPECT_EQ(n3->url, "https://example.org/3");
  EXPECT_EQ(n3->source, "mind");
  EXPECT_EQ(ds->stats.documents_unreferenced, 1u);
  check_invariants(*ds);
  check_round_trip(*ds);
}

TEST(MindTest, HistoriesAndImpressionsBecomeEventsForKnownNewsOnly) {
  MindFixture f;
  auto ds = f.load();
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  const TimeMs w = mind_time("11/11/2019 12:05:00 AM");
  // History clicks sit just before the window, position k of H at W - (H - k) s.
  EXPECT_EQ(event_ids(*ds),
            (std::vector<std::string>{"mind-U1-h0", "mind-U1-h2", "mind-U3-h0", "mind-3-i",
                                      "mind-3-c0", "mind-1-i", "mind-1-c0", "mind-2-i", "mind-6-i",
                                      "mind-6-c0", "mind-6-c2"}));
  EXPECT_EQ(ds->events[0].time_ms, w - 3 * kMsPerSecond);
  EXPECT_EQ(ds->events[1].time_ms, w - 1 * kMsPerSecond);
  EXPECT_EQ(ds->events[1].doc_ids, (std::vector<std::string>{"N2"}));
  EXPECT_EQ(ds->events[0].type, EventType::kClick);
  const Event& imp1 = ds->events[5];
  EXPECT_EQ(imp1.type, EventType::kImpression);
  EXPECT_EQ(imp1.user, "U1");
  EXPECT_EQ(imp1.time_ms, mind_time("11/12/2019 2:14:46 PM"));
  EXPECT_EQ(imp1.doc_ids, (std::vector<std::string>{"N3", "N4"}));
  EXPECT_EQ(ds->events[10].doc_ids, (std::vector<std::string>{"N3"}));
  EXPECT_EQ(ds->stats.impression_events, 4u);
  EXPECT_EQ(ds->stats.click_events, 7u);
  EXPECT_EQ(ds->stats.users, 3u);
  EXPECT_EQ(ds->stats.users_read, 3u);  // U4's rows are all unusable

  // created_at: first reference; never referenced: the first event's time.
  EXPECT_EQ(find_doc(*ds, "N1")->created_ms, w - 3 * kMsPerSecond);
  EXPECT_EQ(find_doc(*ds, "N3")->created_ms, w);
  EXPECT_EQ(find_doc(*ds, "N4")->created_ms, imp1.time_ms);
  EXPECT_EQ(find_doc(*ds, "N5")->created_ms, w - 3 * kMsPerSecond);

  // Usable impressions: >= 1 known click and >= 1 known non-click.
  ASSERT_EQ(ds->impressions.size(), 2u);
  const ImpressionRecord& r = ds->impressions[0];
  EXPECT_EQ(r.id, "1");
  EXPECT_EQ(r.user, "U1");
  EXPECT_EQ(r.history, (std::vector<std::string>{"N1", "N2"}));
  EXPECT_EQ(r.candidates, (std::vector<std::string>{"N3", "N4"}));
  EXPECT_EQ(r.labels, (std::vector<int>{1, 0}));
  EXPECT_EQ(ds->impressions[1].labels, (std::vector<int>{1, 0, 1}));
  check_invariants(*ds);
  check_round_trip(*ds);
}

TEST(MindTest, UnknownNewsAndUnusableRowsAreCountedHonestly) {
  MindFixture f;
  auto ds = f.load();
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  const DatasetStats& s = ds->stats;
  EXPECT_EQ(s.rows_read, 6u + 8u);
  EXPECT_EQ(s.impressions_read, 5u);
  EXPECT_EQ(s.impressions_usable, 2u);
  EXPECT_EQ(s.impression_users, 2u);
  EXPECT_EQ(s.candidates, 12u);
  EXPECT_EQ(s.candidates_known, 7u);
  EXPECT_EQ(s.history_items, 4u);  // per user: U1 3, U2 0, U3 1
  EXPECT_EQ(s.history_items_known, 3u);

  auto k = skipped_map(*ds);
  using P = std::pair<size_t, std::string>;
  EXPECT_EQ(k["news.tsv: wrong column count"], P(1, "news.tsv:6"));
  EXPECT_EQ(k["behaviors.tsv: bad time"], P(1, "behaviors.tsv:5"));
  EXPECT_EQ(k["behaviors.tsv: duplicate impression id (later row ignored)"],
            P(1, "behaviors.tsv:7"));
  EXPECT_EQ(k["behaviors.tsv: bad impression item (expected <news id>-1 or <news id>-0)"],
            P(1, "behaviors.tsv:8"));
  EXPECT_EQ(k["behaviors.tsv: candidate news id not in news.tsv"], P(5, "behaviors.tsv:1"));
  EXPECT_EQ(k["behaviors.tsv: history news id not in news.tsv (per user)"],
            P(1, "behaviors.tsv:1"));
  EXPECT_EQ(k["behaviors.tsv: impression not usable: no known clicked candidate"],
            P(1, "behaviors.tsv:2"));
  EXPECT_EQ(k["behaviors.tsv: impression not usable: no known non-clicked candidate"],
            P(1, "behaviors.tsv:3"));
  EXPECT_EQ(k["behaviors.tsv: impression not usable: no known candidate"], P(1, "behaviors.tsv:4"));
  EXPECT_EQ(k["behaviors.tsv: history differs from the user's earliest row (not used for events)"],
            P(1, "behaviors.tsv:4"));
  EXPECT_EQ(ds->skipped.size(), 10u);

  const std::string summary = format_dataset_summary(*ds);
  EXPECT_NE(summary.find("impressions: 5 read, 2 usable (40.00%) by 2 users"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("candidates: 12, known 7 (58.33%)"), std::string::npos) << summary;
}

TEST(MindTest, LimitAndErrors) {
  MindFixture f;
  MindOptions o;
  o.max_impressions = 1;
  auto ds = f.load(o);
  ASSERT_TRUE(ds.is_ok());
  EXPECT_EQ(ds->stats.impressions_read, 1u);
  EXPECT_EQ(ds->impressions.size(), 1u);
  check_invariants(*ds);

  TempDir empty("feedscout_mind_empty");
  auto r = load_mind(empty.path().string());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find(empty.file("news.tsv")), std::string::npos);

  MindFixture csv("id,category,subcategory\nN1,a,b\n", kBehaviors);
  r = csv.load();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(csv.dir.file("news.tsv") + ":1: expected 8"),
            std::string::npos)
      << r.status().message();

  MindFixture bad_behaviors(kNews, "\n1\tU1\t11/12/2019 2:14:46 PM\n");
  r = bad_behaviors.load();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("behaviors.tsv:2: expected 5"), std::string::npos)
      << r.status().message();

  o = {};
  o.surface = Surface::kSearch;
  EXPECT_EQ(f.load(o).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace feedscout
