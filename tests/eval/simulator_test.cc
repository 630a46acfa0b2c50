#include "feedscout/eval/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>

#include "feedscout/eval/sample_generator.h"
#include "feedscout/ingest/parse.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

const std::string kRoot = FEEDSCOUT_SOURCE_DIR;
const std::string kVocab = kRoot + "/data/sample/topic_vocab.json";

// One default corpus and one default simulation, shared by the tests below.
struct World {
  Taxonomy taxonomy;
  std::vector<Document> docs;
  std::unordered_map<std::string, const Document*> doc_by_id;
  std::vector<TopicVocab> vocab;
  std::string events_text;
  std::vector<Event> events;
  SimulationSummary summary;
  std::map<std::string, const SimulatedUser*> profile_by_id;
};

const World& world() {
  static const World* w = [] {
    auto* w = new World();
    auto taxonomy = Taxonomy::load_file(testing_support::kTaxonomyPath);
    EXPECT_TRUE(taxonomy.is_ok()) << taxonomy.status().to_string();
    w->taxonomy = std::move(taxonomy).value();
    auto vocab = load_topic_vocab(kVocab, w->taxonomy);
    EXPECT_TRUE(vocab.is_ok()) << vocab.status().to_string();
    w->vocab = std::move(vocab).value();

    std::ostringstream docs_out;
    Status s = generate_sample_documents(kVocab, w->taxonomy, SampleOptions{}, docs_out);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    auto parsed = parse_documents(docs_out.str(), ParseLimits{}, w->taxonomy, kSampleNewestMs);
    EXPECT_TRUE(parsed.errors.empty());
    for (auto& item : parsed.items) w->docs.push_back(std::move(item.second));
    for (const Document& d : w->docs) w->doc_by_id[d.id] = &d;

    std::ostringstream events_out;
    s = simulate_activity(kVocab, w->docs, w->taxonomy, SimulatorOptions{}, events_out,
                          &w->summary);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    w->events_text = events_out.str();
    auto events = parse_events(w->events_text, ParseLimits{}, SimulatorOptions{}.end_ms);
    EXPECT_TRUE(events.errors.empty())
        << events.errors.front().position << " " << events.errors.front().message;
    for (auto& item : events.items) w->events.push_back(std::move(item.second));
    for (const SimulatedUser& u : w->summary.profiles) w->profile_by_id[u.id] = &u;
    return w;
  }();
  return *w;
}

bool of_interest(const World& w, const SimulatedUser& u, const Document& d) {
  for (const DocTopic& dt : d.topics) {
    for (TopicId i : u.interests) {
      if (w.taxonomy.is_ancestor_or_self(i, dt.topic)) return true;
    }
  }
  return false;
}

TEST(SimulatorTest, EventsParseAreSortedAndInTheWindow) {
  const World& w = world();
  const SimulatorOptions options;
  ASSERT_GT(w.events.size(), 5000u);
  EXPECT_EQ(w.events.size(), w.summary.events);
  for (size_t i = 0; i < w.events.size(); ++i) {
    const Event& e = w.events[i];
    char id[32];
    std::snprintf(id, sizeof(id), "ev-%07zu", i + 1);
    EXPECT_EQ(e.id, id);
    if (i > 0) {
      EXPECT_LE(w.events[i - 1].time_ms, e.time_ms) << e.id;
    }
    EXPECT_GE(e.time_ms, options.end_ms - options.days * kMsPerDay) << e.id;
    EXPECT_LE(e.time_ms, options.end_ms) << e.id;
    EXPECT_TRUE(w.profile_by_id.count(e.user)) << e.user;
    if (e.type == EventType::kImpression) {
      EXPECT_FALSE(e.doc_ids.empty());
    }
    if (e.type == EventType::kClick) {
      ASSERT_EQ(e.doc_ids.size(), 1u);
      EXPECT_NE(e.surface, Surface::kSearch);
      EXPECT_GE(e.dwell_s, 0.5);
      EXPECT_LE(e.dwell_s, 120.0);
    }
    if (e.type == EventType::kSearch) {
      EXPECT_LE(e.doc_ids.size(), 2u);
    }
    // Only documents that already exist may be shown or clicked.
    for (const std::string& doc : e.doc_ids) {
      auto it = w.doc_by_id.find(doc);
      ASSERT_NE(it, w.doc_by_id.end()) << doc;
      EXPECT_LE(it->second->created_ms, e.time_ms) << e.id << " " << doc;
    }
  }
}

