#include "feedscout/eval/simulator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>

#include "feedscout/ingest/parse.h"

namespace feedscout {
namespace {

// The model's parameters; docs/SIMULATOR.md explains each.
constexpr double kInterestCountCdf[] = {0.40, 0.75, 1.0};  // 1, 2 or 3 interests
constexpr double kInterestWeights[3][3] = {{1.0, 0, 0}, {0.7, 0.3, 0}, {0.6, 0.25, 0.15}};
constexpr int kLightFeedSessions[] = {0, 3};
constexpr int kHeavyFeedSessions[] = {20, 40};
constexpr double kSearcherShare = 0.95;
constexpr int kSearchBase = 3, kSearchTrials = 14, kSearchMax = 10;
constexpr double kSearchTrialP = 0.25;
constexpr double kSearchOnInterest = 0.8;
constexpr size_t kSearchResults = 10;
constexpr double kSearchClicksCdfInterest[] = {0.20, 0.70, 1.0};  // 0, 1 or 2 clicks
constexpr double kSearchClicksCdfOther[] = {0.40, 0.85, 1.0};
constexpr double kSearchPrefersTitleMatch = 0.8;
constexpr double kMainUserShare = 0.5;
constexpr int kMainSessions[] = {1, 6};
constexpr double kMainBoardOnInterest = 0.8;
constexpr size_t kMainShown = 8, kMainNewest = 20;
constexpr size_t kFeedShown = 10;
constexpr double kFeedInterestSlot = 0.50, kFeedPopularSlot = 0.25;  // rest: any document
constexpr double kPopularShare = 0.05;
constexpr double kClickPInterest = 0.35, kClickPOther = 0.03;
constexpr double kShortDwellShare = 0.10;
// Sessions start in distinct 30-minute slots of the period, at most 5 minutes into the slot;
// a session (≤ 10 clicks of ≤ 131 s each) ends within its slot, so a user's sessions do not
// overlap and every event lies before end_ms.
constexpr TimeMs kSlotMs = 30 * 60 * kMsPerSecond;
constexpr int64_t kSlotStartJitterS = 5 * 60;
constexpr TimeMs kRecentWindow = 2 * kMsPerDay;  // for example_light_user

size_t pick_cdf(SampleRng& rng, const double* cdf, size_t n) {
  const double r = rng.uniform01();
  for (size_t i = 0; i + 1 < n; ++i) {
    if (r < cdf[i]) return i;
  }
  return n - 1;
}

struct UserState {
  SimulatedUser profile;
  std::vector<size_t> interest_vocab;  // vocabulary indexes of profile.interests
};

struct TimedEvent {
  Event event;
  size_t user = 0;
};

class Simulation {
 public:
  Simulation(const std::vector<TopicVocab>& vocab, const std::vector<Document>& docs,
             const Taxonomy& taxonomy, const SimulatorOptions& options)
      : vocab_(vocab), docs_(docs), taxonomy_(taxonomy), options_(options), rng_(options.seed) {}

  std::vector<TimedEvent> run(std::vector<UserState>* users);

 private:
  void index_documents();
  UserState make_user(size_t index, bool heavy);
  // Start times of `count` sessions of one user, in random order (distinct slots when the
  // period has enough of them).
  std::vector<TimeMs> session_times(size_t count);
  size_t weighted_interest(const UserState& u);
  bool is_interest(const UserState& u, const Document& d) const;
  // Number of documents of `list` (sorted by created_ms) created at or before t.
  size_t available(const std::vector<size_t>& list, TimeMs t) const;
  void search(size_t user, const UserState& u, TimeMs t);
  void feed(size_t user, const UserState& u, TimeMs t);
  void main_page(size_t user, const UserState& u, TimeMs t);
  // Logs an impression of `shown` (document indexes, display order) and the clicks on it.
  void show_and_click(size_t user, const UserState& u, Surface surface, TimeMs t,
                      const std::vector<size_t>& shown);
  void emit(size_t user, Event e);

