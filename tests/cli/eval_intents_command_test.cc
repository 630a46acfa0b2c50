// `feedscout eval-intents` as a user runs it, on a tiny hand-made SogouQ-format log written
// to a temporary directory: the summary, report.md (surrogate documents, the language-model
// row not run), pairs.jsonl without leakage of test-only pairs into the mined lookup, the
// query-only baseline, and missing files named in the error.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "llm/test_llm_server.h"
#include "support/test_support.h"

namespace {

using RunResult = feedscout::testing_support::CommandResult;
RunResult run(const std::string& command) {
  return feedscout::testing_support::run_command(command);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// TRAIN = the first 5 rows by time, TEST = the last 5 (holdout 0.5).
void write_log(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  auto row = [&](const char* time, const char* query, const char* url) {
    out << time << "\tu1\t[" << query << "]\t1 1\t" << url << "\n";
  };
  row("00:00:01", "哄抢救灾物资", "d1");
  row("00:00:02", "哄抢救灾物资照片", "d1");
  row("00:00:03", "에스파", "d2");
  row("00:00:04", "에스파 일본 앨범", "d2");
  row("00:00:05", "에스파", "d2");
  out << "broken\trow\n";
  row("00:00:06", "哄抢救灾物资", "d1");  // seen in train, gold 哄抢救灾物资照片
  row("00:00:07", "汶川地震", "d3");      // only in test
  row("00:00:08", "汶川地震原因", "d3");  // only in test: refines (汶川地震, d3)
  row("00:00:09", "에스파", "d2");        // seen in train, gold 에스파 일본 앨범
  row("00:00:10", "뉴진스", "d4");        // gold = Q
}

std::string binary() {
  return FEEDSCOUT_BINARY;
}

TEST(EvalIntentsCommand, SogouqRunWritesReportAndPairsWithoutLeakage) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_intents_cli");
  write_log(dir.file("log.txt"));
  const std::string out = dir.file("out");
  const RunResult r = run(binary() + " eval-intents --format sogouq --input " +
                          dir.file("log.txt") + " --holdout 0.5 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "train 5, test 5")) << r.output;
  EXPECT_TRUE(contains(r.output, "skipped bad rows: 1")) << r.output;
  EXPECT_TRUE(contains(r.output, "held-out pairs: 5, with gold Q* != Q: 3")) << r.output;
  EXPECT_TRUE(contains(r.output, "language model: not run")) << r.output;

  const std::string report = slurp(out + "/report.md");
  EXPECT_TRUE(contains(report, "query-click surrogate documents")) << report;
  EXPECT_TRUE(contains(report, "| language model | not run |")) << report;
  EXPECT_TRUE(contains(report, "wrong field count")) << report;  // the broken row, by reason
  EXPECT_TRUE(contains(report, "log.txt:6")) << report;          // … and its line
  EXPECT_TRUE(contains(report, "feedscout eval-intents --format sogouq")) << report;

  std::ifstream pairs(out + "/pairs.jsonl");
  std::string line;
  size_t n = 0;
  bool saw_test_only = false;
  while (std::getline(pairs, line)) {
    ++n;
    const auto j = nlohmann::json::parse(line);
    const std::string q = j["query"], gold = j["gold"];
    const auto& answers = j["answers"];
    // The query-only baseline answers Q, so it is exact exactly where gold Q* == Q.
    EXPECT_EQ(answers["query only (Q* = Q)"], q);
    if (q == "汶川地震") {
      saw_test_only = true;
      EXPECT_EQ(gold, "汶川地震原因");  // mined on the full log
      EXPECT_FALSE(j["seen_in_train"].get<bool>());
      EXPECT_EQ(answers["mined lookup (train)"], "汶川地震");  // not found: no leakage
    }
    if (q == "哄抢救灾物资") {
      EXPECT_EQ(answers["mined lookup (train)"], "哄抢救灾物资照片");
    }
  }
  EXPECT_EQ(n, 5u);
  EXPECT_TRUE(saw_test_only);
  // Exact match of the baseline = pairs with gold == Q: 2 of 5.
  EXPECT_TRUE(contains(report, "| query only (Q* = Q) | 0.4000 |")) << report;
  EXPECT_TRUE(contains(slurp(out + "/train_mined.jsonl"), "哄抢救灾物资照片"));
}

TEST(EvalIntentsCommand, MissingFilesAreNamed) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_intents_cli");
  const RunResult no_log = run(binary() + " eval-intents --format sogouq --input " +
                               dir.file("absent.log") + " --out " + dir.file("out"));
  EXPECT_EQ(no_log.exit_code, 1) << no_log.output;
  EXPECT_TRUE(contains(no_log.output, dir.file("absent.log"))) << no_log.output;

  write_log(dir.file("log.txt"));
  const RunResult no_docs =
      run(binary() + " eval-intents --format sogouq --input " + dir.file("log.txt") +
          " --documents " + dir.file("absent.jsonl") + " --out " + dir.file("out"));
  EXPECT_EQ(no_docs.exit_code, 1) << no_docs.output;
  EXPECT_TRUE(contains(no_docs.output, dir.file("absent.jsonl"))) << no_docs.output;
}

TEST(EvalIntentsCommand, WithoutLlmConfigTheLanguageModelRowIsNotRunAndABadOneIsAnError) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_intents_cli");
  write_log(dir.file("log.txt"));
  const RunResult r = run(binary() + " eval-intents --format sogouq --input " +
                          dir.file("log.txt") + " --holdout 0.5 --out " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "language model: not run")) << r.output;
  EXPECT_TRUE(contains(slurp(dir.file("out") + "/report.md"), "no --llm-config given"));
  const RunResult bad =
      run(binary() + " eval-intents --format sogouq --input " + dir.file("log.txt") +
          " --holdout 0.5 --llm-config " + dir.file("llm.toml") + " --out " + dir.file("out2"));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_TRUE(contains(bad.output, dir.file("llm.toml"))) << bad.output;
}

