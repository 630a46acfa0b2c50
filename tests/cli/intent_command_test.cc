// `feedscout mine-intents` as a user runs it: on a small engine-events fixture (pairs, the
// report, bad rows named by file:line), on a SogouQ-format fixture, on the real SogouQ sample
// when ../shared is present, and with a missing input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

std::string search(int n, const std::string& query, const std::string& clicked) {
  return "{\"id\":\"e" + std::to_string(n) +
         "\",\"type\":\"search\",\"user\":\"u1\",\"time\":\"2026-11-23T10:00:00Z\",\"query\":\"" +
         query + "\",\"clicked\":[" + clicked + "]}\n";
}

TEST(IntentCommand, MinesEngineEventsAndNamesBadRows) {
  const feedscout::testing_support::TempDir dir("feedscout_intent_cli");
  {
    std::ofstream out(dir.file("events.jsonl"), std::ios::binary);
    out << search(1, "에스파", "\"d1\"")            // line 1
        << search(2, "에스파 일본 앨범", "\"d1\"")  // line 2
        << search(3, "에스파", "\"d1\", \"d2\"")    // line 3
        << "{broken\n"                              // line 4
        << search(5, "😀", "\"d1\"")                 // line 5
        << search(6, "北京大学", "\"d3\"")          // line 6
        << search(7, "大学", "\"d3\"")              // line 7
        << "{\"id\":\"e8\",\"type\":\"impression\",\"user\":\"u1\",\"time\":"
           "\"2026-11-23T10:00:00Z\",\"surface\":\"feed\",\"docs\":[\"d1\"]}\n";  // line 8
  }
  const RunResult r = run(std::string(FEEDSCOUT_BINARY) + " mine-intents --format events --input " +
                          dir.file("events.jsonl") + " --out " + dir.file("pairs.jsonl") +
                          " --report " + dir.file("report.md") + " --top-patterns 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "lines read: 8")) << r.output;
  EXPECT_TRUE(contains(r.output, "distinct (Q, D) pairs: 5")) << r.output;
  EXPECT_TRUE(contains(r.output, "documents: 3")) << r.output;
  EXPECT_TRUE(contains(r.output, "pairs with Q* != Q: 2")) << r.output;
  EXPECT_TRUE(contains(r.output, "broken JSON: 1 (first " + dir.file("events.jsonl") + ":4)"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "(first " + dir.file("events.jsonl") + ":5)")) << r.output;

  const std::vector<std::string> pairs = lines_of(dir.file("pairs.jsonl"));
  ASSERT_EQ(pairs.size(), 5u);
  const std::string all = slurp(dir.file("pairs.jsonl"));
  EXPECT_TRUE(contains(
      all, R"({"query":"에스파","doc":"d1","refined":"에스파 일본 앨범","query_clicks":2,)"))
      << all;
  EXPECT_TRUE(contains(all, R"({"query":"大学","doc":"d3","refined":"北京大学")")) << all;

  const std::string md = slurp(dir.file("report.md"));
  EXPECT_TRUE(contains(md, "| distinct (Q, D) pairs | 5 |")) << md;
  EXPECT_TRUE(contains(md, "| 에스파 | `d1` | 에스파 일본 앨범 | 2 / 1 | 일본 앨범 |")) << md;
  EXPECT_TRUE(contains(md, "| broken JSON | 1 | `" + dir.file("events.jsonl") + ":4` |")) << md;
  EXPECT_TRUE(contains(md, "| not a search event | 1 |")) << md;
  EXPECT_TRUE(contains(md, "| 1 | 北京 | 1 |")) << md;  // added text, by pairs then text
}

TEST(IntentCommand, SogouQFormatAndOnlyRefined) {
  const feedscout::testing_support::TempDir dir("feedscout_intent_cli");
  {
    std::ofstream out(dir.file("sogou.txt"), std::ios::binary);
    out << "00:00:01\tu1\t[电影]\t1 1\twww.51dy.com/\n"
        << "00:00:02\tu2\t[免费电影]\t1 1\twww.51dy.com/\n"
        << "00:00:03\tu3\t[电影]\t2 1\twww.51dy.com/\n"
        << "00:00:04\tu3\tbroken row\n"
        << "00:00:05\tu4\t[百度]\t1 1\twww.baidu.com/\n";
  }
  const RunResult r =
      run(std::string(FEEDSCOUT_BINARY) + " mine-intents --format sogouq --input " +
          dir.file("sogou.txt") + " --out " + dir.file("pairs.jsonl") + " --only-refined");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "wrong field count (expected 5 tab-separated fields): 1 (first " +
                                     dir.file("sogou.txt") + ":4)"))
      << r.output;
  const std::vector<std::string> pairs = lines_of(dir.file("pairs.jsonl"));
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_TRUE(contains(pairs[0], R"("query":"电影","doc":"www.51dy.com/","refined":"免费电影")"))
      << pairs[0];
  EXPECT_TRUE(contains(pairs[0], R"("added_text":["免费"])")) << pairs[0];
}

TEST(IntentCommand, RealSogouQSample) {
  const std::string sample =
      std::string(FEEDSCOUT_SOURCE_DIR) + "/../shared/datasets/sogouq/SogouQ.sample";
  if (!std::filesystem::exists(sample)) GTEST_SKIP() << sample << " is not present";
  const feedscout::testing_support::TempDir dir("feedscout_intent_cli");
  const RunResult r =
      run(std::string(FEEDSCOUT_BINARY) + " mine-intents --format sogouq --input " + sample +
          " --out " + dir.file("pairs.jsonl") + " --report " + dir.file("report.md"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "lines read: 10000")) << r.output;
  const std::vector<std::string> pairs = lines_of(dir.file("pairs.jsonl"));
  EXPECT_GT(pairs.size(), 5000u);
  size_t refined = 0;
  for (const std::string& p : pairs) refined += !contains(p, R"("candidates":0,)");
  EXPECT_GT(refined, 10u);
  EXPECT_TRUE(contains(slurp(dir.file("report.md")), "## Pattern bias"));
}

TEST(IntentCommand, MissingInputFailsNamingIt) {
  const feedscout::testing_support::TempDir dir("feedscout_intent_cli");
  const RunResult r = run(std::string(FEEDSCOUT_BINARY) + " mine-intents --format sogouq --input " +
                          dir.file("nope.txt") + " --out " + dir.file("pairs.jsonl"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, dir.file("nope.txt"))) << r.output;
}

}  // namespace
