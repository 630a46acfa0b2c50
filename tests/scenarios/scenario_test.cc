// Scenario tests: readable end-to-end stories in tests/scenarios/*.scenario, each run
// through a real Engine (temporary data directory, classifier "none", pinned clock).
// Failures are reported as <file>:<line> of the scenario line that failed.
//
// Scenario format (one command a line; see also tests/scenarios/README.md):
//
//   # comment                      whole-line comments; blank lines are ignored
//   now <rfc3339>                  pin the engine clock (events are validated against it)
//   doc <id> <topics|-> <created> <title words…> [| <body words…>]
//                                  ingest a document; topics = comma-separated taxonomy ids
//                                  or paths (no spaces), or '-' for none
//   document <json>                ingest a raw document line
//   search <user> <time> <query words…> [=> <doc> <doc>…]
//   click <user> <surface> <time> <doc>[,<doc>…] [dwell=<seconds>]
//   impression <user> <surface> <time> <doc>[,<doc>…]
//                                  shorthand events; their id is "<file>:<line>"
//   event <json>                   ingest a raw event line (explicit id; may be a duplicate)
//   reject <field> <json>          ingest a raw event line that must be rejected naming <field>
//   reopen                         close the engine and open it again on the same directory
//
//   expect context <user> class <cold|light|medium|heavy>
//   expect context <user> top <path>            first topic of the integrated preference
//   expect context <user> has <path>            <path> has integrated evidence
//   expect context <user> lacks <path>          <path> has no integrated evidence
//   expect context <user> rank <path> > <path>  integrated score of the first is higher
//   expect context <user> search <i> <query…>   i-th recent search (0 = newest)
//   expect context <user> same-as <user2>       same scores (1e-9), searches, class
//   expect feed <user> n=<N> <check> [args]     the page of `feed(user, N)` without
//                                               remembering it as served; checks:
//       count <K> | first <doc> | first-reason <reason…> | reason <i> <reason…>
//       all-reasons <reason…> | has-reason <reason…> | lacks-reason <reason…>
//       includes <doc>… | excludes <doc>… | no-topic <path> | only-topic <path>
//       topic-items-under <path> | same-as <user2> | before <doc> <doc>
//   expect trends window_h=<H> <check> [args]   GET /v1/trends' list (Engine::trends); checks:
//       count <K> | first-topic <path> | first-label <label…> | first-docs <doc>…
//       has-topic <path> | lacks-topic <path>
//   expect search-feed <user> q=<query> page=<p> n=<N> <check> [args]
//                                  the page of `search_feed(user, query, p, N)` without
//                                  remembering it ('+' in the query is a space); checks:
//       count <K> | first <doc> | first-reason <reason…> | reason <i> <reason…>
//       wave <i> <wave> | has-wave <wave> | lacks-wave <wave> | count-wave <k> <wave>
//       has-reason <reason…> | lacks-reason <reason…> | includes <doc>… | excludes <doc>…
//       before <doc> <doc> | no-topic <path> | only-topic <path> | wave-topic <wave> <path>
//       same-as <user2> | differs-from <user2>       (search_feed_checks.h)
//   serve-search <user> q=<query> page=<p> n=<N>
//                                  request a search-feed page remembering it as served (so
//                                  later pages leave its documents out) and record it
//   expect served <user> no-repeat                  no document on two recorded pages
//   expect served <user> q=<query> page=<p> <check> [args]
//                                  a search-feed check on the last recorded page for q, p
//   expect stats <key>=<value>…    engine counters: events_accepted, events_duplicate,
//                                  events_rejected, documents_accepted, documents_duplicate,
//                                  documents_rejected, documents, users
//
// Every shorthand and raw ingest line must be accepted (or be a duplicate) unless it is a
// `reject` line.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "feedscout/engine/engine.h"
#include "scenarios/search_feed_checks.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing_support::engine_config;
using testing_support::TempDir;

const std::string kRoot = FEEDSCOUT_SOURCE_DIR;

std::vector<std::string> split_ws(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::vector<std::string> split_char(const std::string& s, char c) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == c) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

std::string join(const std::vector<std::string>& v, size_t from, size_t to = SIZE_MAX) {
  std::string out;
  for (size_t i = from; i < std::min(to, v.size()); ++i) {
    if (!out.empty()) out += ' ';
    out += v[i];
  }
  return out;
}

