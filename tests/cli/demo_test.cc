// The README's main job, end to end: `feedscout demo` with FEEDSCOUT_DEMO_SERVE=0 runs the
// whole pipeline on the shipped sample and prints the three-user report with reasons.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/test_support.h"

namespace {

using RunResult = feedscout::testing_support::CommandResult;
RunResult run(const std::string& command) {
  return feedscout::testing_support::run_command(command);
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t c = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++c;
  }
  return c;
}

TEST(DemoTest, MainJobPrintsContextsAndFeedsWithReasons) {
  const feedscout::testing_support::TempDir dir("feedscout_demo");
  const RunResult r = run("cd " FEEDSCOUT_SOURCE_DIR " && FEEDSCOUT_DEMO_SERVE=0 " FEEDSCOUT_BINARY
                          " demo --data-dir " +
                          dir.file("data"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Every pipeline ran.
  EXPECT_NE(r.output.find("[taxonomy]"), std::string::npos);
  EXPECT_NE(r.output.find("[train-topics]"), std::string::npos);
  EXPECT_NE(r.output.find("[simulate] 600 users"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0 rejected"), std::string::npos);
  EXPECT_NE(r.output.find("0 accepted, 20"), std::string::npos) << "re-ingest must be duplicates";
  // Three users: light, heavy, cold, each with a top-10 feed.
  EXPECT_NE(r.output.find("class light"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("class heavy"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("class cold"), std::string::npos) << r.output;
  EXPECT_EQ(count(r.output, "↳ "), 30u) << r.output;
  // The three kinds of reason appear; the light user's feed leads with AfterSearch.
  EXPECT_NE(r.output.find("최근 찾아본 '"), std::string::npos);
  EXPECT_NE(r.output.find("관심 주제 '"), std::string::npos);
  EXPECT_GE(count(r.output, "지금 인기 있는 콘텐츠"), 10u);  // all of the cold user's feed
  const size_t light = r.output.find("class light");
  const size_t first_reason = r.output.find("↳ ", light);
  EXPECT_EQ(r.output.compare(first_reason + std::string("↳ ").size(),
                             std::string("최근 찾아본").size(), "최근 찾아본"),
            0)
      << r.output.substr(light, 2000);
}

}  // namespace
