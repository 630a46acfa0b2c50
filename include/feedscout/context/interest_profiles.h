// The fifth user context (issue 6): embedding interest profiles — a few unit vectors per user
// in the document-embedding space (models/embedder.h) that move toward the documents the user
// clicks and away from the ones the user skips (shown, not clicked within the session).
//
// Click on a document with vector x (unit length) at time t:
//   - the profile p most similar to x, if cos(p, x) >= merge_similarity, moves toward it:
//       p ← normalise((1 − click_rate) · p + click_rate · x), its weight gains 1;
//   - otherwise x starts a new profile of weight 1 — when max_profiles are already held, it
//     replaces the one with the lowest weight at t (ties: the older one).
// Skip of a document with vector x: the most similar profile, if cos(p, x) >=
//   skip_min_similarity, moves away: p ← normalise(p − skip_rate · x); its weight is kept.
// Weights are decayed sums of clicks (decay.h style: anchored at the newest click, halving
// every half_life_s); a profile's weight is read at `now` by weight_at().
//
// Skips are found from impressions: every impressed document waits in a bounded pending list
// (the oldest is dropped beyond max_pending); a click on it removes it; take_skips(t) hands
// back the ones shown at or before t − skip_after_ms, which the engine then applies as skips.
//
// Vectors are stored quantised to int8 (component × 127, rounded), 1 byte per dimension;
// cosine error from quantisation is below 0.01 at d = 64. All profiles of a user share one
// dimension; a vector of another dimension (the embedder changed) clears them first.
//
// Unlike the other contexts this one depends on event order (a profile's position is the
// path of its moves); the engine applies events in log order, so a replay after a restart
// rebuilds the same profiles. A plain value: not thread-safe (the engine serialises writers).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "feedscout/common/time.h"

namespace feedscout {

// Config section [profiles] (docs/CONTEXTS.md "Embedding interest profiles").
struct ProfileContextConfig {
  size_t max_profiles = 3;           // profiles kept per user (0 turns the context off)
  double merge_similarity = 0.5;     // a click this close to a profile moves it, else starts one
  double click_rate = 0.25;          // 0..1, step toward a clicked document
  double skip_rate = 0.1;            // 0..1, step away from a skipped document
  double skip_min_similarity = 0.3;  // a skip moves only a profile at least this close
  double half_life_s = 14 * 24 * 3600.0;  // profile weights halve every 14 days
  TimeMs skip_after_ms = 30 * 60 * 1000;  // shown and not clicked for this long: a skip
  size_t max_pending = 20;                // impressions awaiting a click or a skip
  double min_view_weight = 0.05;          // the context view leaves out weaker profiles
};

struct InterestProfile {
  std::vector<int8_t> q;    // the direction, component × 127 (not exactly unit length)
  double weight = 0;        // decayed clicks at ref_ms
  TimeMs ref_ms = 0;        // anchor of weight: the newest click
  uint64_t anchor_key = 0;  // doc_key of the newest clicked document that moved it
  uint32_t clicks = 0;      // clicks and skips that moved it, not decayed
  uint32_t skips = 0;

  // The direction as a unit vector of q.size() floats.
  std::vector<float> vector() const;
  // Weight at `now` (never amplified when now is before ref_ms).
  double weight_at(TimeMs now, const ProfileContextConfig& config) const;
};

struct PendingImpression {
  uint64_t key = 0;  // doc_key of the impressed document
  TimeMs time_ms = 0;
};

class InterestProfiles {
 public:
  // `x` is the clicked document's embedding (any non-zero length, normalised here); a zero or
  // non-finite x changes nothing. Also removes `key` from the pending impressions.
  void on_click(uint64_t key, std::span<const float> x, TimeMs t,
                const ProfileContextConfig& config);
  void on_skip(std::span<const float> x, const ProfileContextConfig& config);

  // Remembers that `key` was shown at `t` (a document shown again keeps its newest time).
  void add_pending(uint64_t key, TimeMs t, const ProfileContextConfig& config);
  // A click on `key` (with or without an embedding): it is no longer awaiting a skip.
  void clear_pending(uint64_t key);
  // Removes and returns, oldest first, the pending impressions shown at or before
  // t − config.skip_after_ms.
  std::vector<PendingImpression> take_skips(TimeMs t, const ProfileContextConfig& config);

  const std::vector<InterestProfile>& profiles() const { return profiles_; }
  const std::vector<PendingImpression>& pending() const { return pending_; }  // oldest first
  size_t dimension() const { return profiles_.empty() ? 0 : profiles_.front().q.size(); }
  bool empty() const { return profiles_.empty() && pending_.empty(); }

  // For the codec: replaces the state; false (nothing changed) when profiles differ in
  // dimension, one is empty, or pending is not ordered by time.
  bool assign(std::vector<InterestProfile> profiles, std::vector<PendingImpression> pending);

 private:
  std::vector<InterestProfile> profiles_;
  std::vector<PendingImpression> pending_;
};

// A profile as the context view shows it.
struct ProfileScore {
  std::vector<float> vector;  // unit length
  double weight = 0;          // decayed to `now`
  uint64_t anchor_key = 0;
  uint32_t clicks = 0, skips = 0;
};

// Profiles with weight at `now` >= config.min_view_weight, heaviest first.
std::vector<ProfileScore> profile_scores(const InterestProfiles& profiles, TimeMs now,
                                         const ProfileContextConfig& config);

}  // namespace feedscout
