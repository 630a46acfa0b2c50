#include "feedscout/intent/llm_refiner.h"

#include <nlohmann/json.hpp>
#include <unordered_set>

#include "feedscout/text/tokenize.h"

namespace feedscout::intent {
namespace {

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Words of Q and D, as the guard compares them: text::words of every text, plus the
// particle-stripped form of each.
struct Vocabulary {
  std::unordered_set<std::string> words;
  void add(std::string_view text, const WordWeights& weights) {
    for (std::string& w : text::words(text)) {
      std::string stripped = strip_korean_particle(w, weights);
      if (stripped != w) words.insert(std::move(stripped));
      words.insert(std::move(w));
    }
  }
  // `w` itself, w with a particle stripped, or the start (>= 2 code points) of a word.
  bool allows(const std::string& w, const WordWeights& weights) const {
    if (words.count(w) || words.count(strip_korean_particle(w, weights))) return true;
    if (code_points(w) < 2) return false;
    for (const std::string& v : words) {
      if (starts_with(v, w)) return true;
    }
    return false;
  }
};

}  // namespace

std::string refinement_schema() {
  return R"({"additionalProperties":false,"properties":{"refined":{"type":"string"}},)"
         R"("required":["refined"],"type":"object"})";
}

Result<std::string> refine_prompt(const llm::PromptTemplate& prompt, std::string_view query,
                                  const std::vector<ClickedDocument>& docs,
                                  const LlmRefinerOptions& options) {
  std::string documents;
  const size_t n = std::min(docs.size(), options.max_documents);
  for (size_t i = 0; i < n; ++i) {
    const llm::Truncated body = llm::truncate_to_budget(docs[i].body, options.body_budget);
    documents += std::to_string(i + 1) + ". 제목: " + std::string(docs[i].title) + "\n";
    if (!body.text.empty()) documents += "   본문: " + body.text + "\n";
  }
  if (!documents.empty() && documents.back() == '\n') documents.pop_back();
  return prompt.render({{"query", std::string(query)},
                        {"documents", documents},
                        {"max_words", std::to_string(options.budget.max_tokens)}});
}

Status guard_refinement(std::string_view query, std::string_view refined,
                        const std::vector<ClickedDocument>& docs, const WordWeights& weights,
                        double min_idf) {
  const std::vector<std::string> answer = text::words(refined);
  if (answer.empty()) return Status::invalid_argument("guard: the answer has no words");
  // Key words of Q: the rare ones, or all when none is rare.
  const std::vector<std::string> qwords = query_words(query, weights);
  std::vector<std::string> key;
  for (const std::string& w : qwords) {
    if (weights.idf(w) >= min_idf) key.push_back(w);
  }
  if (key.empty()) key = qwords;
  for (const std::string& k : key) {
    bool kept = false;
    for (const std::string& a : answer) {
      if (a == k || strip_korean_particle(a, weights) == k || starts_with(a, k)) {
        kept = true;
        break;
      }
    }
    if (!kept)
      return Status::invalid_argument("guard: the answer drops the query word '" + k + "'");
  }
  Vocabulary vocab;
  vocab.add(query, weights);
  for (const ClickedDocument& d : docs) {
    vocab.add(d.title, weights);
    vocab.add(d.body, weights);
    for (std::string_view w : d.words) vocab.words.emplace(w);
  }
  for (const std::string& a : answer) {
    if (!vocab.allows(a, weights)) {
      return Status::invalid_argument("guard: the answer adds '" + a +
                                      "', found in neither the query nor the documents");
    }
  }
  return Status::ok();
}

Result<Refinement> LlmRefiner::refine(std::string_view query,
                                      const std::vector<ClickedDocument>& docs) const {
  if (text::words(query).empty()) {
    return Status::invalid_argument("query has no words (only punctuation, symbols or spaces)");
  }
  bool any_text = false;
  for (const ClickedDocument& d : docs) any_text = any_text || !d.title.empty() || !d.body.empty();
  if (!any_text) return Status::invalid_argument("no clicked document has a title or body");
  auto prompt = refine_prompt(prompt_, query, docs, options_);
  if (!prompt.is_ok()) return prompt.status();

  llm::ChatRequest request;
  request.messages.push_back({"user", std::move(prompt).value()});
  request.max_tokens = options_.max_answer_tokens;
  request.temperature = 0.0;
  request.constraint = llm::Constraint::json(refinement_schema());
  requests_.fetch_add(1, std::memory_order_relaxed);
  auto response = client_.chat(request);
  if (!response.is_ok()) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return response.status();
  }
  const auto parsed = nlohmann::json::parse(response->content, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("refined") ||
      !parsed["refined"].is_string()) {
    bad_answers_.fetch_add(1, std::memory_order_relaxed);
    return Status::corruption("the language model's answer is not {\"refined\": string}: '" +
                              fit_budget(response->content, 64, 120) + "'");
  }
  Refinement r;
  r.query = fit_budget(parsed["refined"].get<std::string>(), options_.budget.max_tokens,
                       options_.budget.max_bytes);
  r.source = RefinementSource::kLanguageModel;
  if (text::words(r.query).empty()) {
    bad_answers_.fetch_add(1, std::memory_order_relaxed);
    return Status::corruption("the language model's refined query is empty");
  }
  Status guard = guard_refinement(query, r.query, docs, weights_, options_.budget.min_idf);
  if (!guard.is_ok()) {
    guard_rejects_.fetch_add(1, std::memory_order_relaxed);
    return guard;
  }
  accepted_.fetch_add(1, std::memory_order_relaxed);
  return r;
}

LlmRefinerStats LlmRefiner::stats() const {
  LlmRefinerStats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.accepted = accepted_.load(std::memory_order_relaxed);
  s.failures = failures_.load(std::memory_order_relaxed);
  s.bad_answers = bad_answers_.load(std::memory_order_relaxed);
  s.guard_rejects = guard_rejects_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace feedscout::intent
