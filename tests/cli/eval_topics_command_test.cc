// `feedscout eval-topics` as a user runs it, on a tiny generated JSON Lines fixture: the
// report is written and names the majority baseline, malformed rows are counted with their
// first file:line, and a missing file is named.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace {

using RunResult = feedscout::testing_support::CommandResult;
RunResult run(const std::string& command) {
  return feedscout::testing_support::run_command(command);
}

// Two top-level topics with distinct vocabularies; sport outnumbers economy 2:1, so sport
// is the majority label.
void write_docs(const std::string& path, int n, const std::string& prefix) {
  std::ofstream out(path);
  const char* sport[] = {"축구 경기 골", "야구 홈런 투수", "농구 경기 득점"};
  const char* economy[] = {"주식 시장 금리", "환율 수출 경제"};
  for (int i = 0; i < n; ++i) {
    const bool is_sport = i % 3 != 2;
    out << "{\"id\": \"" << prefix << i << "\", \"title\": \""
        << (is_sport ? sport[i % 3] : economy[i % 2]) << " " << i
        << "\", \"created_at\": \"2026-11-20T09:00:00Z\", \"topics\": [\""
        << (is_sport ? "sport" : "economy") << "\"]}\n";
  }
}

TEST(EvalTopicsCommand, JsonlRunReportsStudentAndMajorityBaseline) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_topics_cli");
  std::ofstream(dir.file("taxonomy.tsv")) << "id\tparent\tname\nsport\t\t스포츠\neconomy\t\t경제\n";
  write_docs(dir.file("train.jsonl"), 60, "t");
  {
    std::ofstream out(dir.file("train.jsonl"), std::ios::app);
    out << "not json\n";  // line 61
    out << "{\"id\": \"x\", \"title\": \"no topics\", \"created_at\": \"2026-11-20T09:00:00Z\"}\n";
  }
  write_docs(dir.file("eval.jsonl"), 12, "e");
  const RunResult r =
      run(std::string(FEEDSCOUT_BINARY) + " eval-topics --format jsonl --train " +
          dir.file("train.jsonl") + " --eval " + dir.file("eval.jsonl") + " --taxonomy " +
          dir.file("taxonomy.tsv") + " --epochs 5 --out " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(dir.file("out") + "/report.md");
  ASSERT_TRUE(in.good());
  std::stringstream report;
  report << in.rdbuf();
  const std::string md = report.str();
  EXPECT_NE(md.find("majority baseline: always '스포츠'"), std::string::npos) << md;
  EXPECT_NE(md.find("| majority baseline | 1 | 12 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| fastText | 1 | 12 |"), std::string::npos) << md;
  EXPECT_NE(md.find("train.jsonl:61"), std::string::npos) << md;
  EXPECT_NE(md.find("document without topics: 1 (first " + dir.file("train.jsonl") + ":62)"),
            std::string::npos)
      << md;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out") + "/train.jsonl.tmp"));
}

TEST(EvalTopicsCommand, YnatCsvCountsBadRowsAndUnknownLabels) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_topics_cli");
  {
    std::ofstream out(dir.file("train.csv"));
    out << "id,title,topic\n";
    for (int i = 0; i < 30; ++i) {
      out << i << "," << (i % 2 == 0 ? "축구 경기, 골 " : "주식 시장 금리 ") << i << ","
          << (i % 2 == 0 ? "스포츠" : "경제") << "\n";
    }
    out << "bad row\n";  // line 32
  }
  std::ofstream(dir.file("val.csv")) << "id,title,topic\n100,축구 경기 골,스포츠\n"
                                     << "101,내일 날씨 맑음,날씨\n102,주식 시장,경제\n";
  const RunResult r = run(std::string(FEEDSCOUT_BINARY) + " eval-topics --format ynat --train " +
                          dir.file("train.csv") + " --eval " + dir.file("val.csv") +
                          " --epochs 5 --out " + dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| fastText | 1 | 2 |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fewer than 3 columns: 1 (first " + dir.file("train.csv") + ":32)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("evaluation topic not among the training labels: 1 (first " +
                          dir.file("val.csv") + ":3)"),
            std::string::npos)
      << r.output;
}

TEST(EvalTopicsCommand, MissingFileIsNamed) {
  const feedscout::testing_support::TempDir dir("feedscout_eval_topics_cli");
  const RunResult r =
      run(std::string(FEEDSCOUT_BINARY) + " eval-topics --format ynat --train " +
          dir.file("nowhere.csv") + " --eval " + dir.file("val.csv") + " --out " + dir.file("out"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(dir.file("nowhere.csv")), std::string::npos) << r.output;
}

}  // namespace
