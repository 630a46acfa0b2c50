#include "feedscout/context/user_context.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr TimeMs kWeekMs = 7 * kMsPerDay;

using testing_support::click;
using testing_support::impression;
using testing_support::search;
using testing_support::taxonomy;
using testing_support::topic;

// Document id → topics; documents not listed have none.
using DocTopics = std::map<std::string, std::vector<DocTopic>>;

void apply(UserContext& c, const Event& e, const DocTopics& docs, const ContextConfig& cfg = {}) {
  std::vector<const std::vector<DocTopic>*> topics;
  for (const auto& id : e.doc_ids) {
    auto it = docs.find(id);
    topics.push_back(it == docs.end() ? nullptr : &it->second);
  }
  c.apply(e, topics, taxonomy(), cfg);
}

const TopicScore* find_score(const std::vector<TopicScore>& v, TopicId t) {
  for (const auto& s : v) {
    if (s.topic == t) return &s;
  }
  return nullptr;
}

double score_of(const std::vector<TopicScore>& v, TopicId t) {
  const TopicScore* s = find_score(v, t);
  EXPECT_NE(s, nullptr) << taxonomy().node(t).path;
  return s ? s->score : -1;
}

const TopicEvidence& evidence(const UserContext& c, Surface s, TopicId t) {
  static const TopicEvidence kNone{-1, -1};
  const auto& topics = c.surfaces()[static_cast<int>(s)].topics;
  auto it = topics.find(t);
  return it == topics.end() ? kNone : it->second;
}

int idx(Surface s) {
  return static_cast<int>(s);
}

// Docs: "s<i>" are 축구 (533), "b<i>" are 야구 (545), "a<i>" are 자동차 (1).
DocTopics sports_docs(int n) {
  DocTopics d;
  for (int i = 0; i < n; ++i) {
    d["s" + std::to_string(i)] = {{topic("533"), 1.0f, TopicSource::kProvided}};
    d["b" + std::to_string(i)] = {{topic("545"), 1.0f, TopicSource::kProvided}};
    d["a" + std::to_string(i)] = {{topic("1"), 1.0f, TopicSource::kProvided}};
  }
  return d;
}

