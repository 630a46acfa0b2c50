#include "feedscout/eval/intent_metrics.h"

#include <algorithm>
#include <unordered_map>

#include "feedscout/intent/query_normalizer.h"
#include "feedscout/text/utf8.h"

namespace feedscout {
namespace {

bool is_white_space(char32_t c) {
  return c == U' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Code point counts of `s`, whitespace left out; `total` receives their sum.
std::unordered_map<char32_t, size_t> code_point_bag(std::string_view s, size_t& total) {
  std::unordered_map<char32_t, size_t> bag;
  total = 0;
  for (size_t pos = 0; pos < s.size();) {
    const size_t before = pos;
    char32_t c = text::decode_utf8(s, pos);
    if (pos == before) {  // defensive: never loop on a decoder that did not advance
      ++pos;
      c = 0xFFFD;
    }
    if (is_white_space(c)) continue;
    ++bag[c];
    ++total;
  }
  return bag;
}

double f1(double overlap, double predicted, double gold) {
  if (overlap <= 0 || predicted <= 0 || gold <= 0) return 0;
  const double p = overlap / predicted;
  const double r = overlap / gold;
  return 2 * p * r / (p + r);
}

}  // namespace

size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::vector<std::string>& rows = a.size() >= b.size() ? a : b;
  const std::vector<std::string>& cols = a.size() >= b.size() ? b : a;
  std::vector<size_t> prev(cols.size() + 1, 0), cur(cols.size() + 1, 0);
  for (const std::string& r : rows) {
    for (size_t j = 1; j <= cols.size(); ++j) {
      cur[j] = r == cols[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev[cols.size()];
}

double rouge_l_f1(const std::vector<std::string>& prediction,
                  const std::vector<std::string>& gold) {
  if (prediction.empty() || gold.empty()) return 0;
  return f1(static_cast<double>(lcs_length(prediction, gold)),
            static_cast<double>(prediction.size()), static_cast<double>(gold.size()));
}

double char_f1(std::string_view prediction, std::string_view gold) {
  size_t np = 0, ng = 0;
  const auto bp = code_point_bag(prediction, np);
  const auto bg = code_point_bag(gold, ng);
  size_t overlap = 0;
  for (const auto& [c, n] : bp) {
    auto it = bg.find(c);
    if (it != bg.end()) overlap += std::min(n, it->second);
  }
  return f1(static_cast<double>(overlap), static_cast<double>(np), static_cast<double>(ng));
}

IntentScores score_intent(std::string_view prediction, std::string_view gold) {
  IntentScores s;
  auto p = intent::normalize_query(prediction);
  auto g = intent::normalize_query(gold);
  if (p.is_ok() && g.is_ok()) {
    s.exact = p->tokens == g->tokens ? 1.0 : 0.0;
    s.rouge_l = rouge_l_f1(p->tokens, g->tokens);
  }
  s.char_f1 = char_f1(p.is_ok() ? std::string_view(p->text) : prediction,
                      g.is_ok() ? std::string_view(g->text) : gold);
  return s;
}

void IntentScoreMean::add(const IntentScores& s) {
  ++n_;
  exact_ += s.exact;
  rouge_l_ += s.rouge_l;
  char_f1_ += s.char_f1;
}

IntentScores IntentScoreMean::mean() const {
  if (n_ == 0) return {};
  const double n = static_cast<double>(n_);
  return {exact_ / n, rouge_l_ / n, char_f1_ / n};
}

}  // namespace feedscout
