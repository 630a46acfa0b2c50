#include "dataset_common.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>
#include <utility>

#include "feedscout/text/utf8.h"

namespace feedscout::dataset_internal {

std::string join_path(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out = dir;
  if (out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("dataset file '" + path + "' cannot be opened");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::not_found("dataset file '" + path + "' cannot be read");
  return std::move(buf).str();
}

bool LineReader::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const size_t nl = text_.find('\n', pos_);
  const size_t end = nl == std::string_view::npos ? text_.size() : nl;
  line = text_.substr(pos_, end - pos_);
  pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++line_no_;
  return true;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool split_csv(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return false;  // unterminated quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != ',') return false;  // text after the closing quote
    } else {
      const size_t comma = line.find(',', i);
      const size_t end = comma == std::string_view::npos ? line.size() : comma;
      field.assign(line.substr(i, end - i));
      if (field.find('"') != std::string::npos) return false;  // stray quote
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return true;
    ++i;  // the comma
    if (i == line.size()) {
      fields.emplace_back();  // a trailing comma ends with an empty field
      return true;
    }
  }
}

void split_on(std::string_view line, char sep, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t start = 0;
  while (true) {
    const size_t at = line.find(sep, start);
    if (at == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return;
    }
    fields.push_back(line.substr(start, at - start));
    start = at + 1;
  }
}

void split_words(std::string_view s, std::vector<std::string_view>& words) {
  words.clear();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) words.push_back(s.substr(b, i - b));
  }
}

bool parse_uint(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

bool is_valid_id(std::string_view s) {
  if (s.empty() || s.size() > kMaxDatasetIdBytes || !text::is_valid_utf8(s)) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

void SkipCounter::add(const std::string& reason, std::string_view file, size_t line, size_t count) {
  if (count == 0) return;
  auto it = index_.find(reason);
  if (it == index_.end()) {
    index_.emplace(reason, list_.size());
    list_.push_back({reason, count, std::string(file) + ":" + std::to_string(line)});
    return;
  }
  list_[it->second].count += count;
}

std::string taxonomy_name(std::string_view raw) {
  std::string out(trim(raw));
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r' || c == '>') c = ' ';
  }
  return std::string(trim(out));
}

Status parse_taxonomy(EvalDataset& dataset) {
  auto parsed = Taxonomy::parse(dataset.taxonomy_tsv, dataset.name + " taxonomy");
  if (!parsed.is_ok()) {
    return Status::internal("generated taxonomy does not load: " + parsed.status().message());
  }
  dataset.taxonomy = std::move(parsed).value();
  return Status::ok();
}

void finish_dataset(EvalDataset& dataset) {
  auto by_created = [](const Document& a, const Document& b) {
    return a.created_ms < b.created_ms;
  };
  std::stable_sort(dataset.documents.begin(), dataset.documents.end(), by_created);
  auto by_time = [](const auto& a, const auto& b) { return a.time_ms < b.time_ms; };
  std::stable_sort(dataset.events.begin(), dataset.events.end(), by_time);
  std::stable_sort(dataset.interactions.begin(), dataset.interactions.end(), by_time);
  std::stable_sort(dataset.impressions.begin(), dataset.impressions.end(), by_time);

  DatasetStats& s = dataset.stats;
  s.documents = dataset.documents.size();
  s.documents_without_topics =
      static_cast<size_t>(std::count_if(dataset.documents.begin(), dataset.documents.end(),
                                        [](const Document& d) { return d.topics.empty(); }));
  s.events = dataset.events.size();
  s.impression_events = s.click_events = 0;
  std::unordered_set<std::string_view> users;
  for (const Event& e : dataset.events) {
    users.insert(e.user);
    if (e.type == EventType::kImpression) ++s.impression_events;
    if (e.type == EventType::kClick) ++s.click_events;
  }
  s.users = users.size();
  s.first_time_ms = dataset.events.empty() ? 0 : dataset.events.front().time_ms;
  s.last_time_ms = dataset.events.empty() ? 0 : dataset.events.back().time_ms;
  s.impressions_usable = dataset.impressions.size();
  std::unordered_set<std::string_view> impression_users;
  for (const ImpressionRecord& r : dataset.impressions) impression_users.insert(r.user);
  s.impression_users = impression_users.size();
}

}  // namespace feedscout::dataset_internal