std::vector<std::string> ids(const std::string& prefix, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

// ---- the preference formula -----------------------------------------------------------

TEST(TopicPreferenceTest, FormulaWithDefaults) {
  const ContextConfig cfg;  // α = 10, π = 0.05 → α·π = 0.5
  SurfaceState s;
  s.ref_ms = kNow;
  // No evidence: the prior.
  EXPECT_DOUBLE_EQ(topic_preference(s, TopicEvidence{0, 0}, kNow, cfg), 0.05);
  // 1 click of 1 impression: (1 + 0.5) / (1 + 10) = 0.136363...
  EXPECT_NEAR(topic_preference(s, TopicEvidence{1, 1}, kNow, cfg), 1.5 / 11, 1e-15);
  // 40 of 100: (40 + 0.5) / (100 + 10) = 0.368181...
  EXPECT_NEAR(topic_preference(s, TopicEvidence{40, 100}, kNow, cfg), 40.5 / 110, 1e-15);
  EXPECT_LT(topic_preference(s, TopicEvidence{1, 1}, kNow, cfg),
            topic_preference(s, TopicEvidence{40, 100}, kNow, cfg));
  // Clicks without impressions count as impressions too: (3 + 0.5) / (3 + 10).
  EXPECT_NEAR(topic_preference(s, TopicEvidence{3, 0}, kNow, cfg), 3.5 / 13, 1e-15);
  // Impressions without clicks pull below the prior: 0.5 / (20 + 10).
  EXPECT_NEAR(topic_preference(s, TopicEvidence{0, 20}, kNow, cfg), 0.5 / 30, 1e-15);
  // Evidence anchored a week before now is halved: (0.5 + 0.5) / (0.5 + 10) = 0.0952...
  s.ref_ms = kNow - kWeekMs;
  EXPECT_NEAR(topic_preference(s, TopicEvidence{1, 1}, kNow, cfg), 1.0 / 10.5, 1e-15);
  // A "now" before the anchor does not amplify.
  EXPECT_NEAR(topic_preference(s, TopicEvidence{1, 1}, kNow - 2 * kWeekMs, cfg), 1.5 / 11, 1e-15);
  // Scores stay in 0..1.
  s.ref_ms = kNow;
  EXPECT_LE(topic_preference(s, TopicEvidence{1e9, 1e9}, kNow, cfg), 1.0);
}

TEST(UserContextTest, OneOfOneDoesNotBeatFortyOfHundred) {
  const DocTopics docs = sports_docs(100);
  UserContext c;
  // 야구: 1 impression, 1 click. 축구: 100 impressions, 40 clicks. All at kNow.
  apply(c, impression(Surface::kFeed, kNow, {"b0"}), docs);
  apply(c, click(Surface::kFeed, kNow, {"b0"}), docs);
  apply(c, impression(Surface::kFeed, kNow, ids("s", 0, 100)), docs);
  for (int i = 0; i < 40; ++i)
    apply(c, click(Surface::kFeed, kNow, {"s" + std::to_string(i)}), docs);

  const ContextView v = compute_view(c, kNow, ContextConfig{});
  const auto& feed = v.per_surface[idx(Surface::kFeed)];
  EXPECT_NEAR(score_of(feed, topic("545")), 1.5 / 11, 1e-12);
  EXPECT_NEAR(score_of(feed, topic("533")), 40.5 / 110, 1e-12);
  // 스포츠 has both: 41 clicks of 101 impressions → 41.5 / 111.
  EXPECT_NEAR(score_of(feed, topic("483")), 41.5 / 111, 1e-12);
  // Ranked: 스포츠 (0.3739), 축구 (0.3682), 야구 (0.1364).
  ASSERT_EQ(feed.size(), 3u);
  EXPECT_EQ(feed[0].topic, topic("483"));
  EXPECT_EQ(feed[1].topic, topic("533"));
  EXPECT_EQ(feed[2].topic, topic("545"));
  EXPECT_DOUBLE_EQ(feed[1].clicks, 40);
  EXPECT_DOUBLE_EQ(feed[1].impressions, 100);
}

TEST(UserContextTest, EvidenceOneHalfLifeOldCountsHalf) {
  const DocTopics docs = sports_docs(2);
  UserContext c;
  apply(c, impression(Surface::kFeed, kNow - kWeekMs, {"s0"}), docs);
  apply(c, click(Surface::kFeed, kNow - kWeekMs, {"s0"}), docs);
  ContextView v = compute_view(c, kNow, ContextConfig{});
  const TopicScore* s = find_score(v.per_surface[idx(Surface::kFeed)], topic("533"));
  ASSERT_NE(s, nullptr);
  // C = I = 0.5 → (0.5 + 0.5) / (0.5 + 10) = 0.095238...
  EXPECT_NEAR(s->score, 1.0 / 10.5, 1e-12);
  EXPECT_NEAR(s->clicks, 0.5, 1e-12);
  EXPECT_NEAR(s->impressions, 0.5, 1e-12);
  EXPECT_NEAR(v.feed_activity, 0.5, 1e-12);

  // A fresh click+impression now: C = I = 0.5 + 1 = 1.5 → 2 / 11.5 = 0.173913...
  apply(c, impression(Surface::kFeed, kNow, {"s1"}), docs);
  apply(c, click(Surface::kFeed, kNow, {"s1"}), docs);
  v = compute_view(c, kNow, ContextConfig{});
  EXPECT_NEAR(score_of(v.per_surface[idx(Surface::kFeed)], topic("533")), 2.0 / 11.5, 1e-12);
  // Two weeks later everything is a quarter: C = I = 0.375 → 0.875 / 10.375.
  v = compute_view(c, kNow + 2 * kWeekMs, ContextConfig{});
  EXPECT_NEAR(score_of(v.per_surface[idx(Surface::kFeed)], topic("533")), 0.875 / 10.375, 1e-12);
}

TEST(UserContextTest, AncestorsGetEvidenceOncePerDocument) {
  DocTopics docs;
  docs["soccer"] = {{topic("533"), 1.0f, TopicSource::kProvided}};
  // Two topics sharing the ancestor 스포츠: it counts once, with the larger score.
  docs["both"] = {{topic("533"), 0.9f, TopicSource::kProvided},
                  {topic("545"), 0.6f, TopicSource::kClassifier}};
  docs["coupe"] = {{topic("9"), 1.0f, TopicSource::kProvided}};  // 자동차>차체 유형>쿠페
  docs["none"] = {};

  UserContext c;
  apply(c, click(Surface::kMain, kNow, {"soccer"}), docs);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kMain, topic("533")).clicks, 1.0);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kMain, topic("483")).clicks, 1.0);  // 스포츠 too

  apply(c, click(Surface::kMain, kNow, {"both"}), docs);
  EXPECT_NEAR(evidence(c, Surface::kMain, topic("533")).clicks, 1.9, 1e-6);
  EXPECT_NEAR(evidence(c, Surface::kMain, topic("545")).clicks, 0.6, 1e-6);
  EXPECT_NEAR(evidence(c, Surface::kMain, topic("483")).clicks, 1.9, 1e-6);  // 1 + max(0.9, 0.6)

  apply(c, click(Surface::kMain, kNow, {"coupe", "none"}), docs);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kMain, topic("1")).clicks, 1.0);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kMain, topic("2")).clicks, 1.0);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kMain, topic("9")).clicks, 1.0);
  // The surface total counts documents: soccer, both, coupe, none.
  EXPECT_DOUBLE_EQ(c.surfaces()[idx(Surface::kMain)].clicks, 4.0);
  EXPECT_EQ(c.surfaces()[idx(Surface::kMain)].topics.size(), 6u);  // 483 533 545 1 2 9
  // Other surfaces untouched.
  EXPECT_TRUE(c.surfaces()[idx(Surface::kFeed)].topics.empty());
  EXPECT_EQ(c.surfaces()[idx(Surface::kFeed)].ref_ms, 0);
}

TEST(UserContextTest, ADocumentListedTwiceInOneEventCountsOnce) {
  const DocTopics docs = sports_docs(3);
  UserContext c;
  apply(c, impression(Surface::kFeed, kNow, {"s0", "s1", "s0", "s0"}), docs);
  EXPECT_DOUBLE_EQ(c.surfaces()[idx(Surface::kFeed)].impressions, 2.0);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kFeed, topic("533")).impressions, 2.0);
  apply(c, click(Surface::kFeed, kNow, {"b0", "b0"}), docs);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kFeed, topic("545")).clicks, 1.0);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kFeed, topic("483")).clicks, 1.0);
  apply(c, search(kNow, "축구", {"s2", "s2"}), docs);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kSearch, topic("533")).clicks, 1.0);
  ASSERT_EQ(c.recent_searches().size(), 1u);
  EXPECT_EQ(c.recent_searches()[0].clicked, std::vector<std::string>{"s2"});
  EXPECT_EQ(c.seen_count(), 4u);  // s0 s1 b0 s2
}

