#include "feedscout/intent/keyword_extractor.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "feedscout/text/tokenize.h"
#include "feedscout/text/utf8.h"

namespace feedscout::intent {
namespace {

// Function words and generic nouns that say nothing about an interest (sorted for lookup).
constexpr std::array<std::string_view, 62> kStopwords = {
    "a",    "about", "an",   "and",  "are",  "as",     "at",    "be",   "by",   "for",  "from",
    "in",   "is",    "it",   "of",   "on",   "or",     "the",   "to",   "vs",   "with", "가장",
    "각종", "관련",  "그",   "기사", "내용", "다양한", "대한",  "대해", "더",   "또",   "모든",
    "및",   "방법",  "보기", "뉴스", "등",   "사진",   "수",    "어떤", "영상", "오늘", "위한",
    "위해", "이",    "이번", "있는", "저",   "정보",   "지금",  "최근", "추천", "통해", "하는",
    "한",   "후기",  "것",   "없는", "되는", "그리고", "하지만"};

bool in_stoplist(std::string_view w) {
  static const std::set<std::string_view> set(kStopwords.begin(), kStopwords.end());
  return set.count(w) > 0;
}

// Predicate endings of Korean verbs and adjectives ("발표했다", "있습니다").
constexpr std::array<std::string_view, 10> kPredicateEndings = {
    "습니다", "니다", "했다", "한다", "된다", "였다", "있다", "없다", "이다", "했고"};

size_t code_points(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

struct Candidate {
  std::string text;
  double weight = 0;
};

// Candidate words of one place (the query or one document), in text order, distinct.
struct Place {
  std::vector<std::string> words;  // stripped, stopwords kept (they break n-grams)
  bool entity_source = false;      // the query or a title: n-grams count
};

void add_ngrams(const std::vector<std::string>& words, size_t max_n, std::set<std::string>& out) {
  for (size_t n = 2; n <= max_n; ++n) {
    for (size_t i = 0; i + n <= words.size(); ++i) {
      bool ok = true;
      std::string gram;
      for (size_t j = i; j < i + n && ok; ++j) {
        ok = !is_keyword_stopword(words[j]);
        if (!gram.empty()) gram.push_back(' ');
        gram += words[j];
      }
      if (ok) out.insert(std::move(gram));
    }
  }
}

}  // namespace

const char* keyword_kind_name(KeywordKind k) {
  return k == KeywordKind::kEntity ? "entity" : "keyword";
}

std::string normalize_keyword(std::string_view text) {
  std::string out;
  for (const std::string& w : text::words(text)) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

bool is_keyword_stopword(std::string_view word) {
  if (code_points(word) < 2) return true;
  if (std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return true;
  }
  if (in_stoplist(word)) return true;
  for (std::string_view e : kPredicateEndings) {
    if (word.size() > e.size() && word.ends_with(e)) return true;
  }
  return false;
}

void finish_keywords(std::vector<Keyword>& keywords, size_t max_keywords) {
  std::map<std::string, Keyword> merged;
  for (Keyword& k : keywords) {
    if (k.text.empty() || !(k.weight > 0)) continue;
    k.weight = std::min(1.0, k.weight);
    auto [it, inserted] = merged.try_emplace(k.text, k);
    if (!inserted) {
      it->second.weight = std::max(it->second.weight, k.weight);
      if (k.kind == KeywordKind::kEntity) it->second.kind = KeywordKind::kEntity;
    }
  }
  keywords.clear();
  for (auto& [text, k] : merged) keywords.push_back(std::move(k));
  std::stable_sort(keywords.begin(), keywords.end(), [](const Keyword& a, const Keyword& b) {
    return a.weight > b.weight;  // `merged` is ordered by text: ties stay by text
  });
  if (keywords.size() > max_keywords) keywords.resize(max_keywords);
}

Result<std::vector<Keyword>> StatisticalKeywordExtractor::extract(const KeywordInput& input) const {
  const KeywordOptions& o = options_;
  std::vector<Place> places;

  Place query;
  query.entity_source = true;
  for (std::string& w : query_words(input.query, weights_)) {
    if (std::find(query.words.begin(), query.words.end(), w) == query.words.end()) {
      query.words.push_back(std::move(w));
    }
  }

  // Document words: idf and where they occur.
  struct DocWord {
    std::string text;
    bool title = false;
    double idf = 0;
  };
  std::vector<std::vector<DocWord>> doc_words;
  std::vector<Place> titles;
  double idf_max = 0;
  for (const KeywordDocument& d : input.docs) {
    std::vector<DocWord> words;
    Place title;
    title.entity_source = true;
    for (size_t i = 0; i < d.words.size(); ++i) {
      std::string w = strip_korean_particle(d.words[i], weights_);
      if (w.empty()) continue;
      const bool in_title = i < d.title_words;
      if (in_title) title.words.push_back(w);
      if (is_keyword_stopword(w)) continue;
      const bool dup =
          std::any_of(words.begin(), words.end(), [&](const DocWord& x) { return x.text == w; });
      if (dup) continue;
      const double idf = weights_.idf(w);
      if (idf < o.min_idf) continue;
      idf_max = std::max(idf_max, idf);
      words.push_back({std::move(w), in_title, idf});
    }
    doc_words.push_back(std::move(words));
    titles.push_back(std::move(title));
  }

  std::unordered_map<std::string, double> sum;
  std::vector<std::string> order;  // first occurrence: deterministic iteration
  auto add = [&](const std::string& w, double weight) {
    auto [it, inserted] = sum.try_emplace(w, 0.0);
    if (inserted) order.push_back(w);
    it->second += weight;
  };
  for (const std::string& w : query.words) {
    if (!is_keyword_stopword(w)) add(w, o.query_weight);
  }
  for (const auto& words : doc_words) {
    for (const DocWord& w : words) {
      const double rarity = idf_max > 0 ? std::min(1.0, w.idf / idf_max) : 1.0;
      add(w.text, (w.title ? o.title_weight : o.body_weight) * rarity);
    }
  }

  std::vector<Keyword> out;
  for (const std::string& w : order) {
    out.push_back({w, KeywordKind::kKeyword, std::min(1.0, sum[w])});
  }

  // Entities: n-grams found in at least two places (the query, each title).
  if (o.max_entity_words >= 2) {
    std::map<std::string, int> places_of;
    std::vector<const Place*> sources{&query};
    for (const Place& t : titles) sources.push_back(&t);
    for (const Place* p : sources) {
      std::set<std::string> grams;
      add_ngrams(p->words, o.max_entity_words, grams);
      for (const std::string& g : grams) ++places_of[g];
    }
    for (const auto& [gram, count] : places_of) {
      if (count < 2) continue;
      double total = 0;
      size_t n = 0;
      for (const std::string& w : text::words(gram)) {
        const auto it = sum.find(w);
        total += it == sum.end() ? 0.0 : std::min(1.0, it->second);
        ++n;
      }
      if (n > 0 && total > 0) out.push_back({gram, KeywordKind::kEntity, total / n});
    }
  }
  finish_keywords(out, o.max_keywords);
  return out;
}

}  // namespace feedscout::intent
