// The distillation steps against a scripted in-process generator (no language-model server
// runs here): teacher answers parsed into valid taxonomy paths only, judge filtering at 80,
// under-represented topics, synthetic documents through the repetition filter, and both
// exports — the training file really trains the fastText student.
#include "feedscout/llm/distill.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <sstream>

#include "feedscout/models/fasttext_classifier.h"
#include "support/test_support.h"

namespace feedscout::llm {
namespace {

using testing_support::taxonomy;
using testing_support::topic;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr char kPromptDir[] = FEEDSCOUT_SOURCE_DIR "/data/prompts/";

PromptTemplate load(const char* name) {
  auto t = PromptTemplate::load_file(std::string(kPromptDir) + name);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? std::move(t).value() : PromptTemplate();
}

// Answers by the first rule whose key occurs in the prompt; an error when none does.
class ScriptedGenerator final : public TextGenerator {
 public:
  std::vector<std::pair<std::string, std::string>> rules;
  size_t calls = 0;
  Result<std::string> generate(const std::string& prompt) override {
    ++calls;
    for (const auto& [key, answer] : rules) {
      if (prompt.find(key) != std::string::npos) return answer;
    }
    return Status::unavailable("no scripted answer");
  }
};

TEST(Distill, TeacherAnswersKeepOnlyValidDistinctPaths) {
  ScriptedGenerator teacher;
  teacher.rules = {{"제목: 손흥민 결승골", "1. 스포츠>축구\n- '여행'\n없는 주제\n스포츠>축구\n"},
                   {"제목: 빈 답", "모르겠습니다"}};
  const std::vector<PoolDocument> pool{{"d1", "손흥민 결승골", "토트넘이 이겼다"},
                                       {"d2", "빈 답", "본문"},
                                       {"d3", "서버 오류", "본문"}};
  StepCounts counts;
  auto out = teacher_label(pool, teacher, load("teacher_label.txt"), taxonomy(), 500, 3, &counts);
  ASSERT_EQ(out.size(), 2u);  // d3's generator failed: counted, not kept
  EXPECT_EQ(out[0].topics, (std::vector<TopicId>{topic("스포츠>축구"), topic("여행")}));
  EXPECT_TRUE(out[1].topics.empty());
  EXPECT_EQ(counts.items, 3u);
  EXPECT_EQ(counts.invalid_labels, 2u);  // "없는 주제", "모르겠습니다"
  EXPECT_EQ(counts.generator_errors, 1u);
  EXPECT_NE(counts.first_error.find("no scripted answer"), std::string::npos);
  EXPECT_EQ(counts.kept, 2u);
}

TEST(Distill, JudgeKeepsLabelsScoringAtLeastTheBar) {
  ScriptedGenerator judge;
  judge.rules = {{"분류된 주제: 스포츠>축구", "- 점수 (0~100): 100"},
                 {"분류된 주제: 여행", "- 점수 (0~100): 30"},
                 {"분류된 주제: 스포츠", "점수를 모르겠어요"}};
  std::vector<LabelledDocument> docs{
      {"d1", "손흥민 결승골", "본문", {topic("스포츠>축구"), topic("여행")}, {}, false},
      {"d2", "여행 이야기", "본문", {topic("여행")}, {}, false},
      {"d3", "스포츠 이야기", "본문", {topic("스포츠")}, {}, false}};
  StepCounts counts;
  auto out = judge_labels(docs, judge, load("judge.txt"), taxonomy(), 500, 80, &counts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "d1");
  EXPECT_EQ(out[0].topics, (std::vector<TopicId>{topic("스포츠>축구")}));
  EXPECT_EQ(out[0].judge_scores, (std::vector<int>{100}));
  EXPECT_EQ(counts.dropped, 2u);      // both 30s
  EXPECT_EQ(counts.unparseable, 1u);  // d3
  EXPECT_EQ(counts.kept, 1u);
}

TEST(Distill, SyntheticDocumentsForUnderRepresentedTopicsPassTheFilter) {
  const TopicId football = topic("스포츠>축구");
  const TopicId travel = topic("여행");
  std::vector<LabelledDocument> have{{"d1", "t", "b", {football}, {}, false}};
  const auto missing = under_represented(have, {football, travel}, 1);
  ASSERT_EQ(missing, (std::vector<TopicId>{travel}));

  ScriptedGenerator writer;
  std::string loop;
  for (int i = 0; i < 60; ++i) loop += "여행 좋아요 ";
  writer.rules = {{"본문:", "제주 올레길 7코스를 걸었다. 바다 옆 길이 아름다웠다."},
                  {"제목:", "\n1. 제주 올레길 걷기 여행\n"}};
  StepCounts counts;
  auto docs = synthesize(missing, writer, load("synth_title.txt"), load("synth_body.txt"),
                         taxonomy(), 2, kDefaultRepetitionThreshold, kNow, &counts);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].title, "제주 올레길 걷기 여행");
  EXPECT_EQ(docs[0].topics, (std::vector<TopicId>{travel}));
  EXPECT_TRUE(docs[0].synthetic);
  EXPECT_EQ(docs[0].id, "synthetic-" + taxonomy().node(travel).external_id + "-1");
  EXPECT_EQ(writer.calls, 4u);  // a title and a body each