// The language-model row against the in-process test server (no real model runs here): the
// fake model answers each query unchanged, so the row must score exactly like query-only.
TEST(EvalIntentsCommand, LanguageModelRowRunsThroughTheClient) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_intents_cli_lm");
  write_log(dir.file("log.txt"));
  std::atomic<int> hits{0};
  feedscout::llm::testing::TestLlmServer server([&hits](httplib::Server& s) {
    s.Post("/v1/chat/completions", [&hits](const httplib::Request& req, httplib::Response& res) {
      ++hits;
      const auto body = nlohmann::json::parse(req.body);
      const std::string prompt = body["messages"][0]["content"];
      const std::string marker = "검색어: ";
      const size_t at = prompt.rfind(marker);
      const size_t end = prompt.find('\n', at);
      const std::string query = prompt.substr(at + marker.size(), end - at - marker.size());
      const nlohmann::json content = {{"refined", query}};
      res.set_content(
          nlohmann::json{
              {"choices", nlohmann::json::array(
                              {{{"index", 0},
                                {"message", {{"role", "assistant"}, {"content", content.dump()}}},
                                {"finish_reason", "stop"}}})}}
              .dump(),
          "application/json");
    });
  });
  {
    std::ofstream toml(dir.file("llm.toml"));
    toml << "[intent]\nllm = true\nllm_base_url = \"" << server.url() << "\"\nllm_prompt = \""
         << FEEDSCOUT_SOURCE_DIR << "/data/prompts/refine.txt\"\n";
  }
  const RunResult r =
      run(binary() + " eval-intents --format sogouq --input " + dir.file("log.txt") +
          " --holdout 0.5 --llm-config " + dir.file("llm.toml") + " --out " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(contains(r.output, "language model: not run")) << r.output;
  EXPECT_GT(hits.load(), 0);
  // Each pair's language-model answer equals its query-only answer.
  std::ifstream pairs(dir.file("out") + "/pairs.jsonl");
  std::string line;
  size_t n = 0;
  while (std::getline(pairs, line)) {
    const auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.contains("answers")) << line;
    const auto& a = j["answers"];
    ASSERT_TRUE(a.contains("language model")) << line;
    EXPECT_EQ(a["language model"], a["query only (Q* = Q)"]) << line;
    ++n;
  }
  EXPECT_GT(n, 0u);
}

}  // namespace