TEST(UserContextTest, ShortDwellClicksWeighHalf) {
  const DocTopics docs = sports_docs(4);
  UserContext c;
  apply(c, click(Surface::kFeed, kNow, {"s0"}, 1.0), docs);  // short: 0.5
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kFeed, topic("533")).clicks, 0.5);
  EXPECT_DOUBLE_EQ(c.surfaces()[idx(Surface::kFeed)].clicks, 0.5);
  apply(c, click(Surface::kFeed, kNow, {"s1"}, 0.0), docs);  // short: 0.5
  apply(c, click(Surface::kFeed, kNow, {"s2"}, 3.0), docs);  // exactly 3 s: not short
  apply(c, click(Surface::kFeed, kNow, {"s3"}), docs);       // not reported: full
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kFeed, topic("533")).clicks, 3.0);
  // Search clicks have no dwell and count fully.
  apply(c, search(kNow, "야구", {"b0"}), docs);
  EXPECT_DOUBLE_EQ(evidence(c, Surface::kSearch, topic("545")).clicks, 1.0);
}

// ---- order independence ---------------------------------------------------------------

struct Snapshot {
  std::map<std::pair<int, TopicId>, std::array<double, 3>> per_surface;  // score, clicks, imps
  std::map<TopicId, std::array<double, 3>> integrated;
  double feed_activity = 0;
  UserClass user_class = UserClass::kCold;
  std::array<double, kNumSurfaces> weights{};
  std::vector<std::pair<std::string, TimeMs>> searches;
  std::vector<std::set<std::string>> search_clicks;
  TimeMs last_event = 0;
  size_t seen = 0;
};

Snapshot snapshot(const UserContext& c, TimeMs now, const ContextConfig& cfg = {}) {
  const ContextView v = compute_view(c, now, cfg);
  Snapshot s;
  for (int i = 0; i < kNumSurfaces; ++i) {
    for (const auto& ts : v.per_surface[i]) {
      s.per_surface[{i, ts.topic}] = {ts.score, ts.clicks, ts.impressions};
    }
  }
  for (const auto& ts : v.integrated)
    s.integrated[ts.topic] = {ts.score, ts.clicks, ts.impressions};
  s.feed_activity = v.feed_activity;
  s.user_class = v.user_class;
  s.weights = v.surface_weights;
  for (const auto& r : v.recent_searches) {
    s.searches.emplace_back(r.query, r.time_ms);
    s.search_clicks.emplace_back(r.clicked.begin(), r.clicked.end());
  }
  s.last_event = c.last_event_ms();
  s.seen = c.seen_count();
  return s;
}

void expect_same(const Snapshot& a, const Snapshot& b, double tol = 1e-12) {
  ASSERT_EQ(a.per_surface.size(), b.per_surface.size());
  for (const auto& [key, va] : a.per_surface) {
    auto it = b.per_surface.find(key);
    ASSERT_NE(it, b.per_surface.end()) << "surface " << key.first << " topic " << key.second;
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(va[k], it->second[k], tol) << key.second;
  }
  ASSERT_EQ(a.integrated.size(), b.integrated.size());
  for (const auto& [topic, va] : a.integrated) {
    auto it = b.integrated.find(topic);
    ASSERT_NE(it, b.integrated.end()) << topic;
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(va[k], it->second[k], tol) << topic;
  }
  EXPECT_NEAR(a.feed_activity, b.feed_activity, tol);
  EXPECT_EQ(a.user_class, b.user_class);
  for (int i = 0; i < kNumSurfaces; ++i) EXPECT_NEAR(a.weights[i], b.weights[i], tol);
  EXPECT_EQ(a.searches, b.searches);
  EXPECT_EQ(a.search_clicks, b.search_clicks);
  EXPECT_EQ(a.last_event, b.last_event);
  EXPECT_EQ(a.seen, b.seen);
}

TEST(UserContextTest, ShuffledEventsGiveTheSameContext) {
  DocTopics docs = sports_docs(20);
  docs["mix"] = {{topic("533"), 0.7f, TopicSource::kClassifier},
                 {topic("9"), 0.4f, TopicSource::kClassifier}};
  std::vector<std::string> all_docs;
  for (const auto& [id, t] : docs) all_docs.push_back(id);

  std::mt19937_64 rng(7);
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    const TimeMs t = kNow - static_cast<TimeMs>(rng() % (30 * kMsPerDay));
    const auto pick = [&] { return all_docs[rng() % all_docs.size()]; };
    switch (rng() % 4) {
      case 0:
        events.push_back(impression(static_cast<Surface>(rng() % 3), t, {pick(), pick(), pick()}));
        break;
      case 1:
        events.push_back(click(static_cast<Surface>(rng() % 3), t, {pick()},
                               (rng() % 2) ? -1.0 : static_cast<double>(rng() % 6)));
        break;
      case 2:
        events.push_back(click(Surface::kFeed, t, {pick()}));
        break;
      default:  // distinct queries (see RepeatedQuery… below for repeats)
        events.push_back(search(t, "q" + std::to_string(i), {pick()}));
        break;
    }
    // Drop duplicate doc ids inside an event, as the parser does.
    auto& d = events.back().doc_ids;
    std::vector<std::string> uniq;
    for (auto& x : d) {
      if (std::find(uniq.begin(), uniq.end(), x) == uniq.end()) uniq.push_back(x);
    }
    d = uniq;
  }

  UserContext in_order;
  std::vector<Event> sorted = events;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Event& a, const Event& b) { return a.time_ms < b.time_ms; });
  for (const auto& e : sorted) apply(in_order, e, docs);
  const Snapshot want = snapshot(in_order, kNow);
  ASSERT_FALSE(want.integrated.empty());

  for (int round = 0; round < 5; ++round) {
    std::vector<Event> shuffled = events;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    UserContext c;
    for (const auto& e : shuffled) apply(c, e, docs);
    SCOPED_TRACE("round " + std::to_string(round));
    expect_same(snapshot(c, kNow), want);
    // Viewed later, too.
    expect_same(snapshot(c, kNow + 3 * kMsPerDay), snapshot(in_order, kNow + 3 * kMsPerDay));
    // And the decoded form of a shuffled context matches as well.
    auto decoded = UserContext::decode(c.encode());
    ASSERT_TRUE(decoded.is_ok());
    expect_same(snapshot(*decoded, kNow), want);
  }
}

