// `feedscout distill <step>`: the teacher → student distillation workflow of issue 4 as
// command-line steps over JSON Lines files (docs/DISTILLATION.md), on llm/distill.h:
//
//   teacher-label   pool (document format)  → labelled.jsonl  (teacher prompt, one call/doc)
//   judge           labelled.jsonl          → judged.jsonl    (judge prompt, one call/label)
//   synthesize      judged.jsonl            → synthetic.jsonl (title, then body, per topic)
//   train-student   judged + synthetic      → fastText model  (train_fasttext_topics)
//   export-chat     judged (+ synthetic)    → chat.jsonl      (messages for fine-tuning)
//
// Every file between the steps is in the document format (docs/FORMATS.md) with topics as
// paths, plus "judge_scores" / "synthetic" (labelled_document_to_json), so `train-topics` and
// `ingest` read them too.
//
// Contracts shared by the steps:
// - Bad input rows (broken JSON, an unknown topic, a missing field, a repeated id) are
//   reported on stderr as "skipped FILE:LINE: why" and skipped; the rest goes on.
// - Output is written in input order whatever the concurrency (language-model calls run on
//   up to --llm-max-in-flight threads, a batch at a time, each batch written when done).
// - An item whose language-model call failed is counted and not written, so `--resume`
//   (teacher-label, judge, synthesize) retries exactly those: it keeps what the output
//   already holds (a torn last line is cut off), skips the ids (topics for synthesize)
//   found there and appends the rest.
// - Every step ends with a summary line on stdout; long runs print progress on stderr.
// - Exit codes: kExitCodesHelp below (also in every step's --help).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "cli_common.h"
#include "feedscout/common/time.h"
#include "feedscout/llm/client.h"
#include "feedscout/llm/client_adapters.h"
#include "feedscout/llm/distill.h"
#include "feedscout/llm/prompt.h"
#include "feedscout/models/fasttext_classifier.h"

namespace feedscout::cli {
namespace {

using llm::LabelledDocument;
using llm::StepCounts;

constexpr int kExitOk = 0;
constexpr int kExitNothingDone = 1;
constexpr int kExitBadInput = 2;

constexpr char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  the step ran; failed items and skipped rows are counted in the summary\n"
    "  1  nothing could be done: the language model failed for every item (server\n"
    "     unreachable, 5xx after retries, ...), training failed, or the output could not\n"
    "     be written\n"
    "  2  bad input: a missing input, taxonomy or prompt file, no usable input row, a bad\n"
    "     option value (option-parser errors use CLI11's own non-zero codes)";

constexpr size_t kMaxShownSkips = 20;  // skipped rows printed one by one; the rest counted

int input_error(const Status& st) {
  std::cerr << "error: " << st.to_string() << "\n";
  return kExitBadInput;
}

int run_error(const Status& st) {
  std::cerr << "error: " << st.to_string() << "\n";
  return kExitNothingDone;
}

// Bad input rows: printed (the first kMaxShownSkips) and counted.
class SkippedRows {
 public:
  void add(const std::string& where, const std::string& why) {
    ++count_;
    if (count_ <= kMaxShownSkips) std::cerr << "skipped " << where << ": " << why << "\n";
    if (first_.empty()) first_ = where + ": " + why;
  }
  size_t count() const { return count_; }
  // ", bad input rows N (first FILE:LINE: why)" for the summary line.
  std::string summary() const {
    std::string s = ", bad input rows " + std::to_string(count_);
    if (!first_.empty()) s += " (first " + first_ + ")";
    return s;
  }