  const std::vector<TopicVocab>& vocab_;
  const std::vector<Document>& docs_;
  const Taxonomy& taxonomy_;
  const SimulatorOptions& options_;
  SampleRng rng_;
  std::vector<size_t> all_;                    // every document, oldest first
  std::vector<std::vector<size_t>> by_topic_;  // per vocabulary topic, oldest first
  std::vector<size_t> popular_;                // oldest first
  std::vector<TimedEvent> events_;
};

void Simulation::index_documents() {
  auto older = [&](size_t a, size_t b) {
    return docs_[a].created_ms != docs_[b].created_ms ? docs_[a].created_ms < docs_[b].created_ms
                                                      : a < b;
  };
  all_.resize(docs_.size());
  for (size_t i = 0; i < docs_.size(); ++i) all_[i] = i;
  std::sort(all_.begin(), all_.end(), older);
  by_topic_.assign(vocab_.size(), {});
  for (size_t i : all_) {
    for (size_t t = 0; t < vocab_.size(); ++t) {
      for (const DocTopic& dt : docs_[i].topics) {
        if (dt.topic == vocab_[t].topic) {
          by_topic_[t].push_back(i);
          break;
        }
      }
    }
  }
  std::vector<size_t> order(docs_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
  const size_t n_popular =
      std::max<size_t>(1, static_cast<size_t>(kPopularShare * static_cast<double>(docs_.size())));
  popular_.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_popular));
  std::sort(popular_.begin(), popular_.end(), older);
}

UserState Simulation::make_user(size_t index, bool heavy) {
  UserState u;
  char id[32];
  std::snprintf(id, sizeof(id), "u%04zu", index + 1);
  u.profile.id = id;
  u.profile.heavy = heavy;
  const size_t count = std::min(pick_cdf(rng_, kInterestCountCdf, 3) + 1, vocab_.size());
  while (u.interest_vocab.size() < count) {
    const size_t t = rng_.below(vocab_.size());
    if (std::find(u.interest_vocab.begin(), u.interest_vocab.end(), t) != u.interest_vocab.end()) {
      continue;
    }
    u.interest_vocab.push_back(t);
    u.profile.interests.push_back(vocab_[t].topic);
    u.profile.weights.push_back(kInterestWeights[count - 1][u.interest_vocab.size() - 1]);
  }
  return u;
}

std::vector<TimeMs> Simulation::session_times(size_t count) {
  const TimeMs start = options_.end_ms - options_.days * kMsPerDay;
  const uint64_t n_slots = static_cast<uint64_t>(options_.days * kMsPerDay / kSlotMs);
  std::vector<uint64_t> slots;
  while (slots.size() < count) {
    const uint64_t slot = rng_.below(n_slots);
    if (count <= n_slots && std::find(slots.begin(), slots.end(), slot) != slots.end()) continue;
    slots.push_back(slot);
  }
  std::vector<TimeMs> times;
  for (uint64_t slot : slots) {
    times.push_back(start + static_cast<TimeMs>(slot) * kSlotMs +
                    rng_.range(0, kSlotStartJitterS) * kMsPerSecond);
  }
  return times;
}

size_t Simulation::weighted_interest(const UserState& u) {
  double r = rng_.uniform01();
  for (size_t i = 0; i + 1 < u.interest_vocab.size(); ++i) {
    if (r < u.profile.weights[i]) return u.interest_vocab[i];
    r -= u.profile.weights[i];
  }
  return u.interest_vocab.back();
}

bool Simulation::is_interest(const UserState& u, const Document& d) const {
  for (const DocTopic& dt : d.topics) {
    for (TopicId interest : u.profile.interests) {
      if (taxonomy_.is_ancestor_or_self(interest, dt.topic)) return true;
    }
  }
  return false;
}

size_t Simulation::available(const std::vector<size_t>& list, TimeMs t) const {
  auto it = std::upper_bound(list.begin(), list.end(), t,
                             [&](TimeMs time, size_t i) { return time < docs_[i].created_ms; });
  return static_cast<size_t>(it - list.begin());
}

void Simulation::emit(size_t user, Event e) {
  events_.push_back({std::move(e), user});
}

void Simulation::search(size_t user, const UserState& u, TimeMs t) {
  const bool on_interest = rng_.chance(kSearchOnInterest);
  const size_t topic = on_interest ? weighted_interest(u) : rng_.below(vocab_.size());
  const auto& queries = vocab_[topic].queries;
  Event s;
  s.type = EventType::kSearch;
  s.user = u.profile.id;
  s.time_ms = t;
  s.surface = Surface::kSearch;
  s.query = queries[rng_.below(queries.size())];

  // Results: title matches first, newest first within each group.
  std::vector<std::string_view> words;
  for (size_t pos = 0; pos < s.query.size();) {
    size_t sp = s.query.find(' ', pos);
    if (sp == std::string::npos) sp = s.query.size();
    if (sp - pos >= 2) words.push_back(std::string_view(s.query).substr(pos, sp - pos));
    pos = sp + 1;
  }
  const auto& list = by_topic_[topic];
  std::vector<size_t> matching, others;
  for (size_t k = available(list, t); k > 0; --k) {
    const Document& d = docs_[list[k - 1]];
    bool match = false;
    for (std::string_view w : words) match = match || d.title.find(w) != std::string::npos;
    (match ? matching : others).push_back(list[k - 1]);
  }
  std::vector<size_t> results = matching;
  results.insert(results.end(), others.begin(), others.end());
  if (results.size() > kSearchResults) results.resize(kSearchResults);
  const size_t n_matching = std::min(matching.size(), results.size());

  const bool interest_topic =
      std::find(u.interest_vocab.begin(), u.interest_vocab.end(), topic) != u.interest_vocab.end();
  size_t n_clicks =
      pick_cdf(rng_, interest_topic ? kSearchClicksCdfInterest : kSearchClicksCdfOther, 3);
  n_clicks = std::min(n_clicks, results.size());
  std::vector<bool> clicked(results.size(), false);
  for (size_t c = 0; c < n_clicks; ++c) {
    std::vector<size_t> pool;
    for (size_t i = 0; i < n_matching; ++i) {
      if (!clicked[i]) pool.push_back(i);
    }
    if (pool.empty() || !rng_.chance(kSearchPrefersTitleMatch)) {
      pool.clear();
      for (size_t i = 0; i < results.size(); ++i) {
        if (!clicked[i]) pool.push_back(i);
      }
    }
    const size_t pick = pool[rng_.below(pool.size())];
    clicked[pick] = true;
    s.doc_ids.push_back(docs_[results[pick]].id);
  }
  emit(user, s);
  if (results.empty()) return;
  Event imp;
  imp.type = EventType::kImpression;
  imp.user = u.profile.id;
  imp.time_ms = t;
  imp.surface = Surface::kSearch;
  for (size_t i : results) imp.doc_ids.push_back(docs_[i].id);
  emit(user, std::move(imp));
}

void Simulation::feed(size_t user, const UserState& u, TimeMs t) {
  std::vector<size_t> shown;
  for (size_t slot = 0; slot < kFeedShown; ++slot) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      const double r = rng_.uniform01();
      const std::vector<size_t>& list = r < kFeedInterestSlot ? by_topic_[weighted_interest(u)]
                                        : r < kFeedInterestSlot + kFeedPopularSlot ? popular_
                                                                                   : all_;
      const size_t n = available(list, t);
      if (n == 0) continue;
      const size_t doc = list[rng_.below(n)];
      if (std::find(shown.begin(), shown.end(), doc) != shown.end()) continue;
      shown.push_back(doc);
      break;
    }
  }
  show_and_click(user, u, Surface::kFeed, t, shown);
}

