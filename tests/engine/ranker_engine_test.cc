// The learned models inside the engine: feature rows on served pages, the collaborative
// source, loading and hot-swapping a ranker, explain, and the feature log.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <thread>

#include "feedscout/engine/engine.h"
#include "feedscout/engine/feature_log.h"
#include "feedscout/serve/ranking_features.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

std::string doc_json(const std::string& id, const std::string& title, const std::string& topic,
                     int hours_old) {
  return R"({"id":")" + id + R"(","title":")" + title + R"(","created_at":")" +
         format_rfc3339(kNow - hours_old * kMsPerHour) + R"(","topics":[")" + topic + R"("]})" +
         "\n";
}

std::string click_json(const std::string& id, const std::string& user, const std::string& doc,
                       int hours_ago) {
  return R"({"id":")" + id + R"(","user":")" + user + R"(","type":"click","time":")" +
         format_rfc3339(kNow - hours_ago * kMsPerHour) + R"(","surface":"feed","docs":[")" + doc +
         R"("]})" + "\n";
}

// A ranker over home_feature_schema() that prefers higher topic relevance, then popularity.
GbdtRanker tiny_ranker(uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_real_distribution<float> u(0, 1);
  RankingData d;
  d.n_features = kFeatureCount;
  for (int g = 0; g < 60; ++g) {
    for (int i = 0; i < 10; ++i) {
      std::vector<float> row(kFeatureCount);
      for (float& x : row) x = u(rng);
      const float rel = row[static_cast<size_t>(Feature::kTopicRelevance)] +
                        0.3f * row[static_cast<size_t>(Feature::kPopularityLog)];
      d.features.insert(d.features.end(), row.begin(), row.end());
      d.labels.push_back(rel > 0.9f ? 1.0f : 0.0f);
    }
    d.group_sizes.push_back(10);
  }
  RankerTrainOptions options;
  options.max_rounds = 20;
  options.seed = seed;
  auto model = GbdtRanker::train(home_feature_schema(), d, {}, options, nullptr);
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
  return std::move(model).value();
}

class RankerEngineTest : public ::testing::Test {
 protected:
  EngineConfig config() const {
    EngineConfig c = engine_config(dir_.file("data"));
    c.collaborative.retrain_interval_s = 0;  // trained when a test asks
    c.collaborative.options.min_item_users = 2;
    // Two taste groups: two factors; more would fit each user's noise on data this small.
    c.collaborative.options.als.factors = 2;
    return c;
  }

  void SetUp() override {
    auto r = Engine::open(config(), [this] { return now_.load(); });
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    engine_ = std::move(r).value();
    std::string docs;
    for (int i = 0; i < 12; ++i) {
      docs += doc_json("s" + std::to_string(i), "축구 경기 " + std::to_string(i), "533", i + 1);
      docs += doc_json("b" + std::to_string(i), "야구 경기 " + std::to_string(i), "545", i + 1);
    }
    ASSERT_EQ(engine_->ingest_documents(docs).accepted, 24u);
    // Users a0..a9 click soccer s0..s5, users b0..b9 baseball b0..b5 (each 4 of the 6).
    std::string events;
    int n = 0;
    for (int u = 0; u < 10; ++u) {
      for (int k = 0; k < 4; ++k) {
        const int doc = (u + k) % 6;
        events += click_json("ea" + std::to_string(n++), "a" + std::to_string(u),
                             "s" + std::to_string(doc), 10 - k);
        events += click_json("eb" + std::to_string(n++), "b" + std::to_string(u),
                             "b" + std::to_string(doc), 10 - k);
      }
    }
    ASSERT_EQ(engine_->ingest_events(events).rejected, 0u);
  }

  // Closes the engine and opens the same data directory with `c`; false (with a test failure)
  // when it does not open.
  bool reopen(const EngineConfig& c) {
    engine_.reset();
    auto reopened = Engine::open(c, [this] { return now_.load(); });
    EXPECT_TRUE(reopened.is_ok()) << reopened.status().to_string();
    if (!reopened.is_ok()) return false;
    engine_ = std::move(reopened).value();
    return true;
  }

  std::string save(const GbdtRanker& model, const std::string& name) {
    const std::string path = dir_.file(name);
    EXPECT_TRUE(model.save(path).is_ok());
    return path;
  }

  TempDir dir_{"feedscout_ranker_engine_test"};
  std::atomic<TimeMs> now_{kNow};
  std::unique_ptr<Engine> engine_;
};

