#include "feedscout/llm/ranking_judge.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace feedscout::llm {
namespace {

using nlohmann::json;

// At most this many '{' are tried as the start of the answer's object.
constexpr size_t kMaxObjectStarts = 64;

// Index of the '}' closing the object that starts at text[start] == '{' (braces inside JSON
// strings do not count), or npos when the text ends first.
size_t balanced_end(std::string_view text, size_t start) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return i;
    }
  }
  return std::string_view::npos;
}

// The last (at most) 80 bytes of `text`, for error messages; never splits a UTF-8 sequence.
std::string tail_of(std::string_view text) {
  if (text.size() <= 80) return std::string(text);
  size_t from = text.size() - 80;
  while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) ++from;
  return "…" + std::string(text.substr(from));
}

// One line of the candidate list: control characters (line breaks included) become spaces.
void append_one_line(std::string& out, std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
}

// Valid order entries of `answer` for n candidates: < n, first occurrence only.
std::vector<size_t> valid_order(const JudgeAnswer& answer, size_t n) {
  std::vector<size_t> out;
  std::vector<bool> seen(n, false);
  for (size_t i : answer.order) {
    if (i >= n || seen[i]) continue;
    seen[i] = true;
    out.push_back(i);
  }
  return out;
}

Result<JudgeAnswer> read_order(const json& order, size_t n) {
  if (!order.is_array()) {
    return Status::invalid_argument(std::string("\"order\" is not an array but ") +
                                    order.type_name());
  }
  JudgeAnswer a;
  std::vector<bool> seen(n, false);
  for (size_t k = 0; k < order.size(); ++k) {
    const json& e = order[k];
    if (!e.is_number_integer()) {
      return Status::invalid_argument(
          "\"order\" entry " + std::to_string(k) +
          " is not an integer: " + e.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    // Numbers 1..n; anything else (negative, 0, too large) is unknown.
    uint64_t number = 0;
    if (e.is_number_unsigned()) {
      number = e.get<uint64_t>();
    } else if (e.get<int64_t>() > 0) {
      number = static_cast<uint64_t>(e.get<int64_t>());
    }
    if (number < 1 || number > n) {
      ++a.unknown;
      continue;
    }
    const size_t index = static_cast<size_t>(number - 1);
    if (seen[index]) {
      ++a.duplicates;
      continue;
    }
    seen[index] = true;
    a.order.push_back(index);
  }
  return a;
}

std::string json_string(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

void append_float(std::string& out, float v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec == std::errc()) {
    out.append(buf, end);
  } else {
    out += std::to_string(v);
  }
}

template <typename T>
void append_list(std::string& out, const std::vector<T>& items, auto&& append_one) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    append_one(items[i]);
  }
  out += ']';
}

// An optional array of one string per candidate; "" = OK.
std::string read_strings(const json& j, const char* field, size_t n,
                         std::vector<std::string>* out) {
  const auto it = j.find(field);
  if (it == j.end()) return "";
  const std::string name = std::string("field '") + field + "': ";
  if (!it->is_array() || it->size() != n) {
    return name + "expected an array of " + std::to_string(n) + " strings (one per doc id)";
  }
  for (const json& s : *it) {
    if (!s.is_string()) return name + "expected strings";
    out->push_back(s.get<std::string>());
  }
  return "";
}

// A non-negative integer field, absent = 0; "" = OK.
std::string read_count(const json& j, const char* field, size_t* out) {
  const auto it = j.find(field);
  if (it == j.end()) return "";
  if (!it->is_number_unsigned()) {
    return std::string("field '") + field + "': expected a non-negative integer";
  }
  *out = static_cast<size_t>(it->get<uint64_t>());
  return "";
}