// The rest of `line` after its first `skip` whitespace-separated words, verbatim.
std::string rest_after(const std::string& line, size_t skip) {
  size_t pos = 0;
  for (size_t i = 0; i < skip; ++i) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string::npos) return "";
    pos = line.find_first_of(" \t", pos);
    if (pos == std::string::npos) return "";
  }
  pos = line.find_first_not_of(" \t", pos);
  return pos == std::string::npos ? "" : line.substr(pos);
}

class ScenarioRunner {
 public:
  explicit ScenarioRunner(const fs::path& file) : file_(file) {}

  void run() {
    std::ifstream in(file_, std::ios::binary);
    ASSERT_TRUE(in) << "cannot open " << file_;
    if (!open_engine()) return;
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto words = split_ws(line);
      if (words.empty() || words[0][0] == '#') continue;
      run_line(line, words);
      ++commands_;
    }
    EXPECT_GT(commands_, 0) << file_ << " has no commands";
  }

 private:
  // Reports a failure at the current scenario line.
#define SCENARIO_FAIL() ADD_FAILURE_AT(file_.string().c_str(), line_no_)

  bool open_engine() {
    auto r = Engine::open(config_, [this] { return now_.load(); });
    if (!r.is_ok()) {
      SCENARIO_FAIL() << "Engine::open: " << r.status().to_string();
      return false;
    }
    engine_ = std::move(r).value();
    return true;
  }

  std::string shorthand_id() const {
    return file_.filename().string() + ":" + std::to_string(line_no_);
  }

  void run_line(const std::string& line, const std::vector<std::string>& w) {
    const std::string& cmd = w[0];
    if (cmd == "now") {
      if (w.size() != 2) return (void)(SCENARIO_FAIL() << "usage: now <rfc3339>");
      auto t = parse_rfc3339(w[1]);
      if (!t.is_ok()) return (void)(SCENARIO_FAIL() << t.status().to_string());
      now_ = *t;
    } else if (cmd == "doc") {
      run_doc(line, w);
    } else if (cmd == "document") {
      ingest_documents(rest_after(line, 1));
    } else if (cmd == "search") {
      run_search(w);
    } else if (cmd == "click" || cmd == "impression") {
      run_click(w);
    } else if (cmd == "event") {
      ingest_events(rest_after(line, 1), "");
    } else if (cmd == "reject") {
      if (w.size() < 3) return (void)(SCENARIO_FAIL() << "usage: reject <field> <json>");
      ingest_events(rest_after(line, 2), w[1]);
    } else if (cmd == "serve-search") {
      serve_search(w);
    } else if (cmd == "reopen") {
      engine_.reset();
      open_engine();
    } else if (cmd == "expect") {
      if (w.size() < 2) {
        return (void)(SCENARIO_FAIL()
                      << "usage: expect <context|feed|trends|search-feed|served|stats> …");
      }
      if (w[1] == "context") {
        expect_context(w);
      } else if (w[1] == "feed") {
        expect_feed(w);
      } else if (w[1] == "stats") {
        expect_stats(w);
      } else if (w[1] == "trends") {
        expect_trends(w);
      } else if (w[1] == "search-feed") {
        expect_search_feed(w);
      } else if (w[1] == "served") {
        expect_served(w);
      } else {
        SCENARIO_FAIL() << "unknown expectation '" << w[1] << "'";
      }
    } else {
      SCENARIO_FAIL() << "unknown command '" << cmd << "'";
    }
  }

  // ---- ingest ------------------------------------------------------------------------

  void run_doc(const std::string& line, const std::vector<std::string>& w) {
    if (w.size() < 5) {
      return (void)(SCENARIO_FAIL() << "usage: doc <id> <topics|-> <created> <title…> [| body…]");
    }
    json d;
    d["id"] = w[1];
    d["created_at"] = w[3];
    std::string text = rest_after(line, 4);
    const size_t bar = text.find(" | ");
    if (bar != std::string::npos) {
      d["body"] = text.substr(bar + 3);
      text = text.substr(0, bar);
    }
    d["title"] = text;
    json topics = json::array();
    if (w[2] != "-") {
      for (const auto& t : split_char(w[2], ',')) topics.push_back(t);
    }
    d["topics"] = topics;
    ingest_documents(d.dump());
  }

  void run_search(const std::vector<std::string>& w) {
    if (w.size() < 4)
      return (void)(SCENARIO_FAIL() << "usage: search <user> <time> <query…> [=> docs…]");
    auto arrow = std::find(w.begin(), w.end(), "=>");
    json e;
    e["id"] = shorthand_id();
    e["type"] = "search";
    e["user"] = w[1];
    e["time"] = w[2];
    e["query"] = join(w, 3, static_cast<size_t>(arrow - w.begin()));
    json clicked = json::array();
    if (arrow != w.end()) {
      for (auto it = arrow + 1; it != w.end(); ++it) clicked.push_back(*it);
    }
    e["clicked"] = clicked;
    ingest_events(e.dump(), "");
  }

  void run_click(const std::vector<std::string>& w) {
    if (w.size() < 5 || w.size() > 6) {
      return (void)(SCENARIO_FAIL()
                    << "usage: " << w[0] << " <user> <surface> <time> <doc>[,<doc>…] [dwell=<s>]");
    }
    json e;
    e["id"] = shorthand_id();
    e["type"] = w[0];
    e["user"] = w[1];
    e["surface"] = w[2];
    e["time"] = w[3];
    e["docs"] = split_char(w[4], ',');
    if (w.size() == 6) {
      if (w[5].rfind("dwell=", 0) != 0) return (void)(SCENARIO_FAIL() << "expected dwell=<s>");
      e["dwell_s"] = std::stod(w[5].substr(6));
    }
    ingest_events(e.dump(), "");
  }

  void report_errors(const IngestReport& r) {
    for (const auto& e : r.errors) {
      SCENARIO_FAIL() << "rejected: field '" << e.field << "': " << e.message;
    }
    if (!r.commit_status.is_ok()) SCENARIO_FAIL() << "commit: " << r.commit_status.to_string();
  }

  void ingest_documents(const std::string& body) {
    const IngestReport r = engine_->ingest_documents(body);
    report_errors(r);
    if (r.accepted + r.duplicates != 1) SCENARIO_FAIL() << "document not ingested";
  }

  void ingest_events(const std::string& body, const std::string& reject_field) {
    const IngestReport r = engine_->ingest_events(body);
    if (reject_field.empty()) {
      report_errors(r);
      if (r.accepted + r.duplicates != 1) SCENARIO_FAIL() << "event not ingested";
      return;
    }
    if (r.rejected != 1 || r.errors.size() != 1) {
      return (void)(SCENARIO_FAIL() << "expected the event to be rejected (field '" << reject_field
                                    << "'), accepted=" << r.accepted);
    }
    if (r.errors[0].field != reject_field) {
      SCENARIO_FAIL() << "rejected with field '" << r.errors[0].field << "' ("
                      << r.errors[0].message << "), expected '" << reject_field << "'";
    }
  }

  // ---- expectations ------------------------------------------------------------------

  std::optional<TopicId> topic(const std::string& path) {
    auto t = engine_->taxonomy().resolve(path);
    if (!t) SCENARIO_FAIL() << "'" << path << "' is not a topic of the taxonomy";
    return t;
  }

  std::string path_of(TopicId t) const {
    return engine_->taxonomy().node(t).path;
  }

  std::string describe(const ContextView& v) const {
    std::ostringstream out;
    out << "class " << user_class_name(v.user_class) << "; integrated:";
    for (size_t i = 0; i < std::min<size_t>(v.integrated.size(), 6); ++i) {
      out << " " << path_of(v.integrated[i].topic) << "=" << v.integrated[i].score;
    }
    return out.str();
  }

  static const TopicScore* find(const std::vector<TopicScore>& v, TopicId t) {
    for (const auto& s : v) {
      if (s.topic == t) return &s;
    }
    return nullptr;
  }

  void expect_context(const std::vector<std::string>& w) {
    if (w.size() < 5) return (void)(SCENARIO_FAIL() << "usage: expect context <user> <check> …");
    const ContextView v = engine_->context(w[2]);
    const std::string& check = w[3];
    if (check == "class") {
      if (user_class_name(v.user_class) != w[4]) {
        SCENARIO_FAIL() << "user '" << w[2] << "': expected class " << w[4] << ", got "
                        << describe(v);
      }
    } else if (check == "top") {
      auto t = topic(join(w, 4));
      if (!t) return;
      if (v.integrated.empty() || v.integrated[0].topic != *t) {
        SCENARIO_FAIL() << "expected top topic " << join(w, 4) << ", got " << describe(v);
      }
    } else if (check == "has" || check == "lacks") {
      auto t = topic(join(w, 4));
      if (!t) return;
      const bool has = find(v.integrated, *t) != nullptr;
      if (has != (check == "has")) {
        SCENARIO_FAIL() << "expected " << (check == "has" ? "evidence" : "no evidence") << " for "
                        << join(w, 4) << ", got " << describe(v);
      }
    } else if (check == "rank") {
      if (w.size() != 7 || w[5] != ">") {
        return (void)(SCENARIO_FAIL() << "usage: expect context <user> rank <path> > <path>");
      }
      auto a = topic(w[4]), b = topic(w[6]);
      if (!a || !b) return;
      const TopicScore* sa = find(v.integrated, *a);
      const TopicScore* sb = find(v.integrated, *b);
      const double xa = sa ? sa->score : -1, xb = sb ? sb->score : -1;
      if (!(xa > xb)) {
        SCENARIO_FAIL() << "expected " << w[4] << " (" << xa << ") > " << w[6] << " (" << xb
                        << "); " << describe(v);
      }
    } else if (check == "search") {
      const size_t i = std::stoul(w[4]);
      const std::string q = join(w, 5);
      if (i >= v.recent_searches.size() || v.recent_searches[i].query != q) {
        SCENARIO_FAIL() << "expected recent search " << i << " '" << q << "', got "
                        << (i < v.recent_searches.size() ? "'" + v.recent_searches[i].query + "'"
                                                         : std::string("none"));
      }
    } else if (check == "refined") {
      const size_t i = std::stoul(w[4]);
      const std::string q = join(w, 5);
      if (i >= v.recent_searches.size() || v.recent_searches[i].refined != q) {
        SCENARIO_FAIL() << "expected recent search " << i << " refined to '" << q << "', got "
                        << (i < v.recent_searches.size()
                                ? "'" + v.recent_searches[i].refined + "' (query '" +
                                      v.recent_searches[i].query + "')"
                                : std::string("none"));
      }
    } else if (check == "keyword" || check == "no-keyword" || check == "lasting" ||
               check == "errand") {
      const std::string text = join(w, 4);
      const KeywordScore* k = nullptr;
      std::string all;
      for (const KeywordScore& x : v.keywords) {
        if (x.text == text) k = &x;
        all += " '" + x.text + "'" + (x.lasting ? "(lasting)" : "(errand)");
      }
      const bool ok = check == "no-keyword" ? k == nullptr
                      : check == "keyword"  ? k != nullptr
                      : check == "lasting"  ? k != nullptr && k->lasting
                                            : k != nullptr && !k->lasting;
      if (!ok) {
        SCENARIO_FAIL() << "expected " << check << " '" << text << "', keywords:" << all;
      }
    } else if (check == "same-as") {
      expect_same_context(w[2], v, w[4], engine_->context(w[4]));
    } else {
      SCENARIO_FAIL() << "unknown context check '" << check << "'";
    }
  }

  void expect_same_context(const std::string& ua, const ContextView& a, const std::string& ub,
                           const ContextView& b) {
    constexpr double kTol = 1e-9;
    std::ostringstream diff;
    if (a.user_class != b.user_class) diff << " class differs;";
    if (std::abs(a.feed_activity - b.feed_activity) > kTol) diff << " feed activity differs;";
    auto compare = [&](const std::vector<TopicScore>& x, const std::vector<TopicScore>& y,
                       const std::string& what) {
      if (x.size() != y.size()) {
        diff << " " << what << ": " << x.size() << " vs " << y.size() << " topics;";
        return;
      }
      for (const auto& s : x) {
        const TopicScore* o = find(y, s.topic);
        if (o == nullptr || std::abs(o->score - s.score) > kTol ||
            std::abs(o->clicks - s.clicks) > kTol ||
            std::abs(o->impressions - s.impressions) > kTol) {
          diff << " " << what << " " << path_of(s.topic) << ": " << s.score << " vs "
               << (o ? o->score : -1) << ";";
        }
      }
    };
    for (int s = 0; s < kNumSurfaces; ++s) {
      compare(a.per_surface[s], b.per_surface[s], surface_name(static_cast<Surface>(s)));
    }
    compare(a.integrated, b.integrated, "integrated");
    if (a.recent_searches.size() != b.recent_searches.size()) {
      diff << " recent searches: " << a.recent_searches.size() << " vs " << b.recent_searches.size()
           << ";";
    } else {
      for (size_t i = 0; i < a.recent_searches.size(); ++i) {
        const auto& x = a.recent_searches[i];
        const auto& y = b.recent_searches[i];
        std::vector<std::string> cx = x.clicked, cy = y.clicked;
        std::sort(cx.begin(), cx.end());
        std::sort(cy.begin(), cy.end());
        if (x.query != y.query || x.time_ms != y.time_ms || cx != cy) {
          diff << " recent search " << i << " '" << x.query << "' vs '" << y.query << "';";
        }
      }
    }
    if (!diff.str().empty()) {
      SCENARIO_FAIL() << "contexts of '" << ua << "' and '" << ub << "' differ:" << diff.str();
    }
  }

  std::string describe(const FeedPage& p) const {
    std::ostringstream out;
    out << p.items.size() << " items:";
    for (const auto& it : p.items) out << "\n    " << it.doc_id << "  [" << it.reason << "]";
    return out.str();
  }

  bool under(const FeedEntry& e, TopicId t) const {
    for (const auto& p : e.topic_paths) {
      auto id = engine_->taxonomy().find_by_path(p);
      if (id && engine_->taxonomy().is_ancestor_or_self(t, *id)) return true;
    }
    return false;
  }

  void expect_feed(const std::vector<std::string>& w) {
    if (w.size() < 5 || w[3].rfind("n=", 0) != 0) {
      return (void)(SCENARIO_FAIL() << "usage: expect feed <user> n=<N> <check> [args]");
    }
    const size_t n = std::stoul(w[3].substr(2));
    const FeedPage p = engine_->feed(w[2], n, /*remember_served=*/false);
    const std::string& check = w[4];
    const std::string arg = join(w, 5);
    auto doc_ids = [&] {
      std::vector<std::string> ids;
      for (const auto& it : p.items) ids.push_back(it.doc_id);
      return ids;
    };
    if (check == "count") {
      if (p.items.size() != std::stoul(arg)) {
        SCENARIO_FAIL() << "expected " << arg << " items, got " << describe(p);
      }
    } else if (check == "first") {
      if (p.items.empty() || p.items[0].doc_id != arg) {
        SCENARIO_FAIL() << "expected first item " << arg << ", got " << describe(p);
      }
    } else if (check == "first-reason") {
      if (p.items.empty() || p.items[0].reason != arg) {
        SCENARIO_FAIL() << "expected first reason [" << arg << "], got " << describe(p);
      }
    } else if (check == "reason") {
      const size_t i = std::stoul(w.at(5));
      const std::string reason = join(w, 6);
      if (i >= p.items.size() || p.items[i].reason != reason) {
        SCENARIO_FAIL() << "expected reason " << i << " [" << reason << "], got " << describe(p);
      }
    } else if (check == "count-reason") {
      const size_t want = std::stoul(w.at(5));
      const std::string reason = join(w, 6);
      size_t got = 0;
      for (const auto& it : p.items) got += it.reason == reason ? 1 : 0;
      if (got != want) {
        SCENARIO_FAIL() << "expected " << want << " items with reason [" << reason << "], got "
                        << got << ": " << describe(p);
      }
    } else if (check == "all-reasons") {
      bool ok = !p.items.empty();
      for (const auto& it : p.items) ok = ok && it.reason == arg;
      if (!ok)
        SCENARIO_FAIL() << "expected every reason to be [" << arg << "], got " << describe(p);
    } else if (check == "has-reason" || check == "lacks-reason") {
      bool has = false;
      for (const auto& it : p.items) has = has || it.reason == arg;
      if (has != (check == "has-reason")) {
        SCENARIO_FAIL() << "expected " << (has ? "no" : "an") << " item with reason [" << arg
                        << "], got " << describe(p);
      }
    } else if (check == "includes" || check == "excludes") {
      const auto ids = doc_ids();
      for (size_t i = 5; i < w.size(); ++i) {
        const bool has = std::find(ids.begin(), ids.end(), w[i]) != ids.end();
        if (has != (check == "includes")) {
          SCENARIO_FAIL() << "expected the feed " << (has ? "not to" : "to") << " contain " << w[i]
                          << ", got " << describe(p);
        }
      }
    } else if (check == "no-topic" || check == "only-topic" || check == "topic-items-under") {
      auto t = topic(arg);
      if (!t) return;
      for (const auto& it : p.items) {
        const bool in = under(it, *t);
        const bool bad = check == "no-topic"     ? in
                         : check == "only-topic" ? !in
                                                 : (it.from == FeedSource::kTopic && !in);
        if (bad) {
          SCENARIO_FAIL() << check << " " << arg << ": item " << it.doc_id << " violates it; got "
                          << describe(p);
          break;
        }
      }
    } else if (check == "before") {
      const auto ids = doc_ids();
      if (w.size() != 7) return (void)(SCENARIO_FAIL() << "usage: before <doc> <doc>");
      const auto a = std::find(ids.begin(), ids.end(), w[5]);
      const auto b = std::find(ids.begin(), ids.end(), w[6]);
      if (a == ids.end() || b == ids.end() || a > b) {
        SCENARIO_FAIL() << "expected " << w[5] << " before " << w[6] << " (both served), got "
                        << describe(p);
      }
    } else if (check == "same-as") {
      const FeedPage q = engine_->feed(arg, n, false);
      bool same = p.items.size() == q.items.size();
      for (size_t i = 0; same && i < p.items.size(); ++i) {
        same = p.items[i].doc_id == q.items[i].doc_id && p.items[i].reason == q.items[i].reason;
      }
      if (!same) {
        SCENARIO_FAIL() << "feeds differ; " << w[2] << ": " << describe(p) << "\n  " << arg << ": "
                        << describe(q);
      }
    } else {
      SCENARIO_FAIL() << "unknown feed check '" << check << "'";
    }
  }

  void expect_trends(const std::vector<std::string>& w) {
    if (w.size() < 4 || w[2].rfind("window_h=", 0) != 0) {
      return (void)(SCENARIO_FAIL() << "usage: expect trends window_h=<H> <check> [args]");
    }
    const size_t window_h = std::stoul(w[2].substr(9));
    const std::vector<TrendEntry> trends = engine_->trends(100, window_h);
    const std::string& check = w[3];
    const std::string arg = join(w, 4);
    std::ostringstream all;
    all << trends.size() << " trends:";
    for (const auto& t : trends) {
      all << "\n    [" << t.label << "] " << t.topic_path << " R=" << t.recent_clicks
          << " P=" << t.previous_clicks << " docs:";
      for (const auto& d : t.docs) all << " " << d.doc_id;
    }
    const auto has_topic = [&] {
      return std::any_of(trends.begin(), trends.end(),
                         [&](const TrendEntry& t) { return t.topic_path == arg; });
    };
    bool ok = true;
    if (check == "count") {
      ok = trends.size() == std::stoul(arg);
    } else if (check == "first-topic") {
      ok = !trends.empty() && trends[0].topic_path == arg;
    } else if (check == "first-label") {
      ok = !trends.empty() && trends[0].label == arg;
    } else if (check == "first-docs") {
      std::vector<std::string> want(w.begin() + 4, w.end()), got;
      if (!trends.empty()) {
        for (const auto& d : trends[0].docs) got.push_back(d.doc_id);
      }
      ok = want == got;
    } else if (check == "has-topic" || check == "lacks-topic") {
      ok = has_topic() == (check == "has-topic");
    } else {
      return (void)(SCENARIO_FAIL() << "unknown trends check '" << check << "'");
    }
    if (!ok) SCENARIO_FAIL() << "trends " << check << " " << arg << " failed; got " << all.str();
  }

  // ---- search feed (checks in search_feed_checks.h) ---------------------------------

  void serve_search(const std::vector<std::string>& w) {
    scenario_search::Request r;
    size_t i = 2;
    const std::string err = w.size() < 3 ? "" : scenario_search::parse_request(w, i, r);
    if (w.size() < 3 || !err.empty() || i != w.size()) {
      return (void)(SCENARIO_FAIL()
                    << "usage: serve-search <user> q=<query> page=<p> n=<N> " << err);
    }
    served_[w[1]].push_back({r, engine_->search_feed(w[1], r.query, r.page, r.n, true)});
  }

  void report_search_check(const SearchFeedPage& p, const std::vector<std::string>& w, size_t at,
                           const scenario_search::Request& r) {
    const std::string err =
        scenario_search::check(engine_->taxonomy(), p, w, at, [&](const std::string& user) {
          return engine_->search_feed(user, r.query, r.page, r.n, /*remember_served=*/false);
        });
    if (!err.empty()) SCENARIO_FAIL() << err;
  }

  void expect_search_feed(const std::vector<std::string>& w) {
    scenario_search::Request r;
    size_t i = 3;
    const std::string err = w.size() < 4 ? "" : scenario_search::parse_request(w, i, r);
    if (w.size() < 4 || !err.empty() || i >= w.size()) {
      return (void)(SCENARIO_FAIL() << "usage: expect search-feed <user> q=<query> page=<p> n=<N> "
                                       "<check> [args] "
                                    << err);
    }
    const SearchFeedPage p = engine_->search_feed(w[2], r.query, r.page, r.n, false);
    report_search_check(p, w, i, r);
  }

  void expect_served(const std::vector<std::string>& w) {
    if (w.size() < 4) return (void)(SCENARIO_FAIL() << "usage: expect served <user> <check>");
    const std::vector<ServedPage>& pages = served_[w[2]];
    if (w[3] == "no-repeat") {
      std::vector<SearchFeedPage> all;
      for (const ServedPage& s : pages) all.push_back(s.page);
      const std::string err = scenario_search::check_no_repeat(all);
      if (!err.empty()) SCENARIO_FAIL() << err;
      return;
    }
    scenario_search::Request r;
    size_t i = 3;
    const std::string err = scenario_search::parse_request(w, i, r);
    if (!err.empty() || i >= w.size()) {
      return (void)(SCENARIO_FAIL() << "usage: expect served <user> no-repeat | q=<query> "
                                       "page=<p> <check> [args] "
                                    << err);
    }
    auto it = std::find_if(pages.rbegin(), pages.rend(), [&](const ServedPage& s) {
      return s.request.query == r.query && s.request.page == r.page;
    });
    if (it == pages.rend()) {
      return (void)(SCENARIO_FAIL()
                    << "no page " << r.page << " for '" << r.query << "' was served to " << w[2]);
    }
    report_search_check(it->page, w, i, it->request);
  }

  void expect_stats(const std::vector<std::string>& w) {
    const EngineStats s = engine_->stats();
    const std::map<std::string, uint64_t> values = {
        {"events_accepted", s.events_accepted},
        {"events_duplicate", s.events_duplicate},
        {"events_rejected", s.events_rejected},
        {"documents_accepted", s.documents_accepted},
        {"documents_duplicate", s.documents_duplicate},
        {"documents_rejected", s.documents_rejected},
        {"documents", s.documents},
        {"users", s.users},
    };
    for (size_t i = 2; i < w.size(); ++i) {
      const size_t eq = w[i].find('=');
      auto it = values.find(w[i].substr(0, eq));
      if (eq == std::string::npos || it == values.end()) {
        SCENARIO_FAIL() << "bad stats expectation '" << w[i] << "'";
        continue;
      }
      if (it->second != std::stoull(w[i].substr(eq + 1))) {
        SCENARIO_FAIL() << it->first << ": expected " << w[i].substr(eq + 1) << ", got "
                        << it->second;
      }
    }
  }