 private:
  size_t count_ = 0;
  std::string first_;
};

// Appends the labelled documents of `path` to `out`, in file order. Rows that do not parse,
// and rows repeating an id already read from this file when `unique_ids`, go to `skipped`.
// NotFound for a missing file.
Status read_labelled(const std::string& path, const Taxonomy& taxonomy, bool unique_ids,
                     SkippedRows& skipped, std::vector<LabelledDocument>& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::not_found("input file '" + path + "' does not exist");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("input file '" + path + "' cannot be opened");
  std::unordered_map<std::string, size_t> seen;  // id → line
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    auto doc = llm::parse_labelled_document(line, taxonomy);
    if (!doc.is_ok()) {
      skipped.add(where, doc.status().message());
      continue;
    }
    if (unique_ids) {
      const auto [it, fresh] = seen.emplace(doc->id, line_no);
      if (!fresh) {
        skipped.add(where, "repeated id '" + doc->id + "' (first on line " +
                               std::to_string(it->second) + ")");
        continue;
      }
    }
    out.push_back(std::move(doc).value());
  }
  return Status::ok();
}

// The output file of a step. Without resume it is truncated; with resume the complete lines
// already there are kept (a last line without '\n' — a run cut off mid-write — is removed)
// and their documents returned in `existing` (unreadable lines are ignored).
Result<std::ofstream> open_output(const std::string& path, bool resume, const Taxonomy& taxonomy,
                                  std::vector<LabelledDocument>* existing) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  if (resume && std::filesystem::is_regular_file(p, ec)) {
    std::string text;
    {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      text = s.str();
    }
    const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
    if (keep < text.size()) {
      std::filesystem::resize_file(p, keep, ec);
      if (ec) return Status::io_error("cannot cut the torn last line of '" + path + "'");
      std::cerr << "resume: removed an incomplete last line of " << path << "\n";
    }
    std::istringstream lines(text.substr(0, keep));
    std::string line;
    while (std::getline(lines, line)) {
      auto doc = llm::parse_labelled_document(line, taxonomy);
      if (doc.is_ok()) existing->push_back(std::move(doc).value());
    }
    std::ofstream out(path, std::ios::binary | std::ios::app);
    if (!out) return Status::io_error("cannot append to '" + path + "'");
    return out;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return out;
}

// Runs fn(i) for every i in [0, n) on up to `threads` threads; returns when all are done.
// fn must not throw.
void parallel_for(size_t n, size_t threads, const std::function<void(size_t)>& fn) {
  threads = std::max<size_t>(1, std::min(threads, n));
  if (threads == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
    });
  }
  for (std::thread& t : pool) t.join();
}

void add_counts(StepCounts& total, const StepCounts& c) {
  total.items += c.items;
  total.generator_errors += c.generator_errors;
  total.invalid_labels += c.invalid_labels;
  total.unparseable += c.unparseable;
  total.dropped += c.dropped;
  total.kept += c.kept;
  if (total.first_error.empty()) total.first_error = c.first_error;
}

// What one item (a document, or a topic for synthesize) produced.
struct ItemOutcome {
  std::vector<LabelledDocument> docs;  // to write, in order
  StepCounts counts;
};

// Runs `work` over `n` items, `threads` at a time in batches, appending each batch's
// documents to `out` in item order and flushing after each batch (so an interrupted run
// keeps whole batches for --resume). Progress on stderr at most every 5 s.
Status run_items(const char* step, size_t n, size_t threads,
                 const std::function<ItemOutcome(size_t)>& work, const Taxonomy& taxonomy,
                 std::ofstream& out, const std::string& out_path, StepCounts& total,
                 size_t& written) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_progress = start;
  const size_t batch = std::max<size_t>(32, threads * 4);
  for (size_t begin = 0; begin < n; begin += batch) {
    const size_t end = std::min(n, begin + batch);
    std::vector<ItemOutcome> outcomes(end - begin);
    parallel_for(end - begin, threads, [&](size_t i) { outcomes[i] = work(begin + i); });
    for (ItemOutcome& o : outcomes) {
      add_counts(total, o.counts);
      for (const LabelledDocument& d : o.docs) {
        out << llm::labelled_document_to_json(d, taxonomy) << '\n';
        ++written;
      }
    }
    out.flush();
    if (!out) return Status::io_error("cannot write '" + out_path + "'");
    const auto now = Clock::now();
    if (end < n && now - last_progress >= std::chrono::seconds(5)) {
      last_progress = now;
      std::cerr << step << ": " << end << "/" << n << " items, " << total.generator_errors
                << " generator errors, "
                << std::chrono::duration_cast<std::chrono::seconds>(now - start).count() << " s\n";
    }
  }
  return Status::ok();
}

std::string counts_summary(const StepCounts& c) {
  std::ostringstream s;
  s << "items " << c.items << ", kept " << c.kept << ", dropped " << c.dropped
    << ", generator errors " << c.generator_errors << ", invalid labels " << c.invalid_labels
    << ", unparseable " << c.unparseable;
  return s.str();
}

void print_first_error(const StepCounts& c) {
  if (!c.first_error.empty()) std::cout << "first error: " << c.first_error << "\n";
}

// ---- options shared by the steps --------------------------------------------------------