// Repeating a query: the header promises the same context in any order, and apply() merges
// the clicks of an *older* repeat into the newer entry — but a *newer* repeat replaces the
// older entry and drops its clicks, so the result depends on arrival order.
TEST(UserContextTest, RepeatedQueryClicksDoNotDependOnOrder) {
  const DocTopics docs = sports_docs(3);
  const Event older = search(kNow - 2 * kMsPerHour, "손흥민", {"s0"});
  const Event newer = search(kNow - kMsPerHour, "손흥민", {"s1"});

  UserContext in_order, reversed;
  apply(in_order, older, docs);
  apply(in_order, newer, docs);
  apply(reversed, newer, docs);
  apply(reversed, older, docs);

  ASSERT_EQ(in_order.recent_searches().size(), 1u);
  ASSERT_EQ(reversed.recent_searches().size(), 1u);
  EXPECT_EQ(in_order.recent_searches()[0].time_ms, newer.time_ms);
  EXPECT_EQ(reversed.recent_searches()[0].time_ms, newer.time_ms);
  const auto& a = in_order.recent_searches()[0].clicked;
  const auto& b = reversed.recent_searches()[0].clicked;
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()), std::set<std::string>(b.begin(), b.end()))
      << "in order: " << a.size() << " clicked, reversed: " << b.size() << " clicked";
  EXPECT_EQ(std::set<std::string>(b.begin(), b.end()), (std::set<std::string>{"s0", "s1"}));
}

// Two different queries logged in the same millisecond (common with second-precision
// logs): the newest-first list must not depend on which event arrives first, or AfterSearch
// leads with a different query after a replay. apply() inserts a new search after every
// entry of equal time, so the later-arriving one always comes second.
TEST(UserContextTest, RecentSearchesWithEqualTimesDoNotDependOnOrder) {
  const DocTopics docs;
  UserContext ab, ba;
  apply(ab, search(kNow, "에스파"), docs);
  apply(ab, search(kNow, "아이유"), docs);
  apply(ba, search(kNow, "아이유"), docs);
  apply(ba, search(kNow, "에스파"), docs);
  ASSERT_EQ(ab.recent_searches().size(), 2u);
  ASSERT_EQ(ba.recent_searches().size(), 2u);
  EXPECT_EQ(ab.recent_searches()[0].query, ba.recent_searches()[0].query)
      << "newest: '" << ab.recent_searches()[0].query << "' in one order, '"
      << ba.recent_searches()[0].query << "' in the other";
  EXPECT_EQ(ab.recent_searches()[1].query, ba.recent_searches()[1].query);
}

// ---- recent searches and the seen set --------------------------------------------------

TEST(UserContextTest, RecentSearchesNewestFirstDedupedBounded) {
  ContextConfig cfg;
  cfg.max_recent_searches = 3;
  const DocTopics docs;
  UserContext c;
  for (int i = 1; i <= 4; ++i) apply(c, search(kNow + i, "q" + std::to_string(i)), docs, cfg);
  auto queries = [&] {
    std::vector<std::string> q;
    for (const auto& r : c.recent_searches()) q.push_back(r.query);
    return q;
  };
  EXPECT_EQ(queries(), (std::vector<std::string>{"q4", "q3", "q2"}));
  // A repeat moves to the front, once.
  apply(c, search(kNow + 5, "q2"), docs, cfg);
  EXPECT_EQ(queries(), (std::vector<std::string>{"q2", "q4", "q3"}));
  EXPECT_EQ(c.recent_searches()[0].time_ms, kNow + 5);
  // A search older than all kept ones arrives late: it falls off the end.
  apply(c, search(kNow + 0, "q0"), docs, cfg);
  EXPECT_EQ(queries(), (std::vector<std::string>{"q2", "q4", "q3"}));
  // One between them is placed by time.
  apply(c, search(kNow + 4, "q9"), docs, cfg);  // same time as q4: after it; q3 drops out
  EXPECT_EQ(queries(), (std::vector<std::string>{"q2", "q4", "q9"}));
}

TEST(UserContextTest, RecentSearchesOrderedByEventTimeNotArrival) {
  const DocTopics docs;
  UserContext c;
  apply(c, search(kNow - 1 * kMsPerHour, "c"), docs);
  apply(c, search(kNow - 3 * kMsPerHour, "a"), docs);
  apply(c, search(kNow - 2 * kMsPerHour, "b"), docs);
  ASSERT_EQ(c.recent_searches().size(), 3u);
  EXPECT_EQ(c.recent_searches()[0].query, "c");
  EXPECT_EQ(c.recent_searches()[1].query, "b");
  EXPECT_EQ(c.recent_searches()[2].query, "a");
  // An older repeat of "c" keeps the newer time and adds its clicks.
  apply(c, search(kNow - 5 * kMsPerHour, "c", {"x1"}), docs);
  ASSERT_EQ(c.recent_searches().size(), 3u);
  EXPECT_EQ(c.recent_searches()[0].query, "c");
  EXPECT_EQ(c.recent_searches()[0].time_ms, kNow - kMsPerHour);
  EXPECT_EQ(c.recent_searches()[0].clicked, std::vector<std::string>{"x1"});
  EXPECT_EQ(c.last_event_ms(), kNow - kMsPerHour);
}

