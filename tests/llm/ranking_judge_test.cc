// List-wise ranking judgements (the RRA recipe): the judge_ranking prompt rendered for one
// fixed Korean request must equal tests/llm/golden/judge_ranking_prompt.txt byte for byte.
// After an intended prompt change, regenerate with
//   FEEDSCOUT_UPDATE_GOLDEN=1 build/tests/feedscout_tests --gtest_filter='RankingJudgeGolden*'
// and review the diff. tests/llm/golden/judge_ranking_answer.txt is a fixed teacher answer
// (an input, never regenerated): its parsed order, labels and pairs are asserted exactly.
// Also: candidate selection, lenient finding / strict reading of answers, the training
// rows, and the JSON Lines round trip with bad lines reported by line number.
#include "feedscout/llm/ranking_judge.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

namespace feedscout::llm {
namespace {

constexpr char kPromptDir[] = FEEDSCOUT_SOURCE_DIR "/data/prompts/";
constexpr char kGoldenDir[] = FEEDSCOUT_SOURCE_DIR "/tests/llm/golden/";

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

JudgeCandidate cand(std::string id, std::string title, std::string path,
                    std::vector<float> features) {
  return {std::move(id), std::move(title), std::move(path), std::move(features)};
}

// The current ranking of 8 candidates for one user, best first; features are 2 wide.
std::vector<JudgeCandidate> ranked_list() {
  return {
      cand("d-cebu", "세부 스쿠버다이빙 3박 4일 후기", "여행>해외여행>아시아", {0.9f, 1}),
      cand("d-bohol", "보홀 호핑투어 준비물 총정리", "여행>해외여행>아시아", {0.8f, 2}),
      cand("d-license", "오픈워터 자격증 따는 법과 비용", "스포츠>수상스포츠", {0.7f, 3}),
      cand("d-mid1", "가운데 후보 1", "여행", {0.5f, 4}),
      cand("d-mid2", "가운데 후보 2", "여행", {0.4f, 5}),
      cand("d-stock", "이번 주 코스피 전망", "경제>주식", {0.3f, 6}),
      cand("d-camp", "캠핑 장비 추천\n(2024년판)", "여행>국내여행", {0.2f, 7}),
      cand("d-recipe", "초간단 김치찌개 레시피", "", {0.1f, 8}),
  };
}

// The golden request: the top 3 and bottom 3 of ranked_list().
JudgeRequest golden_request() {
  JudgeRequest r;
  r.user = "u-diver";
  r.profile =
      "관심 주제: 여행>해외여행>아시아, 스포츠>수상스포츠\n"
      "최근 검색어: 세부 다이빙, 오픈워터 자격증\n"
      "최근 클릭한 글: 세부 막탄 리조트 추천; 스쿠버다이빙 장비 고르는 법";
  const std::vector<JudgeCandidate> list = ranked_list();
  for (size_t i : judge_positions(list.size(), 3, 3)) r.candidates.push_back(list[i]);
  return r;
}

TEST(RankingJudgeGolden, Prompt) {
  const PromptTemplate t = load("judge_ranking.txt");
  EXPECT_EQ(t.variables(), (std::vector<std::string>{"profile", "candidates"}));
  const JudgeRequest r = golden_request();
  ASSERT_EQ(r.candidates.size(), 6u);
  auto p = render_judge_prompt(t, r);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  expect_golden("judge_ranking_prompt.txt", *p);
  // Numbered 1..n in request order; a line break in a title becomes a space; no path, no dash.
  EXPECT_NE(p->find("[1] 세부 스쿠버다이빙 3박 4일 후기 — 여행>해외여행>아시아\n"),
            std::string::npos);
  EXPECT_NE(p->find("[4] 이번 주 코스피 전망 — 경제>주식\n"), std::string::npos);
  EXPECT_NE(p->find("[5] 캠핑 장비 추천 (2024년판) — 여행>국내여행\n"), std::string::npos);
  EXPECT_NE(p->find("[6] 초간단 김치찌개 레시피\n"), std::string::npos);
  EXPECT_EQ(p->find("가운데 후보"), std::string::npos);
}

// The RRA pair construction on a fixed teacher answer: "[2, 1, 3, 9, 1, 5]" inside a
// ```json fence with prose around it, for 6 candidates. 9 is unknown, the second 1 a
// duplicate; candidates 4 (stock) and 6 (recipe) are left out: hard negatives.
TEST(RankingJudgeGolden, AnswerToLabelsAndPairs) {
  const std::string text = read(std::string(kGoldenDir) + "judge_ranking_answer.txt");
  ASSERT_FALSE(text.empty());
  auto a = parse_judge_answer(text, 6);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->order, (std::vector<size_t>{1, 0, 2, 4}));
  EXPECT_EQ(a->unknown, 1u);
  EXPECT_EQ(a->duplicates, 1u);

