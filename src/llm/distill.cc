#include "feedscout/llm/distill.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "feedscout/ingest/json_text.h"
#include "feedscout/ingest/parse.h"

namespace feedscout::llm {
namespace {

void note_error(StepCounts* counts, const Status& st) {
  if (counts == nullptr) return;
  ++counts->generator_errors;
  if (counts->first_error.empty()) counts->first_error = st.to_string();
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// "1. 여행>해외여행" / "- '여행'" → "여행>해외여행" / "여행".
std::string_view strip_marker(std::string_view line) {
  line = trim(line);
  size_t i = 0;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
  if (i > 0 && i < line.size() && (line[i] == '.' || line[i] == ')')) line.remove_prefix(i + 1);
  line = trim(line);
  if (!line.empty() && (line.front() == '-' || line.front() == '*')) line.remove_prefix(1);
  line = trim(line);
  while (!line.empty() && (line.front() == '\'' || line.front() == '"')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\'' || line.back() == '"')) line.remove_suffix(1);
  return trim(line);
}

std::string first_line(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = strip_marker(text.substr(start, end - start));
    if (!line.empty()) return std::string(line);
    start = end + 1;
  }
  return "";
}

}  // namespace

std::vector<LabelledDocument> teacher_label(const std::vector<PoolDocument>& pool,
                                            TextGenerator& teacher, const PromptTemplate& prompt,
                                            const Taxonomy& taxonomy, size_t body_budget,
                                            size_t max_topics, StepCounts* counts) {
  std::vector<LabelledDocument> out;
  for (const PoolDocument& d : pool) {
    if (counts != nullptr) ++counts->items;
    LabelledDocument l{d.id, d.title, d.body, {}, {}, false, d.created_ms};
    auto p = teacher_prompt(prompt, taxonomy, d.title, d.body, body_budget);
    if (!p.is_ok()) {
      note_error(counts, p.status());
      continue;
    }
    auto answer = teacher.generate(*p);
    if (!answer.is_ok()) {
      note_error(counts, answer.status());
      continue;
    }
    std::string_view rest = *answer;
    while (!rest.empty() && l.topics.size() < max_topics) {
      const size_t nl = rest.find('\n');
      const std::string_view line = strip_marker(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (line.empty()) continue;
      const auto topic = taxonomy.resolve(line);
      if (!topic) {
        if (counts != nullptr) ++counts->invalid_labels;
        continue;
      }
      if (std::find(l.topics.begin(), l.topics.end(), *topic) == l.topics.end()) {
        l.topics.push_back(*topic);
        if (counts != nullptr) ++counts->kept;
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<LabelledDocument> judge_labels(std::vector<LabelledDocument> docs, TextGenerator& judge,
                                           const PromptTemplate& prompt, const Taxonomy& taxonomy,
                                           size_t body_budget, int min_score, StepCounts* counts) {
  std::vector<LabelledDocument> out;
  for (LabelledDocument& d : docs) {
    if (counts != nullptr) ++counts->items;
    LabelledDocument kept = d;
    kept.topics.clear();
    kept.judge_scores.clear();
    for (TopicId t : d.topics) {
      auto p = judge_prompt(prompt, d.title, d.body, taxonomy.node(t).path, body_budget);
      if (!p.is_ok()) {
        note_error(counts, p.status());
        continue;
      }
      auto answer = judge.generate(*p);
      if (!answer.is_ok()) {
        note_error(counts, answer.status());
        continue;
      }
      auto score = parse_judge_score(*answer);
      if (!score.is_ok()) {
        if (counts != nullptr) ++counts->unparseable;
        continue;
      }
      if (*score < min_score) {
        if (counts != nullptr) ++counts->dropped;
        continue;
      }
      kept.topics.push_back(t);
      kept.judge_scores.push_back(*score);
      if (counts != nullptr) ++counts->kept;
    }
    if (!kept.topics.empty()) out.push_back(std::move(kept));
  }
  return out;
}

std::vector<TopicId> under_represented(const std::vector<LabelledDocument>& docs,
                                       const std::vector<TopicId>& candidates,
                                       size_t min_per_topic) {
  std::map<TopicId, size_t> count;
  for (const LabelledDocument& d : docs) {
    for (TopicId t : d.topics) ++count[t];
  }
  std::vector<TopicId> out;
  for (TopicId t : candidates) {
    if (count[t] < min_per_topic) out.push_back(t);
  }
  return out;
}

std::vector<LabelledDocument> synthesize(const std::vector<TopicId>& topics, TextGenerator& writer,
                                         const PromptTemplate& title_prompt,
                                         const PromptTemplate& body_prompt,
                                         const Taxonomy& taxonomy, size_t per_topic,
                                         double repetition_threshold, TimeMs now,
                                         StepCounts* counts) {
  std::vector<LabelledDocument> out;
  for (TopicId t : topics) {
    const std::string& path = taxonomy.node(t).path;
    for (size_t k = 0; k < per_topic; ++k) {
      if (counts != nullptr) ++counts->items;
      auto tp = title_prompt.render({{"topic", path}});
      if (!tp.is_ok()) {
        note_error(counts, tp.status());
        continue;
      }
      auto title_answer = writer.generate(*tp);
      if (!title_answer.is_ok()) {
        note_error(counts, title_answer.status());
        continue;
      }
      const std::string title = first_line(*title_answer);
      auto bp = body_prompt.render({{"topic", path}, {"title", title}});
      if (!bp.is_ok()) {
        note_error(counts, bp.status());
        continue;
      }
      auto body_answer = writer.generate(*bp);
      if (!body_answer.is_ok()) {
        note_error(counts, body_answer.status());
        continue;
      }
      const std::string body(trim(*body_answer));
      if (title.empty() || body.empty() ||
          !passes_repetition_filter(title + " " + body, repetition_threshold)) {
        if (counts != nullptr) ++counts->dropped;
        continue;
      }
      LabelledDocument d;
      d.id = "synthetic-" + taxonomy.node(t).external_id + "-" + std::to_string(k + 1);
      d.title = title;
      d.body = body;
      d.topics = {t};
      d.synthetic = true;
      d.created_ms = now;
      out.push_back(std::move(d));
      if (counts != nullptr) ++counts->kept;
    }
  }
  return out;
}

std::string to_training_jsonl(const std::vector<LabelledDocument>& docs, const Taxonomy& taxonomy) {
  std::string out;
  for (const LabelledDocument& d : docs) {
    if (d.topics.empty()) continue;
    out += "{\"id\":";
    append_json_string(out, d.id);
    out += ",\"title\":";
    append_json_string(out, d.title);
    out += ",\"body\":";
    append_json_string(out, d.body);
    out += ",\"created_at\":";
    append_json_string(out, format_rfc3339(d.created_ms));
    out += ",\"topics\":[";
    for (size_t i = 0; i < d.topics.size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, taxonomy.node(d.topics[i]).path);
    }
    out += "]}\n";
  }
  return out;
}

std::string labelled_document_to_json(const LabelledDocument& d, const Taxonomy& taxonomy) {
  std::string out = "{\"id\":";
  append_json_string(out, d.id);
  out += ",\"title\":";
  append_json_string(out, d.title);
  out += ",\"body\":";
  append_json_string(out, d.body);
  out += ",\"created_at\":";
  append_json_string(out, format_rfc3339(d.created_ms));
  out += ",\"topics\":[";
  for (size_t i = 0; i < d.topics.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, taxonomy.node(d.topics[i]).path);
  }
  out += ']';
  if (!d.judge_scores.empty()) {
    out += ",\"judge_scores\":[";
    for (size_t i = 0; i < d.judge_scores.size(); ++i) {
      if (i > 0) out += ',';
      out += std::to_string(d.judge_scores[i]);
    }
    out += ']';
  }
  if (d.synthetic) out += ",\"synthetic\":true";
  out += '}';
  return out;
}

Result<LabelledDocument> parse_labelled_document(std::string_view line, const Taxonomy& taxonomy) {
  // parse_documents would read a line holding a JSON array as several documents.
  const auto first = line.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && line[first] == '[') {
    return Status::invalid_argument("expected one JSON object per line, got an array");
  }
  auto batch = parse_documents(line, any_time_limits(), taxonomy, 0, 1);
  if (!batch.errors.empty()) {
    const ItemError& e = batch.errors.front();
    return Status::invalid_argument(e.field.empty() ? e.message
                                                    : "field '" + e.field + "': " + e.message);
  }
  if (batch.is_array || batch.items.size() != 1) {
    return Status::invalid_argument("expected one JSON object per line");
  }
  Document& doc = batch.items.front().second;
  LabelledDocument out;
  out.id = std::move(doc.id);
  out.title = std::move(doc.title);
  out.body = std::move(doc.body);
  out.created_ms = doc.created_ms;
  for (const DocTopic& t : doc.topics) out.topics.push_back(t.topic);
  // parse_documents validated the text as JSON already; this second parse reads the two
  // fields the document format does not know.
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::invalid_argument("expected one JSON object per line");
  if (const auto it = j.find("judge_scores"); it != j.end()) {
    if (!it->is_array() || it->size() != out.topics.size()) {
      return Status::invalid_argument(
          "field 'judge_scores': expected an array with one score per topic");
    }
    for (const auto& s : *it) {
      if (!s.is_number_integer() || s.get<int64_t>() < 0 || s.get<int64_t>() > 100) {
        return Status::invalid_argument("field 'judge_scores': expected integers 0..100");
      }
      out.judge_scores.push_back(static_cast<int>(s.get<int64_t>()));
    }
  }
  if (const auto it = j.find("synthetic"); it != j.end()) {
    if (!it->is_boolean()) {
      return Status::invalid_argument("field 'synthetic': expected true or false");
    }
    out.synthetic = it->get<bool>();
  }
  return out;
}

Result<std::string> to_chat_jsonl(const std::vector<LabelledDocument>& docs,
                                  const Taxonomy& taxonomy, const PromptTemplate& classify_prompt,
                                  size_t body_budget) {
  std::string out;
  for (const LabelledDocument& d : docs) {
    if (d.topics.empty()) continue;
    auto p = classification_prompt(classify_prompt, d.title, d.body, body_budget);
    if (!p.is_ok()) return p.status().with_context("document '" + d.id + "'");
    std::string answer;
    for (TopicId t : d.topics) {
      if (!answer.empty()) answer += '\n';
      answer += taxonomy.node(t).path;
    }
    out += "{\"messages\":[{\"role\":\"user\",\"content\":";
    append_json_string(out, *p);
    out += "},{\"role\":\"assistant\",\"content\":";
    append_json_string(out, answer);
    out += "}]}\n";
  }
  return out;
}

}  // namespace feedscout::llm
