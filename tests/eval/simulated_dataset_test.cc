// load_simulated on the shipped sample corpus: the dataset contracts of datasets.h, the
// interaction mapping checked against the simulator's own counts, determinism, and the
// split and replay running on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "feedscout/eval/baselines.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/replay.h"
#include "feedscout/eval/simulator.h"
#include "feedscout/ingest/parse.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::TempDir;

const std::string kRoot = FEEDSCOUT_SOURCE_DIR;

SimulatedOptions options_with_users(int users) {
  SimulatedOptions o;
  o.sample_dir = kRoot + "/data/sample";
  o.taxonomy_path = testing_support::kTaxonomyPath;
  o.simulator.users = users;
  return o;
}

struct Loaded {
  EvalDataset data;
  SimulationSummary summary;
};

// The default simulation (600 users, seed 11), loaded once.
const Loaded& defaults() {
  static const Loaded* loaded = [] {
    auto* l = new Loaded();
    auto d = load_simulated(options_with_users(SimulatorOptions{}.users), &l->summary);
    EXPECT_TRUE(d.is_ok()) << d.status().to_string();
    if (d.is_ok()) l->data = std::move(d).value();
    return l;
  }();
  return *loaded;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

TEST(SimulatedDatasetTest, FollowsTheDatasetContracts) {
  const EvalDataset& d = defaults().data;
  ASSERT_FALSE(d.documents.empty());
  EXPECT_EQ(d.name, "simulated");
  EXPECT_EQ(d.taxonomy_tsv, read_text(testing_support::kTaxonomyPath));
  EXPECT_EQ(d.taxonomy.size(), testing_support::taxonomy().size());
  EXPECT_TRUE(d.skipped.empty()) << format_dataset_summary(d);
  EXPECT_TRUE(d.impressions.empty());

  std::unordered_map<std::string, const Document*> by_id;
  for (size_t i = 0; i < d.documents.size(); ++i) {
    by_id[d.documents[i].id] = &d.documents[i];
    if (i > 0) {
      EXPECT_LE(d.documents[i - 1].created_ms, d.documents[i].created_ms);
    }
  }
  EXPECT_EQ(by_id.size(), d.documents.size());

  std::set<std::string> ids;
  for (size_t i = 0; i < d.events.size(); ++i) {
    const Event& e = d.events[i];
    EXPECT_TRUE(ids.insert(e.id).second) << e.id;
    if (i > 0) {
      EXPECT_LE(d.events[i - 1].time_ms, e.time_ms);
    }
    for (const std::string& doc : e.doc_ids) {
      auto it = by_id.find(doc);
      ASSERT_NE(it, by_id.end()) << e.id << " " << doc;
      EXPECT_LE(it->second->created_ms, e.time_ms) << e.id;
    }
  }
  EXPECT_EQ(d.stats.events, defaults().summary.events);
  EXPECT_EQ(d.stats.users_read, 600u);
  EXPECT_EQ(d.stats.documents, d.documents.size());
}

TEST(SimulatedDatasetTest, InteractionsReferenceKnownDocumentsOnEverySurface) {
  const EvalDataset& d = defaults().data;
  std::unordered_map<std::string, TimeMs> created;
  for (const Document& doc : d.documents) created[doc.id] = doc.created_ms;
  std::map<Surface, size_t> per_surface;
  for (size_t i = 0; i < d.interactions.size(); ++i) {
    const Interaction& x = d.interactions[i];
    auto it = created.find(x.item);
    ASSERT_NE(it, created.end()) << x.item;
    EXPECT_LE(it->second, x.time_ms);
    if (i > 0) {
      EXPECT_LE(d.interactions[i - 1].time_ms, x.time_ms);
    }
    EXPECT_EQ(x.rating, 0.0);
    EXPECT_EQ(x.surface == Surface::kSearch, !x.query.empty()) << x.user << " " << x.item;
    ++per_surface[x.surface];
  }
  ASSERT_EQ(per_surface.size(), 3u);
  for (const auto& [surface, count] : per_surface) EXPECT_GT(count, 0u) << surface_name(surface);

  // One interaction per shown document of every impression (the simulator repeats none).
  size_t shown = 0;
  for (const Event& e : d.events) {
    if (e.type == EventType::kImpression) shown += e.doc_ids.size();
  }
  EXPECT_EQ(d.interactions.size(), shown);
  EXPECT_EQ(d.stats.interactions, shown);
}

TEST(SimulatedDatasetTest, ClickedInteractionsAreTheClicksAndSearchClicks) {
  const Loaded& l = defaults();
  const EvalDataset& d = l.data;
  size_t clicked = 0, search_clicked = 0;
  for (const Interaction& x : d.interactions) {
    clicked += x.clicked;
    search_clicked += x.clicked && x.surface == Surface::kSearch;
  }
  ASSERT_GT(l.summary.clicks, 0u);
  ASSERT_GT(l.summary.search_clicks, 0u);
  EXPECT_EQ(clicked, l.summary.clicks + l.summary.search_clicks);
  EXPECT_EQ(search_clicked, l.summary.search_clicks);
  EXPECT_EQ(d.stats.positive_interactions, clicked);
  EXPECT_EQ(d.stats.click_events, l.summary.clicks);

  // A search's interactions carry its query and its clicked list.
  std::map<std::pair<std::string, TimeMs>, const Event*> searches;
  for (const Event& e : d.events) {
    if (e.type == EventType::kSearch) searches[{e.user, e.time_ms}] = &e;
  }
  for (const Interaction& x : d.interactions) {
    if (x.surface != Surface::kSearch) continue;
    auto it = searches.find({x.user, x.time_ms});
    ASSERT_NE(it, searches.end()) << x.user;
    EXPECT_EQ(x.query, it->second->query);
    const auto& c = it->second->doc_ids;
    EXPECT_EQ(x.clicked, std::find(c.begin(), c.end(), x.item) != c.end());
  }
}

TEST(SimulatedDatasetTest, ReturnsTheGroundTruthProfiles) {
  const Loaded& l = defaults();
  ASSERT_EQ(l.summary.profiles.size(), 600u);
  EXPECT_EQ(l.summary.profiles.front().id, "u0001");
  for (const SimulatedUser& u : l.summary.profiles) {
    EXPECT_FALSE(u.interests.empty()) << u.id;
    for (TopicId t : u.interests) EXPECT_LT(t, l.data.taxonomy.size());
  }
}

TEST(SimulatedDatasetTest, EventsAreWhatTheSimulatorWrites) {
  const SimulatedOptions o = options_with_users(60);
  auto d = load_simulated(o);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  auto docs = read_documents_file(o.sample_dir + "/documents.jsonl", testing_support::taxonomy());
  ASSERT_TRUE(docs.is_ok()) << docs.status().to_string();
  std::ostringstream direct;
  ASSERT_TRUE(simulate_activity(o.sample_dir + "/topic_vocab.json", *docs,
                                testing_support::taxonomy(), o.simulator, direct, nullptr)
                  .is_ok());
  std::string written;
  for (const Event& e : d->events) written += event_to_json(e) + "\n";
  EXPECT_EQ(written, direct.str());
}

TEST(SimulatedDatasetTest, DeterministicForASeed) {
  SimulatedOptions o = options_with_users(60);
  auto a = load_simulated(o);
  auto b = load_simulated(o);
  o.simulator.seed = 12;
  auto c = load_simulated(o);
  ASSERT_TRUE(a.is_ok() && b.is_ok() && c.is_ok());
  auto lines = [](const EvalDataset& d) {
    std::string out;
    for (const Event& e : d.events) out += event_to_json(e) + "\n";
    for (const Interaction& x : d.interactions) {
      out += x.user + " " + x.item + " " + std::to_string(x.time_ms) + " " +
             surface_name(x.surface) + " " + x.query + " " + (x.clicked ? "1" : "0") + "\n";
    }
    return out;
  };
  EXPECT_EQ(lines(*a), lines(*b));
  EXPECT_NE(lines(*a), lines(*c));
  EXPECT_EQ(format_dataset_summary(*a), format_dataset_summary(*b));
}

TEST(SimulatedDatasetTest, TemporalSplitWorksOnIt) {
  const EvalDataset& d = defaults().data;
  auto split = temporal_split(d.interactions);
  ASSERT_TRUE(split.is_ok()) << split.status().to_string();
  std::set<std::string> users;
  for (const Interaction& x : d.interactions) users.insert(x.user);
  EXPECT_EQ(split->users.size(), users.size());
  EXPECT_EQ(split->total(SplitPart::kTrain) + split->total(SplitPart::kTest),
            d.interactions.size());
  EXPECT_EQ(split->total(SplitPart::kValidation), 0u);
  EXPECT_GT(split->total(SplitPart::kTrain), split->total(SplitPart::kTest));
  for (const Interaction& x : d.interactions) {
    const UserCutoffs* u = split->find(x.user);
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(split->part(x.user, x.time_ms) == SplitPart::kTest, x.time_ms >= u->test_cutoff_ms);
  }
}

TEST(SimulatedDatasetTest, PopularBaselineReplays) {
  auto d = load_simulated(options_with_users(60));
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  auto split = temporal_split(d->interactions);
  ASSERT_TRUE(split.is_ok());
  auto popular = make_baseline("popular");
  ASSERT_TRUE(popular.is_ok()) << popular.status().to_string();
  auto report = replay_next_item(*d, *split, {popular->get()});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->users, split->users.size());
  EXPECT_GT(report->users_queried, 0u);
  EXPECT_GT(report->observed, 0u);
  EXPECT_EQ(report->catalogue_size, d->documents.size());
  ASSERT_EQ(report->methods.size(), 1u);
  EXPECT_EQ(report->methods[0].name, "popular");
  EXPECT_EQ(report->methods[0].summary.lists_evaluated, report->users_queried);
}

