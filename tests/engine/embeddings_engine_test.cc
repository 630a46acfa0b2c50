// Embeddings in the engine (issue 6): documents embedded on ingest and stored with them, the
// ANN saved, loaded, reconciled and rebuilt on open, re-embedded when the embedder changes,
// expired by age; the reactive wave over the ANN; embedding profiles moved by clicks and skips
// and feeding the home feed. The embedder is a real fastText skipgram model trained here on a
// generated two-topic Korean pool.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "feedscout/engine/engine.h"
#include "feedscout/models/fasttext_embedder.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr TimeMs kMinute = 60 * 1000;

const std::vector<std::string> kFootball = {"축구",   "손흥민",       "골키퍼",   "월드컵",
                                            "공격수", "프리미어리그", "득점",     "감독",
                                            "수비수", "경기장",       "해트트릭", "페널티킥"};
const std::vector<std::string> kCooking = {"요리", "레시피", "김치찌개", "된장",
                                           "양파", "마늘",   "프라이팬", "간장",
                                           "반찬", "식당",   "볶음밥",   "참기름"};

std::string make_text(const std::vector<std::string>& vocab, std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<size_t> word(0, vocab.size() - 1);
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (!s.empty()) s += ' ';
    s += vocab[word(rng)];
  }
  return s;
}

// Documents f0..f(n-1) (football, no topics) and k0..k(n-1) (cooking), created an hour apart
// before kNow, plus "old" (football, 40 days old) and "emoji" (no words to embed).
std::string documents(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    for (const char* kind : {"f", "k"}) {
      const auto& vocab = kind[0] == 'f' ? kFootball : kCooking;
      out += R"({"id":")" + std::string(kind) + std::to_string(i) + R"(","title":")" +
             make_text(vocab, rng, 5) + R"(","body":")" + make_text(vocab, rng, 12) +
             R"(","created_at":")" + format_rfc3339(kNow - static_cast<TimeMs>(i + 1) * 3600000) +
             "\"}\n";
    }
  }
  out += R"({"id":"old","title":"축구 손흥민 득점","created_at":")" +
         format_rfc3339(kNow - 40 * kMsPerDay) + "\"}\n";
  out +=
      R"({"id":"emoji","title":"⚽⚽ !!!","created_at":")" + format_rfc3339(kNow - kMinute) + "\"}\n";
  return out;
}

std::string click(const std::string& id, const std::string& user, const std::string& doc, TimeMs t,
                  const char* surface = "feed") {
  return R"({"id":")" + id + R"(","type":"click","user":")" + user + R"(","time":")" +
         format_rfc3339(t) + R"(","surface":")" + surface + R"(","docs":[")" + doc + "\"]}\n";
}

std::string impression(const std::string& id, const std::string& user,
                       const std::vector<std::string>& docs, TimeMs t) {
  std::string list;
  for (const auto& d : docs) list += (list.empty() ? "\"" : ",\"") + d + "\"";
  return R"({"id":")" + id + R"(","type":"impression","user":")" + user + R"(","time":")" +
         format_rfc3339(t) + R"(","surface":"feed","docs":[)" + list + "]}\n";
}

class EmbeddingsEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("feedscout_embed_engine");
    pool_ = documents(150, 3);
    const std::string pool = dir_->file("pool.jsonl");
    std::ofstream(pool) << pool_;
    FastTextEmbedderTrainOptions opt;
    opt.dim = 32;
    opt.epoch = 20;
    opt.learning_rate = 0.2;
    opt.min_count = 1;
    for (int model = 0; model < 2; ++model) {
      opt.dim = model == 0 ? 32 : 16;
      const std::string path = dir_->file(model == 0 ? "embed32.bin" : "embed16.bin");
      auto r = train_fasttext_embedder(pool, testing_support::taxonomy(), path, opt);
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }

  EngineConfig config(const std::string& data, int dim = 32) const {
    EngineConfig c = engine_config(data);
    c.embeddings.kind = "fasttext";
    c.embeddings.model_path = dir_->file(dim == 32 ? "embed32.bin" : "embed16.bin");
    c.feed.keyword_weight = 0;  // isolate the embedding source from the keyword source
    return c;
  }
  std::unique_ptr<Engine> open(const EngineConfig& c, TimeMs* now = nullptr) {
    auto r = Engine::open(c, [now] { return now != nullptr ? *now : kNow; });
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : nullptr;
  }

  static std::unique_ptr<TempDir> dir_;
  static std::string pool_;
};
std::unique_ptr<TempDir> EmbeddingsEngineTest::dir_;
std::string EmbeddingsEngineTest::pool_;

