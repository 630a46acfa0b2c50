// `feedscout distill` as a user runs it: the real binary against the in-process test LLM
// server (tests/llm/test_llm_server.h). No real inference server runs here: the scripted
// server answers the shipped prompts (teacher, judge, synthetic title and body) over
// /v1/chat/completions and checks that each request is one its dialect accepts (vLLM: no
// response_format; Ollama: no vLLM or llama.cpp constraint fields, and the API key from
// --llm-api-key-env). The whole chain runs for two dialects: teacher-label → judge →
// synthesize → train-student → export-chat, and the trained student classifies held-out
// texts through `feedscout classify`. Faults: a server that is down, 5xx for some items (and
// --resume retrying just those), broken pool lines named by file:line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "llm/test_llm_server.h"
#include "support/test_support.h"

namespace {

using feedscout::llm::testing::TestLlmServer;
using nlohmann::json;

using RunResult = feedscout::testing_support::CommandResult;
RunResult run(const std::string& command) {
  return feedscout::testing_support::run_command(command);
}

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr char kTaxonomy[] =
    "id\tparent\tname\n"
    "sport\t\t스포츠\n"
    "soccer\tsport\t축구\n"
    "baseball\tsport\t야구\n"
    "travel\t\t여행\n"
    "domestic\ttravel\t국내여행\n"
    "overseas\ttravel\t해외여행\n";

// The text of the line after `marker` in `prompt` ("" when absent).
std::string after(const std::string& prompt, const std::string& marker) {
  const size_t at = prompt.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  const size_t end = prompt.find('\n', start);
  return prompt.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string chat_answer(const std::string& content) {
  return json{{"choices", json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", content}}},
                                        {"finish_reason", "stop"}}})}}
      .dump();
}

// A scripted teacher, judge and writer for the small taxonomy above.
//   teacher: soccer documents → 축구, the coarse 스포츠 and 스포츠>농구 (not in the taxonomy);
//            baseball → 야구; domestic travel → 국내여행 and the wrong 해외여행.
//   judge:   leaf labels that match the document 90–100; 스포츠 30; a wrong label 0.
//   writer:  titles "해외여행 이야기 N" (N counts title requests); the body for N = 3
//            repeats one phrase (the repetition filter must drop it).
// Titles containing "오류" get HTTP 500 while `fail_marked` is set.
class ScriptedLlm {
 public:
  explicit ScriptedLlm(std::string dialect, std::string api_key = "")
      : dialect_(std::move(dialect)), api_key_(std::move(api_key)) {}