// --config / --taxonomy / --prompts, and the language-model options for the steps that call
// one. The --llm-* defaults are those of classifier.llm_* (config/feedscout.toml); with
// --config the file's classifier.llm_* values and engine.taxonomy replace the defaults, and
// options given on the command line win over both.
struct StepArgs {
  std::string config_path;
  std::string taxonomy = "data/taxonomy/iab-content-3.1-ko.tsv";
  std::string prompts = "data/prompts";
  llm::LlmClientConfig client = LlmClassifierConfig{}.client;
  std::string dialect = llm::dialect_name(LlmClassifierConfig{}.client.dialect);
  int max_tokens = 256;
  double temperature = 0.0;
  bool resume = false;
  // Command-line options whose value replaces the --config file's, applied in order.
  std::vector<std::pair<CLI::Option*, std::function<void(llm::LlmClientConfig&)>>> llm_overrides;
  CLI::Option* taxonomy_opt = nullptr;
};

void add_base_options(CLI::App& cmd, StepArgs& a) {
  cmd.add_option("--config", a.config_path,
                 "TOML config: its engine.taxonomy and classifier.llm_* keys become the "
                 "defaults of --taxonomy and the --llm-* options");
  a.taxonomy_opt = cmd.add_option("--taxonomy", a.taxonomy, "taxonomy TSV the labels belong to")
                       ->capture_default_str();
  cmd.footer(kExitCodesHelp);
}

void add_prompt_option(CLI::App& cmd, StepArgs& a) {
  cmd.add_option("--prompts", a.prompts,
                 "folder of the prompt files (teacher_label.txt, judge.txt, synth_title.txt, "
                 "synth_body.txt, classify.txt)")
      ->capture_default_str();
}

void add_llm_options(CLI::App& cmd, StepArgs& a, int max_tokens, double temperature) {
  a.max_tokens = max_tokens;
  a.temperature = temperature;
  auto& o = a.llm_overrides;
  auto* c = &a.client;
  o.emplace_back(cmd.add_option("--llm-url", c->base_url,
                                "OpenAI-compatible server root, without /v1 (classifier."
                                "llm_base_url)")
                     ->capture_default_str(),
                 [c](llm::LlmClientConfig& t) { t.base_url = c->base_url; });
  o.emplace_back(
      cmd.add_option("--llm-model", c->model, "model name sent in every request (llm_model)"),
      [c](llm::LlmClientConfig& t) { t.model = c->model; });
  o.emplace_back(
      cmd.add_option("--llm-dialect", a.dialect, "vllm, llamacpp, ollama or openai (llm_dialect)")
          ->capture_default_str()
          ->check(CLI::IsMember({"vllm", "llamacpp", "llama.cpp", "ollama", "openai"})),
      nullptr);  // parsed after the merge
  o.emplace_back(cmd.add_option("--llm-vllm-version", c->vllm_version,
                                "vLLM version (>= 0.12: structured_outputs)")
                     ->capture_default_str(),
                 [c](llm::LlmClientConfig& t) { t.vllm_version = c->vllm_version; });
  o.emplace_back(cmd.add_option("--llm-api-key-env", c->api_key_env,
                                "NAME of the environment variable holding the API key "
                                "(llm_api_key_env; sent as 'Authorization: Bearer')"),
                 [c](llm::LlmClientConfig& t) { t.api_key_env = c->api_key_env; });
  o.emplace_back(cmd.add_option("--llm-max-in-flight", c->max_in_flight,
                                "concurrent requests; also the worker threads (llm_max_in_flight)")
                     ->capture_default_str()
                     ->check(CLI::Range(1, 1024)),
                 [c](llm::LlmClientConfig& t) { t.max_in_flight = c->max_in_flight; });
  o.emplace_back(cmd.add_option("--llm-connect-timeout-ms", c->connect_timeout_ms,
                                "connect timeout (llm_connect_timeout_ms)")
                     ->capture_default_str()
                     ->check(CLI::Range(int64_t{1}, int64_t{3600000})),
                 [c](llm::LlmClientConfig& t) { t.connect_timeout_ms = c->connect_timeout_ms; });
  o.emplace_back(cmd.add_option("--llm-request-timeout-ms", c->request_timeout_ms,
                                "timeout of one attempt (llm_request_timeout_ms)")
                     ->capture_default_str()
                     ->check(CLI::Range(int64_t{1}, int64_t{3600000})),
                 [c](llm::LlmClientConfig& t) { t.request_timeout_ms = c->request_timeout_ms; });
  o.emplace_back(cmd.add_option("--llm-retries", c->max_retries,
                                "retries after a failed attempt: connect errors, timeouts, 429, "
                                "5xx (llm_max_retries)")
                     ->capture_default_str()
                     ->check(CLI::Range(0, 100)),
                 [c](llm::LlmClientConfig& t) { t.max_retries = c->max_retries; });
  cmd.add_option("--llm-max-tokens", a.max_tokens, "max_tokens of each answer")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd.add_option("--llm-temperature", a.temperature, "sampling temperature")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 2.0));
}

