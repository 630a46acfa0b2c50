// Search-intent refinement inside the engine (issue 5): a search with clicks is refined on
// ingest, Q* survives a restart (checkpoint or log replay), the feed leads with it, the
// mined table answers when configured, and /metrics-facing counters move.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "feedscout/engine/engine.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

std::string docs_jsonl() {
  std::string out;
  auto doc = [&](const char* id, const char* title, const char* body) {
    out += std::string(R"({"id":")") + id + R"(","title":")" + title + R"(","body":")" + body +
           R"(","created_at":"2026-11-19T12:00:00Z","topics":["338"]})" + "\n";
  };
  doc("a1", "에스파 일본 정규 앨범 발매", "에스파가 일본에서 첫 정규 앨범을 낸다");
  doc("a2", "에스파 일본 앨범 오리콘 1위", "오리콘 차트 정상");
  doc("f1", "에스파 공항 패션 화제", "카리나 공항 패션");
  for (int i = 0; i < 12; ++i) {
    const std::string id = "x" + std::to_string(i);
    out += R"({"id":")" + id + R"(","title":"야구 경기 결과 )" + std::to_string(i) +
           R"(","created_at":"2026-11-18T12:00:00Z","topics":["545"]})" + "\n";
  }
  return out;
}

const char* kSearch =
    R"({"id":"s1","type":"search","user":"u","time":"2026-11-20T11:00:00Z","query":"에스파","clicked":["a1"]})";

class SearchRefinementEngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> open(const EngineConfig& c) {
    auto r = Engine::open(c, [] { return kNow; });
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : nullptr;
  }
  TempDir dir_{"feedscout_refine_engine"};
};

TEST_F(SearchRefinementEngineTest, RefinedOnIngestServedAndKeptAcrossRestart) {
  EngineConfig c = engine_config(dir_.file("data"));
  std::string refined;
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
    ASSERT_EQ(e->ingest_events(kSearch).accepted, 1u);
    const ContextView v = e->context("u");
    ASSERT_EQ(v.recent_searches.size(), 1u);
    refined = v.recent_searches[0].refined;
    // Q first, then words of the clicked document that are not Q.
    EXPECT_EQ(refined.rfind("에스파 ", 0), 0u) << refined;
    EXPECT_NE(refined.find("정규"), std::string::npos) << refined;
    EXPECT_EQ(v.recent_searches[0].refined_by, intent::RefinementSource::kExtractive);
    EXPECT_EQ(e->stats().searches_refined, 1u);
    const FeedPage p = e->feed("u", 5);
    ASSERT_FALSE(p.items.empty());
    EXPECT_EQ(p.items[0].doc_id, "a2");
    EXPECT_EQ(p.items[0].reason, "최근 찾아본 '" + refined + "' 콘텐츠");
  }
  // No checkpoint was forced: the event log replays and refines again, identically.
  auto e = open(c);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->context("u").recent_searches.at(0).refined, refined);
}

TEST_F(SearchRefinementEngineTest, SuggestionsComeFromEveryUsersRefinementsAndSurviveRestart) {
  EngineConfig c = engine_config(dir_.file("data"));
  const char* events =
      R"({"id":"s1","type":"search","user":"u1","time":"2026-11-20T10:00:00Z","query":"에스파","clicked":["a1"]})"
      "\n"
      R"({"id":"s2","type":"search","user":"u2","time":"2026-11-20T10:30:00Z","query":"에스파","clicked":["a1"]})"
      "\n"
      R"({"id":"s3","type":"search","user":"u3","time":"2026-11-20T11:00:00Z","query":"에스파","clicked":["f1"]})"
      "\n"
      R"({"id":"s4","type":"search","user":"u4","time":"2026-11-20T11:10:00Z","query":"야구","clicked":["x1"]})"
      "\n";
  std::vector<Suggestion> before;
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
    ASSERT_EQ(e->ingest_events(events).accepted, 4u);
    const std::string album = e->context("u1").recent_searches.at(0).refined;
    const std::string fashion = e->context("u3").recent_searches.at(0).refined;
    ASSERT_NE(album, fashion);
    before = e->suggest("에스파", 10);
    ASSERT_EQ(before.size(), 2u);
    // Two users' album refinement outranks one user's fashion refinement.
    EXPECT_EQ(before[0].query, album);
    EXPECT_EQ(before[1].query, fashion);
    EXPECT_GT(before[0].score, before[1].score);
    EXPECT_EQ(e->suggest("에스파", 1).size(), 1u);
    EXPECT_TRUE(e->suggest("축구", 10).empty());
  }
  // After a restart (checkpoint at close, or log replay) the same suggestions are served, in the
  // same order.
  auto e = open(c);
  ASSERT_NE(e, nullptr);
  const std::vector<Suggestion> after = e->suggest("에스파", 10);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].query, before[i].query);
}

TEST_F(SearchRefinementEngineTest, MinedTableAnswersWhenConfiguredAndNoneTurnsItOff) {
  const std::string table = dir_.file("pairs.jsonl");
  {
    std::ofstream out(table);
    out << R"({"query":"에스파","doc":"a1","refined":"에스파 일본 앨범"})"
        << "\n";
  }
  EngineConfig c = engine_config(dir_.file("mined"));
  c.intent.refiner = "mined";
  c.intent.mined_table = table;
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
    ASSERT_EQ(e->ingest_events(kSearch).accepted, 1u);
    EXPECT_EQ(e->context("u").recent_searches.at(0).refined, "에스파 일본 앨범");
    EXPECT_EQ(e->stats().searches_refined_mined, 1u);
  }
  EngineConfig off = engine_config(dir_.file("off"));
  off.intent.refiner = "none";
  auto e = open(off);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
  ASSERT_EQ(e->ingest_events(kSearch).accepted, 1u);
  EXPECT_EQ(e->context("u").recent_searches.at(0).refined, "");
  EXPECT_EQ(e->feed("u", 5).items.at(0).reason, "최근 찾아본 '에스파' 콘텐츠");
  // A missing table is an error at open, naming the key.
  EngineConfig bad = engine_config(dir_.file("bad"));
  bad.intent.refiner = "mined";
  bad.intent.mined_table = dir_.file("missing.jsonl");
  auto r = Engine::open(bad, [] { return kNow; });
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().to_string().find("intent.mined_table"), std::string::npos);
}

TEST_F(SearchRefinementEngineTest, UnknownDocumentsAreErrorsAndWordlessQueriesStayUnrefined) {
  auto e = open(engine_config(dir_.file("data")));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
  const char* events =
      R"({"id":"s2","type":"search","user":"v","time":"2026-11-20T11:00:00Z","query":"에스파","clicked":["nope"]})"
      "\n"
      R"({"id":"s3","type":"search","user":"w","time":"2026-11-20T11:00:00Z","query":"?!","clicked":["a1"]})"
      "\n";
  const IngestReport r = e->ingest_events(events);
  // The unknown document is an error naming it (the engine does not guess); the wordless
  // query is accepted and kept as typed, without Q*.
  EXPECT_EQ(r.accepted, 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("'nope'"), std::string::npos);
  EXPECT_EQ(e->context("w").recent_searches.at(0).refined, "");
  EXPECT_EQ(e->context("w").recent_searches.at(0).query, "?!");
  EXPECT_EQ(e->stats().searches_refined, 0u);
}

}  // namespace
}  // namespace feedscout