TEST(SimulatorTest, ClicksFollowAnImpressionOfTheSameSurface) {
  const World& w = world();
  // user → surface → documents of the last impression there
  std::map<std::pair<std::string, Surface>, std::set<std::string>> last_shown;
  size_t checked = 0;
  for (const Event& e : w.events) {
    if (e.type == EventType::kImpression)
      last_shown[{e.user, e.surface}] = {e.doc_ids.begin(), e.doc_ids.end()};
    if (e.type != EventType::kClick) continue;
    const auto& shown = last_shown[{e.user, e.surface}];
    EXPECT_TRUE(shown.count(e.doc_ids[0])) << e.id;
    ++checked;
  }
  EXPECT_GT(checked, 1000u);
}

TEST(SimulatorTest, SearchClicksAreOfTheQueryTopic) {
  const World& w = world();
  std::map<std::string, std::set<TopicId>> topics_of_query;
  for (const TopicVocab& v : w.vocab) {
    for (const std::string& q : v.queries) topics_of_query[q].insert(v.topic);
  }
  size_t clicks = 0;
  for (const Event& e : w.events) {
    if (e.type != EventType::kSearch) continue;
    ASSERT_TRUE(topics_of_query.count(e.query)) << e.query;
    for (const std::string& doc : e.doc_ids) {
      EXPECT_TRUE(topics_of_query[e.query].count(w.doc_by_id.at(doc)->topics[0].topic)) << e.id;
      ++clicks;
    }
  }
  EXPECT_EQ(clicks, w.summary.search_clicks);
  EXPECT_GT(clicks, w.summary.searches / 2);
}

TEST(SimulatorTest, UserMixMatchesTheModel) {
  const World& w = world();
  const SimulationSummary& s = w.summary;
  EXPECT_EQ(s.users, 600u);
  EXPECT_EQ(s.profiles.size(), 600u);
  EXPECT_EQ(s.light_users + s.heavy_users, 600u);
  EXPECT_NEAR(static_cast<double>(s.light_users) / 600.0, 0.85, 0.03);

  std::set<std::string> searching, on_main;
  size_t searches = 0, impressions = 0, clicks = 0;
  for (const Event& e : w.events) {
    if (e.type == EventType::kSearch) {
      searching.insert(e.user);
      ++searches;
    }
    if (e.type == EventType::kImpression) {
      ++impressions;
      if (e.surface == Surface::kMain) on_main.insert(e.user);
    }
    if (e.type == EventType::kClick) ++clicks;
  }
  EXPECT_EQ(searches, s.searches);
  EXPECT_EQ(impressions, s.impressions);
  EXPECT_EQ(clicks, s.clicks);
  EXPECT_EQ(searching.size(), s.users_searching);
  EXPECT_EQ(on_main.size(), s.users_on_main);
  EXPECT_GE(searching.size(), 540u);  // ≥ 90%
  EXPECT_GE(on_main.size(), 240u);    // 40–60%
  EXPECT_LE(on_main.size(), 360u);

  for (const SimulatedUser& u : s.profiles) {
    ASSERT_GE(u.interests.size(), 1u);
    ASSERT_LE(u.interests.size(), 3u);
    ASSERT_EQ(u.weights.size(), u.interests.size());
    EXPECT_EQ(std::set<TopicId>(u.interests.begin(), u.interests.end()).size(), u.interests.size());
    double sum = 0;
    for (double x : u.weights) sum += x;
    EXPECT_NEAR(sum, 1.0, 1e-9);
    EXPECT_EQ(u.weights.front(), *std::max_element(u.weights.begin(), u.weights.end()));
  }
}

