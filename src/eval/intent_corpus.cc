#include "feedscout/eval/intent_corpus.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "feedscout/text/tokenize.h"
#include "feedscout/text/utf8.h"

namespace feedscout {

intent::ClickedDocument RefinerDocument::view() const {
  intent::ClickedDocument d;
  d.id = id;
  d.words.reserve(words.size());
  for (const std::string& w : words) d.words.push_back(w);
  d.title_words = title_words;
  d.title = title;
  d.body = body;
  return d;
}

RefinerDocument make_refiner_document(std::string id, std::string_view title, std::string_view body,
                                      size_t max_words) {
  RefinerDocument d;
  d.id = std::move(id);
  std::unordered_set<std::string> distinct;
  auto take = [&](std::string_view part, bool is_title) {
    for (std::string& w : text::words(part)) {
      if (d.words.size() >= max_words) return;
      if (!distinct.insert(w).second) continue;
      d.words.push_back(std::move(w));
      if (is_title) d.title_words = d.words.size();
    }
  };
  take(title, true);
  take(body, false);
  d.title = std::string(title);
  d.body = std::string(body);
  return d;
}

void CorpusWordWeights::add_document(std::string_view title, std::string_view body) {
  std::unordered_set<std::string> distinct;
  for (std::string_view part : {title, body}) {
    for (std::string& w : text::words(part)) {
      if (distinct.insert(w).second) ++df_[std::move(w)];
    }
  }
  ++documents_;
}

double CorpusWordWeights::idf(std::string_view word) const {
  const auto it = df_.find(std::string(word));
  const double df = it == df_.end() ? 0.0 : static_cast<double>(it->second);
  const double n = static_cast<double>(documents_);
  return std::log(1.0 + (n - df + 0.5) / (df + 0.5));
}

Result<std::vector<DocumentText>> read_document_texts(const std::string& path,
                                                      intent::SkipTally& skips,
                                                      size_t max_line_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("documents file '" + path + "' cannot be opened");
  std::vector<DocumentText> out;
  std::unordered_set<std::string> seen;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line.size() > max_line_bytes) {
      skips.add("line too long", path, line_no);
      continue;
    }
    if (!text::is_valid_utf8(line)) {
      skips.add("invalid UTF-8", path, line_no);
      continue;
    }
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      skips.add("broken JSON", path, line_no);
      continue;
    }
    if (!j.is_object()) {
      skips.add("not a JSON object", path, line_no);
      continue;
    }
    const auto id = j.find("id");
    if (id == j.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      skips.add("field 'id': missing, empty or not a string", path, line_no);
      continue;
    }
    DocumentText d;
    d.id = id->get<std::string>();
    bool ok = true;
    for (auto [field, target] : {std::pair<const char*, std::string*>{"title", &d.title},
                                 std::pair<const char*, std::string*>{"body", &d.body}}) {
      const auto v = j.find(field);
      if (v == j.end() || v->is_null()) continue;
      if (!v->is_string()) {
        skips.add(std::string("field '") + field + "': not a string", path, line_no);
        ok = false;
        break;
      }
      *target = v->get<std::string>();
    }
    if (!ok) continue;
    if (!seen.insert(d.id).second) {
      skips.add("duplicate document id (first kept)", path, line_no);
      continue;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace feedscout