  // L = 4 listed: labels 4, 3, 2, 1 by place; left out 0.
  EXPECT_EQ(judged_labels(*a, 6), (std::vector<float>{3, 4, 2, 0, 1, 0}));
  auto rows = judgement_rows({golden_request()}, {*a}, 2, 0.5f);
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  EXPECT_EQ(rows->n_features, 2u);
  EXPECT_EQ(rows->labels, (std::vector<float>{3, 4, 2, 0, 1, 0}));
  EXPECT_EQ(rows->group_sizes, (std::vector<uint32_t>{6}));
  EXPECT_EQ(rows->group_weights, (std::vector<float>{0.5f}));
  EXPECT_EQ(rows->features,
            (std::vector<float>{0.9f, 1, 0.8f, 2, 0.7f, 3, 0.3f, 6, 0.2f, 7, 0.1f, 8}));

  // L(L-1)/2 + L(n-L) = 6 + 8 pairs.
  using P = std::pair<size_t, size_t>;
  EXPECT_EQ(judged_pairs(*a, 6), (std::vector<P>{{1, 0},
                                                 {1, 2},
                                                 {1, 4},
                                                 {1, 3},
                                                 {1, 5},
                                                 {0, 2},
                                                 {0, 4},
                                                 {0, 3},
                                                 {0, 5},
                                                 {2, 4},
                                                 {2, 3},
                                                 {2, 5},
                                                 {4, 3},
                                                 {4, 5}}));
}

TEST(RankingJudge, PositionsForShortAndLongLists) {
  auto range = [](size_t from, size_t to) {
    std::vector<size_t> v;
    for (size_t i = from; i < to; ++i) v.push_back(i);
    return v;
  };
  std::vector<size_t> want = range(0, 10);
  for (size_t i : range(15, 25)) want.push_back(i);
  EXPECT_EQ(judge_positions(25), want);
  EXPECT_EQ(judge_positions(21), [&] {
    auto v = range(0, 10);
    for (size_t i : range(11, 21)) v.push_back(i);
    return v;
  }());
  EXPECT_EQ(judge_positions(20), range(0, 20));  // exactly top + bottom
  EXPECT_EQ(judge_positions(12), range(0, 12));  // overlap: every position once
  EXPECT_EQ(judge_positions(3), range(0, 3));
  EXPECT_EQ(judge_positions(0), std::vector<size_t>{});
  EXPECT_EQ(judge_positions(30, 3, 0), range(0, 3));
  EXPECT_EQ(judge_positions(30, 0, 2), range(28, 30));
  EXPECT_EQ(judge_positions(8, 3, 3), (std::vector<size_t>{0, 1, 2, 5, 6, 7}));
  const size_t huge = std::numeric_limits<size_t>::max();
  EXPECT_EQ(judge_positions(4, huge, huge), range(0, 4));  // no overflow
}

TEST(RankingJudge, RenderNeedsMatchingPlaceholdersAndCandidates) {
  const JudgeRequest r = golden_request();
  auto extra = PromptTemplate::parse("{{profile}} {{candidates}} {{user}}", "extra.txt");
  ASSERT_TRUE(extra.is_ok());
  auto p = render_judge_prompt(*extra, r);
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(p.status().message().find("{{user}}"), std::string::npos);
  auto missing = PromptTemplate::parse("{{profile}}", "missing.txt");
  ASSERT_TRUE(missing.is_ok());
  p = render_judge_prompt(*missing, r);
  ASSERT_FALSE(p.is_ok());
  EXPECT_NE(p.status().message().find("{{candidates}}"), std::string::npos);

  JudgeRequest empty = r;
  empty.candidates.clear();
  p = render_judge_prompt(load("judge_ranking.txt"), empty);
  ASSERT_FALSE(p.is_ok());
  EXPECT_NE(p.status().message().find("no candidates"), std::string::npos);

  EXPECT_EQ(judge_candidate_list({cand("a", "x\r\ny\tz", "p>q", {}), cand("b", "w", "", {})}),
            "[1] x  y z — p>q\n[2] w");
}

TEST(RankingJudge, AnswerIsFoundLeniently) {
  auto order_of = [](std::string_view text, size_t n) {
    auto a = parse_judge_answer(text, n);
    EXPECT_TRUE(a.is_ok()) << text << ": " << a.status().to_string();
    return a.is_ok() ? a->order : std::vector<size_t>{99};
  };
  EXPECT_EQ(order_of(R"({"order": [3, 1]})", 3), (std::vector<size_t>{2, 0}));
  EXPECT_EQ(order_of("답: {\"order\":[2]} 이상입니다.", 3), (std::vector<size_t>{1}));
  EXPECT_EQ(order_of("```json\n{\n  \"order\": [1, 2, 3]\n}\n```", 3),
            (std::vector<size_t>{0, 1, 2}));
  // Braces inside strings do not end the object; other fields are allowed.
  EXPECT_EQ(order_of(R"({"note": "a } b {", "order": [2]})", 2), (std::vector<size_t>{1}));
  // A stray brace and an object without "order" before the answer are passed over, as are
  // objects nested in one without "order".
  EXPECT_EQ(order_of("형식 { 참고. {\"예\": {\"order\": [9]}} 최종: {\"order\": [1]}", 2),
            (std::vector<size_t>{0}));
  // Empty order: every candidate is a hard negative.
  auto a = parse_judge_answer(R"({"order": []})", 4);
  ASSERT_TRUE(a.is_ok());
  EXPECT_TRUE(a->order.empty());
  EXPECT_EQ(judged_labels(*a, 4), (std::vector<float>(4, 0.0f)));
  EXPECT_TRUE(judged_pairs(*a, 4).empty());
  // 0, negative and too large numbers are unknown; repeats are duplicates.
  a = parse_judge_answer(R"({"order": [0, -1, 2, 4, 2, 18446744073709551615, 1, 1]})", 3);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->order, (std::vector<size_t>{1, 0}));
  EXPECT_EQ(a->unknown, 4u);
  EXPECT_EQ(a->duplicates, 2u);
}

