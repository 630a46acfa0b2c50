// Interest keywords inside the engine (issue 5, the fourth context): searches and clicks
// ingested through Engine give keywords in Engine::context, lasting vs errand across days,
// kept across a restart (checkpoint and log replay); the [keywords] config keys.
#include <gtest/gtest.h>

#include "feedscout/engine/config.h"
#include "feedscout/engine/engine.h"
#include "feedscout/server/server_config.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

std::string docs_jsonl() {
  std::string out;
  auto doc = [&](const std::string& id, const std::string& title, const std::string& body) {
    out += R"({"id":")" + id + R"(","title":")" + title + R"(","body":")" + body +
           R"(","created_at":"2026-11-10T12:00:00Z","topics":["338"]})" + "\n";
  };
  doc("a1", "에스파 일본 정규 앨범 발매", "에스파가 일본에서 첫 정규 앨범을 낸다");
  doc("a2", "에스파 일본 앨범 오리콘 1위", "오리콘 차트 정상");
  doc("v1", "볼리비아 비자 발급 방법", "볼리비아 비자는 대사관에서 받는다");
  for (int i = 0; i < 12; ++i) {
    doc("x" + std::to_string(i), "야구 경기 결과 " + std::to_string(i), "경기 결과 요약");
  }
  return out;
}

const KeywordScore* find(const ContextView& v, std::string_view text) {
  for (const KeywordScore& k : v.keywords) {
    if (k.text == text) return &k;
  }
  return nullptr;
}

class KeywordEngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> open(const EngineConfig& c) {
    auto r = Engine::open(c, [] { return kNow; });
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : nullptr;
  }
  TempDir dir_{"feedscout_keyword_engine"};
};

constexpr char kEvents[] =
    // Day 1: search "에스파", click a1; a feed click on a2 the next day.
    R"({"id":"s1","type":"search","user":"u","time":"2026-11-18T11:00:00Z","query":"에스파","clicked":["a1"]})"
    "\n"
    R"({"id":"c1","type":"click","user":"u","surface":"feed","time":"2026-11-19T09:00:00Z","docs":["a2"]})"
    "\n"
    // A burst of "볼리비아 비자" searches within minutes today: an errand.
    R"({"id":"s2","type":"search","user":"u","time":"2026-11-20T10:00:00Z","query":"볼리비아 비자","clicked":["v1"]})"
    "\n"
    R"({"id":"s3","type":"search","user":"u","time":"2026-11-20T10:05:00Z","query":"볼리비아 비자"})"
    "\n"
    // Impressions say nothing about interests.
    R"({"id":"i1","type":"impression","user":"u","surface":"feed","time":"2026-11-20T10:06:00Z","docs":["x1","x2"]})"
    "\n";

TEST_F(KeywordEngineTest, SearchesAndClicksGiveKeywordsInTheContext) {
  EngineConfig c = engine_config(dir_.file("data"));
  auto e = open(c);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
  const IngestReport r = e->ingest_events(kEvents);
  ASSERT_EQ(r.accepted, 5u) << (r.errors.empty() ? "" : r.errors[0].message);
  const ContextView v = e->context("u");
  ASSERT_FALSE(v.keywords.empty());
  const KeywordScore* aespa = find(v, "에스파");
  ASSERT_NE(aespa, nullptr);
  EXPECT_TRUE(aespa->lasting);  // two days, two surfaces
  EXPECT_EQ(aespa->days, 2u);
  EXPECT_EQ(aespa->surfaces,
            (1u << static_cast<int>(Surface::kSearch)) | (1u << static_cast<int>(Surface::kFeed)));
  ASSERT_NE(find(v, "일본"), nullptr);
  ASSERT_NE(find(v, "앨범"), nullptr);
  EXPECT_TRUE(find(v, "일본")->lasting);
  const KeywordScore* visa = find(v, "비자");
  ASSERT_NE(visa, nullptr);
  EXPECT_FALSE(visa->lasting);                   // one day, one surface
  EXPECT_NE(find(v, "볼리비아 비자"), nullptr);  // query and title agree: an entity
  EXPECT_EQ(find(v, "볼리비아 비자")->kind, intent::KeywordKind::kEntity);
  // Nothing from the impression.
  EXPECT_EQ(find(v, "야구"), nullptr);
  // Highest weight first.
  for (size_t i = 1; i < v.keywords.size(); ++i) {
    EXPECT_GE(v.keywords[i - 1].weight, v.keywords[i].weight);
  }
  // An unknown user has none.
  EXPECT_TRUE(e->context("nobody").keywords.empty());
}

