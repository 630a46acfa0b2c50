// The impression-log replay on a tiny hand-written MIND fixture: events become interactions
// with each impression's own outcome, nothing at or after an impression's time is observed
// before it is scored, and the popular baseline's metrics match hand-computed values.
#include "feedscout/eval/impression_replay.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "feedscout/eval/baselines.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/engine_recommender.h"
#include "feedscout/eval/ranker_training.h"
#include "feedscout/serve/ranking_features.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

constexpr char kNews[] =
    "N1\tsports\tfootball_nfl\tTitle one\tAbstract one\thttps://example.org/1\t[]\t[]\n"
    "N2\tsports\tbaseball\tTitle two\tAbstract two\thttps://example.org/2\t[]\t[]\n"
    "N3\tnews\tnewspolitics\tTitle three\tAbstract three\thttps://example.org/3\t[]\t[]\n"
    "N4\tnews\tnewsworld\tTitle four\tAbstract four\thttps://example.org/4\t[]\t[]\n"
    "N5\tlifestyle\tlifestyleroyals\tTitle five\tAbstract five\thttps://example.org/5\t[]\t[]\n"
    "N6\tlifestyle\tlifestylebuzz\tTitle six\tAbstract six\thttps://example.org/6\t[]\t[]\n";

// W = 9:00. Histories (each user's earliest row) are clicks just before W:
//   U1: N1 at W-2s, N2 at W-1s;  U2: N1 at W-1s;  U3: none.
// Rows 2 and 3 share a time (10:00).
constexpr char kBehaviors[] =
    "1\tU1\t11/11/2019 9:00:00 AM\tN1 N2\tN1-1 N3-0 N4-0\n"
    "2\tU2\t11/11/2019 10:00:00 AM\tN1\tN2-0 N1-1 N5-0\n"
    "3\tU3\t11/11/2019 10:00:00 AM\t\tN3-1 N2-0\n"
    "4\tU1\t11/11/2019 11:00:00 AM\tN1 N2\tN3-1 N4-0 N1-0 N5-0 N6-0\n";

TimeMs mind_time(const char* text) {
  auto t = parse_mind_time(text);
  EXPECT_TRUE(t.is_ok());
  return t.is_ok() ? *t : 0;
}

class ImpressionReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("news.tsv"), std::ios::binary) << kNews;
    std::ofstream(dir_.file("behaviors.tsv"), std::ios::binary) << kBehaviors;
    auto d = load_mind(dir_.path().string());
    ASSERT_TRUE(d.is_ok()) << d.status().to_string();
    data_ = std::move(d).value();
    ASSERT_EQ(data_.impressions.size(), 4u);
  }
  TempDir dir_{"feedscout_impression_replay"};
  EvalDataset data_;
};

// Records every call, in order.
class SpyRecommender final : public Recommender {
 public:
  struct Call {
    bool score = false;
    std::string user;
    TimeMs time_ms = 0;
    std::vector<std::string> items;  // observe: the one item; score: the candidates
    bool clicked = false;            // observe only
  };
  std::string name() const override { return "spy"; }
  void observe(const Interaction& x) override {
    calls.push_back({false, x.user, x.time_ms, {x.item}, x.clicked});
  }
  std::vector<std::string> recommend(const std::string&, size_t, TimeMs,
                                     const ExcludeFn&) const override {
    return {};
  }
  std::vector<double> score_items(const std::string& user, const std::vector<std::string>& items,
                                  TimeMs now) const override {
    calls.push_back({true, user, now, items, false});
    std::vector<double> out;
    for (size_t i = 0; i < items.size(); ++i) out.push_back(static_cast<double>(items.size() - i));
    return out;
  }
  mutable std::vector<Call> calls;
};

// Answers a fixed number of scores, whatever it is asked.
class WrongLengthRecommender final : public Recommender {
 public:
  std::string name() const override { return "wrong-length"; }
  void observe(const Interaction&) override {}
  std::vector<std::string> recommend(const std::string&, size_t, TimeMs,
                                     const ExcludeFn&) const override {
    return {};
  }
  std::vector<double> score_items(const std::string&, const std::vector<std::string>&,
                                  TimeMs) const override {
    return {1.0};
  }
};

using Row = std::tuple<std::string, std::string, TimeMs, bool>;  // user, item, time, clicked

