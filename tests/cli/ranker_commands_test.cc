// `feedscout train-ranker` and `feedscout distill judge-ranking` as a user runs them: the
// real binary on a data directory whose feature log holds served pages and later clicks.
// No language-model server runs here: the teacher is the in-process test server
// (tests/llm/test_llm_server.h), scripted to prefer soccer; the client under test is real.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "feedscout/engine/engine.h"
#include "feedscout/models/gbdt_ranker.h"
#include "feedscout/serve/ranking_features.h"
#include "llm/test_llm_server.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using feedscout::llm::testing::TestLlmServer;
using nlohmann::json;
using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kStart = 1795176000000;  // 2026-11-20T12:00:00Z

using RunResult = testing_support::CommandResult;
RunResult run(const std::string& command) {
  return feedscout::testing_support::run_command(command);
}

std::string click(const std::string& id, const std::string& user, const std::string& doc,
                  TimeMs t) {
  return R"({"id":")" + id + R"(","user":")" + user + R"(","type":"click","time":")" +
         format_rfc3339(t) + R"(","surface":"feed","docs":[")" + doc + R"("]})" + "\n";
}

// A data directory where 30 users were served pages for 6 rounds, each time clicking the
// first soccer item served (s*) an hour later.
class RankerCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::atomic<TimeMs> now{kStart};
    EngineConfig c = engine_config(dir_.file("data"));
    c.collaborative.retrain_interval_s = 0;
    auto engine = Engine::open(c, [&now] { return now.load(); });
    ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
    std::string docs;
    for (int i = 0; i < 40; ++i) {
      const std::string n = std::to_string(i);
      docs += R"({"id":"s)" + n + R"(","title":"축구 소식 )" + n + R"(","created_at":")" +
              format_rfc3339(kStart - (i + 1) * kMsPerHour) + R"(","topics":["533"]})" + "\n";
      docs += R"({"id":"b)" + n + R"(","title":"야구 소식 )" + n + R"(","created_at":")" +
              format_rfc3339(kStart - (i + 1) * kMsPerHour) + R"(","topics":["545"]})" + "\n";
    }
    ASSERT_EQ((*engine)->ingest_documents(docs).accepted, 80u);
    int id = 0;
    for (int round = 0; round < 6; ++round) {
      for (int u = 0; u < 30; ++u) {
        const std::string user = "u" + std::to_string(u);
        const FeedPage page = (*engine)->feed(user, 10, /*remember_served=*/true);
        for (const FeedEntry& e : page.items) {
          if (e.doc_id[0] != 's') continue;
          ASSERT_EQ((*engine)
                        ->ingest_events(click("c" + std::to_string(id++), user, e.doc_id,
                                              now.load() + kMsPerHour))
                        .accepted,
                    1u);
          break;
        }
      }
      now += 2 * kMsPerHour;
    }
  }

  std::string binary() const { return FEEDSCOUT_BINARY; }
  TempDir dir_{"feedscout_ranker_commands"};
};

TEST_F(RankerCommandsTest, TrainRankerFromTheFeatureLogWritesAModelTheEngineLoads) {
  const std::string model = dir_.file("ranker.model");
  const RunResult r = run(binary() + " train-ranker --data-dir " + dir_.file("data") + " --out " +
                          model + " --window-h 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pages"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| learned ranker |"), std::string::npos) << r.output;
  std::ifstream report(model + ".md");
  EXPECT_TRUE(report.good());
  auto loaded = GbdtRanker::load(model, home_feature_schema());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
}

TEST_F(RankerCommandsTest, TrainRankerExplainsWhatIsMissing) {
  RunResult r = run(binary() + " train-ranker --out " + dir_.file("m"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--data-dir"), std::string::npos) << r.output;
  r = run(binary() + " train-ranker --data-dir " + dir_.file("nowhere") + " --out " +
          dir_.file("m"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not found"), std::string::npos) << r.output;
}

TEST_F(RankerCommandsTest, JudgeRankingThenTrainingWithTheJudgements) {
  std::atomic<int> calls{0};
  TestLlmServer server([&](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
      ++calls;
      const json body = json::parse(req.body, nullptr, false);
      const std::string prompt = body["messages"][0].value("content", "");
      // Every soccer candidate, in the order listed; the rest left out (hard negatives).
      json order = json::array();
      std::istringstream lines(prompt);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.size() > 3 && line[0] == '[' && line.find("축구") != std::string::npos) {
          order.push_back(std::stoi(line.substr(1)));
        }
      }
      order.push_back(999);  // an unknown number: skipped and counted
      const std::string answer = "```json\n" + json{{"order", order}}.dump() + "\n```";
      res.set_content(
          json{{"choices", json::array({{{"index", 0},
                                         {"message", {{"role", "assistant"}, {"content", answer}}},
                                         {"finish_reason", "stop"}}})}}
              .dump(),
          "application/json");
    });
  });
  const std::string llm_config = dir_.file("teacher.toml");
  std::ofstream(llm_config) << "[classifier]\nllm_base_url = \"" << server.url()
                            << "\"\nllm_model = \"teacher\"\nllm_dialect = \"openai\"\n"
                            << "llm_max_retries = 0\nllm_connect_timeout_ms = 500\n";
  const std::string judged = dir_.file("judgements.jsonl");
  RunResult r = run(binary() + " distill judge-ranking --data-dir " + dir_.file("data") +
                    " --llm-config " + llm_config + " --users 10 --out " + judged);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(calls.load(), 10);
  EXPECT_NE(r.output.find("10 judged"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("10 unknown"), std::string::npos) << r.output;
  std::ifstream in(judged);
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << "line " << lines + 1 << ": '" << line << "'\n" << r.output;
    EXPECT_FALSE(j["order"].empty());
    ++lines;
  }
  EXPECT_EQ(lines, 10u);

  const std::string model = dir_.file("judged.model");
  r = run(binary() + " train-ranker --data-dir " + dir_.file("data") + " --window-h 2 --out " +
          model + " --judgements " + judged + " --judgement-weight 0.5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("judged groups (teacher) trained on"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(" 0 judged groups"), std::string::npos) << r.output;

  // A teacher that is down: every user fails, nothing is written, the exit code says so.
  server.stop();
  r = run(binary() + " distill judge-ranking --data-dir " + dir_.file("data") + " --llm-config " +
          llm_config + " --users 2 --out " + dir_.file("none.jsonl"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("first failure"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace feedscout
