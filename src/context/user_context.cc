#include "feedscout/context/user_context.h"

#include <algorithm>

#include "feedscout/common/decay.h"
#include "feedscout/common/hash.h"

namespace feedscout {

const char* user_class_name(UserClass c) {
  switch (c) {
    case UserClass::kCold:
      return "cold";
    case UserClass::kLight:
      return "light";
    case UserClass::kMedium:
      return "medium";
    case UserClass::kHeavy:
      return "heavy";
  }
  return "?";
}

TopicEvidenceMap::const_iterator TopicEvidenceMap::find(TopicId topic) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), topic,
                                   [](const value_type& e, TopicId t) { return e.first < t; });
  return it != entries_.end() && it->first == topic ? it : entries_.end();
}

TopicEvidence& TopicEvidenceMap::operator[](TopicId topic) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), topic,
                             [](const value_type& e, TopicId t) { return e.first < t; });
  if (it == entries_.end() || it->first != topic) it = entries_.insert(it, {topic, {}});
  return it->second;
}

void TopicEvidenceMap::erase(TopicId topic) {
  const auto it = find(topic);
  if (it != entries_.end()) entries_.erase(it);
}

void UserContext::add_evidence(Surface surface, TimeMs t,
                               const std::vector<const std::vector<DocTopic>*>& docs, double weight,
                               bool is_click, const Taxonomy& taxonomy,
                               const ContextConfig& config) {
  SurfaceState& s = surfaces_[static_cast<int>(surface)];
  double w = weight;
  if (s.ref_ms == 0) {
    s.ref_ms = t;
  } else if (t > s.ref_ms) {
    const double dt_s = static_cast<double>(t - s.ref_ms) / 1000.0;
    if (dt_s > config.half_life_s) {
      // Rebase: decay everything to t.
      const double f = decay_factor(t - s.ref_ms, config.half_life_s);
      s.clicks *= f;
      s.impressions *= f;
      for (auto& [topic, ev] : s.topics) {
        ev.clicks *= f;
        ev.impressions *= f;
      }
      s.ref_ms = t;
    } else {
      w *= std::exp2(dt_s / config.half_life_s);  // ≤ 2: newer evidence, same anchor
    }
  } else {
    w *= decay_factor(s.ref_ms - t, config.half_life_s);
  }

  // Each document contributes to every level of each of its topics; an ancestor shared by
  // two of the document's topics counts once, with the larger score.
  constexpr size_t kMaxEntries = 3 * kMaxTopicLevel;
  std::array<std::pair<TopicId, double>, kMaxEntries> per_topic;
  std::array<TopicId, kMaxTopicLevel> lineage;
  for (const auto* topics : docs) {
    (is_click ? s.clicks : s.impressions) += w;
    if (topics == nullptr) continue;
    size_t n = 0;
    for (const auto& dt : *topics) {
      const int levels = taxonomy.lineage(dt.topic, lineage);
      for (int l = 0; l < levels; ++l) {
        size_t j = 0;
        while (j < n && per_topic[j].first != lineage[l]) ++j;
        if (j == n) {
          if (n == kMaxEntries) continue;
          per_topic[n++] = {lineage[l], 0.0};
        }
        per_topic[j].second = std::max(per_topic[j].second, static_cast<double>(dt.score));
      }
    }
    for (size_t j = 0; j < n; ++j) {
      TopicEvidence& ev = s.topics[per_topic[j].first];
      (is_click ? ev.clicks : ev.impressions) += w * per_topic[j].second;
    }
  }

  if (s.topics.size() > config.max_topics_per_surface) {
    // Keep the topics with the most evidence.
    std::vector<std::pair<double, TopicId>> order;
    order.reserve(s.topics.size());
    for (const auto& [topic, ev] : s.topics) {
      order.emplace_back(ev.clicks * 10 + ev.impressions, topic);
    }
    std::nth_element(order.begin(), order.begin() + config.max_topics_per_surface, order.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = config.max_topics_per_surface; i < order.size(); ++i) {
      s.topics.erase(order[i].second);
    }
  }
}

void UserContext::mark_seen(const std::vector<std::string>& doc_ids, const ContextConfig& config) {
  seen_.set_capacity(config.max_seen_docs);
  for (const auto& id : doc_ids) seen_.insert(doc_key(id));
}

namespace {

// True when some document id is listed twice (cheap for the usual short lists).
bool has_repeats(const std::vector<std::string>& ids) {
  if (ids.size() > 32) {
    std::unordered_set<std::string_view> listed(ids.begin(), ids.end());
    return listed.size() != ids.size();
  }
  for (size_t i = 1; i < ids.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (ids[i] == ids[j]) return true;
    }
  }
  return false;
}

}  // namespace

