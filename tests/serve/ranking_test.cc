// The recency curve, the recency rule's threshold and the diversity rule
// (serve/candidate_score.h, serve/feed_builder.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/feed_builder.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr double kHour = 3600.0;
using testing_support::taxonomy;
using testing_support::topic;

TEST(RecencyTest, StartsAtOneAndFallsFastWhileYoungSlowlyWhenOld) {
  const FeedConfig c;
  EXPECT_DOUBLE_EQ(recency(0, c), 1.0);
  EXPECT_DOUBLE_EQ(recency(-5 * kHour, c), 1.0);  // from the future: as new
  double prev = 1.0;
  for (double h = 1; h <= 24 * 60; h *= 1.5) {
    const double r = recency(h * kHour, c);
    EXPECT_LT(r, prev) << h;
    EXPECT_GT(r, 0.0) << h;
    prev = r;
  }
  // The first 6 hours cost more than the 6 hours between day 3 and day 3¼, which cost more
  // than those between day 10 and day 10¼.
  const double young = recency(0, c) - recency(6 * kHour, c);
  const double mid = recency(72 * kHour, c) - recency(78 * kHour, c);
  const double old = recency(240 * kHour, c) - recency(246 * kHour, c);
  EXPECT_GT(young, 3 * mid);
  EXPECT_GT(mid, old);
  // Two half-lives: share · 2^(-age/6h) + (1 - share) · 2^(-age/3d).
  EXPECT_NEAR(recency(6 * kHour, c), 0.5 * 0.5 + 0.5 * std::exp2(-6.0 / 72), 1e-12);
  FeedConfig only_slow;
  only_slow.recency_young_share = 0;
  EXPECT_NEAR(recency(72 * kHour, only_slow), 0.5, 1e-12);
}

struct Pool {
  DocumentIndex index{taxonomy(), IndexConfig{}};
  DocIndex add(const std::string& id, TimeMs created, const std::string& t, float score = 1) {
    Document d;
    d.id = id;
    d.title = id + " 제목";
    d.created_ms = created;
    d.topics = {{topic(t), score, TopicSource::kProvided}};
    return *index.add(d);
  }
};

TEST(RecencyRuleTest, FreshButIrrelevantNeverOutranksRelevant) {
  Pool p;
  const DocIndex fresh = p.add("fresh", kNow, "533");
  const DocIndex old = p.add("old", kNow - 365LL * 24 * 3600 * 1000, "533");
  p.index.record_click(fresh, kNow);
  p.index.refresh_popular(kNow);
  const double top = top_popularity(p.index, kNow);
  for (double weight : {0.0, 0.3, 0.6, 0.9}) {
    FeedConfig c;
    c.recency_weight = weight;
    const FeedScores relevant = rank_scores(c.relevance_threshold, p.index, old, kNow, top, c);
    const FeedScores irrelevant =
        rank_scores(c.relevance_threshold - 1e-9, p.index, fresh, kNow, top, c);
    EXPECT_TRUE(relevant.above_threshold);
    EXPECT_FALSE(irrelevant.above_threshold);
    EXPECT_LT(irrelevant.final, relevant.final) << weight;
  }
}

TEST(RecencyRuleTest, AboveThresholdRecencyBreaksTiesAndRelevanceWeighs) {
  Pool p;
  const DocIndex fresh = p.add("fresh", kNow - 1 * kMsPerHour, "533");
  const DocIndex old = p.add("old", kNow - 10 * kMsPerDay, "533");
  p.index.refresh_popular(kNow);
  const FeedConfig c;
  // Equal relevance: the fresher ranks first.
  EXPECT_GT(rank_scores(0.8, p.index, fresh, kNow, 0, c).final,
            rank_scores(0.8, p.index, old, kNow, 0, c).final);
  // The weighted sum: (1 - w) · relevance + w · quality, quality = (1 - pw) · recency.
  const FeedScores s = rank_scores(0.8, p.index, fresh, kNow, 0, c);
  EXPECT_NEAR(s.final,
              (1 - c.recency_weight) * 0.8 +
                  c.recency_weight * (1 - c.popularity_weight) * recency(3600, c),
              1e-12);
  // Below: only relevance, penalised; recency plays no part.
  const FeedScores b1 = rank_scores(0.2, p.index, fresh, kNow, 0, c);
  const FeedScores b2 = rank_scores(0.2, p.index, old, kNow, 0, c);
  EXPECT_DOUBLE_EQ(b1.final, b2.final);
  EXPECT_NEAR(b1.final, c.below_threshold_factor * (1 - c.recency_weight) * 0.2, 1e-12);
  // Relevance is clamped to [0, 1].
  EXPECT_DOUBLE_EQ(rank_scores(3.0, p.index, old, kNow, 0, c).relevance, 1.0);
}

// A learned ranker's relevance goes through the same rule at its own weight.
TEST(RecencyRuleTest, LearnedRelevanceUsesTheLearnedWeight) {
  Pool p;
  const DocIndex fresh = p.add("fresh", kNow - 1 * kMsPerHour, "533");
  p.index.refresh_popular(kNow);
  FeedConfig c;
  c.recency_weight = 0.3;
  c.learned_recency_weight = 0.0;
  EXPECT_DOUBLE_EQ(learned_rank_scores(0.8, p.index, fresh, kNow, 0, c).final, 0.8);
  c.learned_recency_weight = 0.2;
  const double quality = (1 - c.popularity_weight) * recency(3600, c);
  EXPECT_NEAR(learned_rank_scores(0.8, p.index, fresh, kNow, 0, c).final, 0.8 * 0.8 + 0.2 * quality,
              1e-12);
  EXPECT_NEAR(rank_scores(0.8, p.index, fresh, kNow, 0, c).final, 0.7 * 0.8 + 0.3 * quality, 1e-12);
}