  void install(httplib::Server& s) {
    s.Post("/v1/chat/completions",
           [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
  }

  std::atomic<bool> fail_marked{false};
  std::atomic<int> teacher_calls{0}, judge_calls{0}, title_calls{0}, body_calls{0};

  std::vector<std::string> protocol_errors() {
    std::lock_guard lock(mu_);
    return protocol_errors_;
  }

 private:
  void reject(httplib::Response& res, int status, const std::string& why) {
    {
      std::lock_guard lock(mu_);
      protocol_errors_.push_back(why);
    }
    res.status = status;
    res.set_content(json{{"error", why}}.dump(), "application/json");
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("messages") || body["messages"].empty()) {
      return reject(res, 400, "no messages");
    }
    if (body.value("model", "") != "teacher-xl") return reject(res, 400, "wrong model");
    if (dialect_ == "vllm" && body.contains("response_format")) {
      return reject(res, 400, "vllm: unexpected response_format");
    }
    if (dialect_ == "ollama" && (body.contains("structured_outputs") ||
                                 body.contains("guided_choice") || body.contains("grammar"))) {
      return reject(res, 400, "ollama: unexpected vLLM/llama.cpp field");
    }
    if (!api_key_.empty() && req.get_header_value("Authorization") != "Bearer " + api_key_) {
      return reject(res, 401, "missing or wrong API key");
    }
    const std::string prompt = body["messages"][0].value("content", "");
    const std::string title = after(prompt, "제목: ");
    if (fail_marked && title.find("오류") != std::string::npos) {
      res.status = 500;
      res.set_content("{\"error\":\"internal error\"}", "application/json");
      return;
    }
    std::string answer;
    if (prompt.find("주제 분류 체계:") != std::string::npos) {
      ++teacher_calls;
      if (title.find("축구") != std::string::npos) {
        answer = "1. 스포츠>축구\n2. 스포츠\n3. 스포츠>농구\n";
      } else if (title.find("야구") != std::string::npos) {
        answer = "스포츠>야구";
      } else {
        answer = "- 여행>국내여행\n- 여행>해외여행";
      }
    } else if (prompt.find("분류된 주제: ") != std::string::npos) {
      ++judge_calls;
      const std::string topic = after(prompt, "분류된 주제: ");
      int score = 0;
      if (topic == "스포츠>축구") score = title.find("축구") != std::string::npos ? 95 : 0;
      if (topic == "스포츠>야구") score = 90;
      if (topic == "여행>국내여행") score = 100;
      if (topic == "스포츠") score = 30;
      answer =
          "- 중심 내용: 문서 요약\n- 연관성 판단: 판단\n- 구체성 판단: 판단\n- 점수 (0~100): " +
          std::to_string(score);
    } else if (prompt.find("주제의 블로그나 뉴스 글 제목") != std::string::npos) {
      answer = "해외여행 이야기 " + std::to_string(++title_calls);
    } else if (prompt.find("본문을 3~5문장") != std::string::npos) {
      ++body_calls;
      if (title == "해외여행 이야기 3") {
        for (int i = 0; i < 50; ++i) answer += "해외여행 최고 ";
      } else {
        answer = "파리 에펠탑 런던 뉴욕 해외 항공권 호텔 비자 환전 면세점 " + title + ".";
      }
    } else {
      return reject(res, 400, "unknown prompt");
    }
    res.set_content(chat_answer(answer), "application/json");
  }

  std::string dialect_, api_key_;
  std::mutex mu_;
  std::vector<std::string> protocol_errors_;
};

std::string soccer_title(int i) {
  return "축구 경기 손흥민 결승골 " + std::to_string(i);
}

// 12 documents per topic (soccer, baseball, domestic travel); none about overseas travel.
void write_pool(const std::string& path) {
  std::ofstream out(path);
  for (int i = 0; i < 12; ++i) {
    const std::string n = std::to_string(i);
    out << json{{"id", "soccer-" + n},
                {"title", soccer_title(i)},
                {"body", "리그 경기에서 골 슈팅 패스 감독 전술 공격수 " + n},
                {"created_at", "2026-11-20T09:00:00Z"}}
               .dump()
        << "\n";
    out << json{{"id", "baseball-" + n},
                {"title", "야구 홈런 투수 " + n},
                {"body", "타자 홈런 투수 삼진 이닝 불펜 타율 " + n},
                {"created_at", "2026-11-20T09:00:00Z"}}
               .dump()
        << "\n";
    out << json{{"id", "domestic-" + n},
                {"title", "제주 국내 여행 코스 " + n},
                {"body", "제주 부산 강릉 숙소 맛집 올레길 캠핑 " + n},
                {"created_at", "2026-11-20T09:00:00Z"}}
               .dump()
        << "\n";
  }
}

class DistillCommand : public ::testing::TestWithParam<const char*> {
 protected:
  DistillCommand() : dir_("feedscout_distill_cli") {
    std::ofstream(dir_.file("taxonomy.tsv")) << kTaxonomy;
  }

  // The binary with the step, the test taxonomy and (except train-student, which reads
  // none) the shipped prompts.
  std::string step(const std::string& name) const {
    return std::string(FEEDSCOUT_BINARY) + " distill " + name + " --taxonomy " +
           dir_.file("taxonomy.tsv") +
           (name == "train-student" ? "" : " --prompts " FEEDSCOUT_SOURCE_DIR "/data/prompts");
  }
  std::string llm(const std::string& url, const std::string& dialect) const {
    return " --llm-url " + url + " --llm-model teacher-xl --llm-dialect " + dialect +
           " --llm-max-in-flight 4";
  }