TEST_F(RankerEngineTest, ExplainedItemsCarryTheirFeatureRow) {
  const FeedPage page = engine_->feed("a0", 10, false, true);
  ASSERT_FALSE(page.items.empty());
  EXPECT_TRUE(page.model_version.empty());
  for (const FeedEntry& e : page.items) {
    ASSERT_EQ(e.features.size(), kFeatureCount);
    EXPECT_EQ(e.scores.learned, false);
    float one_hot = 0;
    for (size_t f = static_cast<size_t>(Feature::kFromAfterSearch); f < kFeatureCount; ++f) {
      one_hot += e.features[f];
    }
    EXPECT_EQ(one_hot, 1.0f);
    EXPECT_GE(e.features[static_cast<size_t>(Feature::kClickCountLog)], 0.0f);
  }
  // A user who clicks soccer prefers it: the integrated level-1 preference of a soccer item.
  bool soccer = false;
  for (const FeedEntry& e : page.items) {
    if (e.doc_id[0] == 's') {
      soccer = true;
      EXPECT_GT(e.features[static_cast<size_t>(Feature::kPrefIntegratedL1)], 0.0f);
    }
  }
  EXPECT_TRUE(soccer);
  // Not explained, nothing logged: no features are computed.
  EXPECT_TRUE(engine_->feed("a0", 10, false, false).items.front().features.empty());
}

TEST_F(RankerEngineTest, CollaborativeSourceNamesAClickedTitle) {
  // Topic relevance wins ties with collaborative relevance (a soccer fan's soccer documents
  // would all name the topic): without topic candidates the collaborative source leads.
  EngineConfig c = config();
  c.feed.max_topics = 0;
  ASSERT_TRUE(reopen(c));
  ASSERT_TRUE(engine_->train_collaborative().is_ok());
  EXPECT_FALSE(engine_->collaborative_version().empty());
  // a0 clicked s0..s3; users like a0 also clicked s4 and s5.
  const FeedPage page = engine_->feed("a0", 20, false, true);
  bool found = false;
  for (const FeedEntry& e : page.items) {
    if (e.from != FeedSource::kCollaborative) continue;
    found = true;
    EXPECT_EQ(e.doc_id[0], 's') << e.doc_id;
    EXPECT_NE(e.reason.find("을(를) 본 분들이 좋아한 콘텐츠"), std::string::npos) << e.reason;
    EXPECT_NE(e.reason.find("축구 경기"), std::string::npos) << e.reason;
  }
  for (const FeedEntry& e : page.items) {
    if (e.doc_id == "s4" || e.doc_id == "s5") {
      EXPECT_GT(e.features[static_cast<size_t>(Feature::kCollaborativeScore)], 0.0f) << e.doc_id;
    }
  }
  EXPECT_TRUE(found) << "no item came from the collaborative source";
  EXPECT_EQ(engine_->stats().collaborative_trainings, 1u);
}

TEST_F(RankerEngineTest, ALoadedRankerRanksEveryCandidateAndExplainsItsScore) {
  const GbdtRanker model = tiny_ranker(1);
  ASSERT_TRUE(engine_->load_ranker(save(model, "m1.model")).is_ok());
  EXPECT_EQ(engine_->ranker_version(), model.version());
  const FeedPage page = engine_->feed("a0", 10, false, true);
  ASSERT_FALSE(page.items.empty());
  EXPECT_EQ(page.model_version, model.version());
  for (const FeedEntry& e : page.items) {
    EXPECT_TRUE(e.scores.learned);
    ASSERT_EQ(e.contributions.size(), kFeatureCount + 1);
    double sum = 0;
    for (float c : e.contributions) sum += c;
    EXPECT_NEAR(sum, e.scores.model, 1e-3);
    std::vector<float> score;
    ASSERT_TRUE(model.predict(e.features, 1, &score).is_ok());
    EXPECT_NEAR(score[0], e.scores.model, 1e-5);
  }
  engine_->clear_ranker();
  EXPECT_TRUE(engine_->feed("a0", 10, false, true).model_version.empty());
}

