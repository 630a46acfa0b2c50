// MIND adapter (news.tsv + behaviors.tsv). The mapping is documented in datasets.h and
// docs/DATASETS.md.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dataset_common.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/text/utf8.h"

namespace feedscout {
namespace {

using namespace dataset_internal;

constexpr char kNewsFile[] = "news.tsv";
constexpr char kBehaviorsFile[] = "behaviors.tsv";
constexpr size_t kNewsColumns = 8;
constexpr size_t kBehaviorsColumns = 5;
constexpr size_t kMaxTitleBytes = 4096;       // ParseLimits::max_title_bytes
constexpr size_t kMaxBodyBytes = 256 * 1024;  // ParseLimits::max_body_bytes
constexpr size_t kMaxUrlBytes = 4096;         // ParseLimits::max_url_bytes
constexpr size_t kMaxEventDocs = 1000;        // ParseLimits::max_doc_ids

struct News {
  std::string id, title, abstract, url;
  std::string category, subcategory;  // sanitized taxonomy names; category "" = no topic
  TimeMs first_ref_ms = std::numeric_limits<TimeMs>::max();
};

struct Candidate {
  std::string news;
  int label = 0;
};

struct Behavior {
  size_t line = 0;
  std::string id, user;
  TimeMs time_ms = 0;
  std::vector<std::string> history;
  std::vector<Candidate> candidates;
};

// MIND files have no header: the first non-blank line must have the file's column count, so
// that a wrong file fails as a whole instead of as thousands of skipped rows.
Status check_first_row(std::string_view text, const std::string& path, size_t columns,
                       const char* layout) {
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> fields;
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    split_on(line, '\t', fields);
    if (fields.size() == columns) return Status::ok();
    return Status::invalid_argument(path + ":" + std::to_string(lines.line_no()) + ": expected " +
                                    std::to_string(columns) + " tab-separated columns (" + layout +
                                    "), got " + std::to_string(fields.size()));
  }
  return Status::invalid_argument(path + ":1: empty file, expected " + layout);
}

Status read_news(const std::string& dir, std::vector<News>& news,
                 std::unordered_map<std::string, size_t>& by_id, SkipCounter& skipped,
                 size_t& rows_read) {
  const std::string path = join_path(dir, kNewsFile);
  auto text = read_file(path);
  if (!text.is_ok()) return text.status();
  FEEDSCOUT_RETURN_IF_ERROR(check_first_row(
      *text, path, kNewsColumns,
      "id, category, subcategory, title, abstract, url, title_entities, abstract_entities"));
  LineReader lines(*text);
  std::string_view line;
  std::vector<std::string_view> f;
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    ++rows_read;
    const size_t n = lines.line_no();
    auto skip = [&](const char* why) {
      skipped.add(std::string(kNewsFile) + ": " + why, kNewsFile, n);
    };
    if (!text::is_valid_utf8(line)) {
      skip("invalid UTF-8");
      continue;
    }
    split_on(line, '\t', f);
    if (f.size() != kNewsColumns) {
      skip("wrong column count");
      continue;
    }
    News item;
    item.id = std::string(trim(f[0]));
    if (!is_valid_id(item.id)) {
      skip("bad news id");
      continue;
    }
    item.title = std::string(trim(f[3]));
    if (item.title.empty()) {
      skip("empty title");
      continue;
    }
    if (item.title.size() > kMaxTitleBytes) {
      skip("title too long");
      continue;
    }
    item.abstract = std::string(trim(f[4]));
    if (item.abstract.size() > kMaxBodyBytes) {
      skip("abstract too long");
      continue;
    }
    item.url = std::string(trim(f[5]));
    if (item.url.size() > kMaxUrlBytes) {
      skip("url too long (url dropped)");
      item.url.clear();
    }
    item.category = taxonomy_name(f[1]);
    item.subcategory = item.category.empty() ? std::string() : taxonomy_name(f[2]);
    if (item.category.empty()) skip("empty category (news kept without a topic)");
    if (by_id.count(item.id)) {
      skip("duplicate news id (later row ignored)");
      continue;
    }
    by_id.emplace(item.id, news.size());
    news.push_back(std::move(item));
  }
  return Status::ok();
}