TEST_F(ImpressionReplayTest, EventsBecomeOneInteractionPerShownDocumentWithItsOutcome) {
  const TimeMs w = mind_time("11/11/2019 9:00:00 AM");
  const TimeMs t10 = mind_time("11/11/2019 10:00:00 AM");
  const TimeMs t11 = mind_time("11/11/2019 11:00:00 AM");
  size_t ignored = 0;
  const std::vector<Interaction> got = events_to_interactions(data_.events, &ignored);
  std::vector<Row> rows;
  for (const Interaction& x : got) {
    rows.emplace_back(x.user, x.item, x.time_ms, x.clicked);
    EXPECT_EQ(x.rating, 0.0);
    EXPECT_EQ(x.surface, Surface::kFeed);
  }
  EXPECT_EQ(rows, (std::vector<Row>{
                      {"U1", "N1", w - 2000, true},  // history
                      {"U1", "N2", w - 1000, true},
                      {"U2", "N1", w - 1000, true},
                      {"U1", "N1", w, true},  // impression 1
                      {"U1", "N3", w, false},
                      {"U1", "N4", w, false},
                      {"U2", "N2", t10, false},  // impression 2
                      {"U2", "N1", t10, true},
                      {"U2", "N5", t10, false},
                      {"U3", "N3", t10, true},  // impression 3
                      {"U3", "N2", t10, false},
                      {"U1", "N3", t11, true},  // impression 4
                      {"U1", "N4", t11, false},
                      {"U1", "N1", t11, false},
                      {"U1", "N5", t11, false},
                      {"U1", "N6", t11, false},
                  }));
  EXPECT_EQ(ignored, 0u);
}

// Group matching on hand-built events: dashes inside impression ids, MovieLens-style ids,
// clicks that do not match their group's impression, repeats, searches.
TEST(EventsToInteractionsTest, MatchesClicksToTheirImpressionOnly) {
  auto event = [](std::string id, EventType type, std::string user, TimeMs t,
                  std::vector<std::string> docs) {
    Event e;
    e.id = std::move(id);
    e.type = type;
    e.user = std::move(user);
    e.time_ms = t;
    e.surface = type == EventType::kSearch ? Surface::kSearch : Surface::kMain;
    if (type == EventType::kSearch) e.query = "q";
    e.doc_ids = std::move(docs);
    return e;
  };
  const auto I = EventType::kImpression;
  const auto C = EventType::kClick;
  const std::vector<Event> events{
      event("mind-a-c1-i", I, "u", 10, {"d1", "d2", "d1"}),  // P = "mind-a-c1", d1 repeated
      event("mind-a-c1-c2", C, "u", 10, {"d2"}),             // P's click
      event("mind-a-c1-c0", C, "v", 10, {"d1"}),             // another user: standalone
      event("mind-a-c1-c5", C, "u", 10, {"d9"}),             // not shown: standalone
      event("ml-1-2-i", I, "1", 20, {"2"}),
      event("ml-1-2-c", C, "1", 20, {"2"}),
      event("ml-1-3-i", I, "1", 20, {"3"}),  // no click
      event("s-1", EventType::kSearch, "u", 30, {"d1"}),
      event("mind-b-i", I, "w", 40, {"d3"}),
      event("mind-b-c0", C, "w", 41, {"d3"}),  // a later time: standalone
      event("mind-u-h0", C, "u", 50, {"d4", "d4"}),
  };
  size_t ignored = 0;
  std::vector<Row> rows;
  for (const Interaction& x : events_to_interactions(events, &ignored)) {
    rows.emplace_back(x.user, x.item, x.time_ms, x.clicked);
    EXPECT_EQ(x.surface, Surface::kMain);
  }
  EXPECT_EQ(rows, (std::vector<Row>{
                      {"u", "d1", 10, false},
                      {"u", "d2", 10, true},
                      {"v", "d1", 10, true},
                      {"u", "d9", 10, true},
                      {"1", "2", 20, true},
                      {"1", "3", 20, false},
                      {"w", "d3", 40, false},
                      {"w", "d3", 41, true},
                      {"u", "d4", 50, true},
                  }));
  EXPECT_EQ(ignored, 1u);
}

