// Parameters of the user-context formulas (docs/CONTEXTS.md derives and explains them).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "feedscout/context/interest_profiles.h"
#include "feedscout/ingest/records.h"

namespace feedscout {

// Interest keywords, the fourth context (interest_keywords.h; docs/CONTEXTS.md "Interest
// keywords"). Config section [keywords].
struct KeywordContextConfig {
  size_t max_per_user = 64;  // keywords kept per user; the lowest weight is dropped beyond
  // A keyword is lasting once seen on at least lasting_min_days distinct UTC days or on at
  // least lasting_min_surfaces surfaces; otherwise it is an errand (one-off).
  uint32_t lasting_min_days = 2;
  uint32_t lasting_min_surfaces = 2;
  double lasting_half_life_s = 30 * 24 * 3600.0;  // lasting interests halve every 30 days
  double errand_half_life_s = 2 * 24 * 3600.0;    // errands every 2 days
  double min_view_weight = 0.01;  // the context view leaves out keywords below this weight
};

struct ContextConfig {
  // Evidence halves every half_life_s seconds (default 7 days).
  double half_life_s = 7 * 24 * 3600.0;
  // Smoothing: a topic's preference is (C + α·π) / (max(I, C) + α), with C and I the
  // decayed clicks and impressions, π = prior and α = prior_strength (in impressions).
  double prior = 0.05;
  double prior_strength = 10.0;
  // Clicks with a reported dwell below short_dwell_s count click_short_weight.
  double short_dwell_s = 3.0;
  double short_click_weight = 0.5;
  // Feed activity (decayed feed clicks) at or below which a user is light, at or above
  // which heavy; in between the surface weights are interpolated linearly.
  double light_max_feed_clicks = 5.0;
  double heavy_min_feed_clicks = 30.0;
  // Surface weights (search, feed, main) of the integrated preference.
  std::array<double, kNumSurfaces> light_weights{0.45, 0.15, 0.40};
  std::array<double, kNumSurfaces> heavy_weights{0.20, 0.70, 0.10};
  // Bounds of per-user memory.
  size_t max_recent_searches = 20;
  size_t max_recent_clicks = 20;  // co-click anchors kept per user
  size_t max_seen_docs = 2000;
  size_t max_topics_per_surface = 256;  // the weakest topics are dropped beyond this
  KeywordContextConfig keywords;
  ProfileContextConfig profiles;  // the fifth context (interest_profiles.h)
};

}  // namespace feedscout