TEST(UserContextTest, SeenSetIsBoundedOldestOut) {
  ContextConfig cfg;
  cfg.max_seen_docs = 3;
  const DocTopics docs;
  UserContext c;
  apply(c, impression(Surface::kFeed, kNow, {"d1", "d2"}), docs, cfg);
  apply(c, click(Surface::kFeed, kNow, {"d2"}), docs, cfg);  // already seen: no new entry
  EXPECT_EQ(c.seen_count(), 2u);
  apply(c, impression(Surface::kMain, kNow, {"d3", "d4", "d5"}), docs, cfg);
  EXPECT_EQ(c.seen_count(), 3u);
  EXPECT_FALSE(c.has_seen(doc_key("d1")));
  EXPECT_FALSE(c.has_seen(doc_key("d2")));
  EXPECT_TRUE(c.has_seen(doc_key("d3")));
  EXPECT_TRUE(c.has_seen(doc_key("d4")));
  EXPECT_TRUE(c.has_seen(doc_key("d5")));
  // Search clicks are seen; a search without clicks adds nothing.
  apply(c, search(kNow, "q"), docs, cfg);
  EXPECT_EQ(c.seen_count(), 3u);
  apply(c, search(kNow, "q", {"d9"}), docs, cfg);
  EXPECT_TRUE(c.has_seen(doc_key("d9")));
  EXPECT_FALSE(c.has_seen(doc_key("d3")));
  EXPECT_EQ(c.seen_count(), 3u);
}

TEST(UserContextTest, TopicsPerSurfaceAreBounded) {
  ContextConfig cfg;
  cfg.max_topics_per_surface = 3;
  const DocTopics docs = sports_docs(3);
  UserContext c;
  apply(c, click(Surface::kFeed, kNow, {"s0"}), docs, cfg);        // 483:1 533:1
  apply(c, click(Surface::kFeed, kNow, {"b0", "b1"}), docs, cfg);  // 483:3 545:2
  EXPECT_EQ(c.surfaces()[idx(Surface::kFeed)].topics.size(), 3u);
  apply(c, click(Surface::kFeed, kNow, {"a0", "a1"}), docs, cfg);  // 1:2 → 4 topics
  const auto& topics = c.surfaces()[idx(Surface::kFeed)].topics;
  EXPECT_EQ(topics.size(), 3u);
  EXPECT_EQ(topics.count(topic("533")), 0u);  // the weakest (1 click) was dropped
  EXPECT_EQ(topics.count(topic("483")), 1u);
  EXPECT_EQ(topics.count(topic("545")), 1u);
  EXPECT_EQ(topics.count(topic("1")), 1u);
}

// ---- integrated preference and user classes -------------------------------------------

TEST(ComputeViewTest, ColdUser) {
  UserContext c;
  EXPECT_TRUE(c.empty());
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  EXPECT_EQ(v.user_class, UserClass::kCold);
  EXPECT_TRUE(v.integrated.empty());
  for (double w : v.surface_weights) EXPECT_EQ(w, 0.0);
  EXPECT_EQ(v.feed_activity, 0.0);
  EXPECT_STREQ(user_class_name(UserClass::kCold), "cold");
  EXPECT_STREQ(user_class_name(UserClass::kLight), "light");
  EXPECT_STREQ(user_class_name(UserClass::kMedium), "medium");
  EXPECT_STREQ(user_class_name(UserClass::kHeavy), "heavy");
}

TEST(ComputeViewTest, SearchWithoutClicksIsLight) {
  UserContext c;
  apply(c, search(kNow, "두바이 초콜릿"), {});
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  EXPECT_EQ(v.user_class, UserClass::kLight);
  EXPECT_TRUE(v.integrated.empty());
  ASSERT_EQ(v.recent_searches.size(), 1u);
  EXPECT_EQ(v.recent_searches[0].query, "두바이 초콜릿");
}

TEST(ComputeViewTest, LightUserWithOnlySearchClicksIntegratesToSearch) {
  const DocTopics docs = sports_docs(3);
  UserContext c;
  apply(c, search(kNow - kMsPerHour, "손흥민", {"s0", "s1"}), docs);
  apply(c, search(kNow - 2 * kMsPerDay, "오타니", {"b0"}), docs);
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  EXPECT_EQ(v.user_class, UserClass::kLight);
  EXPECT_EQ(v.surface_weights[idx(Surface::kSearch)], 1.0);
  EXPECT_EQ(v.surface_weights[idx(Surface::kFeed)], 0.0);
  EXPECT_EQ(v.surface_weights[idx(Surface::kMain)], 0.0);
  const auto& s = v.per_surface[idx(Surface::kSearch)];
  ASSERT_EQ(v.integrated.size(), s.size());
  ASSERT_EQ(s.size(), 3u);  // 483 533 545
  for (const auto& ts : s) {
    EXPECT_NEAR(score_of(v.integrated, ts.topic), ts.score, 1e-12)
        << taxonomy().node(ts.topic).path;
  }
  // 축구: 2 clicks decayed by one hour (≈ 1.99177) over themselves.
  const double f = std::exp2(-1.0 / (7 * 24));
  EXPECT_NEAR(score_of(v.integrated, topic("533")), (2 * f + 0.5) / (2 * f + 10), 1e-12);
  EXPECT_EQ(v.integrated[0].topic, topic("483"));
}

// Builds: n feed clicks on 축구 docs, one search click on a 야구 doc, one main click on a
// 축구 doc — everything at `t`.
UserContext mixed_user(int feed_clicks, TimeMs t) {
  const DocTopics docs = sports_docs(std::max(feed_clicks, 2));
  UserContext c;
  for (int i = 0; i < feed_clicks; ++i) {
    apply(c, click(Surface::kFeed, t, {"s" + std::to_string(i)}), docs);
  }
  apply(c, search(t, "오타니", {"b0"}), docs);
  apply(c, click(Surface::kMain, t, {"s1"}), docs);
  return c;
}

