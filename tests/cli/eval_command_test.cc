// `feedscout eval-rec` as a user runs it: a quick run writes the report and charts, and a
// missing dataset file is a clear error naming the file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/test_support.h"

namespace {

using RunResult = feedscout::testing_support::CommandResult;
RunResult run(const std::string& command) {
  return feedscout::testing_support::run_command(command);
}

TEST(EvalCommand, QuickSimulatedRunWritesReportAndCharts) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_cli");
  const RunResult r = run("cd " FEEDSCOUT_SOURCE_DIR " && " FEEDSCOUT_BINARY
                          " eval-rec --dataset simulated --sim-users 30 --no-tune --out " +
                          dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir.file("out") + "/report.md"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("out") + "/metrics.png"));
  EXPECT_NE(r.output.find("| engine tier-1 |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--sim-users 30"), std::string::npos) << "the report names the command";
}

TEST(EvalCommand, MissingOrBrokenDatasetFilesAreNamed) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_cli");
  RunResult r = run(std::string(FEEDSCOUT_BINARY) + " eval-rec --dataset movielens --path " +
                    dir.file("nowhere") + " --out " + dir.file("out"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(dir.file("nowhere")), std::string::npos) << r.output;

  std::ofstream(dir.file("movies.csv")) << "movieId,title,genres\n1,A (1990),Action\n";
  std::ofstream(dir.file("ratings.csv")) << "user,item,stars,when\n1,1,5.0,100\n";
  r = run(std::string(FEEDSCOUT_BINARY) + " eval-rec --dataset movielens --path " +
          dir.path().string() + " --out " + dir.file("out"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("ratings.csv:1"), std::string::npos) << r.output;

  r = run(std::string(FEEDSCOUT_BINARY) + " eval-rec --dataset nosuch");
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