void add_resume_option(CLI::App& cmd, StepArgs& a) {
  cmd.add_flag("--resume", a.resume,
               "keep what --out already holds and do only the rest (failed items are retried)");
}

struct Loaded {
  Taxonomy taxonomy;
  llm::LlmClientConfig client;
};

// The taxonomy and the merged client configuration (see StepArgs).
Result<Loaded> load_step(const StepArgs& a) {
  Loaded l;
  std::string taxonomy_path = a.taxonomy;
  l.client = a.client;
  std::string dialect = a.dialect;
  if (!a.config_path.empty()) {
    auto config = load_config_file(a.config_path);
    if (!config.is_ok()) return config.status();
    if (a.taxonomy_opt == nullptr || a.taxonomy_opt->count() == 0) {
      taxonomy_path = config->engine.taxonomy_path;
    }
    l.client = config->engine.classifier.llm.client;
    bool dialect_given = false;
    for (const auto& [opt, apply] : a.llm_overrides) {
      if (opt->count() == 0) continue;
      if (apply) {
        apply(l.client);
      } else {
        dialect_given = true;
      }
    }
    if (!dialect_given) dialect = llm::dialect_name(l.client.dialect);
  }
  auto parsed = llm::parse_dialect(dialect);
  if (!parsed.is_ok()) return parsed.status();
  l.client.dialect = *parsed;
  auto tax = Taxonomy::load_file(taxonomy_path);
  if (!tax.is_ok()) return tax.status();
  l.taxonomy = std::move(tax).value();
  return l;
}

Result<llm::PromptTemplate> load_prompt(const StepArgs& a, const char* file) {
  return llm::PromptTemplate::load_file((std::filesystem::path(a.prompts) / file).string());
}

Result<std::unique_ptr<llm::LlmClient>> make_client(const llm::LlmClientConfig& config) {
  auto client = llm::LlmClient::create(config);
  if (!client.is_ok()) return client.status().with_context("language-model client");
  return client;
}

std::string dialect_line(const llm::LlmClientConfig& c) {
  return std::string("language model: ") + llm::dialect_name(c.dialect) + " at " + c.base_url +
         (c.model.empty() ? "" : ", model " + c.model) + ", " + std::to_string(c.max_in_flight) +
         " in flight";
}

// ---- teacher-label ----------------------------------------------------------------------

struct TeacherArgs : StepArgs {
  std::string pool, out;
  size_t max_topics = 3;
  size_t body_budget = LlmClassifierConfig{}.options.body_budget;
};

int run_teacher(const TeacherArgs& a) {
  auto loaded = load_step(a);
  if (!loaded.is_ok()) return input_error(loaded.status());
  const Taxonomy& tax = loaded->taxonomy;
  auto prompt = load_prompt(a, "teacher_label.txt");
  if (!prompt.is_ok()) return input_error(prompt.status());
  SkippedRows skipped;
  std::vector<LabelledDocument> pool_docs;
  if (Status st = read_labelled(a.pool, tax, true, skipped, pool_docs); !st.is_ok()) {
    return input_error(st);
  }
  if (pool_docs.empty()) {
    return input_error(Status::invalid_argument("no usable document in '" + a.pool + "'"));
  }
  std::vector<LabelledDocument> existing;
  auto out = open_output(a.out, a.resume, tax, &existing);
  if (!out.is_ok()) return run_error(out.status());
  std::unordered_set<std::string> done;
  for (const LabelledDocument& d : existing) done.insert(d.id);
  std::vector<llm::PoolDocument> todo;
  size_t resumed = 0;
  for (const LabelledDocument& d : pool_docs) {
    if (done.count(d.id) > 0) {
      ++resumed;
      continue;
    }
    todo.push_back({d.id, d.title, d.body, d.created_ms});
  }
  auto client = make_client(loaded->client);
  if (!client.is_ok()) return input_error(client.status());
  llm::ClientTextGenerator teacher(**client, a.max_tokens, a.temperature);
  std::cerr << dialect_line(loaded->client) << "\n";

  StepCounts total;
  size_t written = 0;
  std::atomic<size_t> labelled{0};
  const auto work = [&](size_t i) {
    ItemOutcome o;
    o.docs = llm::teacher_label({todo[i]}, teacher, *prompt, tax, a.body_budget, a.max_topics,
                                &o.counts);
    if (!o.docs.empty() && !o.docs.front().topics.empty()) labelled.fetch_add(1);
    return o;
  };
  if (Status st = run_items("teacher-label", todo.size(), loaded->client.max_in_flight, work, tax,
                            *out, a.out, total, written);
      !st.is_ok()) {
    return run_error(st);
  }
  std::cout << "teacher-label: " << counts_summary(total) << skipped.summary() << "; wrote "
            << written << " documents (" << labelled.load() << " with topics, "
            << written - labelled.load() << " without) to " << a.out << ", " << resumed
            << " already there\n";
  print_first_error(total);
  if (total.items > 0 && written == 0 && total.generator_errors > 0) {
    std::cerr << "error: the teacher failed for every document (" << total.first_error << ")\n";
    return kExitNothingDone;
  }
  return kExitOk;
}

