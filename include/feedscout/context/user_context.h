// The per-user context: the first two context kinds of the brief — topic preference per
// surface at every taxonomy level, and the integrated cross-surface preference — plus the
// user's recent searches with their refined queries (the third), interest keywords (the
// fourth, interest_keywords.h), embedding interest profiles (the fifth, interest_profiles.h)
// and the documents the user has already seen.
//
// State is a set of decayed sums (decay.h), so applying events in any order gives the same
// context. A UserContext is a plain value: not thread-safe; the engine serialises writers
// and hands readers a consistent snapshot.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "feedscout/common/hash.h"
#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/context/context_config.h"
#include "feedscout/context/interest_keywords.h"
#include "feedscout/context/interest_profiles.h"
#include "feedscout/context/seen_set.h"
#include "feedscout/ingest/records.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// Decayed evidence for one topic on one surface, valid at SurfaceState::ref_ms.
struct TopicEvidence {
  double clicks = 0;
  double impressions = 0;
};

// A surface's topics and their evidence: a flat array sorted by topic (24 bytes a topic,
// where a hash-map node and its bucket slot cost more: an estimate from the standard
// library's layout, not a measurement), looked up by binary search. The
// map interface the context needs: find, operator[] (inserts zero evidence), erase, ordered
// iteration over (topic, evidence) pairs.
class TopicEvidenceMap {
 public:
  using value_type = std::pair<TopicId, TopicEvidence>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void reserve(size_t n) { entries_.reserve(n); }

  const_iterator find(TopicId topic) const;
  size_t count(TopicId topic) const { return find(topic) != end() ? 1 : 0; }
  // The topic's evidence, inserted as zero when absent.
  TopicEvidence& operator[](TopicId topic);
  // Removes the topic if present.
  void erase(TopicId topic);
  // Gives back spare capacity (after the codec or trimming filled it).
  void shrink_to_fit() { entries_.shrink_to_fit(); }

 private:
  std::vector<value_type> entries_;  // sorted by topic, unique
};

// The anchor moves lazily: evidence newer than ref_ms by less than one half-life is added
// with weight 2^(+Δt/h) instead of decaying every topic (values stay exact sums anchored at
// ref_ms, growing by at most 2×); older gaps rebase everything to the new time.
struct SurfaceState {
  TimeMs ref_ms = 0;  // anchor of every decayed value below; 0 = no evidence yet
  double clicks = 0;  // all topics together (documents, not topic-weighted)
  double impressions = 0;
  TopicEvidenceMap topics;
};

struct RecentSearch {
  std::string query;
  TimeMs time_ms = 0;
  std::vector<std::string> clicked;
  // The refined query Q* for (query, clicked) (intent/refiner.h); empty until refined.
  std::string refined;
  intent::RefinementSource refined_by = intent::RefinementSource::kNone;
};

// A clicked document (a click event, or a clicked search result), newest click time.
struct RecentClick {
  uint64_t key = 0;  // doc_key(document id)
  TimeMs time_ms = 0;
};

class UserContext {
 public:
  // Applies one event. `doc_topics[i]` are the topics of event.doc_ids[i] (nullptr or empty
  // when the document has none). Idempotency is the caller's job (event ids).
  void apply(const Event& event, const std::vector<const std::vector<DocTopic>*>& doc_topics,
             const Taxonomy& taxonomy, const ContextConfig& config);

  const std::array<SurfaceState, kNumSurfaces>& surfaces() const { return surfaces_; }
  const std::vector<RecentSearch>& recent_searches() const {
    return recent_searches_;
  }  // newest first
  // The recent search for `query` (exact text), or nullptr.
  const RecentSearch* find_recent_search(std::string_view query) const;
  // Stores Q* for the recent search `query`; returns false (and changes nothing) when that
  // search is no longer in the list. An empty `refined` clears it.
  bool set_refinement(std::string_view query, std::string refined, intent::RefinementSource by);
  // The most recently clicked documents, newest first (ties by key), one entry per document
  // at its newest click, at most config.max_recent_clicks — the anchors of co-click
  // recommendations. Order-independent like recent_searches().
  const std::vector<RecentClick>& recent_clicks() const { return recent_clicks_; }
  // Seen documents: the newest max_seen_docs at least (up to 5/4 of it, see seen_set.h).
  bool has_seen(uint64_t key) const { return seen_.contains(key); }
  size_t seen_count() const { return seen_.size(); }
  TimeMs last_event_ms() const { return last_event_ms_; }
  bool empty() const { return last_event_ms_ == 0; }