// One judged_to_jsonl record; "" = OK, else the problem.
std::string read_record(std::string_view line, size_t n_features, JudgeRequest* r, JudgeAnswer* a) {
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "not valid JSON";
  if (!j.is_object()) return "expected one JSON object per line";

  const auto user = j.find("user");
  if (user == j.end() || !user->is_string()) return "field 'user': expected a string";
  r->user = user->get<std::string>();
  if (const auto it = j.find("profile"); it != j.end()) {
    if (!it->is_string()) return "field 'profile': expected a string";
    r->profile = it->get<std::string>();
  }

  const auto ids = j.find("doc_ids");
  if (ids == j.end() || !ids->is_array() || ids->empty()) {
    return "field 'doc_ids': expected a non-empty array of strings";
  }
  const size_t n = ids->size();
  r->candidates.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!(*ids)[i].is_string()) return "field 'doc_ids': expected strings";
    r->candidates[i].doc_id = (*ids)[i].get<std::string>();
  }

  std::vector<std::string> titles, paths;
  if (std::string e = read_strings(j, "titles", n, &titles); !e.empty()) return e;
  if (std::string e = read_strings(j, "topic_paths", n, &paths); !e.empty()) return e;
  for (size_t i = 0; i < titles.size(); ++i) r->candidates[i].title = std::move(titles[i]);
  for (size_t i = 0; i < paths.size(); ++i) r->candidates[i].topic_path = std::move(paths[i]);

  const auto features = j.find("features");
  if (features == j.end() || !features->is_array() || features->size() != n) {
    return "field 'features': expected " + std::to_string(n) + " rows (one per doc id)";
  }
  for (size_t i = 0; i < n; ++i) {
    const json& row = (*features)[i];
    if (!row.is_array() || row.size() != n_features) {
      return "field 'features': row " + std::to_string(i) + ": expected " +
             std::to_string(n_features) + " numbers";
    }
    std::vector<float>& out = r->candidates[i].features;
    out.reserve(n_features);
    for (size_t f = 0; f < n_features; ++f) {
      const float v = row[f].is_number() ? static_cast<float>(row[f].get<double>())
                                         : std::numeric_limits<float>::quiet_NaN();
      if (!std::isfinite(v)) {
        return "field 'features': row " + std::to_string(i) + ", feature " + std::to_string(f) +
               ": expected a finite number";
      }
      out.push_back(v);
    }
  }

  const auto order = j.find("order");
  if (order == j.end() || !order->is_array()) {
    return "field 'order': expected an array of candidate indexes";
  }
  std::vector<bool> seen(n, false);
  for (const json& e : *order) {
    if (!e.is_number_unsigned() || e.get<uint64_t>() >= n) {
      return "field 'order': expected integers 0.." + std::to_string(n - 1);
    }
    const auto i = static_cast<size_t>(e.get<uint64_t>());
    if (seen[i]) return "field 'order': index " + std::to_string(i) + " repeated";
    seen[i] = true;
    a->order.push_back(i);
  }
  if (std::string e = read_count(j, "unknown", &a->unknown); !e.empty()) return e;
  if (std::string e = read_count(j, "duplicates", &a->duplicates); !e.empty()) return e;
  return "";
}

}  // namespace

std::vector<size_t> judge_positions(size_t list_size, size_t top, size_t bottom) {
  std::vector<size_t> out;
  // top + bottom >= list_size, written so that it cannot overflow.
  if (top >= list_size || bottom >= list_size - top) {
    out.resize(list_size);
    for (size_t i = 0; i < list_size; ++i) out[i] = i;
    return out;
  }
  out.reserve(top + bottom);
  for (size_t i = 0; i < top; ++i) out.push_back(i);
  for (size_t i = list_size - bottom; i < list_size; ++i) out.push_back(i);
  return out;
}

std::string judge_candidate_list(const std::vector<JudgeCandidate>& candidates) {
  std::string out;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i > 0) out += '\n';
    out += '[' + std::to_string(i + 1) + "] ";
    append_one_line(out, candidates[i].title);
    if (!candidates[i].topic_path.empty()) {
      out += " — ";
      append_one_line(out, candidates[i].topic_path);
    }
  }
  return out;
}

Result<std::string> render_judge_prompt(const PromptTemplate& tmpl, const JudgeRequest& r) {
  if (r.candidates.empty()) {
    return Status::invalid_argument("judge request for user '" + r.user + "': no candidates");
  }
  return tmpl.render({{"profile", r.profile}, {"candidates", judge_candidate_list(r.candidates)}});
}

