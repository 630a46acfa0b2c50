// The fourth user context (issue 5): interest keywords and entities with weights, telling
// lasting interests from one-off errands. Searching "볼리비아 비자" once is an errand; a
// keyword met on two different days, or on two surfaces, is a lasting interest.
//
// Every keyword keeps two order-independent decayed sums of its per-event weights (decay.h),
// one under the lasting half-life and one under the (shorter) errand half-life, anchored at
// its newest event time; the weight read at `now` is the sum that matches its class, so an
// errand fades fast and a keyword that turns lasting keeps its whole history at the slow rate.
// Days and surfaces are kept compactly: a bitmask of surfaces, and a 64-bit mask of the UTC
// days up to 63 days before the newest one (older distinct days are counted as they leave the
// window). Formulas and defaults: docs/CONTEXTS.md "Interest keywords".
//
// Order independence: applying the same events in any order gives the same keywords, weights
// (up to floating-point rounding), days and surfaces, as long as the per-user cap is not
// reached and no event arrives more than 63 days after a newer one for the same keyword (such
// a late day is not counted; "lasting by days" still holds because it also follows from the
// first and last times). A plain value: not thread-safe (the engine serialises writers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/context/context_config.h"
#include "feedscout/ingest/records.h"
#include "feedscout/intent/keyword_extractor.h"

namespace feedscout {

struct InterestKeyword {
  std::string text;  // normalised (intent::normalize_keyword)
  intent::KeywordKind kind = intent::KeywordKind::kKeyword;
  uint8_t surfaces = 0;     // bit s: seen on Surface s
  uint16_t older_days = 0;  // distinct days that left the day window (saturating)
  uint64_t day_mask = 0;    // bit i: seen on UTC day (utc_day(last_ms) - i)
  TimeMs first_ms = 0;      // oldest event time
  TimeMs last_ms = 0;       // newest event time, the anchor of both sums
  double lasting_sum = 0;   // Σ w·2^(−(last_ms − t)/lasting_half_life_s)
  double errand_sum = 0;    // Σ w·2^(−(last_ms − t)/errand_half_life_s)

  // Distinct UTC days with evidence (see the file comment for its limits); >= 1.
  uint32_t days() const;
  uint32_t surface_count() const;
  bool lasting(const KeywordContextConfig& config) const;
  // The decayed weight at `now` under the half-life of its class (never amplified when now
  // is before last_ms).
  double weight_at(TimeMs now, const KeywordContextConfig& config) const;
};

// UTC day number of a time (days since 1970-01-01, floor).
int64_t utc_day(TimeMs t);

class InterestKeywords {
 public:
  // Adds one event's keywords (from an extractor: normalised, distinct) seen on `surface` at
  // `t`. Beyond config.max_per_user the keywords with the lowest weight at the newest event
  // time of any keyword are dropped (ties: the larger text goes).
  void add(const std::vector<intent::Keyword>& keywords, Surface surface, TimeMs t,
           const KeywordContextConfig& config);

  // Sorted by text; at most max_per_user after add().
  const std::vector<InterestKeyword>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  // For the codec: entries as decoded (sorted by text, distinct), replacing the current ones.
  // Returns false (and changes nothing) when they are not sorted and distinct.
  bool assign(std::vector<InterestKeyword> entries);

 private:
  std::vector<InterestKeyword> entries_;
};

// A keyword as the context view shows it.
struct KeywordScore {
  std::string text;
  intent::KeywordKind kind = intent::KeywordKind::kKeyword;
  double weight = 0;  // decayed to `now`
  bool lasting = false;
  uint32_t days = 0;
  uint8_t surfaces = 0;  // bit s: Surface s
  TimeMs first_ms = 0;
  TimeMs last_ms = 0;
};

// Every keyword with its weight at `now`, highest first (ties by text); keywords whose weight
// fell below config.min_view_weight are left out.
std::vector<KeywordScore> keyword_scores(const InterestKeywords& keywords, TimeMs now,
                                         const KeywordContextConfig& config);

}  // namespace feedscout
