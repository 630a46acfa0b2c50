#include "feedscout/intent/llm_keyword_extractor.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "feedscout/text/tokenize.h"

namespace feedscout::intent {
namespace {

using nlohmann::json;

std::string quote(std::string_view s) {
  constexpr size_t kMax = 120;
  std::string out("'");
  out.append(s.substr(0, kMax)).append(s.size() > kMax ? "...'" : "'");
  return out;
}

std::string join_words(const std::vector<std::string_view>& words, size_t n) {
  std::string out;
  for (size_t i = 0; i < std::min(n, words.size()); ++i) {
    if (!out.empty()) out.push_back(' ');
    out.append(words[i]);
  }
  return out;
}

// Every normalised word of the input, for the guard.
std::vector<std::string> input_words(const KeywordInput& input) {
  std::vector<std::string> out = text::words(input.query);
  for (const KeywordDocument& d : input.docs) {
    for (std::string& w : text::words(d.title)) out.push_back(std::move(w));
    for (std::string& w : text::words(d.body)) out.push_back(std::move(w));
    for (std::string_view w : d.words) out.emplace_back(w);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool grounded_in(std::string_view keyword, const std::vector<std::string>& words) {
  const std::vector<std::string> parts = text::words(keyword);
  if (parts.empty()) return false;
  for (const std::string& p : parts) {
    // The word itself or a word that starts with it (a particle attached): the candidates
    // are the sorted words from lower_bound(p) while they start with p.
    auto it = std::lower_bound(words.begin(), words.end(), p);
    if (it == words.end() || !it->starts_with(p)) return false;
  }
  return true;
}

}  // namespace

std::string keyword_schema(size_t max_keywords) {
  const json item{{"type", "object"},
                  {"properties",
                   {{"text", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}},
                    {"kind", {{"type", "string"}, {"enum", json::array({"keyword", "entity"})}}},
                    {"weight", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}}},
                  {"required", json::array({"text", "kind", "weight"})},
                  {"additionalProperties", false}};
  const json schema{
      {"type", "object"},
      {"properties",
       {{"keywords", {{"type", "array"}, {"maxItems", max_keywords}, {"items", item}}}}},
      {"required", json::array({"keywords"})},
      {"additionalProperties", false}};
  return schema.dump();
}

Result<std::string> keyword_prompt(const llm::PromptTemplate& prompt, const KeywordInput& input,
                                   const LlmKeywordOptions& options) {
  std::string docs;
  const size_t n = std::min(options.max_documents, input.docs.size());
  for (size_t i = 0; i < n; ++i) {
    const KeywordDocument& d = input.docs[i];
    const std::string title =
        d.title.empty() ? join_words(d.words, d.words.size()) : std::string(d.title);
    if (!docs.empty()) docs.push_back('\n');
    docs += "- 제목: " + title;
    if (!d.body.empty()) {
      docs += "\n  본문: " + llm::truncate_to_budget(d.body, options.body_budget).text;
    }
  }
  if (docs.empty()) docs = "(없음)";
  const std::string query = input.query.empty() ? "(없음)" : std::string(input.query);
  return prompt.render({{"query", query},
                        {"documents", docs},
                        {"max_keywords", std::to_string(options.max_keywords)}});
}

bool keyword_grounded(std::string_view keyword, const KeywordInput& input) {
  return grounded_in(keyword, input_words(input));
}

Result<std::vector<Keyword>> parse_keyword_answer(std::string_view content,
                                                  const KeywordInput& input, size_t max_keywords,
                                                  size_t* dropped) {
  const json answer = json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded() || !answer.is_object()) {
    return Status::corruption("keyword answer is not a JSON object: " + quote(content));
  }
  const auto list = answer.find("keywords");
  if (list == answer.end() || !list->is_array()) {
    return Status::corruption("keyword answer has no \"keywords\" array: " + quote(content));
  }
  const std::vector<std::string> words = input_words(input);
  std::vector<Keyword> out;
  size_t bad = 0;
  for (const json& item : *list) {
    const json* text = item.is_object() && item.contains("text") ? &item["text"] : nullptr;
    const json* kind = item.is_object() && item.contains("kind") ? &item["kind"] : nullptr;
    const json* weight = item.is_object() && item.contains("weight") ? &item["weight"] : nullptr;
    if (text == nullptr || !text->is_string() || kind == nullptr || !kind->is_string() ||
        weight == nullptr || !weight->is_number()) {
      ++bad;
      continue;
    }
    const std::string k = kind->get<std::string>();
    const double w = weight->get<double>();
    const std::string normal = normalize_keyword(text->get<std::string>());
    const bool one_word = normal.find(' ') == std::string::npos;
    if ((k != "keyword" && k != "entity") || !(w > 0 && w <= 1) || normal.empty() ||
        (one_word && is_keyword_stopword(normal)) || !grounded_in(normal, words)) {
      ++bad;
      continue;
    }
    out.push_back({normal, k == "entity" ? KeywordKind::kEntity : KeywordKind::kKeyword, w});
  }
  if (dropped != nullptr) *dropped = bad;
  if (out.empty() && bad > 0) {
    return Status::corruption("every proposed keyword was dropped by the guard: " + quote(content));
  }
  finish_keywords(out, max_keywords);
  return out;
}

Result<std::unique_ptr<LlmKeywordExtractor>> LlmKeywordExtractor::create(
    llm::LlmClient& client, llm::PromptTemplate prompt, LlmKeywordOptions options,
    std::unique_ptr<KeywordExtractor> fallback) {
  if (options.max_keywords == 0) {
    return Status::invalid_argument("llm keyword extractor: max_keywords must be >= 1");
  }
  if (options.max_answer_tokens < 0) {
    return Status::invalid_argument("llm keyword extractor: negative max_answer_tokens");
  }
  std::vector<std::string> vars = prompt.variables();
  std::sort(vars.begin(), vars.end());
  if (vars != std::vector<std::string>{"documents", "max_keywords", "query"}) {
    return Status::invalid_argument(
        "llm keyword extractor: the prompt must use {{query}}, {{documents}} and "
        "{{max_keywords}}");
  }
  auto e = std::make_unique<LlmKeywordExtractor>(Key{}, client);
  e->schema_ = keyword_schema(options.max_keywords);
  if (options.max_answer_tokens == 0) {
    options.max_answer_tokens = static_cast<int>(48 * options.max_keywords + 32);
  }
  e->prompt_ = std::move(prompt);
  e->options_ = std::move(options);
  e->fallback_ = std::move(fallback);
  return e;
}

Result<llm::ChatRequest> LlmKeywordExtractor::request_for(const KeywordInput& input) const {
  auto prompt = keyword_prompt(prompt_, input, options_);
  if (!prompt.is_ok()) return prompt.status();
  llm::ChatRequest r;
  r.messages = {{"user", std::move(prompt).value()}};
  r.max_tokens = options_.max_answer_tokens;
  r.temperature = 0.0;
  r.constraint = llm::Constraint::json(schema_);
  return r;
}

Result<std::vector<Keyword>> LlmKeywordExtractor::extract(const KeywordInput& input) const {
  if (input_words(input).empty()) return std::vector<Keyword>{};
  auto answer = [&]() -> Result<std::vector<Keyword>> {
    auto request = request_for(input);
    if (!request.is_ok()) return request.status();
    ++requests_;
    auto response = client_.chat(*request);
    if (!response.is_ok()) {
      ++failures_;
      return response.status();
    }
    if (response->finish_reason == "length") {
      ++invalid_answers_;
      return Status::corruption("keyword answer cut off at max_tokens: " +
                                quote(response->content));
    }
    size_t dropped = 0;
    auto keywords = parse_keyword_answer(response->content, input, options_.max_keywords, &dropped);
    dropped_ += dropped;
    if (!keywords.is_ok()) ++invalid_answers_;
    return keywords;
  }();
  if (answer.is_ok()) {
    ++answered_;
    return answer;
  }
  if (!fallback_) return answer.status().with_context("llm keyword extractor");
  ++fallbacks_;
  return fallback_->extract(input);
}

std::string LlmKeywordExtractor::describe() const {
  return "llm:" + options_.model_name +
         (fallback_ ? " (fallback " + fallback_->describe() + ")" : "");
}

LlmKeywordStats LlmKeywordExtractor::stats() const {
  return {requests_.load(),        answered_.load(),  failures_.load(),
          invalid_answers_.load(), fallbacks_.load(), dropped_.load()};
}

}  // namespace feedscout::intent