Status read_behaviors(const std::string& dir, const MindOptions& options,
                      std::vector<Behavior>& rows, SkipCounter& skipped, size_t& rows_read) {
  const std::string path = join_path(dir, kBehaviorsFile);
  auto text = read_file(path);
  if (!text.is_ok()) return text.status();
  FEEDSCOUT_RETURN_IF_ERROR(check_first_row(*text, path, kBehaviorsColumns,
                                            "impression id, user id, time, history, impressions"));
  LineReader lines(*text);
  std::unordered_set<std::string> ids;
  std::string_view line;
  std::vector<std::string_view> f, words;
  size_t data_rows = 0;
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    if (options.max_impressions > 0 && data_rows == options.max_impressions) break;
    ++data_rows;
    ++rows_read;
    const size_t n = lines.line_no();
    auto skip = [&](const char* why) {
      skipped.add(std::string(kBehaviorsFile) + ": " + why, kBehaviorsFile, n);
    };
    if (!text::is_valid_utf8(line)) {
      skip("invalid UTF-8");
      continue;
    }
    split_on(line, '\t', f);
    if (f.size() != kBehaviorsColumns) {
      skip("wrong column count");
      continue;
    }
    Behavior b;
    b.line = n;
    b.id = std::string(trim(f[0]));
    b.user = std::string(trim(f[1]));
    if (!is_valid_id(b.id)) {
      skip("bad impression id");
      continue;
    }
    if (!is_valid_id(b.user)) {
      skip("bad user id");
      continue;
    }
    auto t = parse_mind_time(trim(f[2]));
    if (!t.is_ok()) {
      skip("bad time");
      continue;
    }
    b.time_ms = *t;
    split_words(trim(f[3]), words);
    bool ok = true;
    for (std::string_view w : words) {
      ok = ok && is_valid_id(w);
      b.history.emplace_back(w);
    }
    if (!ok) {
      skip("bad history news id");
      continue;
    }
    split_words(trim(f[4]), words);
    for (std::string_view w : words) {
      const size_t dash = w.rfind('-');
      if (dash == std::string_view::npos || dash + 2 != w.size() ||
          (w[dash + 1] != '0' && w[dash + 1] != '1') || !is_valid_id(w.substr(0, dash))) {
        ok = false;
        break;
      }
      b.candidates.push_back({std::string(w.substr(0, dash)), w[dash + 1] - '0'});
    }
    if (!ok) {
      skip("bad impression item (expected <news id>-1 or <news id>-0)");
      continue;
    }
    if (b.candidates.empty()) {
      skip("no impression items");
      continue;
    }
    if (!ids.insert(b.id).second) {
      skip("duplicate impression id (later row ignored)");
      continue;
    }
    rows.push_back(std::move(b));
  }
  return Status::ok();
}

}  // namespace

Result<TimeMs> parse_mind_time(std::string_view text) {
  auto bad = [&] {
    return Status::invalid_argument("not a MIND time 'M/D/YYYY h:mm:ss AM|PM': '" +
                                    std::string(text.substr(0, 40)) + "'");
  };
  // Reads 1..max_digits digits (exactly max_digits when exact) ending at `stop` or the end.
  size_t pos = 0;
  auto number = [&](size_t min_digits, size_t max_digits, int& out) {
    size_t digits = 0;
    int v = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < max_digits) {
      v = v * 10 + (text[pos++] - '0');
      ++digits;
    }
    out = v;
    return digits >= min_digits;
  };
  auto expect = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  int month, day, year, hour, minute, second;
  if (!number(1, 2, month) || !expect('/') || !number(1, 2, day) || !expect('/') ||
      !number(4, 4, year) || !expect(' ') || !number(1, 2, hour) || !expect(':') ||
      !number(2, 2, minute) || !expect(':') || !number(2, 2, second) || !expect(' ')) {
    return bad();
  }
  const std::string_view half = text.substr(pos);
  if (half != "AM" && half != "PM") return bad();
  if (hour < 1 || hour > 12 || minute > 59 || second > 59) return bad();
  hour %= 12;  // 12 AM is midnight, 12 PM noon
  if (half == "PM") hour += 12;
  char iso[64];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute,
                second);
  auto t = parse_rfc3339(iso);  // checks month and day ranges, leap years included
  if (!t.is_ok()) return bad();
  return *t;
}

