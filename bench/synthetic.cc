#include "synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <unordered_set>

#include "feedscout/engine/file_ingest.h"
#include "feedscout/ingest/json_text.h"
#include "feedscout/text/utf8.h"

namespace feedscout::bench {
namespace {

// Number of documents (a prefix of `list`, oldest first) created at or before t.
size_t available(const Corpus& c, const std::vector<uint32_t>& list, TimeMs t) {
  return static_cast<size_t>(
      std::upper_bound(list.begin(), list.end(), t,
                       [&](TimeMs x, uint32_t d) { return x < c.docs[d].created_ms; }) -
      list.begin());
}

// A document of `topic` created at or before t, biased towards the newest; falls back to
// any document available at t, then to any document.
uint32_t pick_topic_doc(const Corpus& c, size_t topic, TimeMs t, SampleRng& rng) {
  const auto& list = c.topic_docs[topic];
  const size_t n = available(c, list, t);
  if (n > 0) {
    const double u = rng.uniform01();
    const size_t back = std::min(n - 1, static_cast<size_t>(static_cast<double>(n) * u * u));
    return list[n - 1 - back];
  }
  const size_t m = available(c, c.by_time, t);
  if (m > 0) return c.by_time[rng.below(m)];
  return static_cast<uint32_t>(rng.below(c.docs.size()));
}

uint32_t pick_any_doc(const Corpus& c, TimeMs t, SampleRng& rng) {
  const size_t m = available(c, c.by_time, t);
  if (m > 0) return c.by_time[rng.below(m)];
  return static_cast<uint32_t>(rng.below(c.docs.size()));
}

enum class SessionKind : uint8_t { kFeed, kMain, kSearch };

struct Session {
  TimeMs start = 0;
  uint64_t seed = 0;
  uint32_t user = 0;
  SessionKind kind = SessionKind::kFeed;
  uint8_t events = 0;         // events this session writes (the last one created may be cut)
  uint16_t click_mask = 0;    // feed/main: which of the 10 slots are clicked
  uint8_t search_clicks = 0;  // search: 0–2
  bool search_impression = false;
};

struct UserProfile {
  std::array<uint32_t, 3> topics{};
  uint8_t count = 0;
};

}  // namespace

std::string default_taxonomy_path() {
  return std::string(FEEDSCOUT_SOURCE_DIR) + "/data/taxonomy/iab-content-3.1-ko.tsv";
}

std::string sample_documents_path() {
  return std::string(FEEDSCOUT_SOURCE_DIR) + "/data/sample/documents.jsonl";
}

std::string user_id(size_t i) {
  return numbered("u", 6, i + 1);
}

Status write_activity(const Corpus& corpus, const ActivityOptions& options, std::ostream& out,
                      ActivitySummary* summary) {
  if (options.events == 0 || options.users == 0 || options.days < 1 || options.now_ms <= 0 ||
      corpus.docs.empty()) {
    return Status::invalid_argument("activity options out of range");
  }
  SampleRng rng(options.seed);
  const size_t n_topics = corpus.topics.size();

  std::vector<UserProfile> users(options.users);
  for (auto& u : users) {
    const double r = rng.uniform01();
    u.count = r < 0.4 ? 1 : r < 0.75 ? 2 : 3;
    for (int i = 0; i < u.count; ++i) u.topics[i] = static_cast<uint32_t>(rng.below(n_topics));
  }
  std::vector<uint32_t> popular;
  const size_t n_popular = std::max<size_t>(1, corpus.docs.size() / 50);
  for (size_t i = 0; i < n_popular; ++i) {
    popular.push_back(static_cast<uint32_t>(rng.below(corpus.docs.size())));
  }

  // 1. Sessions, with their event counts fixed up front so that exactly `events` lines
  //    come out and the cut falls on a random session, not on the newest period.
  const TimeMs earliest = options.now_ms - options.days * kMsPerDay;
  const TimeMs latest = options.now_ms - 20 * 60 * kMsPerSecond;  // sessions last < 10 min
  const TimeMs span_s = std::max<TimeMs>(1, (latest - earliest) / kMsPerSecond);
  std::vector<Session> sessions;
  size_t total = 0;
  auto add_session = [&](uint32_t user) {
    Session s;
    s.user = user;
    s.start = earliest + rng.range(0, span_s) * kMsPerSecond;
    s.seed = rng.next();
    const double r = rng.uniform01();
    s.kind = r < 0.55 ? SessionKind::kFeed : r < 0.70 ? SessionKind::kMain : SessionKind::kSearch;
    size_t count = 1;
    if (s.kind == SessionKind::kSearch) {
      const double c = rng.uniform01();
      s.search_clicks = c < 0.3 ? 0 : c < 0.7 ? 1 : 2;
      s.search_impression = rng.chance(0.5);
      count += s.search_impression ? 1 : 0;
    } else {
      const double p = s.kind == SessionKind::kFeed ? 0.084 : 0.1;
      for (int slot = 0; slot < 10; ++slot) {
        if (rng.chance(p)) {
          s.click_mask |= static_cast<uint16_t>(1u << slot);
          ++count;
        }
      }
    }
    count = std::min(count, options.events - total);
    s.events = static_cast<uint8_t>(count);
    total += count;
    sessions.push_back(s);
  };
  for (uint32_t u = 0; u < options.users && total < options.events; ++u) add_session(u);
  while (total < options.events) {
    const double x = rng.uniform01();
    add_session(static_cast<uint32_t>(
        std::min<double>(static_cast<double>(options.users) - 1,
                         std::floor(static_cast<double>(options.users) * x * x))));
  }
  std::stable_sort(sessions.begin(), sessions.end(),
                   [](const Session& a, const Session& b) { return a.start < b.start; });

  // 2. Events, session by session.
  ActivitySummary local;
  ActivitySummary& sum = summary ? *summary : local;
  sum = ActivitySummary{};
  sum.events_per_user.assign(options.users, 0);
  sum.last_search_ms.assign(options.users, 0);
  sum.sessions = sessions.size();
  size_t next_id = 1;
  std::string line;
  line.reserve(1024);
  auto begin_event = [&](const char* type, uint32_t user, TimeMs t) {
    line.clear();
    line += "{\"id\":\"";
    line += numbered("ev-", 8, next_id++);
    line += "\",\"type\":\"";
    line += type;
    line += "\",\"user\":\"";
    line += user_id(user);
    line += "\",\"time\":\"";
    line += format_rfc3339(t);
    line += '"';
    ++sum.events_per_user[user];
    ++sum.events;
  };
  auto append_doc_list = [&](const char* key, const std::vector<uint32_t>& docs) {
    line += ",\"";
    line += key;
    line += "\":[";
    for (size_t i = 0; i < docs.size(); ++i) {
      if (i > 0) line += ',';
      line += '"';
      line += corpus.docs[docs[i]].id;
      line += '"';
    }
    line += ']';
  };
  auto end_event = [&]() {
    line += "}\n";
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  };
  auto add_distinct = [](std::vector<uint32_t>& docs, uint32_t d) {
    if (std::find(docs.begin(), docs.end(), d) != docs.end()) return false;
    docs.push_back(d);
    return true;
  };

  std::vector<uint32_t> shown, clicked;
  std::vector<bool> of_interest;
  for (const Session& s : sessions) {
    SampleRng srng(s.seed);
    const UserProfile& profile = users[s.user];
    auto interest = [&]() -> uint32_t {
      const double r = srng.uniform01();
      const double w0 = profile.count == 1 ? 1.0 : profile.count == 2 ? 0.7 : 0.6;
      const double w1 = profile.count == 3 ? 0.25 : 0.3;
      if (r < w0 || profile.count == 1) return profile.topics[0];
      if (r < w0 + w1 || profile.count == 2) return profile.topics[1];
      return profile.topics[2];
    };
    TimeMs t = s.start;
    size_t left = s.events;
    if (s.kind == SessionKind::kSearch) {
      const uint32_t topic =
          srng.chance(0.8) ? interest() : static_cast<uint32_t>(srng.below(n_topics));
      const std::string query = topic_query(corpus, topic, srng);
      clicked.clear();
      for (int i = 0; i < s.search_clicks * 3 && clicked.size() < s.search_clicks; ++i) {
        add_distinct(clicked, pick_topic_doc(corpus, topic, t, srng));
      }
      begin_event("search", s.user, t);
      line += ",\"query\":";
      append_json_string(line, query);
      append_doc_list("clicked", clicked);
      end_event();
      ++sum.searches;
      sum.last_search_ms[s.user] = std::max(sum.last_search_ms[s.user], t);
      if (--left > 0 && s.search_impression) {
        shown = clicked;
        for (int i = 0; i < 30 && shown.size() < 10; ++i) {
          add_distinct(shown, pick_topic_doc(corpus, topic, t, srng));
        }
        t += kMsPerSecond;
        begin_event("impression", s.user, t);
        line += ",\"surface\":\"search\"";
        append_doc_list("docs", shown);
        end_event();
        ++sum.impressions;
      }
      continue;
    }
    // Feed or main: one impression of 10 documents, then clicks in display order.
    shown.clear();
    of_interest.clear();
    const uint32_t board = interest();
    for (int i = 0; i < 40 && shown.size() < 10; ++i) {
      const double r = srng.uniform01();
      bool is_interest = false;
      uint32_t d;
      if (s.kind == SessionKind::kMain || r < 0.6) {
        d = pick_topic_doc(corpus, s.kind == SessionKind::kMain ? board : interest(), t, srng);
        is_interest = true;
      } else if (r < 0.8) {
        d = popular[srng.below(popular.size())];
        if (corpus.docs[d].created_ms > t) d = pick_any_doc(corpus, t, srng);
      } else {
        d = pick_any_doc(corpus, t, srng);
      }
      if (add_distinct(shown, d)) of_interest.push_back(is_interest);
    }
    const char* surface = s.kind == SessionKind::kFeed ? "feed" : "main";
    begin_event("impression", s.user, t);
    line += ",\"surface\":\"";
    line += surface;
    line += '"';
    append_doc_list("docs", shown);
    end_event();
    ++sum.impressions;
    --left;
    for (size_t slot = 0; slot < shown.size() && left > 0; ++slot) {
      if (!(s.click_mask & (1u << slot))) continue;
      t += (5 + static_cast<TimeMs>(srng.below(36))) * kMsPerSecond;
      const double dwell = srng.chance(0.1) ? 0.5 + 0.1 * static_cast<double>(srng.below(25))
                                            : 5.0 + static_cast<double>(srng.below(116));
      begin_event("click", s.user, t);
      line += ",\"surface\":\"";
      line += surface;
      line += '"';
      clicked.assign(1, shown[slot]);
      append_doc_list("docs", clicked);
      char buf[32];
      std::snprintf(buf, sizeof buf, ",\"dwell_s\":%.1f", dwell);
      line += buf;
      end_event();
      ++sum.clicks;
      --left;
    }
    // Slots beyond what was shown: the click budget is spent on the first shown slots.
    for (size_t slot = 0; slot < shown.size() && left > 0; ++slot) {
      t += (5 + static_cast<TimeMs>(srng.below(36))) * kMsPerSecond;
      begin_event("click", s.user, t);
      line += ",\"surface\":\"";
      line += surface;
      line += '"';
      clicked.assign(1, shown[slot]);
      append_doc_list("docs", clicked);
      end_event();
      ++sum.clicks;
      --left;
    }
  }
  if (!out) return Status::io_error("writing the event log failed");
  return Status::ok();
}

ProcessMemory process_memory() {
  ProcessMemory m;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    auto kib = [&](std::string_view key) -> double {
      return std::strtod(line.c_str() + key.size(), nullptr) / 1024.0;
    };
    if (line.rfind("VmRSS:", 0) == 0) m.rss_mib = kib("VmRSS:");
    if (line.rfind("VmHWM:", 0) == 0) m.peak_mib = kib("VmHWM:");
  }
  return m;
}

