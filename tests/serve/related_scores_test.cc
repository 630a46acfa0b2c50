// The co-click source over a user's whole kept history (serve/candidate_score.h
// related_scores with RelatedDepth::kWholeHistory): the history features against a brute-force
// sum of cosines, the user's click-age features, and the wide pool proposing a neighbour of an old
// click that the recent anchors never reach, named after that click.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/serve/ranking_features.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::taxonomy;
using testing_support::topic;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr TimeMs kMin = 60 * 1000;

// Five anchors a0 (oldest click) .. a4 (newest); n_old is co-clicked with a0 only, n_new with
// a3 and a4, n_both with a0 and a4.
struct History {
  DocumentIndex index{taxonomy(), IndexConfig{}};
  CoClickIndex coclick;
  UserContext context;
  std::vector<DocIndex> anchors;

  History() {
    for (int i = 0; i < 5; ++i) anchors.push_back(add("a" + std::to_string(i)));
    const DocIndex n_old = add("n_old"), n_new = add("n_new"), n_both = add("n_both");
    for (DocIndex d : {anchors[0], anchors[3], anchors[4], n_old, n_new, n_both}) {
      for (int k = 0; k < 4; ++k) coclick.add_click(d);
    }
    for (int k = 0; k < 3; ++k) coclick.add_pair(anchors[0], n_old);
    coclick.add_pair(anchors[3], n_new);
    for (int k = 0; k < 2; ++k) coclick.add_pair(anchors[4], n_new);
    coclick.add_pair(anchors[0], n_both);
    coclick.add_pair(anchors[4], n_both);
    for (int i = 0; i < 5; ++i) click("a" + std::to_string(i), kNow - (10 - i) * kMin);
  }
  DocIndex add(const std::string& id) {
    Document d;
    d.id = id;
    d.title = id + " 제목";
    d.created_ms = kNow - 60 * kMin;
    d.topics = {{topic("533"), 1.0f, TopicSource::kProvided}};
    return *index.add(d);
  }
  void click(const std::string& id, TimeMs t) {
    Event e;
    e.id = "c-" + id;
    e.type = EventType::kClick;
    e.user = "u";
    e.surface = Surface::kFeed;
    e.time_ms = t;
    e.doc_ids = {id};
    const std::vector<const std::vector<DocTopic>*> topics = {&index.doc(*index.find(id)).topics};
    context.apply(e, topics, taxonomy(), ContextConfig{});
  }
  DocIndex doc(const std::string& id) const { return *index.find(id); }
};

TEST(RelatedScoresTest, RecentAnchorsAloneNeedAWeight) {
  const History h;
  FeedConfig config;
  config.related_weight = 0;
  EXPECT_TRUE(related_scores(h.context, h.index, &h.coclick, config).by_doc.empty());
  EXPECT_TRUE(related_scores(h.context, h.index, nullptr, config, RelatedDepth::kWholeHistory)
                  .by_doc.empty());
}

TEST(RelatedScoresTest, WholeHistoryEqualsTheBruteForceSumOfCosines) {
  const History h;
  FeedConfig config;
  config.related_weight = 0;
  const RelatedScores scores =
      related_scores(h.context, h.index, &h.coclick, config, RelatedDepth::kWholeHistory);
  for (const std::string id : {"n_old", "n_new", "n_both"}) {
    const DocIndex d = h.doc(id);
    double sum = 0, best = 0;
    int hits = 0;
    for (DocIndex a : h.anchors) {
      const double sim = h.coclick.similarity(a, d);
      if (sim <= 0) continue;
      sum += sim;
      best = std::max(best, sim);
      ++hits;
    }
    const RelatedScores::Entry* e = scores.find(d);
    ASSERT_NE(e, nullptr) << id;
    EXPECT_DOUBLE_EQ(e->history_similarity, sum / 5) << id;
    EXPECT_DOUBLE_EQ(e->history_hits, hits / 5.0) << id;
    EXPECT_DOUBLE_EQ(e->history_best, best) << id;
    EXPECT_EQ(e->related, 0.0) << id;
  }
  EXPECT_EQ(scores.find(h.doc("n_old"))->anchor, h.anchors[0]);
  EXPECT_DOUBLE_EQ(scores.find(h.doc("n_both"))->history_hits, 0.4);
}

TEST(RelatedScoresTest, RecentPartKeepsItsWeightAndAnchorBesideTheHistory) {
  const History h;
  FeedConfig config;
  config.related_weight = 1;
  config.related_anchors = 1;  // a4 only
  const RelatedScores recent = related_scores(h.context, h.index, &h.coclick, config);
  const RelatedScores whole =
      related_scores(h.context, h.index, &h.coclick, config, RelatedDepth::kWholeHistory);
  EXPECT_EQ(recent.find(h.doc("n_old")), nullptr);
  ASSERT_NE(whole.find(h.doc("n_old")), nullptr);
  for (const std::string id : {"n_new", "n_both"}) {
    const DocIndex d = h.doc(id);
    ASSERT_NE(recent.find(d), nullptr) << id;
    EXPECT_DOUBLE_EQ(whole.find(d)->related, recent.find(d)->related) << id;
    EXPECT_EQ(whole.find(d)->anchor, h.anchors[4]) << id;  // the recent part names it
  }
}

TEST(RelatedScoresTest, TheWidePoolProposesAnOldClicksNeighbourNamedAfterIt) {
  const History h;
  FeedConfig config;
  config.related_weight = 0;
  config.popular_share = 0;
  ContextView view;
  FeedModels models;
  models.features = true;
  models.full_pool = true;
  const auto seen = [&](uint64_t key) { return h.context.has_seen(key); };
  const Feed feed = build_feed(view, h.context, h.index, taxonomy(), config, 10, kNow, seen,
                               &h.coclick, /*explain=*/true, nullptr, models);
  std::vector<FeedItem> all = feed.items;
  all.insert(all.end(), feed.unserved.begin(), feed.unserved.end());
  const FeedItem* n_old = nullptr;
  for (const FeedItem& item : all) {
    if (item.doc == h.doc("n_old")) n_old = &item;
  }
  ASSERT_NE(n_old, nullptr);
  EXPECT_EQ(n_old->reason, "'a0 제목'을(를) 본 분들이 함께 본 콘텐츠");
  ASSERT_EQ(n_old->features.size(), kFeatureCount);
  const auto at = [&](Feature f) { return n_old->features[static_cast<size_t>(f)]; };
  EXPECT_FLOAT_EQ(at(Feature::kHistoryHits), 0.2f);
  EXPECT_GT(at(Feature::kHistorySimilarity), 0.0f);
  EXPECT_FLOAT_EQ(at(Feature::kHistoryBest),
                  static_cast<float>(h.coclick.similarity(h.anchors[0], h.doc("n_old"))));
  // Every document is an hour old now; anchor a_i was 50 + i minutes old when clicked.
  double click_age = 0;
  for (int i = 0; i < 5; ++i) click_age += std::log1p((50.0 + i) / 60.0) / 5;
  EXPECT_NEAR(at(Feature::kUserClickAgeLog), click_age, 1e-6);
  EXPECT_NEAR(at(Feature::kAgeGapLog), std::log1p(1.0) - click_age, 1e-6);

  // Without the wide pool the hand-set feed never reaches it (no related weight).
  const Feed plain = build_feed(view, h.context, h.index, taxonomy(), config, 10, kNow, seen,
                                &h.coclick, /*explain=*/true, nullptr, FeedModels{});
  for (const FeedItem& item : plain.items) EXPECT_NE(item.source, FeedSource::kRelated);
}

}  // namespace
}  // namespace feedscout
