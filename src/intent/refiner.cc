#include "feedscout/intent/refiner.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "feedscout/intent/query_normalizer.h"
#include "feedscout/text/tokenize.h"
#include "feedscout/text/utf8.h"

namespace feedscout::intent {
namespace {

bool is_hangul_syllable(char32_t c) {
  return c >= 0xAC00 && c <= 0xD7A3;
}

// Korean particles (josa) that attach to nouns, longest first.
constexpr std::array<std::u32string_view, 7> kTwoSyllable = {U"에서", U"으로", U"까지", U"부터",
                                                             U"에게", U"처럼", U"보다"};
constexpr std::array<std::u32string_view, 13> kOneSyllable = {
    U"을", U"를", U"이", U"가", U"은", U"는", U"의", U"에", U"로", U"와", U"과", U"도", U"만"};

std::u32string decode(std::string_view s) {
  std::u32string out;
  for (size_t pos = 0; pos < s.size();) out.push_back(text::decode_utf8(s, pos));
  return out;
}

std::string encode(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) text::append_utf8(out, c);
  return out;
}

bool ends_with(std::u32string_view w, std::u32string_view suffix) {
  return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

// Appends `word` to `out` (space-separated) unless the budget forbids; returns false once
// the budget is full.
bool append_word(std::string& out, size_t& tokens, std::string_view word, size_t max_tokens,
                 size_t max_bytes) {
  if (tokens >= max_tokens) return false;
  const size_t need = word.size() + (out.empty() ? 0 : 1);
  if (out.size() + need > max_bytes) return false;
  if (!out.empty()) out.push_back(' ');
  out.append(word);
  ++tokens;
  return true;
}

}  // namespace

const char* refinement_source_name(RefinementSource s) {
  switch (s) {
    case RefinementSource::kNone:
      return "none";
    case RefinementSource::kExtractive:
      return "extractive";
    case RefinementSource::kMined:
      return "mined";
    case RefinementSource::kLanguageModel:
      return "language_model";
  }
  return "none";
}

std::string strip_korean_particle(std::string_view word, const WordWeights& weights) {
  const std::u32string w = decode(word);
  if (w.size() < 2 || !is_hangul_syllable(w.back())) return std::string(word);
  for (auto p : kTwoSyllable) {
    if (w.size() > p.size() && ends_with(w, p)) {
      const std::string stem = encode(std::u32string_view(w).substr(0, w.size() - p.size()));
      if (weights.known(stem)) return stem;
    }
  }
  for (auto p : kOneSyllable) {
    if (w.size() > p.size() && ends_with(w, p)) {
      const std::string stem = encode(std::u32string_view(w).substr(0, w.size() - p.size()));
      if (weights.known(stem)) return stem;
    }
  }
  return std::string(word);
}

std::vector<std::string> query_words(std::string_view query, const WordWeights& weights) {
  std::vector<std::string> out;
  for (const std::string& w : text::words(query)) out.push_back(strip_korean_particle(w, weights));
  return out;
}

std::string query_key(std::string_view query) {
  auto normalized = normalize_query(query);
  if (!normalized.is_ok()) return "";
  std::string key;
  for (const std::string& t : normalized->tokens) {
    if (!key.empty()) key.push_back(' ');
    key += t;
  }
  return key;
}

std::string fit_budget(std::string_view text, size_t max_tokens, size_t max_bytes) {
  std::string out;
  size_t tokens = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
      ++pos;
    }
    size_t end = pos;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != '\n' &&
           text[end] != '\r') {
      ++end;
    }
    if (end == pos) break;
    std::string_view word = text.substr(pos, end - pos);
    if (out.empty() && word.size() > max_bytes) word = text::truncate_utf8(word, max_bytes);
    if (!append_word(out, tokens, word, max_tokens, max_bytes)) break;
    pos = end;
  }
  return out;
}