// Serving limits what the model scores to ranker_max_candidates, taking each source's best in
// turn; training pages (Engine::candidates) keep the whole pool.
TEST_F(RankerEngineTest, TheRankerScoresAtMostMaxCandidatesFromEverySource) {
  EngineConfig c = config();
  c.feed.ranker_max_candidates = 4;
  ASSERT_TRUE(reopen(c));
  const size_t whole_pool =
      engine_->candidates("a0", 20).items.size() + engine_->candidates("a0", 20).unserved.size();
  ASSERT_GT(whole_pool, 4u);
  ASSERT_TRUE(engine_->load_ranker(save(tiny_ranker(5), "cap.model")).is_ok());
  const FeedPage page = engine_->feed("a0", 20, false, true);
  EXPECT_EQ(page.items.size() + page.unserved.size(), 4u);
  std::set<FeedSource> sources;
  for (const FeedEntry& e : page.items) sources.insert(e.from);
  for (const FeedEntry& e : page.unserved) sources.insert(e.from);
  EXPECT_GE(sources.size(), 2u) << "the limit kept one source only";
  EXPECT_EQ(
      engine_->candidates("a0", 20).items.size() + engine_->candidates("a0", 20).unserved.size(),
      whole_pool);
}

// A given list (an impression's) is scored the way the learned feed ranks: the model learned
// that topic relevance matters, so a soccer fan's soccer documents score above baseball.
TEST_F(RankerEngineTest, ScoreDocumentsUsesALoadedRanker) {
  std::vector<std::string> ids;
  for (int i = 6; i < 12; ++i) {
    ids.push_back("s" + std::to_string(i));
    ids.push_back("b" + std::to_string(i));
  }
  ids.push_back("unknown-doc");
  const std::vector<double> hand_set = engine_->score_documents("a0", ids);
  ASSERT_TRUE(engine_->load_ranker(save(tiny_ranker(6), "score.model")).is_ok());
  const std::vector<double> learned = engine_->score_documents("a0", ids);
  ASSERT_EQ(learned.size(), ids.size());
  EXPECT_EQ(learned.back(), -1.0);
  double soccer = 0, baseball = 0;
  for (size_t i = 0; i + 1 < ids.size(); ++i) {
    EXPECT_GE(learned[i], 0.0) << ids[i];
    (ids[i][0] == 's' ? soccer : baseball) += learned[i];
  }
  EXPECT_GT(soccer, baseball);
  EXPECT_NE(learned, hand_set);
}

// The search feed's personalised pages score the query's pool with the same model (one
// batch); its order is the recency rule over the model's share; without a model, hand-set.
TEST_F(RankerEngineTest, ARankerOrdersTheSearchFeedsPersonalisedPool) {
  std::string finals;  // a word in few titles of both topics
  for (int i = 0; i < 3; ++i) {
    finals += doc_json("fs" + std::to_string(i), "축구 결승 하이라이트 " + std::to_string(i), "533",
                       i + 1);
    finals += doc_json("fb" + std::to_string(i), "야구 결승 하이라이트 " + std::to_string(i), "545",
                       i + 1);
  }
  ASSERT_EQ(engine_->ingest_documents(finals).accepted, 6u);
  const SearchFeedPage hand_set = engine_->search_feed("a0", "결승", 1, 10, false, true);
  ASSERT_FALSE(hand_set.items.empty());
  EXPECT_TRUE(hand_set.model_version.empty());
  for (const SearchFeedEntry& e : hand_set.items) EXPECT_FALSE(e.scores.learned);

  const GbdtRanker model = tiny_ranker(4);
  ASSERT_TRUE(engine_->load_ranker(save(model, "search.model")).is_ok());
  const SearchFeedPage page = engine_->search_feed("a0", "결승", 1, 10, false, true);
  ASSERT_FALSE(page.items.empty());
  EXPECT_EQ(page.model_version, model.version());
  double previous = std::numeric_limits<double>::infinity();
  size_t learned = 0;
  for (const SearchFeedEntry& e : page.items) {
    if (e.wave != SearchWave::kPersonalised && e.wave != SearchWave::kRelated) continue;
    ASSERT_TRUE(e.scores.learned) << e.doc_id;
    EXPECT_GE(e.scores.relevance, 0.0);
    EXPECT_LE(e.scores.relevance, 1.0);
    EXPECT_LE(e.score, previous) << e.doc_id;
    previous = e.score;
    ++learned;
  }
  EXPECT_GT(learned, 0u);
  // Page 0 (reactive and related waves only) is not personalised: no model there.
  EXPECT_TRUE(engine_->search_feed("a0", "결승", 0, 10, false, true).model_version.empty());
}

