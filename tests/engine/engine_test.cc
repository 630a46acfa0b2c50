#include "feedscout/engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

class EngineTest : public ::testing::Test {
 protected:
  EngineConfig config() const { return engine_config(dir_.file("data")); }
  std::unique_ptr<Engine> open(const EngineConfig& c) {
    auto r = Engine::open(c, [this] { return now_.load(); });
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : nullptr;
  }
  std::unique_ptr<Engine> open() { return open(config()); }

  TempDir dir_{"feedscout_engine_test"};
  std::atomic<TimeMs> now_{kNow};
};

// d1, d2 축구; d3 야구; d4, d5 두바이 초콜릿 (디저트·베이킹); d6 자동차.
const std::string kDocs =
    R"({"id":"d1","title":"손흥민 결승골 경기 리뷰","created_at":"2026-11-19T12:00:00Z","topics":["533"]})"
    "\n"
    R"({"id":"d2","title":"토트넘 승리 하이라이트","created_at":"2026-11-20T10:00:00Z","topics":["스포츠>축구"]})"
    "\n"
    R"({"id":"d3","title":"오타니 홈런","created_at":"2026-11-20T09:00:00Z","topics":["545"]})"
    "\n"
    R"({"id":"d4","title":"두바이초콜릿 만들기 후기","created_at":"2026-11-20T07:00:00Z","topics":["217"]})"
    "\n"
    R"({"id":"d5","title":"두바이 초콜릿 가게","created_at":"2026-11-20T06:00:00Z","topics":["217"]})"
    "\n"
    R"({"id":"d6","title":"신차 출시 소식","created_at":"2026-11-20T05:00:00Z","topics":["1"]})"
    "\n";

// Events of one user, in time order; `prefix` makes the ids unique per user.
std::vector<std::string> user_events(const std::string& user, const std::string& prefix) {
  auto ev = [&](const std::string& id, const std::string& rest) {
    return R"({"id":")" + prefix + id + R"(","user":")" + user + R"(",)" + rest + "}";
  };
  return {
      ev("e3",
         R"("type":"impression","time":"2026-11-20T08:00:00Z","surface":"feed","docs":["d1","d2","d3"])"),
      ev("e2",
         R"("type":"click","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1"],"dwell_s":30)"),
      ev("e1",
         R"("type":"search","time":"2026-11-20T10:00:00Z","query":"두바이 초콜릿","clicked":["d4"])"),
      ev("e4", R"("type":"click","time":"2026-11-20T11:00:00Z","surface":"main","docs":["d2"])"),
      ev("e5",
         R"("type":"click","time":"2026-11-20T11:30:00Z","surface":"feed","docs":["d3"],"dwell_s":1)"),
  };
}

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& l : v) out += l + "\n";
  return out;
}

void expect_same_view(const ContextView& a, const ContextView& b, double tol = 1e-12) {
  EXPECT_EQ(a.user_class, b.user_class);
  EXPECT_NEAR(a.feed_activity, b.feed_activity, tol);
  for (int s = 0; s < kNumSurfaces; ++s) {
    EXPECT_NEAR(a.surface_weights[s], b.surface_weights[s], tol);
    ASSERT_EQ(a.per_surface[s].size(), b.per_surface[s].size()) << "surface " << s;
    std::map<TopicId, TopicScore> bm;
    for (const auto& t : b.per_surface[s]) bm[t.topic] = t;
    for (const auto& t : a.per_surface[s]) {
      ASSERT_EQ(bm.count(t.topic), 1u) << t.topic;
      EXPECT_NEAR(t.score, bm[t.topic].score, tol);
      EXPECT_NEAR(t.clicks, bm[t.topic].clicks, tol);
      EXPECT_NEAR(t.impressions, bm[t.topic].impressions, tol);
    }
  }
  ASSERT_EQ(a.integrated.size(), b.integrated.size());
  std::map<TopicId, TopicScore> bi;
  for (const auto& t : b.integrated) bi[t.topic] = t;
  for (const auto& t : a.integrated) {
    ASSERT_EQ(bi.count(t.topic), 1u);
    EXPECT_NEAR(t.score, bi[t.topic].score, tol);
  }
  ASSERT_EQ(a.recent_searches.size(), b.recent_searches.size());
  for (size_t i = 0; i < a.recent_searches.size(); ++i) {
    EXPECT_EQ(a.recent_searches[i].query, b.recent_searches[i].query);
    EXPECT_EQ(a.recent_searches[i].time_ms, b.recent_searches[i].time_ms);
    EXPECT_EQ(a.recent_searches[i].clicked, b.recent_searches[i].clicked);
  }
}