  // Interest keywords (the fourth context): adds the keywords an extractor found in one event
  // (intent/keyword_extractor.h) — a search's on Surface::kSearch, a click's on its surface —
  // at the event's time `t`. The engine calls it beside apply(), once per event.
  void add_keywords(const std::vector<intent::Keyword>& keywords, Surface surface, TimeMs t,
                    const ContextConfig& config) {
    keywords_.add(keywords, surface, t, config.keywords);
  }
  const InterestKeywords& keywords() const { return keywords_; }

  // Embedding interest profiles (the fifth context, interest_profiles.h); the engine moves
  // them with the embeddings of clicked and skipped documents.
  const InterestProfiles& profiles() const { return profiles_; }
  InterestProfiles& mutable_profiles() { return profiles_; }

  // Compact binary form for the store, and back. decode() rejects malformed input.
  std::string encode() const;
  [[nodiscard]] static Result<UserContext> decode(std::string_view bytes);

 private:
  void add_evidence(Surface surface, TimeMs t,
                    const std::vector<const std::vector<DocTopic>*>& docs, double weight,
                    bool is_click, const Taxonomy& taxonomy, const ContextConfig& config);
  void mark_seen(const std::vector<std::string>& doc_ids, const ContextConfig& config);
  void remember_clicks(const std::vector<std::string>& doc_ids, TimeMs t,
                       const ContextConfig& config);
  void apply_unique(const Event& event, const std::vector<const std::vector<DocTopic>*>& doc_topics,
                    const Taxonomy& taxonomy, const ContextConfig& config);

  std::array<SurfaceState, kNumSurfaces> surfaces_;
  std::vector<RecentSearch> recent_searches_;
  std::vector<RecentClick> recent_clicks_;
  InterestKeywords keywords_;
  InterestProfiles profiles_;
  SeenSet seen_;
  TimeMs last_event_ms_ = 0;
};

// ---- Reading preferences --------------------------------------------------------------

struct TopicScore {
  TopicId topic = kNoTopic;
  double score = 0;   // 0..1
  double clicks = 0;  // decayed to `now` (integrated: weighted over surfaces)
  double impressions = 0;
};

enum class UserClass : uint8_t { kCold = 0, kLight, kMedium, kHeavy };
const char* user_class_name(UserClass c);

struct ContextView {
  TimeMs now_ms = 0;
  UserClass user_class = UserClass::kCold;
  double feed_activity = 0;  // decayed feed clicks at now
  // Weights actually used for the integrated preference (renormalised over surfaces with
  // evidence; all zero for a cold user).
  std::array<double, kNumSurfaces> surface_weights{};
  // Topics with evidence, highest score first.
  std::array<std::vector<TopicScore>, kNumSurfaces> per_surface;
  std::vector<TopicScore> integrated;
  std::vector<RecentSearch> recent_searches;
  // Interest keywords at now, highest weight first (keyword_scores).
  std::vector<KeywordScore> keywords;
  // Embedding interest profiles at now, heaviest first (profile_scores).
  std::vector<ProfileScore> profiles;
};

// Preference of one topic on one surface at `now` (formula in ContextConfig).
double topic_preference(const SurfaceState& surface, const TopicEvidence& evidence, TimeMs now,
                        const ContextConfig& config);

ContextView compute_view(const UserContext& context, TimeMs now, const ContextConfig& config);

}  // namespace feedscout