  feedscout::testing_support::TempDir dir_;
};

TEST_P(DistillCommand, WholeChainAgainstTheTestServer) {
  const std::string dialect = GetParam();
  // The Ollama run also sends the API key named by --llm-api-key-env.
  const std::string key = dialect == "ollama" ? "test-secret" : "";
  ScriptedLlm llm_server(dialect, key);
  TestLlmServer server([&](httplib::Server& s) { llm_server.install(s); });
  const std::string env = key.empty() ? "" : "FEEDSCOUT_DISTILL_TEST_KEY=" + key + " ";
  const std::string llm_opts = llm(server.url(), dialect) +
                               (key.empty() ? "" : " --llm-api-key-env FEEDSCOUT_DISTILL_TEST_KEY");
  write_pool(dir_.file("pool.jsonl"));

  // 1. Teacher labels: valid paths only, in the teacher's order, at most --max-topics.
  RunResult r = run(env + step("teacher-label") + " --pool " + dir_.file("pool.jsonl") + " --out " +
                    dir_.file("labelled.jsonl") + llm_opts);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("teacher-label: items 36, kept 60, dropped 0, generator errors 0, "
                          "invalid labels 12"),
            std::string::npos)
      << r.output;
  const auto labelled = read_jsonl(dir_.file("labelled.jsonl"));
  ASSERT_EQ(labelled.size(), 36u);
  EXPECT_EQ(labelled[0]["id"], "soccer-0");  // input order, whatever the concurrency
  EXPECT_EQ(labelled[0]["topics"], (json{"스포츠>축구", "스포츠"}));
  EXPECT_EQ(labelled[1]["topics"], (json{"스포츠>야구"}));
  EXPECT_EQ(labelled[2]["topics"], (json{"여행>국내여행", "여행>해외여행"}));
  const std::string kinds[] = {"soccer", "baseball", "domestic"};
  for (size_t i = 0; i < labelled.size(); ++i) {
    EXPECT_EQ(labelled[i]["id"], kinds[i % 3] + "-" + std::to_string(i / 3));
  }
  EXPECT_EQ(read_text(dir_.file("labelled.jsonl")).find("농구"), std::string::npos)
      << "a label outside the taxonomy was written";
  EXPECT_EQ(llm_server.teacher_calls.load(), 36);