#undef SCENARIO_FAIL

  fs::path file_;
  TempDir dir_{"feedscout_scenario"};
  EngineConfig config_ = engine_config(dir_.file("data"));
  std::unique_ptr<Engine> engine_;
  struct ServedPage {
    scenario_search::Request request;
    SearchFeedPage page;
  };
  std::map<std::string, std::vector<ServedPage>> served_;  // serve-search pages per user
  std::atomic<TimeMs> now_{0};
  int line_no_ = 0;
  int commands_ = 0;
};

std::vector<std::string> scenario_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kRoot + "/tests/scenarios")) {
    if (e.path().extension() == ".scenario") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, Runs) {
  ScenarioRunner runner(fs::path(kRoot) / "tests/scenarios" / GetParam());
  runner.run();
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioTest, ::testing::ValuesIn(scenario_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.rfind('.'));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(ScenarioFilesTest, AtLeastFourScenariosExist) {
  EXPECT_GE(scenario_files().size(), 4u);
}

// The runner itself: wrong expectations, rejected events and unknown commands are reported
// at the scenario's file and line, and the run goes on after them.
TEST(ScenarioRunnerTest, ReportsFailuresAtFileAndLine) {
  const TempDir dir("feedscout_runner_selfcheck");
  const fs::path file = dir.path() / "selfcheck.scenario";
  {
    std::ofstream out(file);
    out << "now 2026-11-20T12:00:00Z\n"                                  // 1
           "doc d1 533 2026-11-19T10:00:00Z 손흥민 결승골\n"             // 2
           "click u1 feed 2026-11-20T09:00:00Z d1\n"                     // 3
           "expect context u1 class heavy\n"                             // 4: light
           "expect feed u1 n=5 includes d1\n"                            // 5: seen
           "click u1 feed 2026-11-20T09:00:00Z nope\n"                   // 6: unknown doc
           "expect context u1 class light\n"                             // 7: passes
           "frobnicate\n"                                                // 8: no such command
           "# a comment\n"                                               // 9
           "expect feed u1 n=5 first-reason 관심 주제 '스포츠>야구'\n";  // 10
  }
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    ScenarioRunner runner(file);
    runner.run();
  }
  std::set<int> lines;
  for (int i = 0; i < results.size(); ++i) {
    const auto& r = results.GetTestPartResult(i);
    EXPECT_TRUE(r.nonfatally_failed()) << r.message();
    EXPECT_EQ(fs::path(r.file_name() ? r.file_name() : "").filename(), file.filename());
    lines.insert(r.line_number());
  }
  EXPECT_EQ(lines, (std::set<int>{4, 5, 6, 8, 10}));
}

