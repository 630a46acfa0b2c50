// Search-feed checks of the scenario runner (scenario_test.cc; format in README.md there):
// the request words of `expect search-feed`, `serve-search` and `expect served`, and the
// checks on a SearchFeedPage (Engine::search_feed, serve/search_feed.h). Each check returns
// an empty string when it passes, else the failure message; the runner reports it at the
// scenario line. Included by scenario_test.cc only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "feedscout/engine/engine.h"

namespace feedscout::scenario_search {

// `q=<query> page=<p> n=<N>`, in any order; `+` in the query stands for a space (as in a URL),
// so "q=두바이+초콜릿" asks for "두바이 초콜릿".
struct Request {
  std::string query;
  size_t page = 0;
  size_t n = 10;
};

// Reads the request words from w[i] on; i is left at the first other word. Returns an error
// message, or "" when q= was given and every number parsed.
inline std::string parse_request(const std::vector<std::string>& w, size_t& i, Request& r) {
  bool has_query = false;
  for (; i < w.size(); ++i) {
    const std::string& x = w[i];
    try {
      if (x.rfind("q=", 0) == 0) {
        r.query = x.substr(2);
        std::replace(r.query.begin(), r.query.end(), '+', ' ');
        has_query = !r.query.empty();
      } else if (x.rfind("page=", 0) == 0) {
        r.page = std::stoul(x.substr(5));
      } else if (x.rfind("n=", 0) == 0) {
        r.n = std::stoul(x.substr(2));
      } else {
        break;
      }
    } catch (const std::exception&) {
      return "bad number in '" + x + "'";
    }
  }
  return has_query ? "" : "missing q=<query>";
}

inline std::string describe(const SearchFeedPage& p) {
  std::string out = "'" + p.query + "' page " + std::to_string(p.page) + " for " + p.user + ", " +
                    std::to_string(p.items.size()) + " items:";
  for (const auto& it : p.items) {
    out += "\n    " + it.doc_id + "  " + search_wave_name(it.wave) + "  [" + it.reason + "]";
  }
  return out;
}

inline std::string words_from(const std::vector<std::string>& w, size_t from) {
  std::string out;
  for (size_t i = from; i < w.size(); ++i) out += (out.empty() ? "" : " ") + w[i];
  return out;
}

inline bool under(const Taxonomy& tax, const SearchFeedEntry& e, TopicId t) {
  for (const auto& p : e.topic_paths) {
    auto id = tax.find_by_path(p);
    if (id && tax.is_ancestor_or_self(t, *id)) return true;
  }
  return false;
}

// Runs check w[at] (its arguments follow) on page p. `other(user)` is the same request for
// another user, not remembered as served (for same-as / differs-from).
inline std::string check(const Taxonomy& tax, const SearchFeedPage& p,
                         const std::vector<std::string>& w, size_t at,
                         const std::function<SearchFeedPage(const std::string&)>& other) {
  if (at >= w.size()) return "missing check";
  const std::string& c = w[at];
  const std::string arg = words_from(w, at + 1);
  const auto& items = p.items;
  auto pos = [&](const std::string& doc) {
    return std::find_if(items.begin(), items.end(),
                        [&](const SearchFeedEntry& e) { return e.doc_id == doc; }) -
           items.begin();
  };
  auto has_wave = [&](const std::string& name) {
    return std::any_of(items.begin(), items.end(),
                       [&](const SearchFeedEntry& e) { return name == search_wave_name(e.wave); });
  };
  auto has_reason = [&](const std::string& reason) {
    return std::any_of(items.begin(), items.end(),
                       [&](const SearchFeedEntry& e) { return e.reason == reason; });
  };
  const std::string got = ", got " + describe(p);
  try {
    if (c == "count") {
      if (items.size() != std::stoul(arg)) return "expected " + arg + " items" + got;
    } else if (c == "first") {
      if (items.empty() || items[0].doc_id != arg) return "expected first item " + arg + got;
    } else if (c == "first-reason") {
      if (items.empty() || items[0].reason != arg)
        return "expected first reason [" + arg + "]" + got;
    } else if (c == "reason" || c == "wave") {
      const size_t i = std::stoul(w.at(at + 1));
      const std::string want = words_from(w, at + 2);
      const bool ok = i < items.size() &&
                      (c == "reason" ? items[i].reason : search_wave_name(items[i].wave)) == want;
      if (!ok) return "expected " + c + " " + std::to_string(i) + " [" + want + "]" + got;
    } else if (c == "has-reason" || c == "lacks-reason") {
      if (has_reason(arg) != (c == "has-reason")) {
        return std::string("expected ") + (c == "has-reason" ? "an" : "no") +
               " item with reason [" + arg + "]" + got;
      }
    } else if (c == "has-wave" || c == "lacks-wave") {
      if (has_wave(arg) != (c == "has-wave")) {
        return std::string("expected ") + (c == "has-wave" ? "an" : "no") + " item of wave " + arg +
               got;
      }
    } else if (c == "count-wave") {
      const size_t want = std::stoul(w.at(at + 1));
      const std::string name = words_from(w, at + 2);
      const auto n = std::count_if(items.begin(), items.end(), [&](const SearchFeedEntry& e) {
        return name == search_wave_name(e.wave);
      });
      if (static_cast<size_t>(n) != want) {
        return "expected " + std::to_string(want) + " items of wave " + name + got;
      }
    } else if (c == "includes" || c == "excludes") {
      for (size_t i = at + 1; i < w.size(); ++i) {
        const bool has = pos(w[i]) < static_cast<std::ptrdiff_t>(items.size());
        if (has != (c == "includes")) {
          return std::string("expected the page ") + (has ? "not to" : "to") + " contain " + w[i] +
                 got;
        }
      }
    } else if (c == "before") {
      if (w.size() != at + 3) return "usage: before <doc> <doc>";
      const auto a = pos(w[at + 1]), b = pos(w[at + 2]);
      if (b >= static_cast<std::ptrdiff_t>(items.size()) || a > b) {
        return "expected " + w[at + 1] + " before " + w[at + 2] + " (both served)" + got;
      }
    } else if (c == "no-topic" || c == "only-topic" || c == "wave-topic") {
      // wave-topic <wave> <path>: the wave is on the page and all its items are under path.
      const bool by_wave = c == "wave-topic";
      if (by_wave && w.size() != at + 3) return "usage: wave-topic <wave> <path>";
      const std::string path = by_wave ? w[at + 2] : arg;
      const auto t = tax.resolve(path);
      if (!t) return "'" + path + "' is not a topic of the taxonomy";
      if (by_wave && !has_wave(w[at + 1])) return "expected items of wave " + w[at + 1] + got;
      for (const auto& e : items) {
        if (by_wave && w[at + 1] != search_wave_name(e.wave)) continue;
        if (under(tax, e, *t) == (c == "no-topic")) {
          return c + " " + words_from(w, at + 1) + ": item " + e.doc_id + " violates it" + got;
        }
      }
    } else if (c == "same-as" || c == "differs-from") {
      const SearchFeedPage q = other(arg);
      bool same = items.size() == q.items.size();
      for (size_t i = 0; same && i < items.size(); ++i) {
        same = items[i].doc_id == q.items[i].doc_id && items[i].wave == q.items[i].wave &&
               items[i].reason == q.items[i].reason;
      }
      if (same != (c == "same-as")) {
        return std::string("expected the pages to ") + (same ? "differ" : "be the same") + "; " +
               describe(p) + "\n  " + describe(q);
      }
    } else {
      return "unknown search-feed check '" + c + "'";
    }
  } catch (const std::exception&) {
    return "bad arguments to check '" + c + "'";
  }
  return "";
}

// No document on two of `pages` (the pages served to one user, in order).
inline std::string check_no_repeat(const std::vector<SearchFeedPage>& pages) {
  std::set<std::string> seen;
  std::string all;
  std::string repeated;
  for (const auto& p : pages) {
    all += "\n  " + describe(p);
    for (const auto& e : p.items) {
      if (!seen.insert(e.doc_id).second && repeated.empty()) repeated = e.doc_id;
    }
  }
  if (pages.empty()) return "no page was served (use serve-search first)";
  if (!repeated.empty()) return "document " + repeated + " was served twice; pages:" + all;
  return "";
}

}  // namespace feedscout::scenario_search