TEST_F(EngineTest, IngestsDocumentsAndEvents) {
  auto e = open();
  ASSERT_NE(e, nullptr);
  IngestReport d = e->ingest_documents(kDocs);
  EXPECT_TRUE(d.commit_status.is_ok());
  EXPECT_EQ(d.accepted, 6u);
  EXPECT_EQ(d.rejected, 0u);
  IngestReport r = e->ingest_events(lines(user_events("u1", "")));
  EXPECT_TRUE(r.commit_status.is_ok());
  EXPECT_EQ(r.accepted, 5u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(r.rejected, 0u) << (r.errors.empty() ? "" : r.errors[0].message);

  bool known = false;
  const ContextView v = e->context("u1", &known);
  EXPECT_TRUE(known);
  // Feed clicks: d1 3 h ago (dwell 30 s: weight 1) and d3 30 min ago (dwell 1 s: short,
  // weight 0.5); half-life 168 h → 2^(-3/168) + 0.5·2^(-0.5/168) ≈ 1.4855: light.
  EXPECT_EQ(v.user_class, UserClass::kLight);
  EXPECT_NEAR(v.feed_activity, std::exp2(-3.0 / 168) + 0.5 * std::exp2(-0.5 / 168), 1e-12);
  ASSERT_EQ(v.recent_searches.size(), 1u);
  EXPECT_EQ(v.recent_searches[0].query, "두바이 초콜릿");
  const auto soccer = e->taxonomy().resolve("533");
  bool has_soccer = false;
  for (const auto& t : v.integrated) has_soccer |= t.topic == *soccer;
  EXPECT_TRUE(has_soccer);

  e->context("nobody", &known);
  EXPECT_FALSE(known);
  EXPECT_EQ(e->context("nobody").user_class, UserClass::kCold);

  auto doc = e->document_json("d2");
  ASSERT_TRUE(doc.is_ok());
  ASSERT_TRUE(doc->has_value());
  EXPECT_NE((*doc)->find(R"("path":"스포츠>축구")"), std::string::npos) << **doc;
  auto ev = e->event_json("e1");
  ASSERT_TRUE(ev.is_ok());
  ASSERT_TRUE(ev->has_value());
  EXPECT_NE((*ev)->find(R"("query":"두바이 초콜릿")"), std::string::npos);
  auto missing = e->event_json("nope");
  ASSERT_TRUE(missing.is_ok());
  EXPECT_FALSE(missing->has_value());

  const EngineStats s = e->stats();
  EXPECT_EQ(s.documents, 6u);
  EXPECT_EQ(s.users, 1u);
  EXPECT_EQ(s.documents_accepted, 6u);
  EXPECT_EQ(s.events_accepted, 5u);
  EXPECT_EQ(e->classifier_description(), "none");
  EXPECT_EQ(e->now(), kNow);
}

TEST_F(EngineTest, DuplicateEventsAreAppliedOnce) {
  auto e = open();
  ASSERT_NE(e, nullptr);
  (void)e->ingest_documents(kDocs);
  const std::string file = lines(user_events("u1", ""));
  IngestReport first = e->ingest_events(file);
  EXPECT_EQ(first.accepted, 5u);
  const ContextView once = e->context("u1");

  IngestReport again = e->ingest_events(file);
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(again.duplicates, 5u);
  EXPECT_EQ(again.rejected, 0u);
  expect_same_view(e->context("u1"), once, 0);

  // Duplicates inside one batch: the first copy is applied, the second acknowledged.
  const auto ev = user_events("u2", "x");
  IngestReport batch = e->ingest_events(ev[1] + "\n" + ev[1] + "\n" + ev[2] + "\n" + ev[1] + "\n");
  EXPECT_EQ(batch.accepted, 2u);
  EXPECT_EQ(batch.duplicates, 2u);
  const ContextView u2 = e->context("u2");
  EXPECT_NEAR(u2.feed_activity, std::exp2(-3.0 / 168), 1e-12);  // one click, 3 h ago

  // Duplicate documents too.
  IngestReport docs = e->ingest_documents(kDocs);
  EXPECT_EQ(docs.accepted, 0u);
  EXPECT_EQ(docs.duplicates, 6u);

  const EngineStats s = e->stats();
  EXPECT_EQ(s.events_accepted, 7u);
  EXPECT_EQ(s.events_duplicate, 7u);
  EXPECT_EQ(s.documents_duplicate, 6u);
}

TEST_F(EngineTest, OutOfOrderEventsGiveTheSameContext) {
  auto e = open();
  ASSERT_NE(e, nullptr);
  (void)e->ingest_documents(kDocs);
  // u1 in time order, one batch.
  EXPECT_EQ(e->ingest_events(lines(user_events("u1", "a"))).accepted, 5u);
  // u2 the same events reversed, one batch per event.
  auto rev = user_events("u2", "b");
  std::reverse(rev.begin(), rev.end());
  for (const auto& l : rev) EXPECT_EQ(e->ingest_events(l).accepted, 1u);
  // u3 shuffled, as a JSON array.
  const auto ev = user_events("u3", "c");
  const std::string arr = "[" + ev[3] + "," + ev[0] + "," + ev[4] + "," + ev[2] + "," + ev[1] + "]";
  IngestReport r = e->ingest_events(arr);
  EXPECT_TRUE(r.is_array);
  EXPECT_EQ(r.accepted, 5u);
  const ContextView a = e->context("u1");
  expect_same_view(e->context("u2"), a);
  expect_same_view(e->context("u3"), a);
  // The view moves with the clock identically too.
  now_ = kNow + 5 * kMsPerDay;
  expect_same_view(e->context("u2"), e->context("u1"));
}

TEST_F(EngineTest, UnknownDocumentsAreRejectedWithTheField) {
  auto e = open();
  ASSERT_NE(e, nullptr);
  (void)e->ingest_documents(kDocs);
  const std::string body =
      R"({"id":"x1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["nope"]})"
      "\n"
      R"({"id":"x2","type":"search","user":"u1","time":"2026-11-20T09:00:00Z","query":"q","clicked":["d1","nope"]})"
      "\n"
      R"({"id":"x3","type":"impression","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1","d2"]})"
      "\n";
  IngestReport r = e->ingest_events(body);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 2u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].position, 1u);
  EXPECT_EQ(r.errors[0].field, "docs[0]");
  EXPECT_NE(r.errors[0].message.find("unknown document 'nope'"), std::string::npos);
  EXPECT_EQ(r.errors[1].position, 2u);
  EXPECT_EQ(r.errors[1].field, "clicked[1]");
  // A rejected event is not stored: after its document arrives it can be sent again.
  EXPECT_FALSE(e->event_json("x1")->has_value());
  (void)e->ingest_documents(
      R"({"id":"nope","title":"늦게 온 문서","created_at":"2026-11-20T08:00:00Z"})");
  IngestReport retry = e->ingest_events(body);
  EXPECT_EQ(retry.accepted, 2u);
  EXPECT_EQ(retry.duplicates, 1u);
  EXPECT_EQ(retry.rejected, 0u);
}