// ---- judge ------------------------------------------------------------------------------

struct JudgeArgs : StepArgs {
  std::string in, out;
  int min_score = 80;
  size_t body_budget = LlmClassifierConfig{}.options.body_budget;
};

int run_judge(const JudgeArgs& a) {
  auto loaded = load_step(a);
  if (!loaded.is_ok()) return input_error(loaded.status());
  const Taxonomy& tax = loaded->taxonomy;
  auto prompt = load_prompt(a, "judge.txt");
  if (!prompt.is_ok()) return input_error(prompt.status());
  SkippedRows skipped;
  std::vector<LabelledDocument> docs;
  if (Status st = read_labelled(a.in, tax, true, skipped, docs); !st.is_ok()) {
    return input_error(st);
  }
  if (std::none_of(docs.begin(), docs.end(),
                   [](const LabelledDocument& d) { return !d.topics.empty(); })) {
    return input_error(
        Status::invalid_argument("no document with topics to judge in '" + a.in + "'"));
  }
  std::vector<LabelledDocument> existing;
  auto out = open_output(a.out, a.resume, tax, &existing);
  if (!out.is_ok()) return run_error(out.status());
  std::unordered_set<std::string> done;
  for (const LabelledDocument& d : existing) done.insert(d.id);
  std::vector<LabelledDocument> todo;
  size_t resumed = 0, without_topics = 0;
  for (LabelledDocument& d : docs) {
    if (d.topics.empty()) {
      ++without_topics;
    } else if (done.count(d.id) > 0) {
      ++resumed;
    } else {
      todo.push_back(std::move(d));
    }
  }
  auto client = make_client(loaded->client);
  if (!client.is_ok()) return input_error(client.status());
  llm::ClientTextGenerator judge(**client, a.max_tokens, a.temperature);
  std::cerr << dialect_line(loaded->client) << "\n";

  StepCounts total;
  size_t written = 0;
  const auto work = [&](size_t i) {
    ItemOutcome o;
    LabelledDocument d = todo[i];
    d.judge_scores.clear();
    auto kept = llm::judge_labels({d}, judge, *prompt, tax, a.body_budget, a.min_score, &o.counts);
    if (o.counts.generator_errors > 0) return o;  // not written: --resume retries it
    if (kept.empty()) {
      // Every label dropped: written without topics so that --resume knows it was judged;
      // the later steps skip documents without topics.
      d.topics.clear();
      o.docs.push_back(std::move(d));
    } else {
      o.docs = std::move(kept);
    }
    return o;
  };
  if (Status st = run_items("judge", todo.size(), loaded->client.max_in_flight, work, tax, *out,
                            a.out, total, written);
      !st.is_ok()) {
    return run_error(st);
  }
  std::cout << "judge: " << counts_summary(total) << skipped.summary() << "; min score "
            << a.min_score << "; wrote " << written << " documents to " << a.out << ", " << resumed
            << " already there, " << without_topics << " input documents without topics skipped\n";
  print_first_error(total);
  if (total.items > 0 && total.kept + total.dropped + total.unparseable == 0 &&
      total.generator_errors > 0) {
    std::cerr << "error: the judge failed for every label (" << total.first_error << ")\n";
    return kExitNothingDone;
  }
  return kExitOk;
}

// ---- synthesize -------------------------------------------------------------------------

struct SynthArgs : StepArgs {
  std::vector<std::string> in;
  std::string out;
  size_t min_per_topic = 20;
  size_t per_topic = 5;
  double max_repetition = llm::kDefaultRepetitionThreshold;
  bool all_levels = false;
  std::vector<std::string> topics;
};