TEST(SimulatedDatasetTest, Errors) {
  SimulatedOptions o = options_with_users(10);
  o.sample_dir = kRoot + "/no/such/dir";
  auto missing_sample = load_simulated(o);
  ASSERT_FALSE(missing_sample.is_ok());
  EXPECT_EQ(missing_sample.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing_sample.status().message().find("no/such/dir"), std::string::npos);

  o = options_with_users(10);
  o.taxonomy_path = kRoot + "/no/such.tsv";
  auto missing_taxonomy = load_simulated(o);
  ASSERT_FALSE(missing_taxonomy.is_ok());
  EXPECT_EQ(missing_taxonomy.status().code(), Status::Code::kNotFound);

  TempDir dir("feedscout_simulated");
  std::ofstream(dir.file("topic_vocab.json")) << read_text(kRoot + "/data/sample/topic_vocab.json");
  std::ofstream(dir.file("documents.jsonl")) << "{\"id\": \"broken\"\n";
  o = options_with_users(10);
  o.sample_dir = dir.path().string();
  auto bad_docs = load_simulated(o);
  ASSERT_FALSE(bad_docs.is_ok());
  EXPECT_EQ(bad_docs.status().code(), Status::Code::kInvalidArgument);

  o = options_with_users(0);
  auto bad_options = load_simulated(o);
  ASSERT_FALSE(bad_options.is_ok());
  EXPECT_EQ(bad_options.status().code(), Status::Code::kInvalidArgument);
}

// MovieLens and MIND interactions carry their surface; only search interactions have a query.
TEST(DatasetInteractionSurfaceTest, MovieLensUsesTheOptionSurface) {
  TempDir dir("feedscout_ml_surface");
  std::ofstream(dir.file("movies.csv")) << "movieId,title,genres\n1,One (1990),Action\n";
  std::ofstream(dir.file("ratings.csv")) << "userId,movieId,rating,timestamp\n1,1,4.0,100\n";
  MovieLensOptions options;
  auto feed = load_movielens(dir.path().string(), options);
  options.surface = Surface::kMain;
  auto main = load_movielens(dir.path().string(), options);
  ASSERT_TRUE(feed.is_ok() && main.is_ok());
  ASSERT_EQ(feed->interactions.size(), 1u);
  ASSERT_EQ(main->interactions.size(), 1u);
  EXPECT_EQ(feed->interactions[0].surface, Surface::kFeed);
  EXPECT_EQ(main->interactions[0].surface, Surface::kMain);
  EXPECT_EQ(main->interactions[0].query, "");
  EXPECT_TRUE(main->interactions[0].clicked);
}

}  // namespace
}  // namespace feedscout