// The unknown id is named by its position in the caller's array, repeats included: for
// docs ["d1","d1","nope"] the field is docs[2]. And a repeated id counts once.
TEST_F(EngineTest, UnknownDocumentFieldIndexesTheCallersArray) {
  auto e = open();
  ASSERT_NE(e, nullptr);
  (void)e->ingest_documents(kDocs);
  IngestReport r = e->ingest_events(
      R"({"id":"x1","type":"impression","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1","d1","nope"]})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].field, "docs[2]");

  IngestReport twice = e->ingest_events(
      R"({"id":"y1","type":"click","user":"u2","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1","d1","d2"]})");
  IngestReport once = e->ingest_events(
      R"({"id":"y2","type":"click","user":"u3","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["d1","d2"]})");
  EXPECT_EQ(twice.accepted, 1u);
  EXPECT_EQ(once.accepted, 1u);
  expect_same_view(e->context("u2"), e->context("u3"), 0);
  EXPECT_NEAR(e->context("u2").feed_activity, 2 * std::exp2(-3.0 / 168), 1e-12);
}

TEST_F(EngineTest, ABadLineDoesNotStopTheRest) {
  auto e = open();
  ASSERT_NE(e, nullptr);
  IngestReport d = e->ingest_documents(
      R"({"id":"a","title":"첫 문서","created_at":"2026-11-20T08:00:00Z"})"
      "\n"
      R"({"id":"b","title":"둘째","created_at":"2026-11-20T08:00:00Z","topics":["없는주제"]})"
      "\n"
      "{not json\n"
      R"({"id":"c","title":"셋째","created_at":"2026-11-20T08:00:00Z"})"
      "\n",
      41);
  EXPECT_EQ(d.accepted, 2u);
  EXPECT_EQ(d.rejected, 2u);
  ASSERT_EQ(d.errors.size(), 2u);
  EXPECT_EQ(d.errors[0].position, 42u);
  EXPECT_EQ(d.errors[0].field, "topics[0]");
  EXPECT_EQ(d.errors[1].position, 43u);
  EXPECT_TRUE(e->document_json("c")->has_value());

  IngestReport r = e->ingest_events(
      R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["a"]})"
      "\n"
      R"({"id":"e2","type":"click","user":"u1","time":"2026-11-22T09:00:00Z","surface":"feed","docs":["a"]})"
      "\n"
      R"({"id":"e3","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["zzz"]})"
      "\n"
      R"({"id":"e4","type":"click","user":"u1","time":"2026-11-20T09:00:00Z","surface":"feed","docs":["c"]})"
      "\n");
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 2u);
  ASSERT_EQ(r.errors.size(), 2u);
  // Sorted by position: the parse error (line 2, future time) and the reference error (line 3).
  EXPECT_EQ(r.errors[0].position, 2u);
  EXPECT_EQ(r.errors[0].field, "time");
  EXPECT_EQ(r.errors[1].position, 3u);
  EXPECT_EQ(r.errors[1].field, "docs[0]");
  EXPECT_EQ(e->stats().events_rejected, 2u);
  EXPECT_EQ(e->stats().documents_rejected, 2u);
}