// The no-look-ahead proof: when an impression at t is scored, every interaction observed so
// far is earlier than t (of any user; so not its own clicks at t, nor those of impression 2,
// which shares its time with impression 3), and every interaction earlier than t has been
// observed. After scoring, its own outcome is observed with its labels.
TEST_F(ImpressionReplayTest, NothingAtOrAfterAnImpressionIsObservedBeforeItIsScored) {
  SpyRecommender spy;
  auto report = replay_impressions(data_, {&spy});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  const std::vector<Interaction> all = events_to_interactions(data_.events);

  size_t scored = 0;
  for (size_t i = 0; i < spy.calls.size(); ++i) {
    const auto& c = spy.calls[i];
    if (!c.score) continue;
    ASSERT_LT(scored, data_.impressions.size());
    const ImpressionRecord& r = data_.impressions[scored++];
    EXPECT_EQ(c.user, r.user);
    EXPECT_EQ(c.time_ms, r.time_ms);
    EXPECT_EQ(c.items, r.candidates);
    size_t observed_before = 0;
    for (size_t j = 0; j < i; ++j) {
      const auto& o = spy.calls[j];
      if (o.score) continue;
      ++observed_before;
      EXPECT_LT(o.time_ms, r.time_ms)
          << o.user << "/" << o.items[0] << " at " << o.time_ms << " observed before impression "
          << r.id << " at " << r.time_ms;
      // In particular, nothing of the impression's own outcome.
      EXPECT_FALSE(o.user == r.user && o.time_ms == r.time_ms) << "impression " << r.id;
    }
    size_t earlier = 0;
    for (const Interaction& x : all) earlier += x.time_ms < r.time_ms ? 1 : 0;
    EXPECT_EQ(observed_before, earlier) << "impression " << r.id;

    // Its outcome follows (except for the last impression, after which the replay stops).
    if (scored == data_.impressions.size()) continue;
    std::vector<std::pair<std::string, bool>> outcome;
    for (size_t j = i + 1; j < spy.calls.size(); ++j) {
      const auto& o = spy.calls[j];
      if (!o.score && o.user == r.user && o.time_ms == r.time_ms) {
        outcome.emplace_back(o.items[0], o.clicked);
      }
    }
    std::vector<std::pair<std::string, bool>> want;
    for (size_t k = 0; k < r.candidates.size(); ++k) {
      want.emplace_back(r.candidates[k], r.labels[k] == 1);
    }
    EXPECT_EQ(outcome, want) << "impression " << r.id;
  }
  EXPECT_EQ(scored, 4u);
  EXPECT_EQ(report->impressions, 4u);
  // Observed: 3 history clicks + impressions 1-3 (3 + 3 + 2); impression 4's 5 are not.
  EXPECT_EQ(report->interactions, 16u);
  EXPECT_EQ(report->observed, 11u);
  EXPECT_EQ(report->observed_clicks, 6u);
  EXPECT_EQ(spy.calls.size(), 11u + 4u);
  ASSERT_EQ(report->methods.size(), 1u);
  EXPECT_EQ(report->methods[0].name, "spy");
  EXPECT_EQ(report->methods[0].summary.impressions_evaluated, 4u);
}

// Popular (score = observed clicks) on the fixture:
//   imp 1 (W, U1)   seen: N1 2, N2 1.     N1 2 | N3 0, N4 0; N1 clicked: rank 1.
//                   AUC 1, MRR 1, nDCG 1.
//   then imp 1's outcome: N1 3.
//   imp 2 (10:00, U2)  N2 1, N1 3 | N5 0; N1 clicked: rank 1.  AUC 1, MRR 1, nDCG 1.
//   imp 3 (10:00, U3)  N3 0 (its own click at 10:00 is not yet seen), N2 1; N3 clicked:
//                   rank 2.  AUC 0, MRR 1/2, nDCG 1/log2(3). (Had it seen its own click, N3 1
//                   would tie N2 and rank first by input order: AUC 1/2, MRR 1.)
//   then imp 2 and 3's outcomes: N1 4, N3 1.
//   imp 4 (11:00, U1)  N3 1, N4 0, N1 4, N5 0, N6 0; N3 clicked: rank 2 behind N1.
//                   AUC 3/4 (beats N4, N5, N6, loses to N1), MRR 1/2, nDCG 1/log2(3).
// Means: AUC (1 + 1 + 0 + 3/4) / 4, MRR (1 + 1 + 1/2 + 1/2) / 4, nDCG (2 + 2/log2(3)) / 4.
TEST_F(ImpressionReplayTest, PopularMetricsMatchHandComputedValues) {
  MostPopularRecommender popular;
  SpyRecommender spy;
  auto report = replay_impressions(data_, {&popular, &spy});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_EQ(report->methods.size(), 2u);
  const ImpressionMethodReport& p = report->methods[0];
  EXPECT_EQ(p.name, "popular");
  EXPECT_EQ(p.first_invalid, "");
  EXPECT_EQ(p.summary.impressions_evaluated, 4u);
  EXPECT_EQ(p.summary.impressions_skipped(), 0u);
  EXPECT_EQ(p.summary.candidates, 3u + 3u + 2u + 5u);
  EXPECT_EQ(p.summary.clicks, 4u);
  const double d2 = 1 / std::log2(3.0);
  EXPECT_NEAR(p.summary.auc, (1 + 1 + 0 + 0.75) / 4, 1e-12);
  EXPECT_NEAR(p.summary.mrr, (1 + 1 + 0.5 + 0.5) / 4, 1e-12);
  EXPECT_NEAR(p.summary.ndcg5, (2 + 2 * d2) / 4, 1e-12);
  EXPECT_NEAR(p.summary.ndcg10, (2 + 2 * d2) / 4, 1e-12);
  EXPECT_GE(p.seconds, 0.0);
  EXPECT_EQ(popular.clicks("N1"), 4u);  // impression 4's outcome was never observed
  EXPECT_EQ(popular.clicks("N3"), 1u);
  // The spy scores candidates in logged order: imp 1 rank 1, imp 2 rank 2 (of 3), imp 3
  // rank 1, imp 4 rank 1. MRR (1 + 1/2 + 1 + 1) / 4.
  EXPECT_NEAR(report->methods[1].summary.mrr, 3.5 / 4, 1e-12);
}