// The search-feed commands report their failures the same way; a page served twice (the
// served memory has expired) breaks `no-repeat`.
TEST(ScenarioRunnerTest, ReportsSearchFeedFailuresAtFileAndLine) {
  const TempDir dir("feedscout_runner_searchcheck");
  const fs::path file = dir.path() / "searchcheck.scenario";
  {
    std::ofstream out(file);
    out << "now 2026-11-20T12:00:00Z\n"                                      // 1
           "doc d1 533 2026-11-19T10:00:00Z 손흥민 결승골\n"                 // 2
           "doc d2 533 2026-11-19T11:00:00Z 손흥민 인터뷰\n"                 // 3
           "serve-search u1 q=손흥민 page=0 n=1\n"                           // 4
           "expect search-feed u1 q=손흥민 page=0 n=5 count 2\n"             // 5: one served
           "expect served u1 q=손흥민 page=0 count 1\n"                      // 6: passes
           "expect search-feed u1 q=손흥민 page=0 n=5 wave 0 reactive\n"     // 7: related
           "now 2026-11-21T12:00:00Z\n"                                      // 8
           "serve-search u1 q=손흥민 page=0 n=1\n"                           // 9: served again
           "expect served u1 no-repeat\n"                                    // 10
           "expect search-feed u1 q=손흥민 page=0 n=5 frobnicate\n"          // 11
           "expect search-feed u1 page=0 n=5 count 1\n"                      // 12: no q=
           "expect served u2 no-repeat\n"                                    // 13: none served
           "expect search-feed u1 q=손흥민 page=0 n=5 only-topic 스포츠\n";  // 14: passes
  }
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    ScenarioRunner runner(file);
    runner.run();
  }
  std::set<int> lines;
  for (int i = 0; i < results.size(); ++i) {
    const auto& r = results.GetTestPartResult(i);
    EXPECT_TRUE(r.nonfatally_failed()) << r.message();
    lines.insert(r.line_number());
  }
  EXPECT_EQ(lines, (std::set<int>{5, 7, 10, 11, 12, 13}));
}

}  // namespace
}  // namespace feedscout