TEST_F(EmbeddingsEngineTest, DocumentsAreEmbeddedStoredAndTheAnnSurvivesReopen) {
  TempDir data("feedscout_embed_data");
  const EngineConfig c = config(data.file("store"));
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    const IngestReport r = e->ingest_documents(pool_);
    EXPECT_EQ(r.accepted, 302u);
    const EngineStats s = e->stats();
    EXPECT_EQ(s.documents_embedded, 301u);  // all but "emoji"
    EXPECT_EQ(s.embed_failures, 1u);
    EXPECT_EQ(s.ann_vectors, 300u);  // "old" is past embeddings.max_age (30 days)
  }
  // Closed: the ANN file was written; a reopen loads it (nothing to add from the store).
  ASSERT_TRUE(std::filesystem::exists(data.file("store") + "/ann-index.bin"));
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->stats().ann_vectors, 300u);
  }
  // Without the file the ANN is rebuilt from the stored vectors.
  std::filesystem::remove(data.file("store") + "/ann-index.bin");
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->stats().ann_vectors, 300u);
  }
  // A corrupt file is not fatal either.
  std::ofstream(data.file("store") + "/ann-index.bin") << "not an index";
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->stats().ann_vectors, 300u);
  }
  // Another embedder (d = 16): every stored document is embedded again on open.
  {
    auto e = open(config(data.file("store"), 16));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->stats().ann_vectors, 300u);
    EXPECT_EQ(e->stats().documents_embedded, 301u);
  }
}

TEST_F(EmbeddingsEngineTest, TheReactiveWaveFindsDocumentsLikeTheOneJustClickedByEmbedding) {
  TempDir data("feedscout_embed_reactive");
  auto e = open(config(data.file("store")));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(pool_).accepted, 302u);
  // Twenty documents for the query (the pool's words are each in too many documents to count
  // for BM25: index.max_term_doc_share).
  std::string extra;
  for (int i = 0; i < 20; ++i) {
    extra += R"({"id":"s)" + std::to_string(i) + R"(","title":"제철 비법 노트 )" +
             std::to_string(i) + R"( 요리","created_at":")" + format_rfc3339(kNow - i * kMinute) +
             "\"}\n";
  }
  ASSERT_EQ(e->ingest_documents(extra).accepted, 20u);
  ASSERT_EQ(e->ingest_events(click("c1", "u", "f3", kNow - kMinute, "search")).accepted, 1u);
  // The query is about cooking, but page 0 opens with what is like the football document the
  // user just clicked: found by the ANN (no co-clicks exist, and "via" says so).
  const SearchFeedPage p = e->search_feed("u", "제철 비법", 0, 10, false, /*explain=*/true);
  size_t reactive = 0;
  for (const SearchFeedEntry& it : p.items) {
    if (it.wave != SearchWave::kReactive) continue;
    ++reactive;
    EXPECT_EQ(it.scores.via, "ann");
    EXPECT_EQ(it.doc_id[0], 'f') << it.doc_id << " is not like football document f3";
    EXPECT_GT(it.scores.similarity, 0.0);
    EXPECT_LT(it.scores.similarity, 1.0001);
  }
  EXPECT_EQ(reactive, e->config().search_feed.reactive_items);
  // Explain lists the related candidates that were left out.
  EXPECT_TRUE(p.explained);
  ASSERT_EQ(p.items.size(), 10u);
  EXPECT_EQ(p.items[3].wave, SearchWave::kRelated);
  EXPECT_EQ(p.items[3].scores.via, "query");
  EXPECT_EQ(p.unserved.size(), 13u);  // 20 matches, 7 served
  for (const auto& it : p.unserved) EXPECT_EQ(it.doc_id[0], 's') << it.doc_id;
}

// Mean cosine similarity of a profile to the stored football (f) and cooking (k) documents is
// not observable through the API; the feed is: a football clicker's embedding candidates are
// football documents.
TEST_F(EmbeddingsEngineTest, ClicksBuildAProfileThatFeedsTheHomeFeedWithItsReason) {
  TempDir data("feedscout_embed_profile");
  auto e = open(config(data.file("store")));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(pool_).accepted, 302u);
  std::string events;
  for (int i = 0; i < 4; ++i) {
    events +=
        click("c" + std::to_string(i), "u", "f" + std::to_string(i), kNow - (10 - i) * kMinute);
  }
  ASSERT_EQ(e->ingest_events(events).accepted, 4u);
  const ContextView view = e->context("u");
  ASSERT_EQ(view.profiles.size(), 1u);  // four similar clicks: one profile
  EXPECT_EQ(view.profiles[0].clicks, 4u);
  EXPECT_EQ(view.profiles[0].vector.size(), 32u);

  // The documents have no topics: the embedding profile is what the feed knows of the user.
  const FeedPage page = e->feed("u", 10, false, /*explain=*/true);
  size_t embedding = 0;
  for (const FeedEntry& it : page.items) {
    if (it.from != FeedSource::kEmbedding) continue;
    ++embedding;
    EXPECT_EQ(it.doc_id[0], 'f') << it.doc_id;
    // Named after the newest clicked document that moved the profile (f3).
    EXPECT_NE(it.reason.find("와(과) 비슷한 콘텐츠"), std::string::npos) << it.reason;
  }
  EXPECT_GE(embedding, 5u);
  // A user without clicks gets no embedding items.
  for (const FeedEntry& it : e->feed("cold", 10, false).items) {
    EXPECT_NE(it.from, FeedSource::kEmbedding);
  }
}

