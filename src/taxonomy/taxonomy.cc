#include "feedscout/taxonomy/taxonomy.h"

#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "feedscout/text/utf8.h"

namespace feedscout {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> cols;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      cols.push_back(line.substr(start));
      break;
    }
    cols.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  return cols;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Taxonomy> Taxonomy::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("taxonomy file '" + path + "' cannot be opened");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), path);
}

Result<Taxonomy> Taxonomy::parse(std::string_view text, const std::string& source) {
  struct Row {
    std::string id, parent, name, name_en;
    size_t line;
  };
  auto err = [&](size_t line, const std::string& msg) {
    return Status::invalid_argument("taxonomy " + source + ":" + std::to_string(line) + ": " + msg);
  };
  if (size_t bad = text::find_invalid_utf8(text); bad != std::string_view::npos) {
    size_t line = 1;
    for (size_t i = 0; i < bad; ++i) line += text[i] == '\n';
    return err(line, "invalid UTF-8 at byte " + std::to_string(bad));
  }
  std::vector<Row> rows;
  size_t line_no = 0;
  size_t start = 0;
  bool header_seen = false;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (trim(line).empty() || line.front() == '#') continue;
    auto cols = split_tabs(line);
    if (!header_seen) {
      header_seen = true;
      if (cols.size() < 3 || trim(cols[0]) != "id" || trim(cols[1]) != "parent" ||
          trim(cols[2]) != "name") {
        return err(line_no, "expected header 'id<TAB>parent<TAB>name[<TAB>name_en]'");
      }
      continue;
    }
    if (cols.size() < 3) return err(line_no, "expected at least 3 tab-separated columns");
    Row r{std::string(trim(cols[0])), std::string(trim(cols[1])), std::string(trim(cols[2])),
          cols.size() > 3 ? std::string(trim(cols[3])) : std::string(), line_no};
    if (r.id.empty()) return err(line_no, "empty id");
    if (r.name.empty()) return err(line_no, "empty name for id '" + r.id + "'");
    if (r.name.find('>') != std::string::npos) return err(line_no, "name contains '>'");
    rows.push_back(std::move(r));
  }
  if (!header_seen) return err(line_no, "file is empty");
  if (rows.empty()) return err(line_no, "no nodes");

  Taxonomy t;
  t.nodes_.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = t.by_external_id_.emplace(rows[i].id, static_cast<TopicId>(i));
    if (!inserted) return err(rows[i].line, "duplicate id '" + rows[i].id + "'");
    t.nodes_[i].external_id = rows[i].id;
    t.nodes_[i].name = rows[i].name;
    t.nodes_[i].name_en = rows[i].name_en;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].parent.empty()) continue;
    auto it = t.by_external_id_.find(rows[i].parent);
    if (it == t.by_external_id_.end()) {
      return err(rows[i].line,
                 "parent '" + rows[i].parent + "' of id '" + rows[i].id + "' is not defined");
    }
    if (it->second == i) return err(rows[i].line, "node is its own parent");
    t.nodes_[i].parent = it->second;
  }
  // Levels and paths; walking up at most kMaxTopicLevel steps also rejects cycles.
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<TopicId> chain{static_cast<TopicId>(i)};
    while (t.nodes_[chain.back()].parent != kNoTopic) {
      chain.push_back(t.nodes_[chain.back()].parent);
      if (chain.size() > kMaxTopicLevel) {
        return err(rows[i].line, "id '" + rows[i].id + "' is deeper than " +
                                     std::to_string(kMaxTopicLevel) +
                                     " levels (or its parents form a cycle)");
      }
    }
    std::string path;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (!path.empty()) path += '>';
      path += t.nodes_[*it].name;
    }
    t.nodes_[i].level = static_cast<int>(chain.size());
    t.nodes_[i].path = path;
    auto [pit, inserted] = t.by_path_.emplace(path, static_cast<TopicId>(i));
    if (!inserted) {
      return err(rows[i].line, "path '" + path + "' is used by id '" +
                                   t.nodes_[pit->second].external_id +
                                   "' too (sibling names must be distinct)");
    }
  }
  return t;
}

std::optional<TopicId> Taxonomy::find_by_external_id(std::string_view external_id) const {
  auto it = by_external_id_.find(std::string(external_id));
  if (it == by_external_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<TopicId> Taxonomy::find_by_path(std::string_view path) const {
  auto it = by_path_.find(std::string(path));
  if (it == by_path_.end()) return std::nullopt;
  return it->second;
}

std::optional<TopicId> Taxonomy::resolve(std::string_view id_or_path) const {
  if (auto id = find_by_external_id(id_or_path)) return id;
  return find_by_path(id_or_path);
}

std::vector<TopicId> Taxonomy::lineage(TopicId id) const {
  std::vector<TopicId> chain;
  for (TopicId cur = id; cur != kNoTopic; cur = nodes_[cur].parent) chain.push_back(cur);
  return {chain.rbegin(), chain.rend()};
}

int Taxonomy::lineage(TopicId id, std::array<TopicId, kMaxTopicLevel>& out) const {
  const int n = nodes_[id].level;
  TopicId cur = id;
  for (int i = n - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = cur;
    cur = nodes_[cur].parent;
  }
  return n;
}

bool Taxonomy::is_ancestor_or_self(TopicId ancestor, TopicId id) const {
  for (TopicId cur = id; cur != kNoTopic; cur = nodes_[cur].parent) {
    if (cur == ancestor) return true;
  }
  return false;
}

std::vector<size_t> Taxonomy::level_counts() const {
  std::vector<size_t> counts(kMaxTopicLevel, 0);
  for (const auto& n : nodes_) ++counts[n.level - 1];
  return counts;
}

}  // namespace feedscout
