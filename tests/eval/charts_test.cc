// write_bar_chart: a real PNG from gnuplot (installed by scripts/install-deps.sh), the files
// left beside it, shape errors, and labels that must reach gnuplot as plain text.
#include "feedscout/eval/charts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

BarChart sample_chart() {
  BarChart c;
  c.title = "Next-item replay";
  c.y_label = "score";
  c.groups = {"random", "popular", "item-knn"};
  c.series = {"HR@10", "nDCG@10"};
  c.values = {{0.01, 0.12, 0.30}, {0.005, 0.06, 0.18}};
  return c;
}

void expect_png(const std::string& path) {
  const std::string png = read_bytes(path);
  ASSERT_GT(png.size(), 1024u) << path;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(ChartTest, WritesAPngWithItsDataAndScript) {
  TempDir dir("feedscout_chart");
  const std::string png = dir.file("replay.png");
  Status s = write_bar_chart(sample_chart(), png);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  expect_png(png);
  const std::string dat = read_bytes(dir.file("replay.dat"));
  EXPECT_NE(dat.find("\n0 0.01 0.005\n"), std::string::npos) << dat;
  EXPECT_NE(dat.find("\n2 0.3 0.18\n"), std::string::npos) << dat;
  const std::string gp = read_bytes(dir.file("replay.gp"));
  EXPECT_NE(gp.find("set style histogram clustered"), std::string::npos) << gp;
  EXPECT_NE(gp.find("'item-knn' 2"), std::string::npos) << gp;

  // Written again over the same files; a non-finite value draws no bar.
  BarChart c = sample_chart();
  c.values[1][0] = std::numeric_limits<double>::quiet_NaN();
  s = write_bar_chart(c, png);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  expect_png(png);
}

TEST(ChartTest, LabelsWithQuotesAndMarkupArePlainText) {
  TempDir dir("feedscout_chart");
  BarChart c = sample_chart();
  c.title = "it's \"quoted\" \\n `touch pwned` @x {a}_b^c";
  c.y_label = "y'label";
  c.groups = {"o'brien", "-dash", "line\nbreak"};
  c.series = {"HR'@10", "한국어 \"nDCG\""};
  const std::string png = dir.file("quotes.png");
  Status s = write_bar_chart(c, png);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  expect_png(png);
  EXPECT_FALSE(std::filesystem::exists(dir.file("pwned")));
  const std::string gp = read_bytes(dir.file("quotes.gp"));
  EXPECT_NE(gp.find("'o''brien' 0"), std::string::npos) << gp;
  EXPECT_NE(gp.find("'line break' 2"), std::string::npos) << gp;
  EXPECT_NE(gp.find("set title 'it''s \"quoted\""), std::string::npos) << gp;
}

TEST(ChartTest, ANameStartingWithADashIsNotAnOption) {
  TempDir dir("feedscout_chart");
  Status s = write_bar_chart(sample_chart(), dir.file("-chart.png"));
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  expect_png(dir.file("-chart.png"));
}

TEST(ChartTest, ShapeErrors) {
  TempDir dir("feedscout_chart");
  const std::string png = dir.file("bad.png");
  auto code = [&](const BarChart& c) { return write_bar_chart(c, png).code(); };

  BarChart c = sample_chart();
  c.values.pop_back();  // 1 row for 2 series
  EXPECT_EQ(code(c), Status::Code::kInvalidArgument);
  c = sample_chart();
  c.values[1].push_back(1.0);  // 4 values for 3 groups
  EXPECT_EQ(code(c), Status::Code::kInvalidArgument);
  c = sample_chart();
  c.groups.clear();
  c.values = {{}, {}};
  EXPECT_EQ(code(c), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(BarChart{}), Status::Code::kInvalidArgument);
  EXPECT_EQ(write_bar_chart(sample_chart(), dir.file("chart.svg")).code(),
            Status::Code::kInvalidArgument);
  ChartOptions tiny;
  tiny.width = 10;
  EXPECT_EQ(write_bar_chart(sample_chart(), png, tiny).code(), Status::Code::kInvalidArgument);
  // Nothing was written for a rejected chart.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(ChartTest, MissingOrFailingGnuplotIsAnIOError) {
  TempDir dir("feedscout_chart");
  ChartOptions missing;
  missing.gnuplot = "feedscout-no-such-gnuplot";
  Status s = write_bar_chart(sample_chart(), dir.file("a.png"), missing);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find("feedscout-no-such-gnuplot"), std::string::npos) << s.to_string();

  ChartOptions failing;
  failing.gnuplot = "false";  // exits 1
  s = write_bar_chart(sample_chart(), dir.file("b.png"), failing);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find("exit status 1"), std::string::npos) << s.to_string();
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.png")));

  // gnuplot itself failing: the output path is a directory.
  std::filesystem::create_directories(dir.file("c.png/keep"));
  s = write_bar_chart(sample_chart(), dir.file("c.png"));
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.to_string();
  EXPECT_NE(s.message().find("gnuplot ./c.gp"), std::string::npos) << s.to_string();
  EXPECT_NE(s.message().find("exit status"), std::string::npos) << s.to_string();

  // The data files cannot be written: the directory does not exist.
  s = write_bar_chart(sample_chart(), dir.file("no/such/dir/d.png"));
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.to_string();
}

}  // namespace
}  // namespace feedscout