TEST(RankingJudge, AnswerContentIsStrict) {
  auto error_of = [](std::string_view text) {
    auto a = parse_judge_answer(text, 5);
    EXPECT_FALSE(a.is_ok()) << text;
    if (a.is_ok()) return std::string();
    EXPECT_EQ(a.status().code(), Status::Code::kInvalidArgument);
    return a.status().message();
  };
  EXPECT_NE(error_of("3번이 가장 잘 맞습니다.").find("no JSON object"), std::string::npos);
  EXPECT_NE(error_of("").find("no JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"order": [1, 2)").find("no JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({order: [1]})").find("no JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"ranking": [1, 2]})").find("no \"order\""), std::string::npos);
  EXPECT_NE(error_of(R"({"order": "3, 1"})").find("not an array"), std::string::npos);
  EXPECT_NE(error_of(R"({"order": {"1": 3}})").find("not an array"), std::string::npos);
  // Non-integer entries refuse the whole answer (see the header): position and value named.
  EXPECT_NE(error_of(R"({"order": [1, "2"]})").find("entry 1 is not an integer: \"2\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"order": [2.5]})").find("entry 0"), std::string::npos);
  EXPECT_NE(error_of(R"({"order": [1, null]})").find("entry 1"), std::string::npos);
  EXPECT_NE(error_of(R"({"order": [[1]]})").find("entry 0"), std::string::npos);
  // Many stray braces: bounded work, still an error rather than a hang.
  EXPECT_FALSE(parse_judge_answer(std::string(100000, '{'), 5).is_ok());
}