TEST_F(KeywordEngineTest, KeywordsSurviveRestartAndReplayTheSame) {
  EngineConfig c = engine_config(dir_.file("data"));
  ContextView before;
  {
    auto e = open(c);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
    ASSERT_EQ(e->ingest_events(kEvents).accepted, 5u);
    before = e->context("u");
  }
  auto e = open(c);
  ASSERT_NE(e, nullptr);
  const ContextView after = e->context("u");
  ASSERT_EQ(after.keywords.size(), before.keywords.size());
  for (size_t i = 0; i < before.keywords.size(); ++i) {
    EXPECT_EQ(after.keywords[i].text, before.keywords[i].text);
    EXPECT_NEAR(after.keywords[i].weight, before.keywords[i].weight, 1e-9);
    EXPECT_EQ(after.keywords[i].lasting, before.keywords[i].lasting);
  }
}

TEST_F(KeywordEngineTest, ExtractorNoneKeepsNoKeywords) {
  EngineConfig c = engine_config(dir_.file("data"));
  c.keywords.extractor = "none";
  auto e = open(c);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->ingest_documents(docs_jsonl()).accepted, 15u);
  ASSERT_EQ(e->ingest_events(kEvents).accepted, 5u);
  EXPECT_TRUE(e->context("u").keywords.empty());
  EXPECT_FALSE(e->context("u").recent_searches.empty());
}

TEST(KeywordConfigTest, KeysAreReadAndValidated) {
  auto c = parse_config(R"(
[keywords]
extractor = "statistical"
max_per_event = 5
max_per_user = 32
lasting_min_days = 3
lasting_min_surfaces = 4
lasting_half_life_days = 60.0
errand_half_life_days = 1.0
)",
                        "test.toml");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->engine.keywords.options.max_keywords, 5u);
  EXPECT_EQ(c->engine.context.keywords.max_per_user, 32u);
  EXPECT_EQ(c->engine.context.keywords.lasting_min_days, 3u);
  EXPECT_EQ(c->engine.context.keywords.lasting_min_surfaces, 4u);
  EXPECT_DOUBLE_EQ(c->engine.context.keywords.lasting_half_life_s, 60 * 86400.0);
  EXPECT_DOUBLE_EQ(c->engine.context.keywords.errand_half_life_s, 86400.0);
  for (const char* bad :
       {"[keywords]\nextractor = \"llm\"\n", "[keywords]\nmax_per_event = 0\n",
        "[keywords]\nmax_per_user = 0\n", "[keywords]\nlasting_min_days = 0\n",
        "[keywords]\nerrand_half_life_days = 0.0\n", "[keywords]\ntitle_weight = 2.0\n",
        "[keywords]\nmax_entity_words = 9\n", "[keywords]\nunknown = 1\n"}) {
    EXPECT_EQ(parse_config(bad, "test.toml").status().code(), Status::Code::kInvalidArgument)
        << bad;
  }
  // The shipped config parses and keeps the defaults.
  auto shipped = load_config_file(FEEDSCOUT_SOURCE_DIR "/config/feedscout.toml");
  ASSERT_TRUE(shipped.is_ok()) << shipped.status().to_string();
  EXPECT_EQ(shipped->engine.keywords.extractor, "statistical");
  EXPECT_EQ(shipped->engine.context.keywords.max_per_user, KeywordContextConfig{}.max_per_user);
}

}  // namespace
}  // namespace feedscout
