// `feedscout distill judge-ranking`: a teacher language model orders the current ranking's
// top and bottom candidates for sampled users (the RRA recipe, docs/RANKING.md); the
// judgements train the learned ranker with `train-ranker --judgements`.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli_common.h"
#include "feedscout/common/hash.h"
#include "feedscout/engine/feature_log.h"
#include "feedscout/llm/client.h"
#include "feedscout/llm/client_adapters.h"
#include "feedscout/llm/ranking_judge.h"
#include "feedscout/serve/ranking_features.h"

namespace feedscout::cli {
namespace {

struct JudgeRankingArgs {
  CommonOptions common;    // --config and --data-dir of the engine to judge
  std::string llm_config;  // TOML whose classifier.llm_* keys name the teacher
  std::string llm_url;     // overrides classifier.llm_base_url
  std::string prompt = "data/prompts/judge_ranking.txt";
  std::string out = "var/judgements.jsonl";
  size_t users = 200;
  uint64_t seed = 7;
  size_t top = 10, bottom = 10;
  int max_tokens = 256;
};

// The users to judge: distinct users of the logged pages, ordered by a seeded hash (a
// reproducible sample), at most n.
std::vector<std::string> sample_users(const FeatureLogContents& log, size_t n, uint64_t seed) {
  std::set<std::string> distinct;
  for (const LoggedPage& p : log.pages) distinct.insert(p.user);
  std::vector<std::pair<uint64_t, std::string>> keyed;
  for (const std::string& u : distinct) keyed.emplace_back(mix64(fnv1a64(u) ^ seed), u);
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < keyed.size() && i < n; ++i) out.push_back(keyed[i].second);
  return out;
}

// What the teacher is told about the user: their strongest topics, recent searches and
// interest keywords (ContextView), one line each.
std::string profile_text(const ContextView& view, const Taxonomy& taxonomy) {
  std::ostringstream os;
  os << "관심 주제:";
  size_t shown = 0;
  for (const TopicScore& t : view.integrated) {
    if (shown >= 6 || t.clicks <= 0) continue;
    os << (shown++ ? ", " : " ") << taxonomy.node(t.topic).path;
  }
  if (shown == 0) os << " (없음)";
  os << "\n최근 검색:";
  shown = 0;
  for (const RecentSearch& s : view.recent_searches) {
    if (shown >= 5) break;
    os << (shown++ ? ", " : " ") << (s.refined.empty() ? s.query : s.refined);
  }
  if (shown == 0) os << " (없음)";
  os << "\n관심 키워드:";
  shown = 0;
  for (const KeywordScore& k : view.keywords) {
    if (shown >= 8) break;
    os << (shown++ ? ", " : " ") << k.text;
  }
  if (shown == 0) os << " (없음)";
  return os.str();
}

// The user's ranked candidates (served, then the unserved ones, best first) at the judged
// positions.
llm::JudgeRequest judge_request(Engine& engine, const std::string& user,
                                const JudgeRankingArgs& a) {
  llm::JudgeRequest r;
  r.user = user;
  r.profile = profile_text(engine.context(user), engine.taxonomy());
  const FeedPage page = engine.candidates(user, engine.config().feed.max_n);
  std::vector<const FeedEntry*> ranked;
  for (const FeedEntry& e : page.items) ranked.push_back(&e);
  for (const FeedEntry& e : page.unserved) ranked.push_back(&e);
  for (size_t i : llm::judge_positions(ranked.size(), a.top, a.bottom)) {
    const FeedEntry& e = *ranked[i];
    if (e.features.size() != kFeatureCount) continue;
    r.candidates.push_back(
        {e.doc_id, e.title, e.topic_paths.empty() ? "" : e.topic_paths.front(), e.features});
  }
  return r;
}

int run_judge_ranking(const JudgeRankingArgs& a) {
  auto config = resolve_config(a.common);
  if (!config.is_ok()) return fail(config.status());
  if (a.llm_config.empty()) return fail(Status::invalid_argument("--llm-config is required"));
  auto llm = load_config_file(a.llm_config);
  if (!llm.is_ok()) return fail(llm.status());
  llm::LlmClientConfig client_config = llm->engine.classifier.llm.client;
  if (!a.llm_url.empty()) client_config.base_url = a.llm_url;
  auto prompt = llm::PromptTemplate::load_file(a.prompt);
  if (!prompt.is_ok()) return fail(prompt.status());
  auto log = read_feature_log(config->engine.data_dir + "/feature-log", home_feature_schema());
  if (!log.is_ok()) return fail(log.status().with_context("the users to judge come from it"));
  config->engine.collaborative.retrain_interval_s = 0;
  config->engine.ranking.feature_log.enabled = false;  // judging serves nothing
  auto engine = Engine::open(config->engine);
  if (!engine.is_ok()) return fail(engine.status());
  if (config->engine.collaborative.enabled) {
    (void)(*engine)->train_collaborative();  // deliberately ignored: none yet is fine
  }
  auto client = llm::LlmClient::create(client_config);
  if (!client.is_ok()) return fail(client.status().with_context("language-model client"));
  llm::ClientTextGenerator teacher(**client, a.max_tokens, 0.0);

  const std::vector<std::string> users = sample_users(*log, a.users, a.seed);
  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  if (!out) return fail(Status::io_error("cannot write '" + a.out + "'"));
  size_t judged = 0, failed = 0, unknown = 0, duplicates = 0, too_few = 0;
  std::string first_error;
  for (const std::string& user : users) {
    llm::JudgeRequest request = judge_request(**engine, user, a);
    if (request.candidates.size() < 2) {
      ++too_few;
      continue;
    }
    auto text = llm::render_judge_prompt(*prompt, request);
    if (!text.is_ok()) return fail(text.status());
    auto answer_text = teacher.generate(*text);
    auto answer = answer_text.is_ok()
                      ? llm::parse_judge_answer(*answer_text, request.candidates.size())
                      : Result<llm::JudgeAnswer>(answer_text.status());
    if (!answer.is_ok()) {
      ++failed;
      if (first_error.empty()) first_error = user + ": " + answer.status().to_string();
      continue;
    }
    unknown += answer->unknown;
    duplicates += answer->duplicates;
    out << llm::judged_to_jsonl(request, *answer);  // one line, newline included
    ++judged;
  }
  out.flush();
  if (!out) return fail(Status::io_error("cannot write '" + a.out + "'"));
  std::cout << "judge-ranking: " << users.size() << " users sampled, " << judged << " judged, "
            << failed << " failed (teacher error or unreadable answer), " << too_few
            << " with fewer than 2 candidates; answers named " << unknown << " unknown and "
            << duplicates << " duplicate candidates (skipped); wrote " << a.out << "\n";
  if (!first_error.empty()) std::cout << "first failure: " << first_error << "\n";
  return judged == 0 && !users.empty() ? 1 : 0;
}

}  // namespace