TEST(ComputeViewTest, HeavyUserUsesHeavyWeights) {
  const UserContext c = mixed_user(30, kNow);
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  EXPECT_DOUBLE_EQ(v.feed_activity, 30.0);
  EXPECT_EQ(v.user_class, UserClass::kHeavy);  // λ = (30 − 5) / 25 = 1
  EXPECT_NEAR(v.surface_weights[0], 0.20, 1e-12);
  EXPECT_NEAR(v.surface_weights[1], 0.70, 1e-12);
  EXPECT_NEAR(v.surface_weights[2], 0.10, 1e-12);
  const double p1 = 1.5 / 11;    // one click (of one implied impression)
  const double p30 = 30.5 / 40;  // 30 clicks: (30 + 0.5) / (30 + 10) = 0.7625
  const double prior = 0.05;     // a surface with evidence, none for this topic
  // 축구: search has none, feed 30, main 1.
  // 0.2·0.05 + 0.7·0.7625 + 0.1·0.13636 = 0.01 + 0.53375 + 0.013636 = 0.557386...
  EXPECT_NEAR(score_of(v.integrated, topic("533")), 0.2 * prior + 0.7 * p30 + 0.1 * p1, 1e-12);
  EXPECT_NEAR(score_of(v.integrated, topic("533")), 0.5573863636363636, 1e-12);
  // 야구: search 1, feed none, main none: 0.2·0.13636 + 0.7·0.05 + 0.1·0.05 = 0.067272...
  EXPECT_NEAR(score_of(v.integrated, topic("545")), 0.0672727272727273, 1e-12);
  // 스포츠: 1 / 30 / 1 clicks: 0.2·0.13636 + 0.7·0.7625 + 0.1·0.13636 = 0.574659...
  EXPECT_NEAR(score_of(v.integrated, topic("483")), 0.5746590909090909, 1e-12);
  // Integrated clicks are surface-weighted: 축구 0.7·30 + 0.1·1 = 21.1.
  EXPECT_NEAR(find_score(v.integrated, topic("533"))->clicks, 21.1, 1e-12);
  EXPECT_EQ(v.integrated[0].topic, topic("483"));
  EXPECT_EQ(v.integrated[1].topic, topic("533"));
  EXPECT_EQ(v.integrated[2].topic, topic("545"));
}

TEST(ComputeViewTest, DecayedFeedActivityDecidesTheClass) {
  // 60 clicks a week ago are 30 now: heavy; two weeks ago 15 now: medium.
  EXPECT_EQ(compute_view(mixed_user(60, kNow - kWeekMs), kNow, ContextConfig{}).user_class,
            UserClass::kHeavy);
  const ContextView v = compute_view(mixed_user(60, kNow - 2 * kWeekMs), kNow, ContextConfig{});
  EXPECT_NEAR(v.feed_activity, 15.0, 1e-9);
  EXPECT_EQ(v.user_class, UserClass::kMedium);
}

TEST(ComputeViewTest, MediumUserInterpolates) {
  const UserContext c = mixed_user(10, kNow);
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  EXPECT_EQ(v.user_class, UserClass::kMedium);
  // λ = (10 − 5) / (30 − 5) = 0.2; w = 0.8·light + 0.2·heavy
  //   search 0.8·0.45 + 0.2·0.20 = 0.40
  //   feed   0.8·0.15 + 0.2·0.70 = 0.26
  //   main   0.8·0.40 + 0.2·0.10 = 0.34   (sum 1.00, nothing to renormalise)
  EXPECT_NEAR(v.surface_weights[0], 0.40, 1e-12);
  EXPECT_NEAR(v.surface_weights[1], 0.26, 1e-12);
  EXPECT_NEAR(v.surface_weights[2], 0.34, 1e-12);
  // 축구: 0.40·0.05 + 0.26·(10.5/20) + 0.34·(1.5/11) = 0.02 + 0.1365 + 0.046364 = 0.202864
  EXPECT_NEAR(score_of(v.integrated, topic("533")), 0.2028636363636364, 1e-12);
}

TEST(ComputeViewTest, WeightsRenormaliseOverSurfacesWithEvidence) {
  const DocTopics docs = sports_docs(10);
  UserContext c;
  for (int i = 0; i < 10; ++i)
    apply(c, click(Surface::kFeed, kNow, {"s" + std::to_string(i)}), docs);
  apply(c, search(kNow, "오타니", {"b0"}), docs);
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  // λ = 0.2 as above; main has no evidence: (0.40, 0.26, 0) / 0.66.
  EXPECT_NEAR(v.surface_weights[0], 0.40 / 0.66, 1e-12);
  EXPECT_NEAR(v.surface_weights[1], 0.26 / 0.66, 1e-12);
  EXPECT_EQ(v.surface_weights[2], 0.0);
  // 축구: (0.40·0.05 + 0.26·0.525) / 0.66 = 0.1565 / 0.66 = 0.237121...
  EXPECT_NEAR(score_of(v.integrated, topic("533")), 0.1565 / 0.66, 1e-12);
}