TEST_F(EngineTest, ReopenRestoresContextsDocumentsAndPopularity) {
  ContextView before;
  std::vector<std::string> cold_feed_before;
  {
    auto e = open();
    ASSERT_NE(e, nullptr);
    (void)e->ingest_documents(kDocs);
    (void)e->ingest_events(lines(user_events("u1", "")));
    // d6 becomes the most popular document: three users click it.
    for (int i = 0; i < 3; ++i) {
      (void)e->ingest_events(R"({"id":"p)" + std::to_string(i) + R"(","type":"click","user":"v)" +
                             std::to_string(i) +
                             R"(","time":"2026-11-20T11:00:00Z","surface":"main","docs":["d6"]})");
    }
    before = e->context("u1");
    for (const auto& it : e->feed("cold", 6, false).items) cold_feed_before.push_back(it.doc_id);
    ASSERT_FALSE(cold_feed_before.empty());
    EXPECT_EQ(cold_feed_before[0], "d6");
  }
  auto e = open();
  ASSERT_NE(e, nullptr);
  const EngineStats s = e->stats();
  EXPECT_EQ(s.documents, 6u);
  EXPECT_EQ(s.users, 4u);
  expect_same_view(e->context("u1"), before, 0);
  std::vector<std::string> cold_feed_after;
  for (const auto& it : e->feed("cold", 6, false).items) cold_feed_after.push_back(it.doc_id);
  EXPECT_EQ(cold_feed_after, cold_feed_before);
  // Event ids survive: re-ingesting is still a no-op.
  IngestReport r = e->ingest_events(lines(user_events("u1", "")));
  EXPECT_EQ(r.duplicates, 5u);
  expect_same_view(e->context("u1"), before, 0);
  // Seen documents are still not served.
  for (const auto& it : e->feed("u1", 10, false).items) {
    EXPECT_NE(it.doc_id, "d1");
    EXPECT_NE(it.doc_id, "d4");
  }
}