TEST(RankingJudge, RowsLabelsAndWeights) {
  JudgeRequest r1{
      "u1",
      "p1",
      {cand("a", "", "", {1, 2}), cand("b", "", "", {3, 4}), cand("c", "", "", {5, 6})}};
  JudgeRequest r2{"u2", "p2", {cand("x", "", "", {7, 8}), cand("y", "", "", {9, 10})}};
  JudgeAnswer a1{{2}, 0, 0};  // c first; a, b hard negatives
  JudgeAnswer a2{{}, 0, 0};   // nothing fits
  auto rows = judgement_rows({r1, r2}, {a1, a2}, 2, 2.0f);
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  EXPECT_EQ(rows->labels, (std::vector<float>{0, 0, 1, 0, 0}));
  EXPECT_EQ(rows->group_sizes, (std::vector<uint32_t>{3, 2}));
  EXPECT_EQ(rows->group_weights, (std::vector<float>{2.0f, 2.0f}));
  EXPECT_EQ(rows->features, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(judged_pairs(a1, 3), (std::vector<std::pair<size_t, size_t>>{{2, 0}, {2, 1}}));

  auto rows0 = judgement_rows({}, {}, 2, 1.0f);
  ASSERT_TRUE(rows0.is_ok());
  EXPECT_TRUE(rows0->empty());

  auto fails_with = [](const Result<RankingData>& r, const std::string& part) {
    ASSERT_FALSE(r.is_ok()) << part;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(part), std::string::npos) << r.status().message();
  };
  JudgeRequest narrow = r2;
  narrow.candidates[1].features = {9};
  fails_with(judgement_rows({r1, narrow}, {a1, a2}, 2, 1.0f),
             "judge request 1 (user 'u2'): candidate 'y' has 1 features, expected 2");
  fails_with(judgement_rows({r1}, {a1, a2}, 2, 1.0f), "1 judge requests but 2 answers");
  fails_with(judgement_rows({r1}, {a1}, 0, 1.0f), "n_features");
  fails_with(judgement_rows({r1}, {a1}, 2, 0.0f), "weight");
  fails_with(judgement_rows({r1}, {a1}, 2, std::nanf("")), "weight");
  fails_with(judgement_rows({r1}, {JudgeAnswer{{3}, 0, 0}}, 2, 1.0f), "out of range");
  fails_with(judgement_rows({r1}, {JudgeAnswer{{1, 1}, 0, 0}}, 2, 1.0f), "repeated");
  fails_with(judgement_rows({JudgeRequest{"u3", "", {}}}, {a2}, 2, 1.0f), "no candidates");
}

TEST(RankingJudge, PairsAgreeWithLabels) {
  for (const JudgeAnswer& a : {JudgeAnswer{{4, 0, 2}, 0, 0}, JudgeAnswer{{0, 1, 2, 3, 4, 5}, 0, 0},
                               JudgeAnswer{{5}, 0, 0}, JudgeAnswer{{}, 0, 0}}) {
    const size_t n = 6;
    const std::vector<float> labels = judged_labels(a, n);
    size_t want = 0;
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) want += labels[i] > labels[j] ? 1 : 0;
    }
    const auto pairs = judged_pairs(a, n);
    EXPECT_EQ(pairs.size(), want);
    const size_t l = a.order.size();
    EXPECT_EQ(pairs.size(), l * (l - (l > 0 ? 1 : 0)) / 2 + l * (n - l));
    for (const auto& [hi, lo] : pairs) EXPECT_GT(labels[hi], labels[lo]);
  }
  // Defensive: entries out of range or repeated are ignored.
  EXPECT_EQ(judged_labels(JudgeAnswer{{7, 1, 1, 0}, 0, 0}, 3), (std::vector<float>{1, 2, 0}));
}