Result<JudgeAnswer> parse_judge_answer(std::string_view text, size_t n_candidates) {
  try {
    bool found_object = false;
    size_t tried = 0;
    for (size_t pos = text.find('{'); pos != std::string_view::npos && tried < kMaxObjectStarts;
         pos = text.find('{', pos + 1)) {
      ++tried;
      const size_t end = balanced_end(text, pos);
      if (end == std::string_view::npos) continue;
      const json j = json::parse(text.substr(pos, end - pos + 1), nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;
      found_object = true;
      const auto order = j.find("order");
      if (order == j.end()) {
        pos = end;  // objects nested in this one are not answers either
        continue;
      }
      return read_order(*order, n_candidates);
    }
    if (!found_object) {
      return Status::invalid_argument("judge answer holds no JSON object: '" + tail_of(text) + "'");
    }
    return Status::invalid_argument("judge answer's JSON object has no \"order\": '" +
                                    tail_of(text) + "'");
  } catch (const json::exception& e) {
    return Status::invalid_argument(std::string("judge answer: ") + e.what());
  }
}

std::vector<float> judged_labels(const JudgeAnswer& answer, size_t n_candidates) {
  std::vector<float> labels(n_candidates, 0.0f);
  const std::vector<size_t> order = valid_order(answer, n_candidates);
  for (size_t p = 0; p < order.size(); ++p) {
    labels[order[p]] = static_cast<float>(order.size() - p);
  }
  return labels;
}

Result<RankingData> judgement_rows(const std::vector<JudgeRequest>& requests,
                                   const std::vector<JudgeAnswer>& answers, size_t n_features,
                                   float weight) {
  if (requests.size() != answers.size()) {
    return Status::invalid_argument(std::to_string(requests.size()) + " judge requests but " +
                                    std::to_string(answers.size()) + " answers");
  }
  if (n_features == 0) return Status::invalid_argument("n_features is 0");
  if (!std::isfinite(weight) || weight <= 0) {
    return Status::invalid_argument("judgement weight must be finite and > 0, got " +
                                    std::to_string(weight));
  }
  RankingData data;
  data.n_features = n_features;
  for (size_t g = 0; g < requests.size(); ++g) {
    const JudgeRequest& r = requests[g];
    const JudgeAnswer& a = answers[g];
    const std::string where = "judge request " + std::to_string(g) + " (user '" + r.user + "')";
    const size_t n = r.candidates.size();
    if (n == 0) return Status::invalid_argument(where + ": no candidates");
    for (const JudgeCandidate& c : r.candidates) {
      if (c.features.size() != n_features) {
        return Status::invalid_argument(where + ": candidate '" + c.doc_id + "' has " +
                                        std::to_string(c.features.size()) + " features, expected " +
                                        std::to_string(n_features));
      }
    }
    std::vector<bool> seen(n, false);
    for (size_t i : a.order) {
      if (i >= n || seen[i]) {
        return Status::invalid_argument(where + ": order entry " + std::to_string(i) +
                                        (i >= n ? " out of range" : " repeated"));
      }
      seen[i] = true;
    }
    for (const JudgeCandidate& c : r.candidates) {
      data.features.insert(data.features.end(), c.features.begin(), c.features.end());
    }
    const std::vector<float> labels = judged_labels(a, n);
    data.labels.insert(data.labels.end(), labels.begin(), labels.end());
    data.group_sizes.push_back(static_cast<uint32_t>(n));
    data.group_weights.push_back(weight);
  }
  return data;
}

std::vector<std::pair<size_t, size_t>> judged_pairs(const JudgeAnswer& answer,
                                                    size_t n_candidates) {
  const std::vector<size_t> order = valid_order(answer, n_candidates);
  std::vector<bool> listed(n_candidates, false);
  for (size_t i : order) listed[i] = true;
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t p = 0; p < order.size(); ++p) {
    for (size_t q = p + 1; q < order.size(); ++q) pairs.emplace_back(order[p], order[q]);
    for (size_t j = 0; j < n_candidates; ++j) {
      if (!listed[j]) pairs.emplace_back(order[p], j);
    }
  }
  return pairs;
}

std::string judged_to_jsonl(const JudgeRequest& r, const JudgeAnswer& a) {
  const auto& cs = r.candidates;
  std::string out = "{\"user\":" + json_string(r.user);
  out += ",\"profile\":" + json_string(r.profile);
  out += ",\"doc_ids\":";
  append_list(out, cs, [&](const JudgeCandidate& c) { out += json_string(c.doc_id); });
  out += ",\"titles\":";
  append_list(out, cs, [&](const JudgeCandidate& c) { out += json_string(c.title); });
  out += ",\"topic_paths\":";
  append_list(out, cs, [&](const JudgeCandidate& c) { out += json_string(c.topic_path); });
  out += ",\"features\":";
  append_list(out, cs, [&](const JudgeCandidate& c) {
    append_list(out, c.features, [&](float v) { append_float(out, v); });
  });
  out += ",\"order\":";
  append_list(out, a.order, [&](size_t i) { out += std::to_string(i); });
  out += ",\"unknown\":" + std::to_string(a.unknown);
  out += ",\"duplicates\":" + std::to_string(a.duplicates);
  out += "}\n";
  return out;
}

JudgedFile read_judged_jsonl(std::string_view text, size_t n_features) {
  JudgedFile file;
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    JudgeRequest r;
    JudgeAnswer a;
    std::string problem;
    try {
      problem = read_record(line, n_features, &r, &a);
    } catch (const std::exception& e) {  // json type errors, allocation failures
      problem = e.what();
    }
    if (!problem.empty()) {
      file.errors.push_back("line " + std::to_string(line_no) + ": " + problem);
      continue;
    }
    file.requests.push_back(std::move(r));
    file.answers.push_back(std::move(a));
  }
  return file;
}

}  // namespace feedscout::llm
