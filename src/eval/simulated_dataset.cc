// Simulator adapter: the activity simulator over the shipped sample corpus as an EvalDataset.
// The mapping is documented in datasets.h and docs/DATASETS.md.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dataset_common.h"
#include "feedscout/eval/datasets.h"
#include "feedscout/eval/simulator.h"
#include "feedscout/ingest/parse.h"

namespace feedscout {
namespace {

using namespace dataset_internal;

constexpr char kVocabFile[] = "topic_vocab.json";
constexpr char kDocumentsFile[] = "documents.jsonl";
constexpr char kEventsFile[] = "events.jsonl";  // the simulator's output, never written

// The interactions of one impression, for matching the clicks that follow it.
struct OpenImpression {
  std::unordered_map<std::string, size_t> index;  // document id → interaction index
};

// A search event waiting for its results impression.
struct PendingSearch {
  const Event* event = nullptr;
  size_t line = 0;
};

class InteractionBuilder {
 public:
  InteractionBuilder(std::vector<Interaction>& out, SkipCounter& skipped)
      : out_(out), skipped_(skipped) {}

  void add(const Event& e, size_t line) {
    switch (e.type) {
      case EventType::kSearch:
        flush_search(e.user);
        pending_[e.user] = {&e, line};
        break;
      case EventType::kImpression:
        if (e.surface == Surface::kSearch) {
          search_results(e, line);
        } else {
          open(e, line, "", {});
        }
        break;
      case EventType::kClick:
        click(e, line);
        break;
    }
  }

  // Counts the searches still waiting for results, in line order; call once after the last
  // event.
  void finish() {
    std::vector<std::pair<size_t, std::string>> left;
    for (const auto& [user, search] : pending_) left.emplace_back(search.line, user);
    std::sort(left.begin(), left.end());
    for (const auto& [line, user] : left) flush_search(user);
  }

 private:
  void skip(const char* why, size_t line, size_t count = 1) {
    skipped_.add(std::string(kEventsFile) + ": " + why, kEventsFile, line, count);
  }

  // Opens the impression `e` as the user's latest on its surface; `clicked` marks documents
  // clicked already (the search event's list).
  void open(const Event& e, size_t line, const std::string& query,
            const std::unordered_set<std::string_view>& clicked) {
    OpenImpression& imp = latest_[key(e.user, e.surface)];
    imp.index.clear();
    for (const std::string& doc : e.doc_ids) {
      if (imp.index.count(doc)) {
        skip("document repeated in one impression (shown once)", line);
        continue;
      }
      imp.index.emplace(doc, out_.size());
      Interaction x;
      x.user = e.user;
      x.item = doc;
      x.time_ms = e.time_ms;
      x.clicked = clicked.count(doc) > 0;
      x.surface = e.surface;
      x.query = query;
      out_.push_back(std::move(x));
    }
  }

  void search_results(const Event& e, size_t line) {
    auto it = pending_.find(e.user);
    if (it == pending_.end() || it->second.event->time_ms != e.time_ms) {
      skip("search results impression without its search event", line);
      return;
    }
    const Event& search = *it->second.event;
    std::unordered_set<std::string_view> clicked(search.doc_ids.begin(), search.doc_ids.end());
    open(e, line, search.query, clicked);
    size_t unmatched = 0;
    for (std::string_view doc : clicked) {
      if (std::find(e.doc_ids.begin(), e.doc_ids.end(), doc) == e.doc_ids.end()) ++unmatched;
    }
    skip("search clicked document not in its results impression", it->second.line, unmatched);
    pending_.erase(it);
  }

  void flush_search(const std::string& user) {
    auto it = pending_.find(user);
    if (it == pending_.end()) return;
    skip("search event without a results impression", it->second.line);
    std::unordered_set<std::string_view> clicked(it->second.event->doc_ids.begin(),
                                                 it->second.event->doc_ids.end());
    skip("search clicked document not in its results impression", it->second.line, clicked.size());
    pending_.erase(it);
  }