TEST(RankingJudge, JsonlRoundTrip) {
  JudgeRequest r = golden_request();
  r.candidates[0].features = {0.1f, -3.25f};
  r.candidates[1].features = {1e-7f, 123456.79f};
  r.candidates[2].features = {std::numeric_limits<float>::max(),
                              std::numeric_limits<float>::denorm_min()};
  r.profile += "\n\"따옴표\" \\ 역슬래시";
  JudgeAnswer a{{1, 0, 2, 4}, 1, 1};
  JudgeRequest r2{"u2", "", {cand("z", "", "", {0, 1})}};
  JudgeAnswer a2{{}, 0, 0};
  const std::string line = judged_to_jsonl(r, a);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line, even with a multi-line profile
  EXPECT_NE(line.find("\"features\":[[0.1,-3.25],[1e-07,123456.79],"), std::string::npos) << line;
  EXPECT_NE(line.find("\"order\":[1,0,2,4],\"unknown\":1,\"duplicates\":1}"), std::string::npos);

  const JudgedFile f = read_judged_jsonl(line + judged_to_jsonl(r2, a2), 2);
  EXPECT_TRUE(f.errors.empty()) << f.errors.front();
  ASSERT_EQ(f.requests.size(), 2u);
  ASSERT_EQ(f.answers.size(), 2u);
  const JudgeRequest& back = f.requests[0];
  EXPECT_EQ(back.user, r.user);
  EXPECT_EQ(back.profile, r.profile);
  ASSERT_EQ(back.candidates.size(), r.candidates.size());
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    EXPECT_EQ(back.candidates[i].doc_id, r.candidates[i].doc_id);
    EXPECT_EQ(back.candidates[i].title, r.candidates[i].title);  // line break kept
    EXPECT_EQ(back.candidates[i].topic_path, r.candidates[i].topic_path);
    EXPECT_EQ(back.candidates[i].features, r.candidates[i].features) << i;  // bit exact
  }
  EXPECT_EQ(f.answers[0].order, a.order);
  EXPECT_EQ(f.answers[0].unknown, 1u);
  EXPECT_EQ(f.answers[0].duplicates, 1u);
  EXPECT_EQ(f.requests[1].candidates[0].features, (std::vector<float>{0, 1}));
  EXPECT_TRUE(f.answers[1].order.empty());

  // Training rows from the file equal those from memory.
  auto mem = judgement_rows({r, r2}, {a, a2}, 2, 0.3f);
  auto file = judgement_rows(f.requests, f.answers, 2, 0.3f);
  ASSERT_TRUE(mem.is_ok() && file.is_ok());
  EXPECT_EQ(mem->features, file->features);
  EXPECT_EQ(mem->labels, file->labels);

  // Shortest float text reads back bit-exactly through the JSON reader's doubles.
  std::mt19937 rng(7);
  JudgeRequest many{"u", "", {}};
  for (int k = 0; k < 2000; ++k) {
    std::vector<float> row(8);
    for (float& v : row) {
      uint32_t bits = static_cast<uint32_t>(rng());
      std::memcpy(&v, &bits, sizeof v);
      if (!std::isfinite(v) || v == 0.0f) v = 1.5f;  // -0 reads back as 0: not compared
    }
    many.candidates.push_back(cand("d" + std::to_string(k), "", "", row));
  }
  const JudgedFile fm = read_judged_jsonl(judged_to_jsonl(many, {}), 8);
  ASSERT_TRUE(fm.errors.empty()) << fm.errors.front();
  ASSERT_EQ(fm.requests.size(), 1u);
  for (size_t k = 0; k < many.candidates.size(); ++k) {
    ASSERT_EQ(fm.requests[0].candidates[k].features, many.candidates[k].features) << k;
  }
}