TEST(ComputeViewTest, ClassBoundaries) {
  const DocTopics docs = sports_docs(40);
  auto with_feed_clicks = [&](int whole, int short_clicks) {
    UserContext c;
    for (int i = 0; i < whole; ++i)
      apply(c, click(Surface::kFeed, kNow, {"s" + std::to_string(i)}), docs);
    for (int i = 0; i < short_clicks; ++i) {
      apply(c, click(Surface::kFeed, kNow, {"b" + std::to_string(i)}, 1.0), docs);
    }
    return compute_view(c, kNow, ContextConfig{}).user_class;
  };
  EXPECT_EQ(with_feed_clicks(1, 0), UserClass::kLight);
  EXPECT_EQ(with_feed_clicks(5, 0), UserClass::kLight);    // 5.0: at the light maximum
  EXPECT_EQ(with_feed_clicks(5, 1), UserClass::kMedium);   // 5.5
  EXPECT_EQ(with_feed_clicks(29, 1), UserClass::kMedium);  // 29.5
  EXPECT_EQ(with_feed_clicks(30, 0), UserClass::kHeavy);
  // Impressions alone are evidence but no activity: light.
  UserContext c;
  apply(c, impression(Surface::kFeed, kNow, ids("s", 0, 40)), docs);
  const ContextView v = compute_view(c, kNow, ContextConfig{});
  EXPECT_EQ(v.user_class, UserClass::kLight);
  EXPECT_EQ(v.feed_activity, 0.0);
}

// ---- encode / decode --------------------------------------------------------------------

UserContext rich_context() {
  DocTopics docs = sports_docs(5);
  docs["mix"] = {{topic("533"), 0.7f, TopicSource::kClassifier},
                 {topic("9"), 0.4f, TopicSource::kClassifier}};
  UserContext c;
  apply(c, impression(Surface::kFeed, kNow - 3 * kMsPerDay, {"s0", "s1", "b0", "mix"}), docs);
  apply(c, click(Surface::kFeed, kNow - 3 * kMsPerDay, {"mix"}, 20), docs);
  apply(c, click(Surface::kMain, kNow - kMsPerDay, {"a0"}, 1), docs);
  apply(c, search(kNow - kMsPerHour, "두바이 초콜릿", {"b1", "s2"}), docs);
  apply(c, search(kNow - 2 * kMsPerHour, "에스파"), docs);
  EXPECT_TRUE(c.set_refinement("두바이 초콜릿", "두바이 초콜릿 만들기",
                               intent::RefinementSource::kExtractive));
  return c;
}

TEST(UserContextTest, RefinementsAttachToTheirSearchAndSurviveNewerSearches) {
  DocTopics docs = sports_docs(2);
  UserContext c;
  apply(c, search(kNow - kMsPerHour, "에스파", {"s0"}), docs);
  EXPECT_FALSE(c.set_refinement("아이유", "아이유 콘서트", intent::RefinementSource::kMined));
  ASSERT_TRUE(c.set_refinement("에스파", "에스파 일본 앨범", intent::RefinementSource::kMined));
  ASSERT_NE(c.find_recent_search("에스파"), nullptr);
  EXPECT_EQ(c.find_recent_search("에스파")->refined, "에스파 일본 앨범");
  // The same query again (another click): the entry merges and keeps Q* until refined anew.
  apply(c, search(kNow, "에스파", {"s1"}), docs);
  ASSERT_EQ(c.recent_searches().size(), 1u);
  EXPECT_EQ(c.recent_searches()[0].refined, "에스파 일본 앨범");
  EXPECT_EQ(c.recent_searches()[0].refined_by, intent::RefinementSource::kMined);
  EXPECT_EQ(c.recent_searches()[0].clicked, (std::vector<std::string>{"s0", "s1"}));
  // Clearing.
  ASSERT_TRUE(c.set_refinement("에스파", "", intent::RefinementSource::kMined));
  EXPECT_EQ(c.recent_searches()[0].refined_by, intent::RefinementSource::kNone);
}

TEST(UserContextCodecTest, RoundTrip) {
  const UserContext c = rich_context();
  const std::string bytes = c.encode();
  auto d = UserContext::decode(bytes);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  expect_same(snapshot(*d, kNow), snapshot(c, kNow), 0);
  EXPECT_EQ(d->last_event_ms(), c.last_event_ms());
  for (const char* id : {"s0", "s1", "b0", "mix", "a0", "b1", "s2"}) {
    EXPECT_TRUE(d->has_seen(doc_key(id))) << id;
  }
  EXPECT_FALSE(d->has_seen(doc_key("a1")));
  ASSERT_EQ(d->recent_searches().size(), 2u);
  EXPECT_EQ(d->recent_searches()[0].clicked, (std::vector<std::string>{"b1", "s2"}));
  EXPECT_EQ(d->recent_searches()[0].refined, "두바이 초콜릿 만들기");
  EXPECT_EQ(d->recent_searches()[0].refined_by, intent::RefinementSource::kExtractive);
  EXPECT_EQ(d->recent_searches()[1].refined, "");
  // Decoding and re-encoding is stable in size; the empty context round-trips too.
  EXPECT_EQ(d->encode().size(), bytes.size());
  auto e = UserContext::decode(UserContext().encode());
  ASSERT_TRUE(e.is_ok());
  EXPECT_TRUE(e->empty());
}

TEST(UserContextCodecTest, RejectsEveryTruncation) {
  const std::string bytes = rich_context().encode();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto d = UserContext::decode(std::string_view(bytes.data(), n));
    EXPECT_FALSE(d.is_ok()) << "accepted a prefix of " << n << " of " << bytes.size() << " bytes";
    if (!d.is_ok()) {
      EXPECT_EQ(d.status().code(), Status::Code::kCorruption);
    }
  }
}

TEST(UserContextCodecTest, RejectsTrailingBytesAndOtherVersions) {
  std::string bytes = rich_context().encode();
  EXPECT_FALSE(UserContext::decode(bytes + '\0').is_ok());
  std::string v6 = bytes;
  v6[0] = 6;
  auto d = UserContext::decode(v6);
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.status().message().find("version"), std::string::npos);
}