int run_synthesize(const SynthArgs& a) {
  auto loaded = load_step(a);
  if (!loaded.is_ok()) return input_error(loaded.status());
  const Taxonomy& tax = loaded->taxonomy;
  auto title_prompt = load_prompt(a, "synth_title.txt");
  if (!title_prompt.is_ok()) return input_error(title_prompt.status());
  auto body_prompt = load_prompt(a, "synth_body.txt");
  if (!body_prompt.is_ok()) return input_error(body_prompt.status());
  SkippedRows skipped;
  std::vector<LabelledDocument> docs;
  for (const std::string& path : a.in) {
    if (Status st = read_labelled(path, tax, false, skipped, docs); !st.is_ok()) {
      return input_error(st);
    }
  }
  // Candidates: --topics, else every leaf (or every node with --all-levels), in file order.
  std::vector<TopicId> candidates;
  if (!a.topics.empty()) {
    for (const std::string& t : a.topics) {
      const auto id = tax.resolve(t);
      if (!id) return input_error(Status::invalid_argument("--topics: unknown topic '" + t + "'"));
      candidates.push_back(*id);
    }
  } else {
    std::vector<bool> has_child(tax.size(), false);
    for (TopicId t = 0; t < tax.size(); ++t) {
      if (tax.node(t).parent != kNoTopic) has_child[tax.node(t).parent] = true;
    }
    for (TopicId t = 0; t < tax.size(); ++t) {
      if (a.all_levels || !has_child[t]) candidates.push_back(t);
    }
  }
  std::vector<LabelledDocument> existing;
  auto out = open_output(a.out, a.resume, tax, &existing);
  if (!out.is_ok()) return run_error(out.status());
  std::unordered_set<TopicId> done;
  for (const LabelledDocument& d : existing) {
    for (TopicId t : d.topics) done.insert(t);
  }
  const std::vector<TopicId> under = llm::under_represented(docs, candidates, a.min_per_topic);
  std::vector<TopicId> todo;
  size_t resumed = 0;
  for (TopicId t : under) {
    if (done.count(t) > 0) {
      ++resumed;
    } else {
      todo.push_back(t);
    }
  }
  std::cout << "synthesize: " << docs.size() << " input documents" << skipped.summary() << "; "
            << under.size() << " of " << candidates.size() << " candidate topics have fewer than "
            << a.min_per_topic << " documents, " << resumed << " of them already in " << a.out
            << "\n";
  if (todo.empty()) {
    std::cout << "synthesize: nothing to generate\n";
    return kExitOk;
  }
  auto client = make_client(loaded->client);
  if (!client.is_ok()) return input_error(client.status());
  llm::ClientTextGenerator writer(**client, a.max_tokens, a.temperature);
  std::cerr << dialect_line(loaded->client) << "\n";

  const TimeMs now = now_ms();
  StepCounts total;
  size_t written = 0;
  const auto work = [&](size_t i) {
    ItemOutcome o;
    o.docs = llm::synthesize({todo[i]}, writer, *title_prompt, *body_prompt, tax, a.per_topic,
                             a.max_repetition, now, &o.counts);
    return o;
  };
  if (Status st = run_items("synthesize", todo.size(), loaded->client.max_in_flight, work, tax,
                            *out, a.out, total, written);
      !st.is_ok()) {
    return run_error(st);
  }
  std::cout << "synthesize: " << counts_summary(total) << "; " << todo.size() << " topics x "
            << a.per_topic << ", repetition threshold " << a.max_repetition << "; wrote " << written
            << " documents to " << a.out << "\n";
  print_first_error(total);
  if (total.items > 0 && total.kept + total.dropped == 0 && total.generator_errors > 0) {
    std::cerr << "error: the writer failed for every document (" << total.first_error << ")\n";
    return kExitNothingDone;
  }
  return kExitOk;
}

// ---- train-student ----------------------------------------------------------------------

struct TrainArgs : StepArgs {
  std::vector<std::string> in;
  std::string model;
  FastTextTrainOptions ft;
};