TEST(SimulatorTest, HeavyUsersClickTheFeedFarMore) {
  const World& w = world();
  std::map<std::string, size_t> feed_clicks, feed_sessions;
  for (const Event& e : w.events) {
    if (e.surface != Surface::kFeed) continue;
    if (e.type == EventType::kClick) ++feed_clicks[e.user];
    if (e.type == EventType::kImpression) ++feed_sessions[e.user];
  }
  double heavy = 0, light = 0;
  for (const SimulatedUser& u : w.summary.profiles) {
    (u.heavy ? heavy : light) += static_cast<double>(feed_clicks[u.id]);
    if (u.heavy) {
      EXPECT_GE(feed_sessions[u.id], 20u) << u.id;
      EXPECT_LE(feed_sessions[u.id], 40u) << u.id;
    } else {
      EXPECT_LE(feed_sessions[u.id], 3u) << u.id;
    }
  }
  heavy /= static_cast<double>(w.summary.heavy_users);
  light /= static_cast<double>(w.summary.light_users);
  EXPECT_GT(heavy, 8.0 * light) << "heavy " << heavy << " light " << light;
}

TEST(SimulatorTest, ClicksFavourInterestTopicsAndNotTheirSiblings) {
  const World& w = world();
  struct Counts {
    double shown = 0, clicked = 0;
    double ctr() const { return shown > 0 ? clicked / shown : 0; }
  };
  Counts interest, other, sibling;
  auto bucket = [&](const SimulatedUser& u, const Document& d) -> Counts* {
    if (of_interest(w, u, d)) return &interest;
    return &other;
  };
  // A sibling: same parent as an interest topic, but not an interest itself.
  auto is_sibling = [&](const SimulatedUser& u, const Document& d) {
    const TopicId t = d.topics[0].topic;
    for (TopicId i : u.interests) {
      if (i != t && w.taxonomy.node(i).parent != kNoTopic &&
          w.taxonomy.node(i).parent == w.taxonomy.node(t).parent) {
        return true;
      }
    }
    return false;
  };
  for (const Event& e : w.events) {
    if (e.surface != Surface::kFeed || e.type == EventType::kSearch) continue;
    const SimulatedUser& u = *w.profile_by_id.at(e.user);
    for (const std::string& id : e.doc_ids) {
      const Document& d = *w.doc_by_id.at(id);
      Counts* c = bucket(u, d);
      Counts* s = !of_interest(w, u, d) && is_sibling(u, d) ? &sibling : nullptr;
      if (e.type == EventType::kImpression) {
        c->shown += 1;
        if (s) s->shown += 1;
      } else {
        c->clicked += 1;
        if (s) s->clicked += 1;
      }
    }
  }
  ASSERT_GT(interest.shown, 1000);
  ASSERT_GT(other.shown, 1000);
  EXPECT_GT(interest.ctr(), 5.0 * other.ctr())
      << "interest " << interest.ctr() << " other " << other.ctr();
  EXPECT_NEAR(interest.ctr(), 0.35, 0.05);
  EXPECT_NEAR(other.ctr(), 0.03, 0.015);
  // Fine-grained interests: liking 축구 says nothing about 야구.
  if (sibling.shown >= 200) {
    EXPECT_LT(sibling.ctr(), interest.ctr() / 4)
        << "sibling " << sibling.ctr() << " over " << sibling.shown;
  }
}