  void click(const Event& e, size_t line) {
    auto it = latest_.find(key(e.user, e.surface));
    for (const std::string& doc : e.doc_ids) {
      if (it == latest_.end()) {
        skip("click without an earlier impression on its surface", line);
        continue;
      }
      auto shown = it->second.index.find(doc);
      if (shown == it->second.index.end()) {
        skip("click on a document not in the latest impression on its surface", line);
        continue;
      }
      Interaction& x = out_[shown->second];
      if (x.clicked) {
        skip("repeated click on a document of one impression (counted once)", line);
        continue;
      }
      x.clicked = true;
    }
  }

  static std::string key(const std::string& user, Surface s) {
    return user + '\n' + surface_name(s);
  }

  std::vector<Interaction>& out_;
  SkipCounter& skipped_;
  std::unordered_map<std::string, OpenImpression> latest_;  // by key(user, surface)
  std::unordered_map<std::string, PendingSearch> pending_;  // by user
};

}  // namespace

Result<EvalDataset> load_simulated(const SimulatedOptions& options, SimulationSummary* summary) {
  EvalDataset ds;
  ds.name = "simulated";
  auto tsv = read_file(options.taxonomy_path);
  if (!tsv.is_ok()) return tsv.status();
  ds.taxonomy_tsv = std::move(tsv).value();
  auto taxonomy = Taxonomy::parse(ds.taxonomy_tsv, options.taxonomy_path);
  if (!taxonomy.is_ok()) return taxonomy.status();
  ds.taxonomy = std::move(taxonomy).value();

  const std::string vocab_path = join_path(options.sample_dir, kVocabFile);
  if (!std::ifstream(vocab_path, std::ios::binary)) {
    return Status::not_found("vocabulary file '" + vocab_path + "' cannot be opened");
  }
  auto docs = read_documents_file(join_path(options.sample_dir, kDocumentsFile), ds.taxonomy);
  if (!docs.is_ok()) return docs.status();
  ds.documents = std::move(docs).value();

  // In file order, as `feedscout simulate` does: the simulation depends on document order.
  std::ostringstream events_out;
  SimulationSummary local_summary;
  FEEDSCOUT_RETURN_IF_ERROR(simulate_activity(vocab_path, ds.documents, ds.taxonomy,
                                              options.simulator, events_out,
                                              summary != nullptr ? summary : &local_summary));
  const std::string text = std::move(events_out).str();
  auto parsed = parse_events(text, any_time_limits(), options.simulator.end_ms);

  SkipCounter skipped;
  for (const ItemError& err : parsed.errors) {
    skipped.add(std::string(kEventsFile) + ": event does not parse", kEventsFile, err.position);
  }
  std::unordered_map<std::string_view, TimeMs> created;  // document id → created_ms
  for (const Document& d : ds.documents) created.emplace(d.id, d.created_ms);
  std::vector<size_t> lines;  // parallel to ds.events
  ds.events.reserve(parsed.items.size());
  for (auto& [line, e] : parsed.items) {
    bool usable = true;
    for (const std::string& doc : e.doc_ids) {
      auto it = created.find(doc);
      if (it == created.end()) {
        skipped.add(std::string(kEventsFile) + ": event references an unknown document",
                    kEventsFile, line);
        usable = false;
        break;
      }
      if (it->second > e.time_ms) {
        skipped.add(std::string(kEventsFile) + ": event references a document created after it",
                    kEventsFile, line);
        usable = false;
        break;
      }
    }
    if (!usable) continue;
    ds.events.push_back(std::move(e));
    lines.push_back(line);
  }
  ds.stats.rows_read = ds.documents.size() + parsed.items.size() + parsed.errors.size();

  // The simulator writes events sorted by time; its output order is the replay order.
  InteractionBuilder builder(ds.interactions, skipped);
  for (size_t i = 0; i < ds.events.size(); ++i) builder.add(ds.events[i], lines[i]);
  builder.finish();
  ds.stats.interactions = ds.interactions.size();
  for (const Interaction& x : ds.interactions) ds.stats.positive_interactions += x.clicked;

  std::unordered_set<std::string_view> referenced;
  for (const Event& e : ds.events) referenced.insert(e.doc_ids.begin(), e.doc_ids.end());
  for (const Document& d : ds.documents) ds.stats.documents_unreferenced += !referenced.count(d.id);
  ds.stats.users_read = static_cast<size_t>(options.simulator.users);

  ds.skipped = skipped.take();
  finish_dataset(ds);
  return ds;
}

}  // namespace feedscout