namespace feedscout {

const char* split_part_name(SplitPart part) {
  switch (part) {
    case SplitPart::kTrain:
      return "train";
    case SplitPart::kValidation:
      return "validation";
    case SplitPart::kTest:
      return "test";
  }
  return "?";
}

const UserCutoffs* TemporalSplit::find(std::string_view user) const {
  auto it =
      std::lower_bound(users.begin(), users.end(), user,
                       [](const UserCutoffs& u, std::string_view name) { return u.user < name; });
  return it != users.end() && it->user == user ? &*it : nullptr;
}

SplitPart TemporalSplit::part(std::string_view user, TimeMs time_ms) const {
  const UserCutoffs* u = find(user);
  if (u == nullptr || time_ms < u->validation_cutoff_ms) return SplitPart::kTrain;
  return time_ms < u->test_cutoff_ms ? SplitPart::kValidation : SplitPart::kTest;
}

size_t TemporalSplit::total(SplitPart part) const {
  size_t n = 0;
  for (const UserCutoffs& u : users) {
    n += part == SplitPart::kTrain        ? u.train
         : part == SplitPart::kValidation ? u.validation
                                          : u.test;
  }
  return n;
}

namespace {

// clamp(round(n × fraction), 1, n) for n ≥ 1.
size_t tail_count(size_t n, double fraction) {
  const auto k = static_cast<size_t>(std::floor(static_cast<double>(n) * fraction + 0.5));
  return std::clamp<size_t>(k, 1, n);
}

}  // namespace

Result<TemporalSplit> temporal_split(const std::vector<Interaction>& interactions,
                                     const SplitOptions& options) {
  if (!(options.test_fraction > 0.0 && options.test_fraction < 1.0)) {
    return Status::invalid_argument("split: test_fraction must be in (0, 1)");
  }
  if (!(options.validation_fraction >= 0.0 && options.validation_fraction < 1.0)) {
    return Status::invalid_argument("split: validation_fraction must be in [0, 1)");
  }
  std::map<std::string_view, std::vector<const Interaction*>> by_user;
  for (const Interaction& x : interactions) by_user[x.user].push_back(&x);
  TemporalSplit split;
  split.users.reserve(by_user.size());
  for (auto& [user, list] : by_user) {
    std::sort(list.begin(), list.end(), [](const Interaction* a, const Interaction* b) {
      return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->item < b->item;
    });
    const size_t n = list.size();
    UserCutoffs u;
    u.user = std::string(user);
    u.test_cutoff_ms = list[n - tail_count(n, options.test_fraction)]->time_ms;
    // Everything strictly before the test cut-off (ties at the cut-off went to test).
    const size_t m = static_cast<size_t>(
        std::lower_bound(list.begin(), list.end(), u.test_cutoff_ms,
                         [](const Interaction* x, TimeMs t) { return x->time_ms < t; }) -
        list.begin());
    u.validation_cutoff_ms = u.test_cutoff_ms;
    if (options.validation_fraction > 0.0 && m > 0) {
      u.validation_cutoff_ms = list[m - tail_count(m, options.validation_fraction)]->time_ms;
    }
    for (const Interaction* x : list) {
      if (x->time_ms < u.validation_cutoff_ms) {
        ++u.train;
      } else if (x->time_ms < u.test_cutoff_ms) {
        ++u.validation;
      } else {
        ++u.test;
      }
    }
    split.users.push_back(std::move(u));
  }
  return split;
}

std::string format_dataset_summary(const EvalDataset& d) {
  const DatasetStats& s = d.stats;
  std::string out;
  auto line = [&](const std::string& key, const std::string& value) {
    out += "  " + key + ": " + value + "\n";
  };
  auto num = [](size_t v) { return std::to_string(v); };
  auto pct = [](size_t part, size_t whole) {
    if (whole == 0) return std::string("-");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * static_cast<double>(part) / whole);
    return std::string(buf);
  };
  out += "dataset " + d.name + "\n";
  line("rows read", num(s.rows_read));
  line("topics", num(d.taxonomy.size()));
  line("documents", num(s.documents) + " (" + num(s.documents_unreferenced) +
                        " never referenced, " + num(s.documents_without_topics) +
                        " without topics)");
  if (s.topic_labels_dropped > 0)
    line("topic labels dropped (limit 3)", num(s.topic_labels_dropped));
  line("users", num(s.users) + " with events, " + num(s.users_read) + " in the log");
  line("events", num(s.events) + " (" + num(s.impression_events) + " impression, " +
                     num(s.click_events) + " click)");
  if (s.events > 0) {
    line("time span", format_rfc3339(s.first_time_ms) + " .. " + format_rfc3339(s.last_time_ms));
  }
  if (s.interactions > 0) {
    line("interactions", num(s.interactions) + " (" + num(s.positive_interactions) + " clicked)");
  }
  if (s.impressions_read > 0) {
    line("impressions", num(s.impressions_read) + " read, " + num(s.impressions_usable) +
                            " usable (" + pct(s.impressions_usable, s.impressions_read) + ") by " +
                            num(s.impression_users) + " users");
    line("candidates", num(s.candidates) + ", known " + num(s.candidates_known) + " (" +
                           pct(s.candidates_known, s.candidates) + ")");
    line("history items (per user)", num(s.history_items) + ", known " +
                                         num(s.history_items_known) + " (" +
                                         pct(s.history_items_known, s.history_items) + ")");
  }
  if (d.skipped.empty()) {
    out += "  skipped: none\n";
  } else {
    out += "  skipped:\n";
    for (const SkippedCount& k : d.skipped) {
      out += "    " + k.reason + ": " + num(k.count) + " (first at " + k.first_example + ")\n";
    }
  }
  return out;
}

}  // namespace feedscout