TEST(SimulatorTest, SearchesMostlyFollowInterests) {
  const World& w = world();
  std::map<std::string, std::set<TopicId>> topics_of_query;
  for (const TopicVocab& v : w.vocab) {
    for (const std::string& q : v.queries) topics_of_query[q].insert(v.topic);
  }
  double on_interest = 0, total = 0;
  for (const Event& e : w.events) {
    if (e.type != EventType::kSearch) continue;
    const SimulatedUser& u = *w.profile_by_id.at(e.user);
    bool hit = false;
    for (TopicId t : topics_of_query[e.query]) {
      hit = hit || std::find(u.interests.begin(), u.interests.end(), t) != u.interests.end();
    }
    on_interest += hit ? 1 : 0;
    total += 1;
  }
  EXPECT_NEAR(on_interest / total, 0.8 + 0.2 * 1.85 / 40, 0.04);
}

TEST(SimulatorTest, ExampleUsersFitTheirDescription) {
  const World& w = world();
  const SimulatorOptions options;
  const SimulationSummary& s = w.summary;
  ASSERT_FALSE(s.example_light_user.empty());
  ASSERT_FALSE(s.example_heavy_user.empty());
  EXPECT_FALSE(w.profile_by_id.at(s.example_light_user)->heavy);
  EXPECT_TRUE(w.profile_by_id.at(s.example_heavy_user)->heavy);
  bool recent_search = false;
  std::map<std::string, size_t> feed_clicks;
  for (const Event& e : w.events) {
    if (e.user == s.example_light_user && e.type == EventType::kSearch &&
        e.time_ms >= options.end_ms - 2 * kMsPerDay) {
      recent_search = true;
    }
    if (e.type == EventType::kClick && e.surface == Surface::kFeed) ++feed_clicks[e.user];
  }
  EXPECT_TRUE(recent_search);
  for (const auto& [user, n] : feed_clicks) {
    EXPECT_LE(n, feed_clicks[s.example_heavy_user]) << user;
  }
}

TEST(SimulatorTest, DeterministicForASeed) {
  const World& w = world();
  std::ostringstream again, other;
  SimulationSummary summary;
  ASSERT_TRUE(
      simulate_activity(kVocab, w.docs, w.taxonomy, SimulatorOptions{}, again, &summary).is_ok());
  EXPECT_EQ(again.str(), w.events_text);
  EXPECT_EQ(summary.example_heavy_user, w.summary.example_heavy_user);
  SimulatorOptions options;
  options.seed = 12;
  ASSERT_TRUE(simulate_activity(kVocab, w.docs, w.taxonomy, options, other, nullptr).is_ok());
  EXPECT_NE(other.str(), w.events_text);
}

TEST(SimulatorTest, OptionsShapeTheRun) {
  const World& w = world();
  SimulatorOptions options;
  options.users = 50;
  options.light_share = 0.5;
  options.days = 3;
  std::ostringstream out;
  SimulationSummary s;
  ASSERT_TRUE(simulate_activity(kVocab, w.docs, w.taxonomy, options, out, &s).is_ok());
  EXPECT_EQ(s.users, 50u);
  EXPECT_EQ(s.heavy_users, 25u);
  auto events = parse_events(out.str(), ParseLimits{}, options.end_ms);
  ASSERT_TRUE(events.errors.empty());
  for (const auto& [pos, e] : events.items) {
    EXPECT_GE(e.time_ms, options.end_ms - 3 * kMsPerDay);
  }
}

TEST(SimulatorTest, RejectsBadInput) {
  const World& w = world();
  std::ostringstream out;
  SimulatorOptions options;
  options.users = 0;
  EXPECT_EQ(simulate_activity(kVocab, w.docs, w.taxonomy, options, out, nullptr).code(),
            Status::Code::kInvalidArgument);
  options = SimulatorOptions{};
  options.light_share = 1.5;
  EXPECT_EQ(simulate_activity(kVocab, w.docs, w.taxonomy, options, out, nullptr).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(simulate_activity(kVocab, {}, w.taxonomy, SimulatorOptions{}, out, nullptr).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(
      simulate_activity("/nonexistent.json", w.docs, w.taxonomy, SimulatorOptions{}, out, nullptr)
          .code(),
      Status::Code::kIOError);
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace feedscout