TEST(RecencyRuleTest, FeedKeepsAWeakTopicsFreshDocumentsBelowAStrongTopicsOldOnes) {
  // A user who reads 축구 a lot and 야구 once: the fresh 야구 document (relevance well below
  // the threshold: a weaker preference, normalised by the strongest, times a 0.3 label) stays
  // below the two-day-old 축구 ones.
  Pool p;
  for (int i = 0; i < 4; ++i) p.add("s" + std::to_string(i), kNow - (48 + i) * kMsPerHour, "533");
  p.add("b-old", kNow - 30 * kMsPerDay, "545");
  p.add("b-fresh", kNow - 5 * 60 * 1000, "545", 0.3f);
  p.index.refresh_popular(kNow);
  UserContext u;
  const auto apply = [&](const std::string& id, TimeMs t) {
    Event e;
    e.id = id + std::to_string(t);
    e.type = EventType::kClick;
    e.user = "u";
    e.surface = Surface::kFeed;
    e.time_ms = t;
    e.doc_ids = {id};
    std::vector<const std::vector<DocTopic>*> topics{&p.index.doc(*p.index.find(id)).topics};
    u.apply(e, topics, taxonomy(), ContextConfig{});
  };
  for (int i = 0; i < 3; ++i) apply("s" + std::to_string(i), kNow - (10 - i) * kMsPerHour);
  apply("b-old", kNow - 9 * kMsPerHour);
  const ContextView v = compute_view(u, kNow, ContextConfig{});
  FeedConfig c;
  c.diversity_window = 0;
  const Feed f = build_feed(v, u, p.index, taxonomy(), c, 10, kNow, nullptr, nullptr, true);
  ASSERT_FALSE(f.items.empty());
  size_t fresh_pos = f.items.size(), last_relevant = 0;
  for (size_t i = 0; i < f.items.size(); ++i) {
    const std::string& id = p.index.doc(f.items[i].doc).id;
    if (id == "b-fresh") {
      fresh_pos = i;
      EXPECT_FALSE(f.items[i].scores.above_threshold);
    } else if (f.items[i].scores.above_threshold) {
      last_relevant = i;
    }
  }
  EXPECT_GT(fresh_pos, last_relevant);
}

FeedItem item(const Pool& p, const std::string& id, double score) {
  FeedItem it;
  it.doc = *p.index.find(id);
  it.score = score;
  it.source = FeedSource::kTopic;
  it.reason = "관심 주제 '" + id + "'";
  return it;
}

std::vector<std::string> ids(const Pool& p, const std::vector<FeedItem>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(p.index.doc(i.doc).id);
  return out;
}

TEST(DiversityTest, AtMostXOfTheFirstNShareATier2Topic) {
  Pool p;
  // s* are 축구 (533), b* 야구 (545): two tier-2 topics.
  for (int i = 0; i < 6; ++i) p.add("s" + std::to_string(i), kNow, "533");
  for (int i = 0; i < 3; ++i) p.add("b" + std::to_string(i), kNow, "545");
  std::vector<FeedItem> items;
  for (int i = 0; i < 6; ++i) items.push_back(item(p, "s" + std::to_string(i), 1.0 - i * 0.01));
  for (int i = 0; i < 3; ++i) items.push_back(item(p, "b" + std::to_string(i), 0.5 - i * 0.01));
  FeedConfig c;
  c.diversity_window = 5;
  c.diversity_max_per_topic = 2;
  apply_diversity(items, p.index, taxonomy(), c);
  EXPECT_EQ(ids(p, items),
            (std::vector<std::string>{"s0", "s1", "b0", "b1", "s2", "s3", "s4", "s5", "b2"}));
  // Demoted items keep their reasons and are marked; the rest are not.
  for (const FeedItem& i : items) {
    const std::string id = p.index.doc(i.doc).id;
    EXPECT_EQ(i.reason, "관심 주제 '" + id + "'");
    // s2..s5 were each passed over for a 야구 item (moved down); b2 kept its place.
    EXPECT_EQ(i.scores.demoted_by_diversity, id[0] == 's' && id >= "s2") << id;
    EXPECT_EQ(i.scores.diversity_topic, id[0] == 's' ? "스포츠>축구" : "스포츠>야구");
  }
}

TEST(DiversityTest, SingleTopicPagesAndOffKeepTheOrder) {
  Pool p;
  for (int i = 0; i < 6; ++i) p.add("s" + std::to_string(i), kNow, "533");
  std::vector<FeedItem> items;
  for (int i = 0; i < 6; ++i) items.push_back(item(p, "s" + std::to_string(i), 1.0 - i * 0.01));
  FeedConfig c;
  c.diversity_window = 5;
  c.diversity_max_per_topic = 2;
  apply_diversity(items, p.index, taxonomy(), c);
  EXPECT_EQ(ids(p, items), (std::vector<std::string>{"s0", "s1", "s2", "s3", "s4", "s5"}));
  for (const FeedItem& i : items) EXPECT_FALSE(i.scores.demoted_by_diversity);
  c.diversity_max_per_topic = 0;  // off
  std::vector<FeedItem> mixed{item(p, "s0", 1), item(p, "s1", 0.9)};
  apply_diversity(mixed, p.index, taxonomy(), c);
  EXPECT_EQ(ids(p, mixed), (std::vector<std::string>{"s0", "s1"}));
}

}  // namespace
}  // namespace feedscout
