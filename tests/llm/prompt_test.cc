// Prompt templates: the shipped prompts rendered for one fixed document must equal the golden
// files byte for byte (tests/llm/golden/). After an intended prompt change, regenerate with
//   FEEDSCOUT_UPDATE_GOLDEN=1 build/tests/feedscout_tests --gtest_filter='PromptGolden*'
// and review the diff. Also: placeholder errors, explicit truncation, the judge's score
// parser, and the repetition filter with hand-computed values.
#include "feedscout/llm/prompt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/test_support.h"

namespace feedscout::llm {
namespace {

constexpr char kPromptDir[] = FEEDSCOUT_SOURCE_DIR "/data/prompts/";
constexpr char kGoldenDir[] = FEEDSCOUT_SOURCE_DIR "/tests/llm/golden/";

constexpr char kTitle[] = "세부 스쿠버다이빙 3박 4일 후기";
constexpr char kBody[] =
    "세부 막탄에서 3박 4일 동안 스쿠버다이빙을 했습니다. 첫날은 리조트 앞 바다에서 체험 "
    "다이빙으로 장비 사용법을 익혔고, 둘째 날부터는 보트를 타고 힐루뚱안 섬과 날루수안 섬 "
    "포인트를 다녀왔습니다. 시야는 20미터가 넘었고 거북이와 정어리 떼를 봤습니다. 오픈워터 "
    "자격증이 없어도 강사와 함께라면 충분히 즐길 수 있었습니다.";

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(kGoldenDir) + name;
  if (std::getenv("FEEDSCOUT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  EXPECT_EQ(actual, read(path)) << "golden file " << path;
}

PromptTemplate load(const char* name) {
  auto t = PromptTemplate::load_file(std::string(kPromptDir) + name);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? std::move(t).value() : PromptTemplate();
}

TEST(PromptGolden, Classification) {
  const PromptTemplate t = load("classify.txt");
  EXPECT_EQ(t.variables(), (std::vector<std::string>{"title", "body"}));
  bool truncated = true;
  auto full = classification_prompt(t, kTitle, kBody, 1000, &truncated);
  ASSERT_TRUE(full.is_ok()) << full.status().to_string();
  EXPECT_FALSE(truncated);
  expect_golden("classify_full.txt", *full);
  auto cut = classification_prompt(t, kTitle, kBody, 60, &truncated);
  ASSERT_TRUE(cut.is_ok());
  EXPECT_TRUE(truncated);
  expect_golden("classify_truncated.txt", *cut);
}

TEST(PromptGolden, TeacherListsEveryTaxonomyPath) {
  const PromptTemplate t = load("teacher_label.txt");
  auto p = teacher_prompt(t, testing_support::taxonomy(), kTitle, kBody, 300);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  expect_golden("teacher_label.txt", *p);
  EXPECT_NE(p->find("\n여행\n"), std::string::npos);
}

TEST(PromptGolden, Judge) {
  const PromptTemplate t = load("judge.txt");
  auto p = judge_prompt(t, kTitle, kBody, "여행>해외여행", 300);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  expect_golden("judge.txt", *p);
}

TEST(PromptTemplate, PlaceholdersMustMatchTheValues) {
  auto t = PromptTemplate::parse("a {{x}} b {{y}} c {{x}}", "t.txt");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->variables(), (std::vector<std::string>{"x", "y"}));
  auto r = t->render({{"x", "1"}, {"y", "{{z}}"}});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "a 1 b {{z}} c 1");  // values are not re-expanded
  r = t->render({{"x", "1"}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().to_string().find("{{y}}"), std::string::npos);
  r = t->render({{"x", "1"}, {"y", "2"}, {"w", "3"}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().to_string().find("{{w}}"), std::string::npos);
  auto bad = PromptTemplate::parse("line\n{{oops", "p.txt");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().to_string().find("p.txt:2"), std::string::npos)
      << bad.status().to_string();
  EXPECT_FALSE(PromptTemplate::parse("{{a b}}", "p.txt").is_ok());
  EXPECT_FALSE(PromptTemplate::load_file("/nonexistent/prompt.txt").is_ok());
}

TEST(PromptTemplate, TruncationIsExplicitAndKeepsWholeCodePoints) {
  Truncated t = truncate_to_budget("가나다 라마바 사아자", 100);
  EXPECT_FALSE(t.truncated);
  EXPECT_EQ(t.text, "가나다 라마바 사아자");
  EXPECT_EQ(t.total, 11u);
  // Budget 9: the last whitespace within the final fifth (positions 8..9) is none, so the
  // cut is at 9 code points: "가나다 라마바 사" + " …"; budget 7 cuts before the space.
  t = truncate_to_budget("가나다 라마바 사아자", 9);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.text, "가나다 라마바 사 …");
  EXPECT_EQ(t.kept, 9u);
  t = truncate_to_budget("가나다 라마바 사아자", 7);
  EXPECT_EQ(t.text, "가나다 라마바 …");
  EXPECT_EQ(t.kept, 7u);
  t = truncate_to_budget("abc", 0);
  EXPECT_EQ(t.text, " …");
  EXPECT_EQ(t.kept, 0u);
  // Huge input is cut, not copied whole.
  const std::string huge(1 << 20, 'x');
  t = truncate_to_budget(huge, 100);
  EXPECT_EQ(t.text.size(), 100u + std::string(" …").size());
}

TEST(PromptTemplate, JudgeScoreIsParsedFromTheFilledForm) {
  EXPECT_EQ(*parse_judge_score("- 중심 내용: 세부 다이빙\n- 점수 (0~100): 100"), 100);
  EXPECT_EQ(*parse_judge_score("점수 (0~100): 30점"), 30);
  EXPECT_EQ(*parse_judge_score("점수: 0"), 0);
  EXPECT_FALSE(parse_judge_score("점수 (0~100): 150").is_ok());
  EXPECT_FALSE(parse_judge_score("점수 (0~100): 모름").is_ok());
  EXPECT_FALSE(parse_judge_score("no score here").is_ok());
}

TEST(PromptTemplate, RepetitionScoreIsLnLTimesLOverC) {
  EXPECT_EQ(repetition_score(""), 0.0);
  // 4 tokens, 4 distinct: ln 4 · 4 / 4 = 1.386.
  EXPECT_NEAR(repetition_score("스쿠버 다이빙 세부 후기"), std::log(4.0), 1e-12);
  // 100 tokens, 2 distinct: ln 100 · 100 / 2 = 230.3 — dropped at the default threshold.
  std::string loop;
  for (int i = 0; i < 50; ++i) loop += "좋아요 정말 ";
  EXPECT_NEAR(repetition_score(loop), std::log(100.0) * 50, 1e-9);
  EXPECT_FALSE(passes_repetition_filter(loop));
  EXPECT_TRUE(passes_repetition_filter(kBody));
}

}  // namespace
}  // namespace feedscout::llm