TEST_F(ImpressionReplayTest, LimitScoresTheFirstImpressionsAndStops) {
  SpyRecommender spy;
  ImpressionReplayOptions options;
  options.max_impressions = 2;
  options.progress = true;  // smoke: writes to stderr only
  auto report = replay_impressions(data_, {&spy}, options);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->impressions, 2u);
  EXPECT_EQ(report->methods[0].summary.impressions_evaluated, 2u);
  EXPECT_EQ(report->observed, 3u + 3u);  // history, impression 1; stops at impression 2
  size_t scores = 0;
  for (const auto& c : spy.calls) scores += c.score ? 1 : 0;
  EXPECT_EQ(scores, 2u);
  EXPECT_EQ(spy.calls.back().score, true);
  EXPECT_EQ(spy.calls.back().user, "U2");

  options.max_impressions = 100;  // more than there are
  SpyRecommender all;
  report = replay_impressions(data_, {&all}, options);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->impressions, 4u);
}

TEST_F(ImpressionReplayTest, ContractBreakingAnswersAreCountedInvalid) {
  WrongLengthRecommender wrong;
  auto report = replay_impressions(data_, {&wrong});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  const ImpressionMethodReport& m = report->methods[0];
  EXPECT_EQ(m.summary.impressions_evaluated, 0u);
  EXPECT_EQ(m.summary.skipped.at(std::string(kSkipInvalid)), 4u);
  EXPECT_NE(m.first_invalid.find("impression '1'"), std::string::npos) << m.first_invalid;
}

TEST_F(ImpressionReplayTest, RejectsBadArguments) {
  SpyRecommender spy;
  auto code = [](const Result<ImpressionReplayReport>& r) { return r.status().code(); };
  EXPECT_EQ(code(replay_impressions(data_, {})), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(replay_impressions(data_, {&spy, nullptr})), Status::Code::kInvalidArgument);
  EvalDataset no_impressions = data_;
  no_impressions.impressions.clear();
  EXPECT_EQ(code(replay_impressions(no_impressions, {&spy})), Status::Code::kInvalidArgument);
  EvalDataset unordered = data_;
  std::swap(unordered.events.front(), unordered.events.back());
  EXPECT_EQ(code(replay_impressions(unordered, {&spy})), Status::Code::kInvalidArgument);
  unordered = data_;
  std::swap(unordered.impressions.front(), unordered.impressions.back());
  EXPECT_EQ(code(replay_impressions(unordered, {&spy})), Status::Code::kInvalidArgument);
  EXPECT_TRUE(spy.calls.empty());
}

// The engine-backed recommender in the replay: every impression is scored, ingest is clean,
// and candidates shown for the first time (created at the impression's time) are known to
// the engine when scored (score >= 0, not the unknown -1).
TEST_F(ImpressionReplayTest, RecordsBeforeFirstScoredAreObservedButNotScored) {
  SpyRecommender all, later;
  auto full = replay_impressions(data_, {&all});
  ImpressionReplayOptions options;
  options.first_scored = 2;
  auto part = replay_impressions(data_, {&later}, options);
  ASSERT_TRUE(full.is_ok() && part.is_ok());
  EXPECT_EQ(part->first_scored, 2u);
  EXPECT_EQ(part->impressions, 2u);
  EXPECT_EQ(part->methods[0].summary.impressions_evaluated, 2u);
  EXPECT_EQ(part->observed, full->observed);
  std::vector<std::string> scored_users;
  for (const auto& c : later.calls) {
    if (c.score) scored_users.push_back(c.user);
  }
  EXPECT_EQ(scored_users, (std::vector<std::string>{"U3", "U1"}));  // records 3 and 4
}