TEST_F(RankerEngineTest, BadModelFilesAreRefusedAndTheRunningRankerKept) {
  const GbdtRanker good = tiny_ranker(2);
  ASSERT_TRUE(engine_->load_ranker(save(good, "good.model")).is_ok());
  // Truncated.
  std::string bytes = good.serialize();
  {
    std::ofstream f(dir_.file("torn.model"), std::ios::binary);
    f << bytes.substr(0, bytes.size() / 2);
  }
  const Status torn = engine_->load_ranker(dir_.file("torn.model"));
  EXPECT_EQ(torn.code(), Status::Code::kCorruption) << torn.to_string();
  // Another schema.
  RankingData d;
  d.n_features = 2;
  d.features = {0, 1, 1, 0, 0.5f, 0.5f, 1, 1};
  d.labels = {0, 1, 1, 0};
  d.group_sizes = {2, 2};
  auto other = GbdtRanker::train({"other", 1, {"x", "y"}}, d, {}, {}, nullptr);
  ASSERT_TRUE(other.is_ok());
  const Status schema = engine_->load_ranker(save(*other, "other.model"));
  EXPECT_EQ(schema.code(), Status::Code::kInvalidArgument) << schema.to_string();
  EXPECT_NE(schema.message().find("other"), std::string::npos) << schema.message();
  // Missing.
  EXPECT_FALSE(engine_->load_ranker(dir_.file("missing.model")).is_ok());
  EXPECT_EQ(engine_->ranker_version(), good.version());
  EXPECT_EQ(engine_->feed("a0", 10, false, true).model_version, good.version());
  EXPECT_EQ(engine_->stats().ranker_load_failures, 3u);
}

TEST_F(RankerEngineTest, HotSwapUnderConcurrentRequests) {
  const GbdtRanker m1 = tiny_ranker(3);
  const GbdtRanker m2 = tiny_ranker(4);
  ASSERT_NE(m1.version(), m2.version());
  const std::string p1 = save(m1, "m1.model"), p2 = save(m2, "m2.model");
  ASSERT_TRUE(engine_->load_ranker(p1).is_ok());
  std::atomic<bool> stop{false};
  std::atomic<int> pages{0}, bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      while (!stop) {
        const FeedPage page = engine_->feed(t % 2 ? "a1" : "b1", 10, false, t == 0);
        if (page.items.empty() ||
            (page.model_version != m1.version() && page.model_version != m2.version())) {
          ++bad;
        }
        ++pages;
      }
    });
  }
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(engine_->load_ranker(i % 2 ? p1 : p2).is_ok());
  while (pages < 200) std::this_thread::yield();
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(engine_->stats().ranker_loads, 41u);
}

TEST_F(RankerEngineTest, ServedPagesAndClicksReachTheFeatureLogAsServed) {
  const FeedPage explained = engine_->feed("b2", 8, /*remember_served=*/false, /*explain=*/true);
  const FeedPage served = engine_->feed("b2", 8, /*remember_served=*/true, /*explain=*/false);
  ASSERT_FALSE(served.items.empty());
  ASSERT_EQ(served.items.size(), explained.items.size());
  ASSERT_EQ(engine_->ingest_events(click_json("later", "b2", served.items[0].doc_id, 0)).accepted,
            1u);
  engine_.reset();  // flushes the log
  auto log = read_feature_log(dir_.file("data") + "/feature-log", home_feature_schema());
  ASSERT_TRUE(log.is_ok()) << log.status().to_string();
  ASSERT_EQ(log->pages.size(), 1u);
  const LoggedPage& page = log->pages[0];
  EXPECT_EQ(page.request_id, served.request_id);
  EXPECT_EQ(page.user, "b2");
  EXPECT_EQ(page.time_ms, kNow);
  ASSERT_EQ(page.doc_ids.size(), explained.items.size());
  for (size_t i = 0; i < page.doc_ids.size(); ++i) {
    EXPECT_EQ(page.doc_ids[i], explained.items[i].doc_id);
    const std::vector<float> row(
        page.features.begin() + static_cast<std::ptrdiff_t>(i * kFeatureCount),
        page.features.begin() + static_cast<std::ptrdiff_t>((i + 1) * kFeatureCount));
    EXPECT_EQ(row, explained.items[i].features) << "item " << i;
  }
  // Every click applied is in the log too (the 80 of SetUp and the one above).
  EXPECT_EQ(log->clicks.size(), 81u);
  EXPECT_EQ(log->clicks.back().doc_id, served.items[0].doc_id);
}

}  // namespace
}  // namespace feedscout
