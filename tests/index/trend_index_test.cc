#include "feedscout/index/trend_index.h"

#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
using testing_support::taxonomy;
using testing_support::topic;

struct Pool {
  DocumentIndex index{taxonomy(), IndexConfig{}};
  DocIndex add(const std::string& id, const std::string& t) {
    Document d;
    d.id = id;
    d.title = id;
    d.created_ms = kNow - kMsPerDay;
    d.topics = {{topic(t), 1.0f, TopicSource::kProvided}};
    return *index.add(d);
  }
};

// `n` clicks on `doc`, spread over the hour starting `hours_ago` hours before kNow.
void clicks(TrendIndex& t, DocIndex doc, int n, int hours_ago) {
  for (int i = 0; i < n; ++i) t.record_click(doc, kNow - hours_ago * kMsPerHour + i * 1000);
}

TEST(TrendIndexTest, RisingTopicsAreTrendsSteadyAndFallingAreNot) {
  Pool p;
  const DocIndex rising1 = p.add("s1", "533");  // 스포츠>축구
  const DocIndex rising2 = p.add("s2", "533");
  const DocIndex steady = p.add("b1", "545");   // 스포츠>야구
  const DocIndex falling = p.add("t1", "655");  // 여행>…
  TrendIndex t{TrendConfig{}};
  // Window 24 h: recent = the last 24 hours, previous = the 24 before.
  clicks(t, rising1, 6, 2);
  clicks(t, rising2, 3, 5);
  clicks(t, rising1, 1, 30);
  clicks(t, steady, 5, 3);
  clicks(t, steady, 5, 30);
  clicks(t, falling, 1, 3);
  clicks(t, falling, 9, 30);
  const auto got = t.trends(p.index, taxonomy(), 10, 24, kNow);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(taxonomy().node(got[0].topic).path, "스포츠>축구");
  EXPECT_EQ(got[0].label, "스포츠>축구");
  EXPECT_FALSE(got[0].label_is_intent);
  EXPECT_EQ(got[0].recent_clicks, 9u);
  EXPECT_EQ(got[0].previous_clicks, 1u);
  EXPECT_DOUBLE_EQ(got[0].growth, 10.0 / 2.0);
  EXPECT_NEAR(got[0].score, 9 * std::log(5.0), 1e-12);
  ASSERT_EQ(got[0].docs.size(), 2u);
  EXPECT_EQ(got[0].docs[0].doc, rising1);  // most recent clicks first
  EXPECT_EQ(got[0].docs[0].recent_clicks, 6u);
  EXPECT_EQ(got[0].docs[1].doc, rising2);

  // A window of 72 h sees every click as recent and none before: all three rise (from 0),
  // ranked by R · ln(growth).
  const auto wide = t.trends(p.index, taxonomy(), 10, 72, kNow);
  ASSERT_EQ(wide.size(), 3u);
  EXPECT_EQ(wide[0].recent_clicks, 10u);
  EXPECT_EQ(t.trends(p.index, taxonomy(), 1, 72, kNow).size(), 1u);  // n caps
  EXPECT_TRUE(t.trends(p.index, taxonomy(), 0, 24, kNow).empty());
}

TEST(TrendIndexTest, LabelIsTheDominantRefinedIntent) {
  Pool p;
  const DocIndex a = p.add("s1", "533");
  const DocIndex b = p.add("s2", "533");
  TrendIndex t{TrendConfig{}};
  clicks(t, a, 5, 1);
  clicks(t, b, 2, 1);
  t.record_intent(a, "이강인 PSG 골");
  t.record_intent(a, "이강인 PSG 골");
  t.record_intent(b, "황희찬 부상");
  t.record_intent(b, "황희찬 부상");
  t.record_intent(b, "황희찬 부상");
  const auto got = t.trends(p.index, taxonomy(), 5, 24, kNow);
  ASSERT_EQ(got.size(), 1u);
  // Weighted by each document's recent clicks: 2·5 = 10 > 3·2 = 6.
  EXPECT_EQ(got[0].label, "이강인 PSG 골");
  EXPECT_TRUE(got[0].label_is_intent);
}

TEST(TrendIndexTest, ThresholdsWindowClampAndHorizon) {
  Pool p;
  const DocIndex a = p.add("s1", "533");
  TrendConfig c;
  c.min_recent_clicks = 3;
  c.max_window_h = 10;
  TrendIndex t{c};
  clicks(t, a, 2, 1);
  EXPECT_TRUE(t.trends(p.index, taxonomy(), 5, 24, kNow).empty());  // too few clicks
  clicks(t, a, 1, 1);
  EXPECT_EQ(t.trends(p.index, taxonomy(), 5, 24, kNow).size(), 1u);
  // Clicks after `now` are not counted; clicks past the kept horizon (2 · 10 h) are dropped.
  EXPECT_TRUE(t.trends(p.index, taxonomy(), 5, 1, kNow - 3 * kMsPerHour).empty());
  t.record_click(a, kNow - 50 * kMsPerHour);
  EXPECT_EQ(t.trends(p.index, taxonomy(), 5, 10, kNow)[0].recent_clicks, 3u);
  EXPECT_EQ(t.tracked_documents(), 1u);
}

TEST(TrendIndexTest, IntentsPerDocumentAreBounded) {
  Pool p;
  const DocIndex a = p.add("s1", "533");
  TrendIndex t{TrendConfig{}};
  for (int i = 0; i < 20; ++i) t.record_intent(a, "q" + std::to_string(i));
  t.record_intent(a, "q19");
  clicks(t, a, 3, 1);
  const auto got = t.trends(p.index, taxonomy(), 5, 24, kNow);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].label, "q19");
}

TEST(Tier2TopicTest, CutsTheBestLabelToLevelTwo) {
  Pool p;
  const DocIndex a = p.add("s1", "533");
  EXPECT_EQ(taxonomy().node(*tier2_topic(p.index, taxonomy(), a)).path, "스포츠>축구");
  const DocIndex top = p.add("f1", "1");
  EXPECT_EQ(*tier2_topic(p.index, taxonomy(), top), topic("1"));
}

}  // namespace
}  // namespace feedscout