TEST(RankingJudge, JsonlBadLinesAreReportedAndSkipped) {
  JudgeRequest ok{"u-ok", "", {cand("a", "t", "", {1, 2}), cand("b", "", "", {3, 4})}};
  const std::string good = judged_to_jsonl(ok, JudgeAnswer{{1}, 0, 0});
  const std::string feats = R"("features":[[1,2]])";
  const std::string u = R"({"user":"u",)";
  const std::vector<std::string> lines = {
      good.substr(0, good.size() - 1),                                             // 1
      "",                                                                          // 2
      "not json",                                                                  // 3
      "[1, 2]",                                                                    // 4
      R"({"doc_ids":["a"],)" + feats + R"(,"order":[]})",                          // 5
      u + R"("doc_ids":[],"features":[],"order":[]})",                             // 6
      u + R"("doc_ids":["a"],"features":[[1]],"order":[]})",                       // 7
      u + R"("doc_ids":["a"],"features":[[1,"x"]],"order":[]})",                   // 8
      u + R"("doc_ids":["a"],"features":[[1,1e300]],"order":[]})",                 // 9
      u + R"("doc_ids":["a"],)" + feats + R"(,"order":[1]})",                      // 10
      u + R"("doc_ids":["a","b"],"features":[[1,2],[3,4]],"order":[1,1]})",        // 11
      u + R"("doc_ids":["a"],)" + feats + "}",                                     // 12
      u + R"("doc_ids":["a"],"titles":["x","y"],)" + feats + R"(,"order":[]})",    // 13
      u + R"("doc_ids":["a"],)" + feats + R"(,"order":[0],"unknown":-1})",         // 14
      u + R"("doc_ids":["a"],"features":[[1,null]],"order":[]})",                  // 15
      "   \r",                                                                     // 16
      R"({"user":"u-last","doc_ids":["a"],)" + feats + R"(,"order":[0]})" + "\r",  // 17
      u + R"("doc_ids":)",  // 18: cut off, and no newline at the end of the text
  };
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) text += (i > 0 ? "\n" : "") + lines[i];
  const JudgedFile f = read_judged_jsonl(text, 2);
  ASSERT_EQ(f.requests.size(), 2u);
  ASSERT_EQ(f.answers.size(), 2u);
  EXPECT_EQ(f.requests[0].user, "u-ok");
  EXPECT_EQ(f.answers[0].order, (std::vector<size_t>{1}));
  EXPECT_EQ(f.requests[1].user, "u-last");  // CRLF line ending accepted
  EXPECT_EQ(f.answers[1].order, (std::vector<size_t>{0}));
  EXPECT_EQ(f.errors,
            (std::vector<std::string>{
                "line 3: not valid JSON",
                "line 4: expected one JSON object per line",
                "line 5: field 'user': expected a string",
                "line 6: field 'doc_ids': expected a non-empty array of strings",
                "line 7: field 'features': row 0: expected 2 numbers",
                "line 8: field 'features': row 0, feature 1: expected a finite number",
                "line 9: field 'features': row 0, feature 1: expected a finite number",
                "line 10: field 'order': expected integers 0..0",
                "line 11: field 'order': index 1 repeated",
                "line 12: field 'order': expected an array of candidate indexes",
                "line 13: field 'titles': expected an array of 1 strings (one per doc id)",
                "line 14: field 'unknown': expected a non-negative integer",
                "line 15: field 'features': row 0, feature 1: expected a finite number",
                "line 18: not valid JSON",
            }));

  // A non-finite feature is written as null and refused on reading.
  JudgeRequest inf = ok;
  inf.candidates[0].features[1] = std::numeric_limits<float>::infinity();
  const JudgedFile fi = read_judged_jsonl(judged_to_jsonl(inf, {}), 2);
  EXPECT_TRUE(fi.requests.empty());
  ASSERT_EQ(fi.errors.size(), 1u);
  EXPECT_EQ(fi.errors[0], "line 1: field 'features': row 0, feature 1: expected a finite number");
  // A file written for another feature width is refused line by line.
  EXPECT_EQ(read_judged_jsonl(good, 3).errors,
            (std::vector<std::string>{"line 1: field 'features': row 0: expected 3 numbers"}));
}

}  // namespace
}  // namespace feedscout::llm