TEST_F(EngineTest, CoClickedDocumentsAreServedWithAReasonAndSurviveReopen) {
  auto ev = [](const std::string& id, const std::string& user, const std::string& time,
               const std::string& doc) {
    return R"({"id":")" + id + R"(","type":"click","user":")" + user + R"(","time":")" + time +
           R"(","surface":"feed","docs":[")" + doc + R"("]})" + "\n";
  };
  std::string events;
  // Three users read the football review d1 and then the chocolate shop d5.
  for (int i = 0; i < 3; ++i) {
    const std::string u = "v" + std::to_string(i);
    events += ev(u + "a", u, "2026-11-20T10:00:00Z", "d1");
    events += ev(u + "b", u, "2026-11-20T10:05:00Z", "d5");
  }
  // One user read d1 and, 40 days earlier (outside the 30-day window), the car news d6.
  events += ev("wa", "w", "2026-10-11T10:00:00Z", "d6");
  events += ev("wb", "w", "2026-11-20T10:00:00Z", "d1");
  events += ev("fan", "fan", "2026-11-20T11:00:00Z", "d1");
  EngineConfig c = config();
  c.feed.related_weight = 1.0;  // off by default
  std::vector<double> before;
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    (void)e->ingest_documents(kDocs);
    const IngestReport r = e->ingest_events(events);
    ASSERT_EQ(r.accepted, 9u);
    const FeedPage page = e->feed("fan", 10, false);
    bool related = false;
    for (const FeedEntry& item : page.items) {
      if (item.doc_id == "d5") {
        EXPECT_EQ(item.from, FeedSource::kRelated);
        EXPECT_EQ(item.reason, "'손흥민 결승골 경기 리뷰'을(를) 본 분들이 함께 본 콘텐츠");
        related = true;
      }
      EXPECT_FALSE(item.from == FeedSource::kRelated && item.doc_id == "d6") << "out of window";
    }
    EXPECT_TRUE(related);
    before = e->score_documents("fan", {"d5", "d6", "d2", "nope"});
    EXPECT_GT(before[0], before[1]);  // d5 co-clicked with d1; d6 never paired with it
    EXPECT_EQ(before[3], -1.0);
  }
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->score_documents("fan", {"d5", "d6", "d2", "nope"}), before);
  }
  // With co-click relevance off (the default) d5 is not lifted: it scores as d6 does.
  auto off = open(config());
  ASSERT_NE(off, nullptr);
  const auto plain = off->score_documents("fan", {"d5", "d6"});
  EXPECT_LT(plain[0], before[0]);
  for (const FeedEntry& item : off->feed("fan", 10, false).items) {
    EXPECT_NE(item.from, FeedSource::kRelated);
  }
}

TEST_F(EngineTest, SecondOpenOfTheSameDirectoryIsBusy) {
  auto first = open();
  ASSERT_NE(first, nullptr);
  auto second = Engine::open(config(), [] { return kNow; });
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), Status::Code::kBusy) << second.status().to_string();
  EXPECT_NE(second.status().message().find(config().data_dir), std::string::npos);
  first.reset();
  auto third = Engine::open(config(), [] { return kNow; });
  EXPECT_TRUE(third.is_ok()) << third.status().to_string();
}