void UserContext::apply(const Event& raw_event,
                        const std::vector<const std::vector<DocTopic>*>& raw_topics,
                        const Taxonomy& taxonomy, const ContextConfig& config) {
  if (has_repeats(raw_event.doc_ids)) {
    // A document listed twice in one event counts once.
    Event event = raw_event;
    std::vector<const std::vector<DocTopic>*> doc_topics;
    event.doc_ids.clear();
    std::unordered_set<std::string_view> listed;
    for (size_t i = 0; i < raw_event.doc_ids.size(); ++i) {
      if (!listed.insert(raw_event.doc_ids[i]).second) continue;
      event.doc_ids.push_back(raw_event.doc_ids[i]);
      doc_topics.push_back(i < raw_topics.size() ? raw_topics[i] : nullptr);
    }
    apply_unique(event, doc_topics, taxonomy, config);
  } else {
    apply_unique(raw_event, raw_topics, taxonomy, config);
  }
}

const RecentSearch* UserContext::find_recent_search(std::string_view query) const {
  for (const RecentSearch& r : recent_searches_) {
    if (r.query == query) return &r;
  }
  return nullptr;
}

bool UserContext::set_refinement(std::string_view query, std::string refined,
                                 intent::RefinementSource by) {
  for (RecentSearch& r : recent_searches_) {
    if (r.query != query) continue;
    r.refined = std::move(refined);
    r.refined_by = r.refined.empty() ? intent::RefinementSource::kNone : by;
    return true;
  }
  return false;
}

void UserContext::apply_unique(const Event& event,
                               const std::vector<const std::vector<DocTopic>*>& doc_topics,
                               const Taxonomy& taxonomy, const ContextConfig& config) {
  last_event_ms_ = std::max(last_event_ms_, event.time_ms);
  switch (event.type) {
    case EventType::kSearch: {
      // Clicked search results are clicks on the search surface.
      if (!event.doc_ids.empty()) {
        add_evidence(Surface::kSearch, event.time_ms, doc_topics, 1.0, true, taxonomy, config);
        remember_clicks(event.doc_ids, event.time_ms, config);
      }
      // Recent searches: one entry per query text at its newest time, holding the union of
      // its clicks (sorted), ordered newest first and then by query — so the list does not
      // depend on the order in which events arrive.
      RecentSearch r;
      r.query = event.query;
      r.time_ms = event.time_ms;
      r.clicked = event.doc_ids;
      auto same = std::find_if(recent_searches_.begin(), recent_searches_.end(),
                               [&](const RecentSearch& x) { return x.query == event.query; });
      if (same != recent_searches_.end()) {
        // Q* stays until the engine refines the grown click set (set_refinement).
        r.refined = std::move(same->refined);
        r.refined_by = same->refined_by;
        r.time_ms = std::max(r.time_ms, same->time_ms);
        r.clicked.insert(r.clicked.end(), same->clicked.begin(), same->clicked.end());
        recent_searches_.erase(same);
      }
      std::sort(r.clicked.begin(), r.clicked.end());
      r.clicked.erase(std::unique(r.clicked.begin(), r.clicked.end()), r.clicked.end());
      auto pos = std::find_if(
          recent_searches_.begin(), recent_searches_.end(), [&](const RecentSearch& x) {
            return x.time_ms < r.time_ms || (x.time_ms == r.time_ms && x.query > r.query);
          });
      recent_searches_.insert(pos, std::move(r));
      if (recent_searches_.size() > config.max_recent_searches) {
        recent_searches_.resize(config.max_recent_searches);
      }
      break;
    }
    case EventType::kImpression:
      add_evidence(event.surface, event.time_ms, doc_topics, 1.0, false, taxonomy, config);
      break;
    case EventType::kClick: {
      const bool short_click = event.dwell_s >= 0 && event.dwell_s < config.short_dwell_s;
      add_evidence(event.surface, event.time_ms, doc_topics,
                   short_click ? config.short_click_weight : 1.0, true, taxonomy, config);
      remember_clicks(event.doc_ids, event.time_ms, config);
      break;
    }
  }
  mark_seen(event.doc_ids, config);
}