int run_train_student(const TrainArgs& a) {
  auto loaded = load_step(a);
  if (!loaded.is_ok()) return input_error(loaded.status());
  const Taxonomy& tax = loaded->taxonomy;
  SkippedRows skipped;
  std::vector<LabelledDocument> docs;
  for (const std::string& path : a.in) {
    if (Status st = read_labelled(path, tax, false, skipped, docs); !st.is_ok()) {
      return input_error(st);
    }
  }
  size_t usable = 0, synthetic = 0;
  for (const LabelledDocument& d : docs) {
    if (d.topics.empty()) continue;
    ++usable;
    if (d.synthetic) ++synthetic;
  }
  if (usable == 0) {
    return input_error(Status::invalid_argument("no document with topics in the --in files"));
  }
  std::error_code ec;
  const std::filesystem::path model(a.model);
  if (model.has_parent_path()) std::filesystem::create_directories(model.parent_path(), ec);
  const std::string train_path = a.model + ".train.jsonl.tmp";
  {
    std::ofstream f(train_path, std::ios::binary | std::ios::trunc);
    f << llm::to_training_jsonl(docs, tax);
    if (!f) return run_error(Status::io_error("cannot write '" + train_path + "'"));
  }
  auto report = train_fasttext_topics(train_path, tax, a.model, a.ft);
  std::filesystem::remove(train_path, ec);
  if (!report.is_ok()) return run_error(report.status());
  std::cout << "train-student: " << docs.size() << " input documents" << skipped.summary()
            << "; trained " << a.model << " on " << report->examples << " documents (" << synthetic
            << " synthetic), " << report->labels << " topics, " << docs.size() - usable
            << " without topics skipped, " << report->seconds << " s\n";
  return kExitOk;
}

// ---- export-chat ------------------------------------------------------------------------

struct ExportArgs : StepArgs {
  std::vector<std::string> in;
  std::string out;
  size_t body_budget = LlmClassifierConfig{}.options.body_budget;
};

int run_export_chat(const ExportArgs& a) {
  auto loaded = load_step(a);
  if (!loaded.is_ok()) return input_error(loaded.status());
  const Taxonomy& tax = loaded->taxonomy;
  auto prompt = load_prompt(a, "classify.txt");
  if (!prompt.is_ok()) return input_error(prompt.status());
  SkippedRows skipped;
  std::vector<LabelledDocument> docs;
  for (const std::string& path : a.in) {
    if (Status st = read_labelled(path, tax, false, skipped, docs); !st.is_ok()) {
      return input_error(st);
    }
  }
  size_t usable = 0;
  for (const LabelledDocument& d : docs) usable += d.topics.empty() ? 0 : 1;
  if (usable == 0) {
    return input_error(Status::invalid_argument("no document with topics in the --in files"));
  }
  auto chat = llm::to_chat_jsonl(docs, tax, *prompt, a.body_budget);
  if (!chat.is_ok()) return input_error(chat.status());
  std::vector<LabelledDocument> unused;
  auto out = open_output(a.out, false, tax, &unused);
  if (!out.is_ok()) return run_error(out.status());
  *out << *chat;
  out->flush();
  if (!*out) return run_error(Status::io_error("cannot write '" + a.out + "'"));
  std::cout << "export-chat: " << docs.size() << " input documents" << skipped.summary()
            << "; wrote " << usable << " conversations to " << a.out << ", " << docs.size() - usable
            << " documents without topics skipped\n";
  return kExitOk;
}

}  // namespace

