#include "feedscout/index/trend_index.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace feedscout {
namespace {

int64_t hour_of(TimeMs t) {
  return t >= 0 ? t / kMsPerHour : -((-t + kMsPerHour - 1) / kMsPerHour);
}

}  // namespace

std::optional<TopicId> tier2_topic(const DocumentIndex& index, const Taxonomy& taxonomy,
                                   DocIndex doc) {
  const DocRecord& d = index.doc(doc);
  if (d.topics.empty()) return std::nullopt;
  const auto best =
      std::max_element(d.topics.begin(), d.topics.end(),
                       [](const DocTopic& a, const DocTopic& b) { return a.score < b.score; });
  std::array<TopicId, kMaxTopicLevel> lineage{};
  const int len = taxonomy.lineage(best->topic, lineage);
  if (len <= 0) return best->topic;
  return lineage[static_cast<size_t>(std::min(len, 2) - 1)];
}

void TrendIndex::record_click(DocIndex doc, TimeMs t) {
  const int64_t hour = hour_of(t);
  newest_hour_ = std::max(newest_hour_, hour);
  if (hour <= newest_hour_ - horizon_h()) return;
  auto& buckets = docs_[doc].buckets;
  auto it = std::lower_bound(buckets.begin(), buckets.end(), hour,
                             [](const Bucket& b, int64_t h) { return b.hour < h; });
  if (it != buckets.end() && it->hour == hour) {
    ++it->clicks;
  } else {
    buckets.insert(it, Bucket{hour, 1});
  }
  // Drop this document's buckets past the horizon.
  const int64_t oldest = newest_hour_ - horizon_h();
  const auto keep = std::find_if(buckets.begin(), buckets.end(),
                                 [oldest](const Bucket& b) { return b.hour > oldest; });
  buckets.erase(buckets.begin(), keep);
  // A sweep visits every tracked document: run it once per max(4096, tracked) clicks so that
  // its cost stays O(1) per click however many documents are tracked (at 1M documents a
  // sweep every 4,096 clicks cost about a twelfth of the writer's time).
  if (++clicks_since_sweep_ >= std::max<size_t>(4096, docs_.size())) sweep();
}

void TrendIndex::record_intent(DocIndex doc, std::string_view refined) {
  if (refined.empty()) return;
  auto& intents = docs_[doc].intents;
  for (auto& [q, count] : intents) {
    if (q == refined) {
      ++count;
      return;
    }
  }
  if (intents.size() >= kMaxIntentsPerDoc) {
    // Replace the (first) least used.
    auto least = std::min_element(intents.begin(), intents.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; });
    *least = {std::string(refined), 1};
    return;
  }
  intents.emplace_back(std::string(refined), 1);
}

void TrendIndex::sweep() {
  clicks_since_sweep_ = 0;
  const int64_t oldest = newest_hour_ - horizon_h();
  for (auto it = docs_.begin(); it != docs_.end();) {
    const auto& b = it->second.buckets;
    if (b.empty() || b.back().hour <= oldest) {
      it = docs_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<TrendCluster> TrendIndex::trends(const DocumentIndex& index, const Taxonomy& taxonomy,
                                             size_t n, size_t window_h, TimeMs now,
                                             size_t docs_per_trend) const {
  std::vector<TrendCluster> out;
  if (n == 0) return out;
  const size_t per_trend = docs_per_trend > 0 ? docs_per_trend : config_.docs_per_trend;
  const auto w = static_cast<int64_t>(std::clamp<size_t>(window_h, 1, config_.max_window_h));
  const int64_t now_h = hour_of(now);
  // recent: (now_h - w, now_h]; previous: (now_h - 2w, now_h - w]. Later clicks are ignored.
  struct Acc {
    TrendCluster cluster;
    std::unordered_map<std::string, double> intents;
  };
  std::unordered_map<TopicId, Acc> by_topic;
  for (const auto& [doc, state] : docs_) {
    if (doc >= index.size()) continue;
    uint32_t recent = 0, previous = 0;
    for (const Bucket& b : state.buckets) {
      if (b.hour > now_h) break;
      if (b.hour > now_h - w) {
        recent += b.clicks;
      } else if (b.hour > now_h - 2 * w) {
        previous += b.clicks;
      }
    }
    if (recent == 0 && previous == 0) continue;
    const auto topic = tier2_topic(index, taxonomy, doc);
    if (!topic) continue;
    Acc& acc = by_topic[*topic];
    acc.cluster.topic = *topic;
    acc.cluster.recent_clicks += recent;
    acc.cluster.previous_clicks += previous;
    if (recent == 0) continue;  // counts for P, but is not a document of the trend now
    acc.cluster.docs.push_back({doc, recent, previous});
    for (const auto& [q, count] : state.intents) acc.intents[q] += count * double(recent);
  }
  for (auto& [topic, acc] : by_topic) {
    TrendCluster& c = acc.cluster;
    c.growth = (c.recent_clicks + 1.0) / (c.previous_clicks + 1.0);
    if (c.recent_clicks < config_.min_recent_clicks || c.growth < config_.min_growth) continue;
    c.score = c.recent_clicks * std::log(c.growth);
    const std::pair<const std::string, double>* best = nullptr;
    for (const auto& e : acc.intents) {
      if (best == nullptr || e.second > best->second ||
          (e.second == best->second && e.first < best->first)) {
        best = &e;
      }
    }
    c.label_is_intent = best != nullptr;
    c.label = best != nullptr ? best->first : taxonomy.node(topic).path;
    std::sort(c.docs.begin(), c.docs.end(), [&](const TrendDoc& a, const TrendDoc& b) {
      if (a.recent_clicks != b.recent_clicks) return a.recent_clicks > b.recent_clicks;
      const TimeMs ta = index.doc(a.doc).created_ms, tb = index.doc(b.doc).created_ms;
      return ta != tb ? ta > tb : a.doc < b.doc;
    });
    if (c.docs.size() > per_trend) c.docs.resize(per_trend);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [&](const TrendCluster& a, const TrendCluster& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.topic < b.topic;
  });
  if (out.size() > n) out.resize(n);
  return out;
}

}  // namespace feedscout