  // 2. Judge at 80: the coarse 스포츠 (30) and the wrong 해외여행 (0) are dropped.
  r = run(env + step("judge") + " --in " + dir_.file("labelled.jsonl") + " --out " +
          dir_.file("judged.jsonl") + " --min-score 80" + llm_opts);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("judge: items 36, kept 36, dropped 24, generator errors 0"),
            std::string::npos)
      << r.output;
  const auto judged = read_jsonl(dir_.file("judged.jsonl"));
  ASSERT_EQ(judged.size(), 36u);
  std::map<std::string, int> per_topic;
  for (const json& d : judged) {
    ASSERT_EQ(d["topics"].size(), 1u) << d.dump();
    ++per_topic[d["topics"][0].get<std::string>()];
    EXPECT_GE(d["judge_scores"][0].get<int>(), 80);
  }
  EXPECT_EQ(per_topic, (std::map<std::string, int>{
                           {"스포츠>축구", 12}, {"스포츠>야구", 12}, {"여행>국내여행", 12}}));
  EXPECT_EQ(judged[0]["judge_scores"], json{95});
  EXPECT_EQ(llm_server.judge_calls.load(), 60);

  // 3. Synthesize for the leaves with < 5 documents: only 여행>해외여행; the repetitive
  //    body is dropped.
  r = run(env + step("synthesize") + " --in " + dir_.file("judged.jsonl") + " --out " +
          dir_.file("synthetic.jsonl") + " --min-per-topic 5 --per-topic 6 --max-repetition 15" +
          llm_opts);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 of 4 candidate topics have fewer than 5 documents"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("synthesize: items 6, kept 5, dropped 1, generator errors 0"),
            std::string::npos)
      << r.output;
  const auto synthetic = read_jsonl(dir_.file("synthetic.jsonl"));
  ASSERT_EQ(synthetic.size(), 5u);
  for (const json& d : synthetic) {
    EXPECT_EQ(d["topics"], json{"여행>해외여행"});
    EXPECT_EQ(d["synthetic"], true);
    EXPECT_EQ(d["id"].get<std::string>().rfind("synthetic-overseas-", 0), 0u) << d["id"];
    EXPECT_NE(d["title"], "해외여행 이야기 3");
    EXPECT_EQ(d["body"].get<std::string>().find("해외여행 최고"), std::string::npos);
    EXPECT_NE(d["body"].get<std::string>().find(d["title"].get<std::string>()), std::string::npos);
  }
  EXPECT_EQ(llm_server.title_calls.load(), 6);
  EXPECT_EQ(llm_server.body_calls.load(), 6);

  // 4. The student trains on judged + synthetic and classifies held-out texts.
  r = run(step("train-student") + " --in " + dir_.file("judged.jsonl") + " --in " +
          dir_.file("synthetic.jsonl") + " --model " + dir_.file("student.bin") + " --epoch 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("on 41 documents (5 synthetic), 4 topics"), std::string::npos)
      << r.output;
  const std::string classify = std::string(FEEDSCOUT_BINARY) + " classify --model " +
                               dir_.file("student.bin") + " --taxonomy " +
                               dir_.file("taxonomy.tsv");
  r = run(classify + " '파리 에펠탑 해외 항공권' '런던 뉴욕 호텔 환전'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.substr(0, r.output.find('\n')).find("\toverseas\t여행>해외여행"),
            std::string::npos)
      << r.output;
  r = run(classify + " '손흥민 골 경기' '슈팅 패스 전술'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.substr(0, r.output.find('\n')).find("\tsoccer\t스포츠>축구"),
            std::string::npos)
      << r.output;

  // 5. Chat export: one conversation per labelled document, the prompt and the answer.
  r = run(step("export-chat") + " --in " + dir_.file("judged.jsonl") + " --in " +
          dir_.file("synthetic.jsonl") + " --out " + dir_.file("chat.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto chat = read_jsonl(dir_.file("chat.jsonl"));
  ASSERT_EQ(chat.size(), 41u);
  for (const json& c : chat) {
    ASSERT_EQ(c["messages"].size(), 2u);
    EXPECT_EQ(c["messages"][0]["role"], "user");
    EXPECT_EQ(c["messages"][1]["role"], "assistant");
  }
  const std::string first_prompt = chat[0]["messages"][0]["content"];
  EXPECT_NE(first_prompt.find("주제 분류 체계에서 골라"), std::string::npos) << first_prompt;
  EXPECT_NE(first_prompt.find("제목: " + soccer_title(0)), std::string::npos) << first_prompt;
  EXPECT_EQ(chat[0]["messages"][1]["content"], "스포츠>축구");
  EXPECT_EQ(chat[40]["messages"][1]["content"], "여행>해외여행");
  EXPECT_NE(chat[40]["messages"][0]["content"].get<std::string>().find(
                "제목: " + synthetic[4]["title"].get<std::string>()),
            std::string::npos);

  EXPECT_TRUE(llm_server.protocol_errors().empty()) << llm_server.protocol_errors().front();
}

INSTANTIATE_TEST_SUITE_P(DistillDialects, DistillCommand, ::testing::Values("vllm", "ollama"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

TEST_F(DistillCommand, ServerDownIsAClearErrorWithNonZeroExit) {
  std::string url;
  {
    TestLlmServer server([](httplib::Server&) {});
    url = server.url();
  }  // stopped: connections to the port are refused
  write_pool(dir_.file("pool.jsonl"));
  const RunResult r = run(step("teacher-label") + " --pool " + dir_.file("pool.jsonl") + " --out " +
                          dir_.file("labelled.jsonl") + llm(url, "vllm") +
                          " --llm-retries 0 --llm-connect-timeout-ms 500");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("generator errors 36"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("error: the teacher failed for every document"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("first error: "), std::string::npos) << r.output;
  EXPECT_TRUE(read_jsonl(dir_.file("labelled.jsonl")).empty());
}

TEST_F(DistillCommand, ServerErrorsForSomeItemsAreCountedAndResumeRetriesThem) {
  ScriptedLlm llm_server("vllm");
  llm_server.fail_marked = true;
  TestLlmServer server([&](httplib::Server& s) { llm_server.install(s); });
  {
    std::ofstream out(dir_.file("pool.jsonl"));
    for (int i = 0; i < 8; ++i) {
      const bool bad = i == 2 || i == 5;
      std::string id = "d", title = bad ? "오류 축구 " : "축구 경기 ";
      id += std::to_string(i);
      title += std::to_string(i);
      out << json{{"id", id},
                  {"title", title},
                  {"body", "본문"},
                  {"created_at", "2026-11-20T09:00:00Z"}}
                 .dump()
          << "\n";
    }
  }
  const std::string cmd = step("teacher-label") + " --pool " + dir_.file("pool.jsonl") + " --out " +
                          dir_.file("labelled.jsonl") + llm(server.url(), "vllm") +
                          " --llm-retries 1";
  RunResult r = run(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("items 8, kept 12, dropped 0, generator errors 2"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("first error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("500"), std::string::npos) << r.output;
  auto labelled = read_jsonl(dir_.file("labelled.jsonl"));
  ASSERT_EQ(labelled.size(), 6u);
  std::set<std::string> ids;
  for (const json& d : labelled) ids.insert(d["id"]);
  EXPECT_EQ(ids.count("d2") + ids.count("d5"), 0u);
  EXPECT_EQ(labelled[2]["id"], "d3");  // input order kept around the failures

  // The server recovers; --resume asks only for the two missing documents.
  llm_server.fail_marked = false;
  const int before = llm_server.teacher_calls.load();
  r = run(cmd + " --resume");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(llm_server.teacher_calls.load() - before, 2);
  EXPECT_NE(r.output.find("items 2, kept 4, dropped 0, generator errors 0"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("6 already there"), std::string::npos) << r.output;
  labelled = read_jsonl(dir_.file("labelled.jsonl"));
  ASSERT_EQ(labelled.size(), 8u);
  ids.clear();
  for (const json& d : labelled) ids.insert(d["id"]);
  EXPECT_EQ(ids.size(), 8u);
}

TEST_F(DistillCommand, BrokenPoolLinesAreNamedAndTheRestIsProcessed) {
  ScriptedLlm llm_server("vllm");
  TestLlmServer server([&](httplib::Server& s) { llm_server.install(s); });
  const std::string pool = dir_.file("pool.jsonl");
  {
    std::ofstream out(pool);
    out << R"({"id":"a","title":"축구 경기","created_at":"2026-11-20T09:00:00Z"})"
        << "\n";
    out << R"({"id":"b","title":"깨진 줄", )"
        << "\n";  // line 2: broken JSON
    out << R"({"id":"c","title":"야구 홈런","created_at":"2026-11-20T09:00:00Z"})"
        << "\n";
    out << R"({"id":"d","title":"농구","created_at":"2026-11-20T09:00:00Z",)"
        << R"("topics":["스포츠>농구"]})"
        << "\n";  // line 4: unknown topic
    out << R"({"id":"a","title":"중복","created_at":"2026-11-20T09:00:00Z"})"
        << "\n";  // line 5
  }
  const RunResult r = run(step("teacher-label") + " --pool " + pool + " --out " +
                          dir_.file("labelled.jsonl") + llm(server.url(), "vllm"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped " + pool + ":2: not valid JSON"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("skipped " + pool + ":4: field 'topics[0]'"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("skipped " + pool + ":5: repeated id 'a'"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("items 2, kept 3,"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad input rows 3 (first " + pool + ":2:"), std::string::npos)
      << r.output;
  const auto labelled = read_jsonl(dir_.file("labelled.jsonl"));
  ASSERT_EQ(labelled.size(), 2u);
  EXPECT_EQ(labelled[0]["id"], "a");
  EXPECT_EQ(labelled[1]["id"], "c");
  EXPECT_EQ(labelled[1]["topics"], json{"스포츠>야구"});
}

TEST_F(DistillCommand, MissingInputAndHelpExitCodes) {
  RunResult r = run(step("judge") + " --in " + dir_.file("nowhere.jsonl") + " --out " +
                    dir_.file("judged.jsonl"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(dir_.file("nowhere.jsonl")), std::string::npos) << r.output;
  r = run(std::string(FEEDSCOUT_BINARY) + " distill teacher-label --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Exit codes:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--llm-api-key-env"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("http://127.0.0.1:8000"), std::string::npos) << r.output;
}

}  // namespace
