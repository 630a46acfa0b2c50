#include "feedscout/llm/prompt.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_set>

#include "feedscout/text/tokenize.h"

namespace feedscout::llm {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Length of the UTF-8 sequence starting with `lead` (1 for an invalid lead byte).
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

bool is_space(unsigned char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

}  // namespace

Result<PromptTemplate> PromptTemplate::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("prompt file '" + path + "' cannot be opened");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), path);
}

Result<PromptTemplate> PromptTemplate::parse(std::string_view text, const std::string& source) {
  PromptTemplate t;
  t.source_ = source;
  size_t pos = 0;
  std::string literal;
  auto line_of = [&](size_t at) {
    return std::to_string(
        1 + std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(at), '\n'));
  };
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      literal.append(text.substr(pos));
      break;
    }
    literal.append(text.substr(pos, open - pos));
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Status::invalid_argument(source + ":" + line_of(open) + ": unclosed '{{'");
    }
    const std::string_view name = text.substr(open + 2, close - open - 2);
    if (name.empty() || !std::all_of(name.begin(), name.end(), name_char)) {
      return Status::invalid_argument(source + ":" + line_of(open) + ": bad placeholder '{{" +
                                      std::string(name) + "}}'");
    }
    if (!literal.empty()) t.pieces_.push_back({false, std::move(literal)});
    literal.clear();
    t.pieces_.push_back({true, std::string(name)});
    if (std::find(t.variables_.begin(), t.variables_.end(), name) == t.variables_.end()) {
      t.variables_.emplace_back(name);
    }
    pos = close + 2;
  }
  if (!literal.empty()) t.pieces_.push_back({false, std::move(literal)});
  return t;
}

Result<std::string> PromptTemplate::render(const std::map<std::string, std::string>& values) const {
  for (const auto& [name, value] : values) {
    if (std::find(variables_.begin(), variables_.end(), name) == variables_.end()) {
      return Status::invalid_argument(source_ + ": no placeholder '{{" + name +
                                      "}}' uses the value");
    }
  }
  std::string out;
  for (const Piece& p : pieces_) {
    if (!p.is_variable) {
      out += p.text;
      continue;
    }
    auto it = values.find(p.text);
    if (it == values.end()) {
      return Status::invalid_argument(source_ + ": no value for '{{" + p.text + "}}'");
    }
    out += it->second;
  }
  return out;
}

Truncated truncate_to_budget(std::string_view text, size_t budget) {
  Truncated r;
  // Byte offset after each code point.
  std::vector<size_t> ends;
  for (size_t i = 0; i < text.size();) {
    size_t n = sequence_length(static_cast<unsigned char>(text[i]));
    if (i + n > text.size()) n = 1;
    i += n;
    ends.push_back(i);
  }
  r.total = ends.size();
  if (r.total <= budget) {
    r.text = std::string(text);
    r.kept = r.total;
    return r;
  }
  r.truncated = true;
  size_t keep = budget;
  // Prefer to cut at whitespace within the last fifth of the budget.
  for (size_t k = budget; k > 0 && k + budget / 5 >= budget; --k) {
    const size_t byte = ends[k - 1];
    if (byte < text.size() && is_space(static_cast<unsigned char>(text[byte]))) {
      keep = k;
      break;
    }
  }
  size_t bytes = keep == 0 ? 0 : ends[keep - 1];
  while (bytes > 0 && is_space(static_cast<unsigned char>(text[bytes - 1]))) {
    --bytes;
    --keep;
  }
  r.kept = keep;
  r.text = std::string(text.substr(0, bytes)) + " …";
  return r;
}

namespace {

std::string cut_body(std::string_view body, size_t budget, bool* truncated) {
  Truncated t = truncate_to_budget(body, budget);
  if (truncated != nullptr) *truncated = t.truncated;
  return std::move(t.text);
}

}  // namespace

Result<std::string> classification_prompt(const PromptTemplate& t, std::string_view title,
                                          std::string_view body, size_t body_budget,
                                          bool* truncated) {
  return t.render(
      {{"title", std::string(title)}, {"body", cut_body(body, body_budget, truncated)}});
}

Result<std::string> teacher_prompt(const PromptTemplate& t, const Taxonomy& taxonomy,
                                   std::string_view title, std::string_view body,
                                   size_t body_budget, bool* truncated) {
  std::string labels;
  for (TopicId id = 0; id < taxonomy.size(); ++id) {
    labels += taxonomy.node(id).path;
    labels += '\n';
  }
  if (!labels.empty()) labels.pop_back();
  return t.render({{"title", std::string(title)},
                   {"body", cut_body(body, body_budget, truncated)},
                   {"labels", labels}});
}

Result<std::string> judge_prompt(const PromptTemplate& t, std::string_view title,
                                 std::string_view body, std::string_view topic_path,
                                 size_t body_budget, bool* truncated) {
  return t.render({{"title", std::string(title)},
                   {"body", cut_body(body, body_budget, truncated)},
                   {"topic", std::string(topic_path)}});
}

Result<int> parse_judge_score(std::string_view response) {
  const size_t at = response.rfind("점수");
  auto fail = [&] {
    const std::string_view tail = response.substr(response.size() > 80 ? response.size() - 80 : 0);
    return Status::invalid_argument("judge response has no score 0..100: '" + std::string(tail) +
                                    "'");
  };
  if (at == std::string_view::npos) return fail();
  size_t i = at + std::string_view("점수").size();
  // Skip the "(0~100)" of the form itself.
  const size_t paren = response.find(')', i);
  const size_t colon = response.find(':', i);
  if (paren != std::string_view::npos && (colon == std::string_view::npos || paren < colon)) {
    i = paren + 1;
  }
  while (i < response.size() && !(response[i] >= '0' && response[i] <= '9')) ++i;
  if (i >= response.size()) return fail();
  int value = 0;
  size_t digits = 0;
  while (i < response.size() && response[i] >= '0' && response[i] <= '9' && digits < 4) {
    value = value * 10 + (response[i] - '0');
    ++i;
    ++digits;
  }
  if (value > 100 || (i < response.size() && response[i] >= '0' && response[i] <= '9')) {
    return fail();
  }
  return value;
}

double repetition_score(std::string_view text) {
  const auto tokens = text::words(text);
  if (tokens.empty()) return 0.0;
  std::unordered_set<std::string_view> distinct;
  for (const auto& t : tokens) distinct.insert(t);
  const double l = static_cast<double>(tokens.size());
  return std::log(l) * l / static_cast<double>(distinct.size());
}

}  // namespace feedscout::llm