LatencySummary summarize_latencies(std::vector<double>& micros) {
  LatencySummary s;
  s.count = micros.size();
  if (micros.empty()) return s;
  std::sort(micros.begin(), micros.end());
  auto rank = [&](double p) {
    const size_t idx = static_cast<size_t>(std::ceil(p * static_cast<double>(micros.size())));
    return micros[std::min(micros.size() - 1, idx == 0 ? 0 : idx - 1)];
  };
  s.p50 = rank(0.50);
  s.p90 = rank(0.90);
  s.p99 = rank(0.99);
  s.max = micros.back();
  double total = 0;
  for (double v : micros) total += v;
  s.mean = total / static_cast<double>(micros.size());
  return s;
}

Result<Dataset> write_dataset(const Taxonomy& taxonomy, CorpusOptions corpus_options,
                              ActivityOptions activity_options, TimeMs now_ms,
                              const std::string& docs_path, const std::string& events_path) {
  corpus_options.now_ms = now_ms;
  activity_options.now_ms = now_ms;
  auto corpus = make_corpus(taxonomy, corpus_options);
  if (!corpus.is_ok()) return corpus.status();
  Dataset data{std::move(corpus).value(), {}};
  {
    std::ofstream out(docs_path, std::ios::binary);
    for (size_t i = 0; i < data.corpus.docs.size(); ++i)
      out << document_line(data.corpus, i) << '\n';
    if (!out) return Status::io_error("cannot write '" + docs_path + "'");
  }
  std::ofstream out(events_path, std::ios::binary);
  FEEDSCOUT_RETURN_IF_ERROR(write_activity(data.corpus, activity_options, out, &data.summary));
  return data;
}

std::pair<size_t, size_t> ingest_file(Engine& engine, const std::string& path, bool documents) {
  FileIngestOptions options;
  options.kind = documents ? "documents" : "events";
  auto r = ingest_jsonl_file(engine, path, options);
  if (!r.is_ok()) {
    std::printf("    error: %s\n", r.status().to_string().c_str());
    return {0, 0};
  }
  if (!r->errors.empty()) {
    const auto& e = r->errors.front();
    std::printf("    first error: line %zu: %s: %s\n", e.position, e.field.c_str(),
                e.message.c_str());
  }
  return {r->accepted, r->rejected};
}

}  // namespace feedscout::bench