void UserContext::remember_clicks(const std::vector<std::string>& doc_ids, TimeMs t,
                                  const ContextConfig& config) {
  auto newer = [](const RecentClick& a, const RecentClick& b) {
    return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.key < b.key;
  };
  for (const std::string& id : doc_ids) {
    RecentClick c{doc_key(id), t};
    auto same = std::find_if(recent_clicks_.begin(), recent_clicks_.end(),
                             [&](const RecentClick& x) { return x.key == c.key; });
    if (same != recent_clicks_.end()) {
      if (same->time_ms >= t) continue;
      recent_clicks_.erase(same);
    }
    recent_clicks_.insert(std::lower_bound(recent_clicks_.begin(), recent_clicks_.end(), c, newer),
                          c);
  }
  if (recent_clicks_.size() > config.max_recent_clicks) {
    recent_clicks_.resize(config.max_recent_clicks);
  }
}

double topic_preference(const SurfaceState& surface, const TopicEvidence& evidence, TimeMs now,
                        const ContextConfig& config) {
  const double f = decay_factor(now - surface.ref_ms, 0.0 + config.half_life_s);
  const double c = f * evidence.clicks;
  const double i = f * std::max(evidence.impressions, evidence.clicks);
  return (c + config.prior_strength * config.prior) / (i + config.prior_strength);
}

ContextView compute_view(const UserContext& context, TimeMs now, const ContextConfig& config) {
  ContextView view;
  view.now_ms = now;
  view.recent_searches = context.recent_searches();
  view.keywords = keyword_scores(context.keywords(), now, config.keywords);
  view.profiles = profile_scores(context.profiles(), now, config.profiles);
  const auto& surfaces = context.surfaces();

  const SurfaceState& feed = surfaces[static_cast<int>(Surface::kFeed)];
  view.feed_activity =
      feed.ref_ms == 0 ? 0.0 : feed.clicks * decay_factor(now - feed.ref_ms, config.half_life_s);
  const double span = config.heavy_min_feed_clicks - config.light_max_feed_clicks;
  const double lambda =
      span <= 0 ? (view.feed_activity >= config.heavy_min_feed_clicks ? 1.0 : 0.0)
                : std::clamp((view.feed_activity - config.light_max_feed_clicks) / span, 0.0, 1.0);

  bool any = false;
  double total_w = 0;
  for (int s = 0; s < kNumSurfaces; ++s) {
    const bool has = surfaces[s].clicks > 0 || surfaces[s].impressions > 0;
    any = any || has;
    view.surface_weights[s] =
        has ? (1 - lambda) * config.light_weights[s] + lambda * config.heavy_weights[s] : 0.0;
    total_w += view.surface_weights[s];
  }
  if (!any) {
    view.user_class = context.recent_searches().empty() ? UserClass::kCold : UserClass::kLight;
  } else if (lambda <= 0) {
    view.user_class = UserClass::kLight;
  } else if (lambda >= 1) {
    view.user_class = UserClass::kHeavy;
  } else {
    view.user_class = UserClass::kMedium;
  }
  if (total_w > 0) {
    for (double& w : view.surface_weights) w /= total_w;
  }

  std::unordered_map<TopicId, TopicScore> integrated;
  for (int s = 0; s < kNumSurfaces; ++s) {
    const SurfaceState& st = surfaces[s];
    const double f = decay_factor(now - st.ref_ms, config.half_life_s);
    for (const auto& [topic, ev] : st.topics) {
      TopicScore ts{topic, topic_preference(st, ev, now, config), f * ev.clicks,
                    f * ev.impressions};
      view.per_surface[s].push_back(ts);
      if (view.surface_weights[s] > 0) {
        TopicScore& it = integrated[topic];
        it.topic = topic;
        it.clicks += view.surface_weights[s] * ts.clicks;
        it.impressions += view.surface_weights[s] * ts.impressions;
      }
    }
  }
  // Integrated score: weighted mean over the surfaces with evidence; a surface with
  // evidence but none for this topic contributes the prior.
  for (auto& [topic, ts] : integrated) {
    double score = 0;
    for (int s = 0; s < kNumSurfaces; ++s) {
      if (view.surface_weights[s] <= 0) continue;
      const auto it = surfaces[s].topics.find(topic);
      const double p = it == surfaces[s].topics.end()
                           ? topic_preference(surfaces[s], TopicEvidence{}, now, config)
                           : topic_preference(surfaces[s], it->second, now, config);
      score += view.surface_weights[s] * p;
    }
    ts.score = score;
    view.integrated.push_back(ts);
  }
  auto by_score = [](const TopicScore& a, const TopicScore& b) {
    return a.score != b.score ? a.score > b.score : a.topic < b.topic;
  };
  for (auto& v : view.per_surface) std::sort(v.begin(), v.end(), by_score);
  std::sort(view.integrated.begin(), view.integrated.end(), by_score);
  return view;
}

}  // namespace feedscout