// The ranker learns from the first records' candidate lists: one page per record, its
// features logged before the record's own clicks were observed, its clicks the labels.
TEST_F(ImpressionReplayTest, ARankerTrainsOnTheFirstImpressions) {
  RankerTrainingOptions options;
  RankerTrainOptions quick;
  quick.max_rounds = 5;
  options.model_grid = {quick};
  options.holdout_share = 0.25;  // 3 records trained on, 1 held out
  const std::string path = dir_.file("impressions.model");
  auto r = train_ranker_on_impressions(data_, 4, EngineRecommenderOptions{}, options, path);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->join.pages, 4u);
  size_t candidates = 0, clicks = 0;
  for (const ImpressionRecord& rec : data_.impressions) {
    candidates += rec.candidates.size();
    for (int label : rec.labels) clicks += label > 0 ? 1 : 0;
  }
  EXPECT_EQ(r->join.rows, candidates);
  EXPECT_EQ(r->join.positives, clicks);
  EXPECT_EQ(r->train.train_groups, 3u);
  EXPECT_EQ(r->holdout_groups, 1u);
  EXPECT_TRUE(r->holdout_ndcg_by_cap.empty());  // lists of 5: no serving cap cuts them
  EXPECT_NE(ranker_training_markdown(*r).find("the first 4 impressions"), std::string::npos);
  EXPECT_TRUE(GbdtRanker::load(path, home_feature_schema()).is_ok());

  EXPECT_EQ(train_ranker_on_impressions(data_, 0, {}, options, path).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(train_ranker_on_impressions(data_, 5, {}, options, path).status().code(),
            Status::Code::kInvalidArgument);
}

// An impression page carries one feature row per listed id, in order: all zero for an id the
// engine does not know, and a known document's row names exactly one source.
TEST_F(ImpressionReplayTest, LoggedItemsCarryTheEnginesFeatureRows) {
  auto engine = EngineRecommender::create(data_);
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  const ImpressionRecord& last = data_.impressions.back();
  std::vector<std::string> items = last.candidates;
  items.push_back("no-such-news");
  const LoggedPage page = (*engine)->log_items(last.user, items, last.time_ms);
  ASSERT_EQ(page.doc_ids, items);
  ASSERT_EQ(page.features.size(), items.size() * kFeatureCount);
  EXPECT_EQ(page.served, std::vector<uint32_t>(items.size(), 1));
  // The unknown document's row is all zero; a known one names its source.
  for (size_t f = 0; f < kFeatureCount; ++f) {
    EXPECT_EQ(page.features[(items.size() - 1) * kFeatureCount + f], 0.0f) << f;
  }
  float sources = 0;
  for (size_t f = static_cast<size_t>(Feature::kFromAfterSearch); f < kFeatureCount; ++f) {
    sources += page.features[f];
  }
  EXPECT_EQ(sources, 1.0f);
}

TEST_F(ImpressionReplayTest, EngineRecommenderScoresEveryImpression) {
  auto engine = EngineRecommender::create(data_);
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  auto report = replay_impressions(data_, {engine->get()});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  const ImpressionMethodReport& m = report->methods[0];
  EXPECT_EQ(m.name, "engine");
  EXPECT_EQ(m.summary.impressions_evaluated, 4u) << m.first_invalid;
  const auto c = (*engine)->counters();
  EXPECT_EQ(c.events_rejected, 0u) << c.first_error;
  EXPECT_EQ(c.documents_rejected, 0u) << c.first_error;
  EXPECT_EQ(c.commit_failures, 0u) << c.first_error;

  auto fresh = EngineRecommender::create(data_);
  ASSERT_TRUE(fresh.is_ok()) << fresh.status().to_string();
  const ImpressionRecord& first = data_.impressions[0];  // N3, N4 first shown here
  const std::vector<double> scores =
      (*fresh)->score_items(first.user, first.candidates, first.time_ms);
  ASSERT_EQ(scores.size(), first.candidates.size());
  for (double s : scores) EXPECT_GE(s, 0.0);
  EXPECT_EQ((*fresh)->score_items(first.user, {"no-such-news"}, first.time_ms),
            (std::vector<double>{-1.0}));
}

}  // namespace
}  // namespace feedscout