TEST_F(EmbeddingsEngineTest, ThePersonalisedWaveLeansTowardTheUsersEmbeddingProfile) {
  TempDir data("feedscout_embed_personal");
  auto e = open(config(data.file("store")));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(pool_).accepted, 302u);
  // Ten matches of the query about football and ten about cooking, equally fresh by pairs.
  std::mt19937 rng(5);
  std::string extra;
  for (int i = 0; i < 10; ++i) {
    for (const char* kind : {"sf", "sk"}) {
      const auto& vocab = kind[1] == 'f' ? kFootball : kCooking;
      extra += R"({"id":")" + std::string(kind) + std::to_string(i) + R"(","title":"제철 비법 )" +
               make_text(vocab, rng, 4) + R"(","created_at":")" +
               format_rfc3339(kNow - i * kMinute) + "\"}\n";
    }
  }
  ASSERT_EQ(e->ingest_documents(extra).accepted, 20u);
  // A football reader, clicks two hours ago (no reactive wave), no topics on any document.
  std::string events;
  for (int i = 0; i < 4; ++i) {
    events += click("c" + std::to_string(i), "fan", "f" + std::to_string(i),
                    kNow - 2 * kMsPerHour + i * kMinute);
  }
  ASSERT_EQ(e->ingest_events(events).accepted, 4u);
  const SearchFeedPage p = e->search_feed("fan", "제철 비법", 1, 6, false, true);
  ASSERT_EQ(p.items.size(), 6u);
  for (const SearchFeedEntry& it : p.items) {
    EXPECT_EQ(it.doc_id.substr(0, 2), "sf") << it.doc_id << " " << it.reason;
    EXPECT_EQ(it.wave, SearchWave::kPersonalised) << it.doc_id;
    EXPECT_NE(it.reason.find("중 즐겨 본 '"), std::string::npos) << it.reason;
    EXPECT_GT(it.scores.profile, 0.5);
  }
  // A user without a profile gets the same query's page by text and freshness only.
  const SearchFeedPage plain = e->search_feed("nobody", "제철 비법", 1, 6, false, true);
  for (const SearchFeedEntry& it : plain.items) EXPECT_EQ(it.wave, SearchWave::kRelated);
}

TEST_F(EmbeddingsEngineTest, ImpressionsWithoutAClickBecomeSkipsThatPushTheProfileAway) {
  TempDir data("feedscout_embed_skips");
  auto e = open(config(data.file("store")));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(pool_).accepted, 302u);
  const TimeMs t0 = kNow - 3 * kMsPerHour;
  // Both users click a football document; "skipper" is then shown five football documents,
  // clicks one of them, and comes back an hour later (past the 30-minute session).
  std::string events = click("a", "control", "f1", t0) + click("b", "skipper", "f1", t0);
  events += impression("i", "skipper", {"f2", "f3", "f4", "f5", "f6"}, t0 + kMinute);
  events += click("c", "skipper", "f6", t0 + 2 * kMinute);
  events += click("d", "skipper", "k1", t0 + kMsPerHour);
  events += click("e", "control", "k1", t0 + kMsPerHour);
  ASSERT_EQ(e->ingest_events(events).accepted, 6u);
  const ContextView skipper = e->context("skipper");
  const ContextView control = e->context("control");
  uint32_t skips = 0;
  for (const auto& p : skipper.profiles) skips += p.skips;
  EXPECT_EQ(skips, 4u);  // f2..f5; f6 was clicked
  for (const auto& p : control.profiles) EXPECT_EQ(p.skips, 0u);
}

TEST_F(EmbeddingsEngineTest, DocumentsLeaveTheAnnWhenTheyAge) {
  TempDir data("feedscout_embed_expiry");
  TimeMs now = kNow;
  EngineConfig c = config(data.file("store"));
  c.embeddings.max_age_ms = 2 * kMsPerDay;
  auto e = open(c, &now);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(pool_).accepted, 302u);
  // f_i and k_i are i + 1 hours old: only those at most 48 hours old are indexed.
  EXPECT_EQ(e->stats().ann_vectors, 96u);
  now += 12 * kMsPerHour;  // those older than 36 h at ingest (i = 36..47) are now past 2 days
  ASSERT_EQ(e->ingest_events(click("x", "u", "f0", now - kMinute)).accepted, 1u);
  const EngineStats s = e->stats();
  EXPECT_EQ(s.vectors_expired, 24u);
  EXPECT_EQ(s.ann_vectors, 72u);
}

}  // namespace
}  // namespace feedscout
