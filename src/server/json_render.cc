#include "json_render.h"

#include "feedscout/serve/ranking_features.h"

#include <algorithm>

namespace feedscout::server {
namespace {

using json = nlohmann::ordered_json;

json topic_list_json(const std::vector<TopicScore>& topics, const Taxonomy& taxonomy, size_t top) {
  json out = json::array();
  const size_t n = std::min(top, topics.size());
  for (size_t i = 0; i < n; ++i) {
    const TopicScore& t = topics[i];
    if (t.topic >= taxonomy.size()) continue;  // never expected: views hold loaded topics
    const TopicNode& node = taxonomy.node(t.topic);
    out.push_back({{"topic", node.external_id},
                   {"path", node.path},
                   {"level", node.level},
                   {"score", t.score},
                   {"clicks", t.clicks},
                   {"impressions", t.impressions}});
  }
  return out;
}

}  // namespace

std::string dump_json(const json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

json error_json(std::string_view code, std::string_view message) {
  return json{{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
}

std::string error_body(std::string_view code, std::string_view message) {
  return dump_json(error_json(code, message));
}

json ingest_report_json(const IngestReport& report, size_t max_errors) {
  json errors = json::array();
  const char* position_key = report.is_array ? "item" : "line";
  const size_t n = std::min(max_errors, report.errors.size());
  for (size_t i = 0; i < n; ++i) {
    const ItemError& e = report.errors[i];
    errors.push_back({{position_key, e.position}, {"field", e.field}, {"message", e.message}});
  }
  json out{{"accepted", report.accepted},
           {"duplicates", report.duplicates},
           {"rejected", report.rejected},
           {"errors", std::move(errors)}};
  if (report.errors.size() > n) out["errors_omitted"] = report.errors.size() - n;
  return out;
}

json context_json(const std::string& user, bool known, const ContextView& view,
                  const Taxonomy& taxonomy, size_t top) {
  json weights = json::object();
  json per_surface = json::object();
  for (int s = 0; s < kNumSurfaces; ++s) {
    const char* name = surface_name(static_cast<Surface>(s));
    weights[name] = view.surface_weights[static_cast<size_t>(s)];
    per_surface[name] = topic_list_json(view.per_surface[static_cast<size_t>(s)], taxonomy, top);
  }
  json searches = json::array();
  const size_t n = std::min(top, view.recent_searches.size());
  for (size_t i = 0; i < n; ++i) {
    const RecentSearch& r = view.recent_searches[i];
    searches.push_back(
        {{"query", r.query}, {"time", format_rfc3339(r.time_ms)}, {"clicked", r.clicked}});
  }
  json keywords = json::array();
  const size_t nk = std::min(top, view.keywords.size());
  for (size_t i = 0; i < nk; ++i) {
    const KeywordScore& k = view.keywords[i];
    json surfaces = json::array();
    for (int s = 0; s < kNumSurfaces; ++s) {
      if (k.surfaces & (1u << s)) surfaces.push_back(surface_name(static_cast<Surface>(s)));
    }
    keywords.push_back({{"text", k.text},
                        {"kind", intent::keyword_kind_name(k.kind)},
                        {"weight", k.weight},
                        {"lasting", k.lasting},
                        {"days", k.days},
                        {"surfaces", std::move(surfaces)},
                        {"first_seen", format_rfc3339(k.first_ms)},
                        {"last_seen", format_rfc3339(k.last_ms)}});
  }
  // Embedding interest profiles: their strength and history, not the vectors.
  json profiles = json::array();
  for (const ProfileScore& p : view.profiles) {
    profiles.push_back({{"weight", p.weight},
                        {"clicks", p.clicks},
                        {"skips", p.skips},
                        {"dimension", p.vector.size()}});
  }
  return json{{"user", user},
              {"known", known},
              {"now", format_rfc3339(view.now_ms)},
              {"user_class", user_class_name(view.user_class)},
              {"feed_activity", view.feed_activity},
              {"surface_weights", std::move(weights)},
              {"per_surface", std::move(per_surface)},
              {"integrated", topic_list_json(view.integrated, taxonomy, top)},
              {"recent_searches", std::move(searches)},
              {"keywords", std::move(keywords)},
              {"profiles", std::move(profiles)}};
}

namespace {

json explain_json(const FeedEntry& e) {
  const FeedScores& s = e.scores;
  json out{{"source", feed_source_name(e.from)},
           {"relevance", s.relevance},
           {"recency", s.recency},
           {"popularity", s.popularity},
           {"final", s.final},
           {"threshold", s.above_threshold ? "above" : "below"},
           {"ranking", s.learned ? "learned" : "hand-set"},
           {"diversity_topic", s.diversity_topic},
           {"demoted_by_diversity", s.demoted_by_diversity}};
  if (s.learned) out["model_score"] = s.model;
  const auto& names = home_feature_schema().features;
  if (e.features.size() == names.size()) {
    json features = json::object();
    for (size_t i = 0; i < names.size(); ++i) features[names[i]] = e.features[i];
    out["features"] = std::move(features);
  }
  if (e.contributions.size() == names.size() + 1) {
    json contributions = json::object();
    for (size_t i = 0; i < names.size(); ++i) contributions[names[i]] = e.contributions[i];
    contributions["bias"] = e.contributions.back();
    out["contributions"] = std::move(contributions);
  }
  return out;
}

json feed_entry_json(const FeedEntry& e, bool explain) {
  json item{{"doc_id", e.doc_id},      {"title", e.title},
            {"source", e.source},      {"created_at", format_rfc3339(e.created_ms)},
            {"topics", e.topic_paths}, {"from", feed_source_name(e.from)},
            {"score", e.score},        {"reason", e.reason}};
  if (explain) item["explain"] = explain_json(e);
  return item;
}

}  // namespace

json feed_json(const FeedPage& page) {
  json items = json::array();
  for (const FeedEntry& e : page.items) items.push_back(feed_entry_json(e, page.explained));
  json out{{"user", page.user},
           {"user_class", user_class_name(page.user_class)},
           {"known_user", page.known_user},
           {"request_id", page.request_id},
           {"items", std::move(items)}};
  if (page.explained) {
    json unserved = json::array();
    for (const FeedEntry& e : page.unserved) unserved.push_back(feed_entry_json(e, true));
    out["unserved"] = std::move(unserved);
    out["ranking"] = {{"kind", page.model_version.empty() ? "hand-set" : "learned"},
                      {"model_version", page.model_version},
                      {"feature_schema", home_feature_schema().name + " v" +
                                             std::to_string(home_feature_schema().version)}};
  }
  return out;
}

json trends_json(const std::vector<TrendEntry>& trends, size_t window_h, TimeMs now) {
  json list = json::array();
  for (const TrendEntry& t : trends) {
    json docs = json::array();
    for (const TrendDocEntry& d : t.docs) {
      docs.push_back({{"doc_id", d.doc_id},
                      {"title", d.title},
                      {"created_at", format_rfc3339(d.created_ms)},
                      {"recent_clicks", d.recent_clicks},
                      {"previous_clicks", d.previous_clicks}});
    }
    list.push_back({{"label", t.label},
                    {"label_kind", t.label_kind},
                    {"topic", t.topic_path},
                    {"recent_clicks", t.recent_clicks},
                    {"previous_clicks", t.previous_clicks},
                    {"growth", t.growth},
                    {"score", t.score},
                    {"documents", std::move(docs)}});
  }
  return json{{"window_h", window_h}, {"now", format_rfc3339(now)}, {"trends", std::move(list)}};
}

namespace {

json search_entry_json(const SearchFeedEntry& e, bool explain) {
  json item{{"doc_id", e.doc_id},      {"title", e.title},
            {"source", e.source},      {"created_at", format_rfc3339(e.created_ms)},
            {"topics", e.topic_paths}, {"wave", search_wave_name(e.wave)},
            {"score", e.score},        {"reason", e.reason}};
  if (explain) {
    const SearchScores& s = e.scores;
    item["explain"] = json{{"via", s.via},
                           {"text", s.text},
                           {"freshness", s.freshness},
                           {"context", s.context},
                           {"preference", s.preference},
                           {"profile", s.profile},
                           {"similarity", s.similarity},
                           {"sense_filter", s.sense_filter},
                           {"on_sense", s.on_sense},
                           {"ranking", s.learned ? "learned" : "hand-set"}};
    if (s.learned) {
      item["explain"]["model_score"] = s.model;
      item["explain"]["relevance"] = s.relevance;
    }
  }
  return item;
}

}  // namespace

json search_feed_json(const SearchFeedPage& page) {
  json items = json::array();
  for (const SearchFeedEntry& e : page.items) items.push_back(search_entry_json(e, page.explained));
  json out{{"user", page.user},
           {"q", page.query},
           {"page", page.page},
           {"known_user", page.known_user},
           {"items", std::move(items)}};
  if (page.explained) {
    json unserved = json::array();
    for (const SearchFeedEntry& e : page.unserved) unserved.push_back(search_entry_json(e, true));
    out["unserved"] = std::move(unserved);
    out["ranking"] = {{"kind", page.model_version.empty() ? "hand-set" : "learned"},
                      {"model_version", page.model_version}};
  }
  return out;
}

}  // namespace feedscout::server