TEST_F(EngineTest, DataDirectoryOfAnotherTaxonomyIsRefused) {
  {
    auto e = open();
    ASSERT_NE(e, nullptr);
    (void)e->ingest_documents(kDocs);
  }
  const std::string other = dir_.file("other.tsv");
  {
    std::ofstream out(other);
    out << "id\tparent\tname\n1\t\t스포츠\n2\t1\t축구\n";
  }
  EngineConfig c = config();
  c.taxonomy_path = other;
  auto r = Engine::open(c, [] { return kNow; });
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("different taxonomy"), std::string::npos)
      << r.status().to_string();
  // The original taxonomy still opens it.
  EXPECT_NE(open(), nullptr);
}

TEST_F(EngineTest, OpenErrors) {
  EngineConfig c = config();
  c.taxonomy_path = dir_.file("missing.tsv");
  auto r = Engine::open(c);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  c = config();
  c.classifier.kind = "magic";
  r = Engine::open(c);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(EngineTest, FeedLeadsWithAfterSearchAndRemembersServed) {
  auto e = open();
  ASSERT_NE(e, nullptr);
  (void)e->ingest_documents(kDocs);
  (void)e->ingest_events(lines(user_events("u1", "")));
  FeedPage p = e->feed("u1", 3);
  EXPECT_TRUE(p.known_user);
  EXPECT_EQ(p.user, "u1");
  ASSERT_FALSE(p.items.empty());
  // d4 was clicked for the search; d5 matches it and leads.
  EXPECT_EQ(p.items[0].doc_id, "d5");
  EXPECT_EQ(p.items[0].from, FeedSource::kAfterSearch);
  EXPECT_EQ(p.items[0].reason, "최근 찾아본 '두바이 초콜릿' 콘텐츠");
  EXPECT_EQ(p.items[0].topic_paths, std::vector<std::string>{"푸드>디저트·베이킹"});
  EXPECT_EQ(p.items[0].title, "두바이 초콜릿 가게");
  // The next refresh within served_memory_ms does not repeat the page.
  FeedPage q = e->feed("u1", 3);
  for (const auto& a : p.items) {
    for (const auto& b : q.items) EXPECT_NE(a.doc_id, b.doc_id);
  }
  // After the memory expires (10 minutes) d5 can lead again; feed(…, false) does not
  // remember what it served.
  now_ = kNow + 11 * 60 * kMsPerSecond;
  EXPECT_EQ(e->feed("u1", 3, false).items.at(0).doc_id, "d5");
  EXPECT_EQ(e->feed("u1", 3, false).items.at(0).doc_id, "d5");
  EXPECT_EQ(e->feed("u1", 3).items.at(0).doc_id, "d5");
  for (const auto& it : e->feed("u1", 3, false).items) EXPECT_NE(it.doc_id, "d5");
}

// Documents are stored in canonical JSON (document_to_json), which can be longer than what
// the caller sent (topic objects with path/score/source, "body":""), and load_state re-parses
// them with the configured limits: a document accepted at ingest can exceed max_item_bytes on
// reopen, and then the data directory cannot be opened at all ("stored document is
// unreadable"). The same happens when an operator lowers a limit between runs.
TEST_F(EngineTest, AcceptedDocumentsSurviveReopen) {
  EngineConfig c = config();
  const std::string doc =
      R"({"id":"d1","title":"t","created_at":"2026-11-19T10:00:00Z","topics":["533","545","1"]})";
  c.limits.max_item_bytes = doc.size();  // the input fits exactly
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    IngestReport r = e->ingest_documents(doc);
    ASSERT_EQ(r.accepted, 1u);
    auto stored = e->document_json("d1");
    ASSERT_TRUE(stored.is_ok() && stored->has_value());
    EXPECT_GT((*stored)->size(), doc.size());  // canonical JSON is longer
  }
  auto r = Engine::open(c, [this] { return now_.load(); });
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ((*r)->stats().documents, 1u);
}

}  // namespace
}  // namespace feedscout
