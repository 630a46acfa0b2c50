// The evaluation suites end to end on tiny fixtures: every method and applicable ablation is
// in the report, the charts are real PNG files, the tuned engine is chosen on validation,
// and bad options are clear errors.
#include "feedscout/eval/suite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

constexpr char kMovies[] =
    "movieId,title,genres\n"
    "1,A (1990),Action\n2,B (1990),Action\n3,C (1990),Action\n4,D (1990),Comedy\n"
    "5,E (1990),Comedy\n6,F (1990),Comedy\n7,G (1990),Drama\n8,H (1990),Drama\n";
constexpr char kRatings[] =
    "userId,movieId,rating,timestamp\n"
    "1,1,5.0,100\n1,2,5.0,200\n1,4,2.0,300\n1,3,5.0,400\n1,7,4.0,500\n"
    "2,4,5.0,110\n2,5,5.0,210\n2,1,2.0,310\n2,6,5.0,410\n2,8,4.0,510\n"
    "3,7,5.0,120\n3,8,5.0,220\n3,1,4.0,320\n3,2,4.0,420\n3,5,4.0,520\n";

bool is_png(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char sig[8] = {};
  f.read(sig, 8);
  return f && std::string(sig, 8) == std::string("\x89PNG\r\n\x1a\n", 8) &&
         std::filesystem::file_size(path) > 1000;
}

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

TEST(EvalSuite, NextItemReportHasEveryMethodAblationAndChart) {
  TempDir dir("feedscout_suite");
  std::ofstream(dir.file("movies.csv")) << kMovies;
  std::ofstream(dir.file("ratings.csv")) << kRatings;
  auto data = load_movielens(dir.path().string());
  ASSERT_TRUE(data.is_ok()) << data.status().to_string();

  SuiteOptions options;
  options.out_dir = dir.file("out");
  options.command = "feedscout eval-rec --test";
  options.progress = false;
  auto result = run_next_item_suite(*data, options);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();

  std::vector<std::string> names;
  for (const auto& [name, value] : result->headline) {
    names.push_back(name);
    EXPECT_GE(value, 0.0);
    EXPECT_LE(value, 1.0);
  }
  // One surface and one topic level: no surface or tier ablation.
  const std::vector<std::string> expected{
      "random",        "popular",       "recent-popular",    "item-knn",         "collaborative",
      "engine",        "engine-tuned",  "tuned -popularity", "tuned -freshness", "tuned ?co-click",
      "tuned -topics", "engine+ranker", "tuned+ranker"};
  // "-co-click" when the tuned configuration has co-clicks on, "+co-click" when off.
  ASSERT_EQ(names.size(), expected.size());
  EXPECT_TRUE(names[9] == "tuned -co-click" || names[9] == "tuned +co-click") << names[9];
  names[9] = "tuned ?co-click";
  EXPECT_EQ(names, expected);
  const std::string md = read(options.out_dir + "/report.md");
  EXPECT_EQ(md, result->report_markdown);
  for (const auto& name : names) {
    if (name.find('?') == std::string::npos) {
      EXPECT_NE(md.find("| " + name + " |"), std::string::npos) << name;
    }
  }
  EXPECT_NE(md.find("feedscout eval-rec --test"), std::string::npos);
  EXPECT_NE(md.find("## Tuning on the validation split"), std::string::npos);
  EXPECT_NE(md.find("vs popular:"), std::string::npos);
  EXPECT_NE(md.find("rejected 0 documents, 0 events; 0 commit failures"), std::string::npos);
  EXPECT_TRUE(is_png(options.out_dir + "/metrics.png"));
  EXPECT_TRUE(is_png(options.out_dir + "/tuning.png"));
}

TEST(EvalSuite, NoTuneNoAblationsAndUnknownMethod) {
  TempDir dir("feedscout_suite");
  std::ofstream(dir.file("movies.csv")) << kMovies;
  std::ofstream(dir.file("ratings.csv")) << kRatings;
  auto data = load_movielens(dir.path().string());
  ASSERT_TRUE(data.is_ok());
  SuiteOptions options;
  options.out_dir = dir.file("out");
  options.progress = false;
  options.tune = false;
  options.ablations = false;
  options.methods = {"popular", "engine"};
  auto result = run_next_item_suite(*data, options);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  ASSERT_EQ(result->headline.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(options.out_dir + "/tuning.png"));

  options.methods = {"popular", "bogus"};
  auto bad = run_next_item_suite(*data, options);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().to_string().find("bogus"), std::string::npos) << bad.status().to_string();
}

TEST(EvalSuite, SimulatedDataGetsSurfaceAndTierAblations) {
  TempDir dir("feedscout_suite");
  SimulatedOptions sim;
  sim.sample_dir = FEEDSCOUT_SOURCE_DIR "/data/sample";
  sim.taxonomy_path = testing_support::kTaxonomyPath;
  sim.simulator.users = 40;
  auto data = load_simulated(sim);
  ASSERT_TRUE(data.is_ok()) << data.status().to_string();
  SuiteOptions options;
  options.out_dir = dir.file("out");
  options.progress = false;
  options.tune = false;
  options.methods = {"popular", "engine"};
  auto result = run_next_item_suite(*data, options);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  std::vector<std::string> names;
  for (const auto& h : result->headline) names.push_back(h.first);
  const std::vector<std::string> expected{
      "popular",           "engine",           "engine -popularity",
      "engine -freshness", "engine +co-click", "engine -topics",
      "engine tier-1",     "engine feed-only", "engine search-only"};
  EXPECT_EQ(names, expected);
}

TEST(EvalSuite, ImpressionReportOnMind) {
  TempDir dir("feedscout_suite");
  std::ofstream(dir.file("news.tsv"), std::ios::binary)
      << "N1\tsports\tfootball_nfl\tT1\tA1\thttps://e.org/1\t[]\t[]\n"
         "N2\tsports\tbaseball\tT2\tA2\thttps://e.org/2\t[]\t[]\n"
         "N3\tnews\tnewspolitics\tT3\tA3\thttps://e.org/3\t[]\t[]\n";
  std::ofstream(dir.file("behaviors.tsv"), std::ios::binary)
      << "1\tU1\t11/11/2019 9:00:00 AM\tN1\tN2-1 N3-0\n"
         "2\tU2\t11/11/2019 10:00:00 AM\tN2\tN1-0 N3-1\n";
  auto data = load_mind(dir.path().string());
  ASSERT_TRUE(data.is_ok()) << data.status().to_string();
  SuiteOptions options;
  options.out_dir = dir.file("out");
  options.progress = false;
  auto result = run_impression_suite(*data, options);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  // Baselines (collaborative among them), the engine, -popularity, -freshness, +co-click,
  // -topics, tier-1 (2 levels).
  EXPECT_EQ(result->headline.size(), 11u);
  EXPECT_NE(result->report_markdown.find("| engine tier-1 |"), std::string::npos);
  EXPECT_NE(result->report_markdown.find("| AUC |"), std::string::npos);
  EXPECT_TRUE(is_png(options.out_dir + "/metrics.png"));
  // engine+ranker: the first record is all it could train on, too little; the second alone
  // is scored.
  EXPECT_NE(result->report_markdown.find("Not trained, so not in the results"), std::string::npos)
      << result->report_markdown;
  EXPECT_NE(result->report_markdown.find("(after the first 1, which trained the learned ranker)"),
            std::string::npos);

  EvalDataset empty = *data;
  empty.impressions.clear();
  EXPECT_FALSE(run_impression_suite(empty, options).is_ok());
}

}  // namespace
}  // namespace feedscout