Result<Refinement> ExtractiveRefiner::refine(std::string_view query,
                                             const std::vector<ClickedDocument>& docs) const {
  const std::vector<std::string> qwords = query_words(query, weights_);
  if (qwords.empty()) {
    return Status::invalid_argument("query has no words (only punctuation, symbols or spaces)");
  }
  Refinement r;
  r.query = fit_budget(query, options_.max_tokens, options_.max_bytes);
  r.source = RefinementSource::kExtractive;
  if (r.query.empty()) r.query = qwords.front();  // cannot happen: qwords is non-empty

  // Pool the clicked documents' words: salience = Σ over documents of idf × (title weight);
  // a word in several clicked documents adds up. Natural order = first appearance.
  struct Candidate {
    std::string word;
    double score = 0;
    size_t first = 0;  // order of first appearance across the documents
  };
  std::unordered_set<std::string> in_query(qwords.begin(), qwords.end());
  std::string joined;  // Q's words without spaces: "두바이 초콜릿" → "두바이초콜릿"
  for (const std::string& w : text::words(query)) {
    in_query.insert(w);
    joined += w;
  }
  std::vector<Candidate> candidates;
  std::unordered_map<std::string, size_t> at;
  size_t order = 0;
  for (const ClickedDocument& d : docs) {
    std::unordered_set<std::string> in_doc;
    for (size_t i = 0; i < d.words.size(); ++i) {
      std::string w = strip_korean_particle(d.words[i], weights_);
      if (in_query.count(w) || !in_doc.insert(w).second) continue;
      // Q written another way ("두바이초콜릿", "두바이초콜릿맛") adds nothing.
      if (joined.find(w) != std::string::npos || w.find(joined) != std::string::npos) continue;
      // Single characters and numbers say little about intent.
      if (text::words(w).size() != 1 || decode(w).size() < 2) continue;
      if (std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
      const double idf = weights_.idf(w);
      if (idf < options_.min_idf) continue;
      const double weight = idf * (i < d.title_words ? options_.title_weight : 1.0);
      auto [it, fresh] = at.emplace(w, candidates.size());
      if (fresh) candidates.push_back({std::move(w), 0.0, order});
      candidates[it->second].score += weight;
      ++order;
    }
  }
  // The most salient words, then restored to their natural order.
  std::vector<size_t> pick(candidates.size());
  for (size_t i = 0; i < pick.size(); ++i) pick[i] = i;
  std::stable_sort(pick.begin(), pick.end(),
                   [&](size_t a, size_t b) { return candidates[a].score > candidates[b].score; });
  if (pick.size() > options_.max_added_words) pick.resize(options_.max_added_words);
  std::sort(pick.begin(), pick.end(),
            [&](size_t a, size_t b) { return candidates[a].first < candidates[b].first; });

  size_t tokens = 0;
  for (size_t p = 0; p < r.query.size(); ++p) {
    if (r.query[p] == ' ') ++tokens;
  }
  ++tokens;
  for (size_t i : pick) {
    if (!append_word(r.query, tokens, candidates[i].word, options_.max_tokens, options_.max_bytes))
      break;
  }
  return r;
}

Result<std::unique_ptr<MinedRefiner>> MinedRefiner::load(const std::string& path,
                                                         std::unique_ptr<QueryRefiner> fallback,
                                                         RefinerOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("mined intent table '" + path + "' cannot be opened");
  std::unordered_map<std::string, std::string> table;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto where = [&] { return path + ":" + std::to_string(line_no) + ": "; };
    if (!text::is_valid_utf8(line)) return Status::invalid_argument(where() + "invalid UTF-8");
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::invalid_argument(where() + "not a JSON object");
    }
    for (const char* field : {"query", "doc", "refined"}) {
      if (!j.contains(field) || !j[field].is_string()) {
        return Status::invalid_argument(where() + "field '" + field + "' must be a string");
      }
    }
    const std::string key = query_key(j["query"].get<std::string>());
    const std::string refined = j["refined"].get<std::string>();
    if (key.empty() || query_key(refined).empty()) continue;  // nothing usable
    table[key + '\t' + j["doc"].get<std::string>()] = refined;
  }
  return std::make_unique<MinedRefiner>(std::move(table), std::move(fallback), options);
}

Result<Refinement> MinedRefiner::refine(std::string_view query,
                                        const std::vector<ClickedDocument>& docs) const {
  const std::string key = query_key(query);
  if (key.empty()) {
    return Status::invalid_argument("query has no words (only punctuation, symbols or spaces)");
  }
  const std::string* best = nullptr;
  size_t best_words = 0;
  for (const ClickedDocument& d : docs) {
    auto it = table_.find(key + '\t' + std::string(d.id));
    if (it == table_.end()) continue;
    const size_t words = text::words(it->second).size();
    if (best == nullptr || words > best_words ||
        (words == best_words && (it->second.size() > best->size() ||
                                 (it->second.size() == best->size() && it->second < *best)))) {
      best = &it->second;
      best_words = words;
    }
  }
  if (best != nullptr) {
    Refinement r{fit_budget(*best, options_.max_tokens, options_.max_bytes),
                 RefinementSource::kMined};
    if (!r.query.empty()) return r;
  }
  if (fallback_) return fallback_->refine(query, docs);
  Refinement r{fit_budget(query, options_.max_tokens, options_.max_bytes), RefinementSource::kNone};
  return r;
}

}  // namespace feedscout::intent