void register_distill_commands(CLI::App& app, int& exit_code) {
  auto* distill = app.add_subcommand(
      "distill",
      "Teacher -> student distillation over JSON Lines files: teacher-label, judge, "
      "synthesize, train-student, export-chat (docs/DISTILLATION.md), judge-ranking "
      "(docs/RANKING.md)");
  distill->require_subcommand(1);
  distill->footer(kExitCodesHelp);
  register_judge_ranking_command(*distill, exit_code);

  {
    auto* cmd = distill->add_subcommand(
        "teacher-label",
        "Label a document pool with the teacher language model (data/prompts/teacher_label.txt); "
        "only taxonomy paths are kept");
    auto a = std::make_shared<TeacherArgs>();
    cmd->add_option("--pool", a->pool, "documents to label (docs/FORMATS.md)")->required();
    cmd->add_option("--out", a->out, "labelled documents to write (JSON Lines)")->required();
    cmd->add_option("--max-topics", a->max_topics, "topics kept per document")
        ->capture_default_str()
        ->check(CLI::Range(1, 3));
    cmd->add_option("--body-budget", a->body_budget,
                    "body characters in the prompt (cut explicitly)")
        ->capture_default_str();
    add_base_options(*cmd, *a);
    add_prompt_option(*cmd, *a);
    add_llm_options(*cmd, *a, 128, 0.0);
    add_resume_option(*cmd, *a);
    cmd->callback([&exit_code, a] {
      setup_logging(false);
      exit_code = run_teacher(*a);
    });
  }
  {
    auto* cmd = distill->add_subcommand(
        "judge",
        "Score every label 0-100 with the judge prompt (data/prompts/judge.txt) and keep those "
        ">= --min-score");
    auto a = std::make_shared<JudgeArgs>();
    cmd->add_option("--in", a->in, "labelled documents (teacher-label's output)")->required();
    cmd->add_option("--out", a->out, "judged documents to write")->required();
    cmd->add_option("--min-score", a->min_score, "lowest judge score kept")
        ->capture_default_str()
        ->check(CLI::Range(0, 100));
    cmd->add_option("--body-budget", a->body_budget, "body characters in the prompt")
        ->capture_default_str();
    add_base_options(*cmd, *a);
    add_prompt_option(*cmd, *a);
    add_llm_options(*cmd, *a, 256, 0.0);
    add_resume_option(*cmd, *a);
    cmd->callback([&exit_code, a] {
      setup_logging(false);
      exit_code = run_judge(*a);
    });
  }
  {
    auto* cmd = distill->add_subcommand(
        "synthesize",
        "Generate documents (a title, then a body) for topics with fewer than --min-per-topic "
        "documents; repetitive texts are dropped");
    auto a = std::make_shared<SynthArgs>();
    cmd->add_option("--in", a->in, "labelled documents counted per topic (repeatable)")->required();
    cmd->add_option("--out", a->out, "synthetic documents to write")->required();
    cmd->add_option("--min-per-topic", a->min_per_topic,
                    "a topic with fewer documents is under-represented")
        ->capture_default_str();
    cmd->add_option("--per-topic", a->per_topic, "documents generated per under-represented topic")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--max-repetition", a->max_repetition,
                    "drop texts scoring above this: ln(L)*L/C, L tokens, C distinct tokens")
        ->capture_default_str();
    cmd->add_flag("--all-levels", a->all_levels,
                  "candidates are every taxonomy node (default: the leaves)");
    cmd->add_option("--topics", a->topics,
                    "candidate topics (ids or paths) instead of the leaves / all levels");
    add_base_options(*cmd, *a);
    add_prompt_option(*cmd, *a);
    add_llm_options(*cmd, *a, 512, 0.8);
    add_resume_option(*cmd, *a);
    cmd->callback([&exit_code, a] {
      setup_logging(false);
      exit_code = run_synthesize(*a);
    });
  }
  {
    auto* cmd = distill->add_subcommand(
        "train-student", "Train the fastText student on judged (and synthetic) documents");
    auto a = std::make_shared<TrainArgs>();
    cmd->add_option("--in", a->in, "labelled documents (repeatable)")->required();
    cmd->add_option("--model", a->model, "model file to write")->required();
    cmd->add_option("--epoch", a->ft.epoch, "training epochs")->capture_default_str();
    cmd->add_option("--lr", a->ft.learning_rate, "learning rate")->capture_default_str();
    cmd->add_option("--dim", a->ft.dim, "vector dimension")->capture_default_str();
    cmd->add_option("--word-ngrams", a->ft.word_ngrams, "word n-gram length")
        ->capture_default_str();
    cmd->add_option("--loss", a->ft.loss, "ova (multi-label) or softmax")
        ->capture_default_str()
        ->check(CLI::IsMember({"ova", "softmax"}));
    cmd->add_option("--seed", a->ft.seed, "random seed")->capture_default_str();
    cmd->add_option("--threads", a->ft.threads, "training threads (1 = deterministic)")
        ->capture_default_str();
    add_base_options(*cmd, *a);
    cmd->callback([&exit_code, a] {
      setup_logging(false);
      exit_code = run_train_student(*a);
    });
  }
  {
    auto* cmd = distill->add_subcommand(
        "export-chat",
        "Write chat-format JSON Lines ({\"messages\":[user prompt, assistant topics]}) for "
        "fine-tuning a small language model elsewhere");
    auto a = std::make_shared<ExportArgs>();
    cmd->add_option("--in", a->in, "labelled documents (repeatable)")->required();
    cmd->add_option("--out", a->out, "chat JSON Lines to write")->required();
    cmd->add_option("--body-budget", a->body_budget, "body characters in the classification prompt")
        ->capture_default_str();
    add_base_options(*cmd, *a);
    add_prompt_option(*cmd, *a);
    cmd->callback([&exit_code, a] {
      setup_logging(false);
      exit_code = run_export_chat(*a);
    });
  }
}

}  // namespace feedscout::cli