void Simulation::main_page(size_t user, const UserState& u, TimeMs t) {
  const size_t topic =
      rng_.chance(kMainBoardOnInterest) ? weighted_interest(u) : rng_.below(vocab_.size());
  const auto& list = by_topic_[topic];
  const size_t n = available(list, t);
  std::vector<size_t> board;  // the newest documents of the board, newest first
  for (size_t k = n; k > 0 && board.size() < kMainNewest; --k) board.push_back(list[k - 1]);
  const size_t n_shown = std::min(board.size(), kMainShown);
  for (size_t i = 0; i < n_shown; ++i) {
    std::swap(board[i], board[i + rng_.below(board.size() - i)]);
  }
  board.resize(n_shown);
  show_and_click(user, u, Surface::kMain, t, board);
}

void Simulation::show_and_click(size_t user, const UserState& u, Surface surface, TimeMs t,
                                const std::vector<size_t>& shown) {
  if (shown.empty()) return;
  Event imp;
  imp.type = EventType::kImpression;
  imp.user = u.profile.id;
  imp.time_ms = t;
  imp.surface = surface;
  for (size_t i : shown) imp.doc_ids.push_back(docs_[i].id);
  emit(user, std::move(imp));
  TimeMs cursor = t + rng_.range(2, 8) * kMsPerSecond;
  for (size_t i : shown) {
    const Document& d = docs_[i];
    if (!rng_.chance(is_interest(u, d) ? kClickPInterest : kClickPOther)) continue;
    Event c;
    c.type = EventType::kClick;
    c.user = u.profile.id;
    c.time_ms = cursor;
    c.surface = surface;
    c.doc_ids = {d.id};
    c.dwell_s = rng_.chance(kShortDwellShare) ? static_cast<double>(rng_.range(5, 29)) / 10.0
                                              : static_cast<double>(rng_.range(5, 120));
    cursor += (static_cast<TimeMs>(c.dwell_s) + 1 + rng_.range(2, 10)) * kMsPerSecond;
    emit(user, std::move(c));
  }
}