  writer.rules[0].second = loop;  // a degenerate, repeating body
  counts = {};
  docs = synthesize(missing, writer, load("synth_title.txt"), load("synth_body.txt"), taxonomy(), 1,
                    kDefaultRepetitionThreshold, kNow, &counts);
  EXPECT_TRUE(docs.empty());
  EXPECT_EQ(counts.dropped, 1u);
}

TEST(Distill, ExportsTrainTheStudentAndReadAsChatJsonl) {
  const TopicId football = topic("스포츠>축구");
  const TopicId travel = topic("여행");
  std::vector<LabelledDocument> docs;
  for (int i = 0; i < 20; ++i) {
    docs.push_back({"f" + std::to_string(i),
                    "손흥민 골 경기 " + std::to_string(i),
                    "축구 경기 리뷰 골 슈팅 토트넘",
                    {football},
                    {},
                    false,
                    kNow});
    docs.push_back({"t" + std::to_string(i),
                    "제주 여행 코스 " + std::to_string(i),
                    "여행 숙소 맛집 일정 관광",
                    {travel},
                    {},
                    true,
                    kNow});
  }
  docs.push_back({"none", "주제 없음", "본문", {}, {}, false});
  testing_support::TempDir dir("feedscout_distill");
  const std::string jsonl = to_training_jsonl(docs, taxonomy());
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 40);  // the topic-less one skipped
  std::ofstream(dir.file("train.jsonl"), std::ios::binary) << jsonl;
  FastTextTrainOptions options;
  options.epoch = 20;
  auto report =
      train_fasttext_topics(dir.file("train.jsonl"), taxonomy(), dir.file("student.bin"), options);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->examples, 40u);
  EXPECT_TRUE(report->errors.empty()) << describe_item_error(report->errors.front());

  auto chat = to_chat_jsonl(docs, taxonomy(), load("classify.txt"), 200);
  ASSERT_TRUE(chat.is_ok()) << chat.status().to_string();
  std::istringstream lines(*chat);
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    ASSERT_EQ(j["messages"].size(), 2u);
    EXPECT_EQ(j["messages"][0]["role"], "user");
    EXPECT_NE(j["messages"][0]["content"].get<std::string>().find("제목: "), std::string::npos);
    EXPECT_EQ(j["messages"][1]["role"], "assistant");
    ++n;
  }
  EXPECT_EQ(n, 40u);
}

TEST(Distill, LabelledDocumentLinesRoundTripAndRejectBadRows) {
  LabelledDocument d{"d1",
                     "손흥민 \"결승골\"",
                     "본문\n둘째 줄",
                     {topic("스포츠>축구"), topic("여행")},
                     {100, 85},
                     true,
                     kNow};
  const std::string line = labelled_document_to_json(d, taxonomy());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["topics"], (nlohmann::json{"스포츠>축구", "여행"}));
  EXPECT_EQ(j["created_at"], "2026-11-20T12:00:00Z");
  auto back = parse_labelled_document(line, taxonomy());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->id, d.id);
  EXPECT_EQ(back->title, d.title);
  EXPECT_EQ(back->body, d.body);
  EXPECT_EQ(back->topics, d.topics);
  EXPECT_EQ(back->judge_scores, d.judge_scores);
  EXPECT_TRUE(back->synthetic);
  EXPECT_EQ(back->created_ms, kNow);

  // Not judged, not synthetic, no topics: the optional fields are absent and read back so.
  d.judge_scores.clear();
  d.synthetic = false;
  d.topics.clear();
  const std::string plain = labelled_document_to_json(d, taxonomy());
  EXPECT_EQ(plain.find("judge_scores"), std::string::npos);
  EXPECT_EQ(plain.find("synthetic"), std::string::npos);
  back = parse_labelled_document(plain, taxonomy());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_TRUE(back->topics.empty());
  EXPECT_FALSE(back->synthetic);

  const auto error_of = [](std::string_view row) {
    auto r = parse_labelled_document(row, taxonomy());
    EXPECT_FALSE(r.is_ok()) << row;
    return r.is_ok() ? std::string() : r.status().to_string();
  };
  EXPECT_NE(error_of("{\"id\": \"x\", \"title\": ").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[{\"id\": \"x\"}]").find("one JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"id":"x","title":"t","created_at":"2026-11-20T12:00:00Z",)"
                     R"("topics":["없는 주제"]})")
                .find("topics[0]"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"id":"x","title":"t","created_at":"2026-11-20T12:00:00Z",)"
                     R"("topics":["여행"],"judge_scores":[90,80]})")
                .find("judge_scores"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"id":"x","title":"t","created_at":"2026-11-20T12:00:00Z",)"
                     R"("topics":["여행"],"judge_scores":[101]})")
                .find("0..100"),
            std::string::npos);
}

}  // namespace
}  // namespace feedscout::llm