TEST(UserContextCodecTest, HugeCountsAreRejectedWithoutAllocating) {
  // version, last_event_ms, first surface (ref, clicks, impressions), topic count 2^32 − 1.
  std::string bytes(1 + 8 + 8 + 8 + 8, '\0');
  bytes[0] = 1;
  bytes += std::string("\xFF\xFF\xFF\xFF", 4);
  EXPECT_FALSE(UserContext::decode(bytes).is_ok());
  // An empty context with a recent-search count of 2^32 − 1.
  std::string empty = UserContext().encode();
  // Layout: 1 + 8 + 3·(8+8+8+4) = 93 bytes, then the search count (4), the recent-click
  // count (4), the seen count (4), the keyword count (4), then the profile dimension (4),
  // the profile count (4) and the pending-impression count (4).
  ASSERT_EQ(empty.size(), 93u + 4 + 4 + 4 + 4 + 12);
  for (size_t at : {93u, 97u, 101u, 105u, 113u, 117u}) {
    std::string huge = empty;
    huge.replace(at, 4, "\xFF\xFF\xFF\xFF", 4);
    EXPECT_FALSE(UserContext::decode(huge).is_ok()) << at;
  }
}

TEST(UserContextCodecTest, Version1RecordsWithoutRecentClicksStillDecode) {
  // A version-1 record is a version-2 record without the recent-click count (and a version-2
  // record a version-5 one without the refined queries, the keyword count and the three
  // profile counts).
  std::string v1 = UserContext().encode();
  ASSERT_EQ(v1.size(), 121u);
  v1.resize(105);
  v1.erase(97, 4);
  v1[0] = 1;
  auto d = UserContext::decode(v1);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_TRUE(d->recent_clicks().empty());
}

TEST(UserContextCodecTest, Version2RecordsWithoutRefinedQueriesStillDecode) {
  // A version-2 record is a version-3 record without each search's refined query and source.
  UserContext c;
  apply(c, search(kNow, "q", {"d"}), DocTopics{});
  std::string v2 = c.encode();
  // header 9 + 3 surfaces × 28 + search count 4 = 97; then "q" (4+1), time 8, one click
  // (count 4, "d" 4+1): the refined string (4) and source (1) follow at 97 + 5 + 8 + 9.
  const size_t at = 97 + 5 + 8 + 9;
  ASSERT_EQ(v2.substr(at, 5), std::string(5, '\0'));
  v2.erase(at, 5);
  // No keywords (version 4), no profiles and no pending impressions (version 5).
  ASSERT_EQ(v2.substr(v2.size() - 16), std::string(16, '\0'));
  v2.resize(v2.size() - 16);
  v2[0] = 2;
  auto d = UserContext::decode(v2);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->recent_searches().size(), 1u);
  EXPECT_EQ(d->recent_searches()[0].clicked, (std::vector<std::string>{"d"}));
  EXPECT_EQ(d->recent_searches()[0].refined, "");
}

TEST(UserContextTest, RecentClicksAreNewestFirstBoundedAndOrderIndependent) {
  ContextConfig config;
  config.max_recent_clicks = 3;
  auto click = [](const char* doc, TimeMs t) {
    Event e;
    e.id = std::string("c-") + doc + std::to_string(t);
    e.type = EventType::kClick;
    e.user = "u";
    e.surface = Surface::kFeed;
    e.time_ms = t;
    e.doc_ids = {doc};
    return e;
  };
  Event search;
  search.id = "s";
  search.type = EventType::kSearch;
  search.user = "u";
  search.surface = Surface::kSearch;
  search.query = "q";
  search.time_ms = 350;
  search.doc_ids = {"d5"};
  std::vector<Event> events{click("d1", 100), click("d2", 200), click("d1", 300),
                            click("d3", 400), click("d4", 50),  search};
  auto apply_all = [&](const std::vector<Event>& evs) {
    UserContext c;
    for (const Event& e : evs) c.apply(e, {nullptr}, taxonomy(), config);
    return c;
  };
  const UserContext forward = apply_all(events);
  std::vector<Event> reversed(events.rbegin(), events.rend());
  const UserContext backward = apply_all(reversed);
  // Newest click per document: d3 400, d5 350 (a clicked search result), d1 300; d2 and d4
  // fall off the bound of 3.
  ASSERT_EQ(forward.recent_clicks().size(), 3u);
  EXPECT_EQ(forward.recent_clicks()[0].key, doc_key("d3"));
  EXPECT_EQ(forward.recent_clicks()[1].key, doc_key("d5"));
  EXPECT_EQ(forward.recent_clicks()[2].key, doc_key("d1"));
  EXPECT_EQ(forward.recent_clicks()[2].time_ms, 300);
  ASSERT_EQ(backward.recent_clicks().size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(backward.recent_clicks()[i].key, forward.recent_clicks()[i].key);
    EXPECT_EQ(backward.recent_clicks()[i].time_ms, forward.recent_clicks()[i].time_ms);
  }
  auto round = UserContext::decode(forward.encode());
  ASSERT_TRUE(round.is_ok());
  EXPECT_EQ(round->recent_clicks().size(), 3u);
  EXPECT_EQ(round->recent_clicks()[1].key, doc_key("d5"));
}

TEST(UserContextCodecTest, GarbageNeverCrashes) {
  std::mt19937_64 rng(99);
  const std::string good = rich_context().encode();
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    if (i % 2 == 0) {
      s.resize(rng() % 200);
      for (char& ch : s) ch = static_cast<char>(rng());
    } else {
      s = good;  // flip a few bytes of a real record
      for (int k = 0; k < 3; ++k) s[rng() % s.size()] = static_cast<char>(rng());
    }
    auto d = UserContext::decode(s);
    if (d.is_ok()) {
      ++accepted;
      (void)compute_view(*d, kNow, ContextConfig{});  // usable without crashing
      (void)d->encode();
    }
  }
  SUCCEED() << accepted << " mutated records decoded";
}

}  // namespace
}  // namespace feedscout
