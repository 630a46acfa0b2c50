// Trends ("숏텐츠"): clusters of documents whose engagement is rising now, for GET /v1/trends.
//
// Per document, clicks (and search clicks) are counted in hourly buckets kept for
// 2 · max_window_h hours; the refined queries Q* that led to a document are counted too.
// For a window of W hours ending at `now`:
//   recent(d)   = clicks in the last W hours, previous(d) = clicks in the W hours before
//   a cluster   = the documents with recent clicks sharing a tier-2 topic (a level-1 label
//                 stays; tier2_topic below); R, P = sums of recent / previous
//   growth      = (R + 1) / (P + 1)
//   rising      ⇔ R >= min_recent_clicks and growth >= min_growth
//   score       = R · ln(growth)       (volume and acceleration; trends are ordered by it)
//   label       = the refined query Q* with the most search clicks on the cluster's
//                 documents (counted over the documents' life, weighted by each document's
//                 recent clicks; "intent"), else the topic path
//   documents   = the top docs_per_trend by recent clicks (then newer first)
// A steady topic (R ≈ P) or a falling one (R < P) is no trend.
//
// Bounded: only documents with a click in the kept horizon have buckets (swept every 4096
// clicks); at most kMaxIntentsPerDoc refined queries per document. In memory only: rebuilt
// from the event log replayed at open, so history before the last checkpoint is lost on a
// restart (it refills within one window).
// Not thread-safe: the engine mutates it on the writer thread under its exclusive lock and
// reads it under the shared lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/index/document_index.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// The tier-2 topic a document counts under for trends and the feed's diversity rule: its best
// label cut to level 2 (a level-1 label stays); nullopt for a document without topics.
std::optional<TopicId> tier2_topic(const DocumentIndex& index, const Taxonomy& taxonomy,
                                   DocIndex doc);

struct TrendConfig {
  size_t default_window_h = 24;  // GET /v1/trends without window_h
  size_t max_window_h = 168;     // largest window_h accepted; buckets kept for twice this
  size_t min_recent_clicks = 3;  // a trend needs at least this many clicks in the window
  double min_growth = 1.5;       // and (R + 1) / (P + 1) at least this
  size_t docs_per_trend = 5;     // documents listed per trend
};

struct TrendDoc {
  DocIndex doc = 0;
  uint32_t recent_clicks = 0;
  uint32_t previous_clicks = 0;
};

struct TrendCluster {
  TopicId topic = kNoTopic;  // the tier-2 (or tier-1) topic the cluster gathers
  std::string label;         // the dominant refined intent, else the topic path
  bool label_is_intent = false;
  uint32_t recent_clicks = 0;    // R
  uint32_t previous_clicks = 0;  // P
  double growth = 0;             // (R + 1) / (P + 1)
  double score = 0;              // R · ln(growth)
  std::vector<TrendDoc> docs;    // best first
};

class TrendIndex {
 public:
  static constexpr size_t kMaxIntentsPerDoc = 8;

  explicit TrendIndex(TrendConfig config) : config_(config) {}
  const TrendConfig& config() const { return config_; }

  // Counts one click on `doc` at `t` (any arrival order; clicks older than the kept horizon
  // relative to the newest click seen are ignored).
  void record_click(DocIndex doc, TimeMs t);
  // Counts a search whose refined query `refined` led to a click on `doc`.
  void record_intent(DocIndex doc, std::string_view refined);

  // Rising clusters for the window of window_h hours (1..max_window_h, clamped) ending at
  // `now`, best first, at most n; `docs_per_trend` documents each (0: the config's).
  std::vector<TrendCluster> trends(const DocumentIndex& index, const Taxonomy& taxonomy, size_t n,
                                   size_t window_h, TimeMs now, size_t docs_per_trend = 0) const;

  size_t tracked_documents() const { return docs_.size(); }

 private:
  struct Bucket {
    int64_t hour = 0;  // t / 1 h
    uint32_t clicks = 0;
  };
  struct DocState {
    std::vector<Bucket> buckets;  // ascending hour
    std::vector<std::pair<std::string, uint32_t>> intents;
  };
  int64_t horizon_h() const { return 2 * static_cast<int64_t>(config_.max_window_h); }
  void sweep();

  TrendConfig config_;
  std::unordered_map<DocIndex, DocState> docs_;
  int64_t newest_hour_ = 0;
  size_t clicks_since_sweep_ = 0;
};

}  // namespace feedscout
