#include "feedscout/server/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace feedscout {
namespace {

// Prometheus float formatting: shortest round-trip form, "+Inf" for infinity.
std::string format_value(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Prefer the shortest representation that reads back to the same value.
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

// Label values are route patterns and status codes, but escape anyway (\, ", newline).
std::string escape_label(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void metric(std::string& out, const char* name, const char* type, const char* help,
            uint64_t value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

HttpMetrics::HttpMetrics(std::vector<std::string> routes)
    : routes_(std::move(routes)), stats_(new RouteStats[routes_.size()]) {}

void HttpMetrics::observe(size_t route, int status, double seconds) {
  if (route >= routes_.size()) return;
  RouteStats& s = stats_[route];
  const size_t code_slot = (status >= kMinCode && status < kMinCode + kNumCodes)
                               ? static_cast<size_t>(status - kMinCode)
                               : static_cast<size_t>(kNumCodes);
  s.codes[code_slot].fetch_add(1, std::memory_order_relaxed);
  if (!(seconds >= 0)) return;  // not measured (also rejects NaN)
  size_t bucket = 0;
  while (bucket < kLatencyBucketsS.size() && seconds > kLatencyBucketsS[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  s.sum_ns.fetch_add(static_cast<uint64_t>(std::llround(seconds * 1e9)), std::memory_order_relaxed);
}

uint64_t HttpMetrics::requests(size_t route, int status) const {
  if (route >= routes_.size()) return 0;
  if (status < kMinCode || status >= kMinCode + kNumCodes) {
    return stats_[route].codes[kNumCodes].load(std::memory_order_relaxed);
  }
  return stats_[route].codes[static_cast<size_t>(status - kMinCode)].load(
      std::memory_order_relaxed);
}

void HttpMetrics::render(std::string& out) const {
  constexpr const char* kHist = "feedscout_http_request_duration_seconds";
  out += "# HELP ";
  out += kHist;
  out += " Time from reading a request's headers to writing its response, by route.\n";
  out += "# TYPE ";
  out += kHist;
  out += " histogram\n";
  for (size_t r = 0; r < routes_.size(); ++r) {
    const RouteStats& s = stats_[r];
    const std::string route = escape_label(routes_[r]);
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kLatencyBucketsS.size(); ++b) {
      cumulative += s.buckets[b].load(std::memory_order_relaxed);
      const std::string le =
          b < kLatencyBucketsS.size() ? format_value(kLatencyBucketsS[b]) : std::string("+Inf");
      out += kHist;
      out +=
          "_bucket{route=\"" + route + "\",le=\"" + le + "\"} " + std::to_string(cumulative) + '\n';
    }
    // _count equals the +Inf bucket, as Prometheus requires, even under concurrent updates.
    const double sum_s = static_cast<double>(s.sum_ns.load(std::memory_order_relaxed)) / 1e9;
    out += kHist;
    out += "_sum{route=\"" + route + "\"} " + format_value(sum_s) + '\n';
    out += kHist;
    out += "_count{route=\"" + route + "\"} " + std::to_string(cumulative) + '\n';
  }

  constexpr const char* kReq = "feedscout_http_requests_total";
  out += "# HELP ";
  out += kReq;
  out += " HTTP requests answered, by route and status code (code 0: outside 100..599).\n";
  out += "# TYPE ";
  out += kReq;
  out += " counter\n";
  for (size_t r = 0; r < routes_.size(); ++r) {
    const std::string route = escape_label(routes_[r]);
    for (int slot = 0; slot <= kNumCodes; ++slot) {
      const uint64_t n = stats_[r].codes[static_cast<size_t>(slot)].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const int code = slot < kNumCodes ? kMinCode + slot : 0;
      out += kReq;
      out += "{route=\"" + route + "\",code=\"" + std::to_string(code) + "\"} " +
             std::to_string(n) + '\n';
    }
  }
}

std::string render_prometheus(const EngineStats& s, const HttpMetrics& http) {
  std::string out;
  out.reserve(16 * 1024);
  metric(out, "feedscout_events_ingested_total", "counter", "Events accepted and stored.",
         s.events_accepted);
  metric(out, "feedscout_events_rejected_total", "counter",
         "Events rejected (unreadable, invalid or referencing unknown documents).",
         s.events_rejected);
  metric(out, "feedscout_events_duplicate_total", "counter",
         "Events whose id was already stored (acknowledged, not applied again).",
         s.events_duplicate);
  metric(out, "feedscout_documents_ingested_total", "counter", "Documents accepted and stored.",
         s.documents_accepted);
  metric(out, "feedscout_documents_rejected_total", "counter",
         "Documents rejected (unreadable or invalid).", s.documents_rejected);
  metric(out, "feedscout_documents_duplicate_total", "counter",
         "Documents whose id was already stored (acknowledged, not stored again).",
         s.documents_duplicate);
  metric(out, "feedscout_documents_classified_total", "counter",
         "Documents whose topics came from the classifier.", s.documents_classified);
  metric(out, "feedscout_classifier_failures_total", "counter",
         "Documents the classifier failed on (stored without topics).", s.classifier_failures);
  metric(out, "feedscout_llm_classified_total", "counter",
         "Documents the language-model classifier labelled.", s.llm_classified);
  metric(out, "feedscout_llm_faults_total", "counter",
         "Classifications the language model failed on (after the client's retries).",
         s.llm_faults);
  metric(out, "feedscout_llm_fallbacks_total", "counter",
         "Language-model faults answered by the fastText student.", s.llm_fallbacks);
  metric(out, "feedscout_llm_unavailable_at_open", "gauge",
         "1 when the language model could not be reached at start-up and the student answers.",
         s.llm_unavailable_at_open);
  metric(out, "feedscout_llm_requests_total", "counter", "Language-model client calls.",
         s.llm_requests);
  metric(out, "feedscout_llm_retries_total", "counter", "Language-model client retries.",
         s.llm_retries);
  metric(out, "feedscout_llm_attempt_failures_total", "counter",
         "Failed language-model HTTP attempts (connect, timeout, 429, 5xx, 4xx, bad answer).",
         s.llm_attempt_failures);
  metric(out, "feedscout_llm_circuit_open_rejections_total", "counter",
         "Language-model calls refused while the circuit breaker was open.",
         s.llm_circuit_open_rejections);
  metric(out, "feedscout_commits_total", "counter", "Group commits (fsync'd write batches).",
         s.commits);
  metric(out, "feedscout_commit_failures_total", "counter",
         "Group commits whose durable write failed.", s.commit_failures);
  metric(out, "feedscout_checkpoints_total", "counter",
         "Checkpoints of user contexts and popularity written to the store.", s.checkpoints);
  metric(out, "feedscout_replayed_events_total", "counter",
         "Events replayed from the log past the last checkpoint when the store was opened.",
         s.replayed_events);
  metric(out, "feedscout_searches_refined_total", "counter",
         "Searches with clicks given a refined query (Q*) on ingest.", s.searches_refined);
  metric(out, "feedscout_searches_refined_mined_total", "counter",
         "Of those, refined from the mined (query, document) table.", s.searches_refined_mined);
  metric(out, "feedscout_searches_refined_llm_total", "counter",
         "Default refinements replaced by the language model's answer (intent.llm).",
         s.searches_refined_llm);
  metric(out, "feedscout_llm_refinements_submitted_total", "counter",
         "Searches handed to the asynchronous language-model refiner.",
         s.llm_refinements_submitted);
  metric(out, "feedscout_llm_refinements_dropped_total", "counter",
         "Searches the language-model refiner dropped (queue full or shutdown).",
         s.llm_refinements_dropped);
  metric(out, "feedscout_llm_refinements_expired_total", "counter",
         "Searches that waited past intent.llm_timeout_ms and were not sent.",
         s.llm_refinements_expired);
  metric(out, "feedscout_llm_refinements_failed_total", "counter",
         "Language-model refinements that failed (request, unreadable answer or guard).",
         s.llm_refinements_failed);
  metric(out, "feedscout_llm_refinements_stale_total", "counter",
         "Language-model answers that arrived after the search changed (not applied).",
         s.llm_refinements_stale);
  metric(out, "feedscout_documents_embedded_total", "counter",
         "Documents given an embedding on ingest ([embeddings]).", s.documents_embedded);
  metric(out, "feedscout_embed_failures_total", "counter",
         "Documents left without an embedding (no words, or the embedding server failed).",
         s.embed_failures);
  metric(out, "feedscout_vectors_expired_total", "counter",
         "Document vectors removed from the ANN index by embeddings.max_age_days.",
         s.vectors_expired);
  metric(out, "feedscout_ann_vectors", "gauge", "Document vectors in the ANN index.",
         s.ann_vectors);
  metric(out, "feedscout_search_pool_cache_hits_total", "counter",
         "Search-feed query pools served from the pool cache.", s.pool_cache_hits);
  metric(out, "feedscout_search_pool_cache_misses_total", "counter",
         "Search-feed query pools computed (not cached, or changed since).", s.pool_cache_misses);
  metric(out, "feedscout_search_pool_cache_entries", "gauge",
         "Query pools in the search feed's pool cache.", s.pool_cache_entries);
  metric(out, "feedscout_collaborative_trainings_total", "counter",
         "Collaborative models trained and swapped in.", s.collaborative_trainings);
  metric(out, "feedscout_ranker_loads_total", "counter", "Learned-ranker model files loaded.",
         s.ranker_loads);
  metric(out, "feedscout_ranker_load_failures_total", "counter",
         "Learned-ranker model files refused (missing, corrupt, another schema).",
         s.ranker_load_failures);
  metric(out, "feedscout_feature_log_pages_total", "counter",
         "Served pages written to the feature log.", s.feature_log_pages);
  metric(out, "feedscout_feature_log_clicks_total", "counter", "Clicks written to the feature log.",
         s.feature_log_clicks);
  metric(out, "feedscout_feature_log_write_failures_total", "counter",
         "Feature-log records that could not be written.", s.feature_log_failures);
  metric(out, "feedscout_documents", "gauge", "Documents in the pool.", s.documents);
  metric(out, "feedscout_users", "gauge", "Users with a context.", s.users);
  http.render(out);
  return out;
}

}  // namespace feedscout