Result<EvalDataset> load_mind(const std::string& dir, const MindOptions& options) {
  if (options.surface == Surface::kSearch) {
    return Status::invalid_argument("MIND options: surface must be feed or main");
  }
  SkipCounter skipped;
  EvalDataset ds;
  ds.name = "mind";
  std::vector<News> news;
  std::unordered_map<std::string, size_t> news_by_id;
  FEEDSCOUT_RETURN_IF_ERROR(read_news(dir, news, news_by_id, skipped, ds.stats.rows_read));
  std::vector<Behavior> rows;
  FEEDSCOUT_RETURN_IF_ERROR(read_behaviors(dir, options, rows, skipped, ds.stats.rows_read));
  ds.stats.impressions_read = rows.size();

  // Taxonomy: categories by name, each followed by its subcategories by name.
  std::map<std::string, std::set<std::string>> categories;
  for (const News& item : news) {
    if (item.category.empty()) continue;
    auto& subs = categories[item.category];
    if (!item.subcategory.empty()) subs.insert(item.subcategory);
  }
  if (categories.empty()) {
    return Status::invalid_argument(
        join_path(dir, kNewsFile) +
        ": no usable news has a category; nothing to build topics from");
  }
  // Ids cannot collide: names contain no '>' (taxonomy_name replaces it).
  auto category_id = [](const std::string& c) { return "cat:" + c; };
  auto subcategory_id = [](const std::string& c, const std::string& s) {
    return "sub:" + c + ">" + s;
  };
  ds.taxonomy_tsv = "id\tparent\tname\tname_en\n";
  for (const auto& [c, subs] : categories) {
    ds.taxonomy_tsv += category_id(c) + "\t\t" + c + "\t" + c + "\n";
    for (const auto& s : subs) {
      ds.taxonomy_tsv += subcategory_id(c, s) + "\t" + category_id(c) + "\t" + s + "\t" + s + "\n";
    }
  }
  FEEDSCOUT_RETURN_IF_ERROR(parse_taxonomy(ds));

  // The log window starts at the earliest impression; histories lie just before it.
  TimeMs window_ms = 0;
  if (!rows.empty()) {
    window_ms =
        std::min_element(rows.begin(), rows.end(), [](const Behavior& a, const Behavior& b) {
          return a.time_ms < b.time_ms;
        })->time_ms;
  }
  auto known = [&](const std::string& id) -> News* {
    auto it = news_by_id.find(id);
    return it == news_by_id.end() ? nullptr : &news[it->second];
  };
  auto reference = [](News* item, TimeMs t) {
    item->first_ref_ms = std::min(item->first_ref_ms, t);
  };

  // Histories: each user's earliest row (by time, then file order) gives the click events.
  std::unordered_map<std::string, size_t> earliest;  // user → row index
  std::vector<std::string> user_order;               // users by first row in the file
  for (size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = earliest.emplace(rows[i].user, i);
    if (inserted) {
      user_order.push_back(rows[i].user);
    } else if (rows[i].time_ms < rows[it->second].time_ms) {
      it->second = i;
    }
  }
  ds.stats.users_read = user_order.size();
  for (const Behavior& b : rows) {
    if (b.history != rows[earliest[b.user]].history) {
      skipped.add(std::string(kBehaviorsFile) +
                      ": history differs from the user's earliest row (not used for events)",
                  kBehaviorsFile, b.line);
    }
  }
  for (const std::string& user : user_order) {
    const Behavior& b = rows[earliest[user]];
    const size_t h = b.history.size();
    ds.stats.history_items += h;
    size_t unknown = 0;
    for (size_t k = 0; k < h; ++k) {
      News* item = known(b.history[k]);
      if (item == nullptr) {
        ++unknown;
        continue;
      }
      ++ds.stats.history_items_known;
      Event e;
      e.id = "mind-" + user + "-h" + std::to_string(k);
      e.type = EventType::kClick;
      e.user = user;
      e.time_ms = window_ms - static_cast<TimeMs>(h - k) * kMsPerSecond;
      e.surface = options.surface;
      e.doc_ids = {item->id};
      reference(item, e.time_ms);
      ds.events.push_back(std::move(e));
    }
    skipped.add(std::string(kBehaviorsFile) + ": history news id not in news.tsv (per user)",
                kBehaviorsFile, b.line, unknown);
  }

  // Impressions: one impression event of the known candidates and a click per known clicked
  // one; the record when it is usable.
  for (const Behavior& b : rows) {
    auto skip = [&](const char* why, size_t count = 1) {
      skipped.add(std::string(kBehaviorsFile) + ": " + why, kBehaviorsFile, b.line, count);
    };
    ImpressionRecord r;
    r.id = b.id;
    r.user = b.user;
    r.time_ms = b.time_ms;
    std::vector<size_t> positions;  // in the row, of the known candidates
    for (size_t k = 0; k < b.candidates.size(); ++k) {
      if (News* item = known(b.candidates[k].news)) {
        r.candidates.push_back(item->id);
        r.labels.push_back(b.candidates[k].label);
        positions.push_back(k);
      }
    }
    ds.stats.candidates += b.candidates.size();
    ds.stats.candidates_known += r.candidates.size();
    skip("candidate news id not in news.tsv", b.candidates.size() - r.candidates.size());
    if (r.candidates.size() > kMaxEventDocs) {
      skip("impression not usable: more than 1000 known candidates");
      continue;
    }
    if (!r.candidates.empty()) {
      Event e;
      e.id = "mind-" + b.id + "-i";
      e.type = EventType::kImpression;
      e.user = b.user;
      e.time_ms = b.time_ms;
      e.surface = options.surface;
      e.doc_ids = r.candidates;
      ds.events.push_back(e);
      e.type = EventType::kClick;
      for (size_t i = 0; i < r.candidates.size(); ++i) {
        reference(known(r.candidates[i]), b.time_ms);
        if (r.labels[i] != 1) continue;
        e.id = "mind-" + b.id + "-c" + std::to_string(positions[i]);
        e.doc_ids = {r.candidates[i]};
        ds.events.push_back(e);
      }
    }
    const bool has_click = std::count(r.labels.begin(), r.labels.end(), 1) > 0;
    const bool has_non_click = std::count(r.labels.begin(), r.labels.end(), 0) > 0;
    if (r.candidates.empty()) {
      skip("impression not usable: no known candidate");
      continue;
    }
    if (!has_click) {
      skip("impression not usable: no known clicked candidate");
      continue;
    }
    if (!has_non_click) {
      skip("impression not usable: no known non-clicked candidate");
      continue;
    }
    for (const std::string& id : b.history) {
      if (known(id) != nullptr) r.history.push_back(id);
    }
    ds.impressions.push_back(std::move(r));
  }

  // Documents; news never referenced exist from the first event on.
  TimeMs first_ms = 0;
  for (size_t i = 0; i < ds.events.size(); ++i) {
    if (i == 0 || ds.events[i].time_ms < first_ms) first_ms = ds.events[i].time_ms;
  }
  for (News& item : news) {
    Document d;
    d.id = std::move(item.id);
    d.title = std::move(item.title);
    d.body = std::move(item.abstract);
    d.url = std::move(item.url);
    d.source = "mind";
    const bool referenced = item.first_ref_ms != std::numeric_limits<TimeMs>::max();
    d.created_ms = referenced ? item.first_ref_ms : first_ms;
    if (!referenced) ++ds.stats.documents_unreferenced;
    if (!item.category.empty()) {
      const std::string id = item.subcategory.empty()
                                 ? category_id(item.category)
                                 : subcategory_id(item.category, item.subcategory);
      DocTopic t;
      t.topic = *ds.taxonomy.find_by_external_id(id);
      d.topics.push_back(t);
    }
    ds.documents.push_back(std::move(d));
  }

  ds.skipped = skipped.take();
  dataset_internal::finish_dataset(ds);
  return ds;
}

}  // namespace feedscout