std::vector<TimedEvent> Simulation::run(std::vector<UserState>* users) {
  index_documents();
  const size_t n = static_cast<size_t>(options_.users);
  const size_t n_heavy = std::min(
      n, static_cast<size_t>(std::llround((1.0 - options_.light_share) * static_cast<double>(n))));
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
  std::vector<bool> heavy(n, false);
  for (size_t i = 0; i < n_heavy; ++i) heavy[order[i]] = true;
  users->clear();
  users->reserve(n);
  for (size_t i = 0; i < n; ++i) users->push_back(make_user(i, heavy[i]));

  for (size_t i = 0; i < n; ++i) {
    const UserState& u = (*users)[i];
    int n_search = 0;
    if (rng_.chance(kSearcherShare)) {
      n_search = kSearchBase;
      for (int k = 0; k < kSearchTrials; ++k) n_search += rng_.chance(kSearchTrialP) ? 1 : 0;
      n_search = std::min(n_search, kSearchMax);
    }
    const int n_main = rng_.chance(kMainUserShare)
                           ? static_cast<int>(rng_.range(kMainSessions[0], kMainSessions[1]))
                           : 0;
    const int* feed_range = u.profile.heavy ? kHeavyFeedSessions : kLightFeedSessions;
    const int n_feed = static_cast<int>(rng_.range(feed_range[0], feed_range[1]));
    const std::vector<TimeMs> times =
        session_times(static_cast<size_t>(n_search + n_feed + n_main));
    size_t next = 0;
    for (int k = 0; k < n_search; ++k) search(i, u, times[next++]);
    for (int k = 0; k < n_feed; ++k) feed(i, u, times[next++]);
    for (int k = 0; k < n_main; ++k) main_page(i, u, times[next++]);
  }
  std::stable_sort(events_.begin(), events_.end(), [](const TimedEvent& a, const TimedEvent& b) {
    return a.event.time_ms < b.event.time_ms;
  });
  return std::move(events_);
}