void register_judge_ranking_command(CLI::App& distill, int& exit_code) {
  auto* cmd = distill.add_subcommand(
      "judge-ranking",
      "A teacher language model orders the current ranking's top and bottom candidates of "
      "sampled users (data/prompts/judge_ranking.txt); train-ranker --judgements learns from "
      "them (docs/RANKING.md)");
  auto a = std::make_shared<JudgeRankingArgs>();
  add_common_options(*cmd, a->common);
  cmd->add_option("--llm-config", a->llm_config,
                  "TOML file whose classifier.llm_* keys name the teacher server")
      ->required();
  cmd->add_option("--llm-url", a->llm_url, "the teacher server's root URL (overrides the file)");
  cmd->add_option("--prompt", a->prompt, "prompt template")->capture_default_str();
  cmd->add_option("--out", a->out, "judgements to write (JSON Lines)")->capture_default_str();
  cmd->add_option("--users", a->users, "users sampled from the feature log")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--seed", a->seed, "sampling seed")->capture_default_str();
  cmd->add_option("--top", a->top, "best candidates judged")->capture_default_str();
  cmd->add_option("--bottom", a->bottom, "worst candidates judged")->capture_default_str();
  cmd->add_option("--llm-max-tokens", a->max_tokens, "max_tokens of each answer")
      ->capture_default_str()
      ->check(CLI::Range(16, 1 << 20));
  cmd->callback([&exit_code, a] {
    setup_logging(a->common.verbose);
    spdlog::set_level(spdlog::level::warn);
    exit_code = run_judge_ranking(*a);
  });
}

}  // namespace feedscout::cli