Status validate(const std::vector<Document>& docs, const Taxonomy& taxonomy,
                const SimulatorOptions& options) {
  if (options.users < 1 || options.users > 1000000) {
    return Status::invalid_argument("users must be 1..1000000, got " +
                                    std::to_string(options.users));
  }
  if (!(options.light_share >= 0.0 && options.light_share <= 1.0)) {
    return Status::invalid_argument("light_share must be between 0 and 1");
  }
  if (options.days < 1 || options.days > 365) {
    return Status::invalid_argument("days must be 1..365, got " + std::to_string(options.days));
  }
  if (docs.empty()) return Status::invalid_argument("no documents to simulate activity on");
  for (const Document& d : docs) {
    for (const DocTopic& dt : d.topics) {
      if (dt.topic >= taxonomy.size()) {
        return Status::invalid_argument("document '" + d.id + "' has a topic outside the taxonomy");
      }
    }
  }
  return Status::ok();
}

void summarise(const std::vector<TimedEvent>& events, std::vector<UserState>& users,
               const SimulatorOptions& options, SimulationSummary* summary) {
  SimulationSummary& s = *summary;
  s = SimulationSummary{};
  s.users = users.size();
  for (const UserState& u : users) (u.profile.heavy ? s.heavy_users : s.light_users) += 1;
  std::vector<size_t> searches(users.size(), 0), recent_searches(users.size(), 0);
  std::vector<size_t> main_views(users.size(), 0), feed_clicks(users.size(), 0);
  s.events = events.size();
  for (const TimedEvent& te : events) {
    const Event& e = te.event;
    switch (e.type) {
      case EventType::kSearch:
        ++s.searches;
        s.search_clicks += e.doc_ids.size();
        ++searches[te.user];
        if (e.time_ms >= options.end_ms - kRecentWindow) ++recent_searches[te.user];
        break;
      case EventType::kImpression:
        ++s.impressions;
        if (e.surface == Surface::kMain) ++main_views[te.user];
        break;
      case EventType::kClick:
        ++s.clicks;
        if (e.surface == Surface::kFeed) ++feed_clicks[te.user];
        break;
    }
  }
  size_t best_light = 0, best_heavy = 0;
  for (size_t i = 0; i < users.size(); ++i) {
    s.users_searching += searches[i] > 0 ? 1 : 0;
    s.users_on_main += main_views[i] > 0 ? 1 : 0;
    if (!users[i].profile.heavy && recent_searches[i] > best_light) {
      best_light = recent_searches[i];
      s.example_light_user = users[i].profile.id;
    }
    if (users[i].profile.heavy && feed_clicks[i] > best_heavy) {
      best_heavy = feed_clicks[i];
      s.example_heavy_user = users[i].profile.id;
    }
  }
  s.profiles.reserve(users.size());
  for (UserState& u : users) s.profiles.push_back(std::move(u.profile));
}

}  // namespace

Status simulate_activity(const std::string& vocab_path, const std::vector<Document>& docs,
                         const Taxonomy& taxonomy, const SimulatorOptions& options,
                         std::ostream& events_out, SimulationSummary* summary) {
  FEEDSCOUT_RETURN_IF_ERROR(validate(docs, taxonomy, options));
  auto vocab = load_topic_vocab(vocab_path, taxonomy);
  if (!vocab.is_ok()) return vocab.status();

  Simulation simulation(*vocab, docs, taxonomy, options);
  std::vector<UserState> users;
  std::vector<TimedEvent> events = simulation.run(&users);
  char id[32];
  for (size_t i = 0; i < events.size(); ++i) {
    std::snprintf(id, sizeof(id), "ev-%07zu", i + 1);
    events[i].event.id = id;
    events_out << event_to_json(events[i].event) << '\n';
    if (!events_out) return Status::io_error(std::string("writing the events failed at ") + id);
  }
  events_out.flush();
  if (!events_out) return Status::io_error("flushing the events failed");
  if (summary != nullptr) summarise(events, users, options, summary);
  return Status::ok();
}

}  // namespace feedscout
