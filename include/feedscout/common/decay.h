// Exponential time decay that does not depend on the order in which events arrive.
//
// A decayed sum S(t) = Σ w_i · 2^(-(t - t_i) / h) is kept as a value anchored at a
// reference time T (the newest event time seen). Adding an older event scales its weight
// down to T; adding a newer one first moves the anchor forward. Either way the result is
// the same sum, so out-of-order delivery and replays give identical state.
#pragma once

#include <cmath>

#include "feedscout/common/time.h"

namespace feedscout {

// 2^(-dt / half_life) for dt >= 0; 1 for dt <= 0 (never amplifies).
inline double decay_factor(TimeMs dt_ms, double half_life_s) {
  if (dt_ms <= 0 || half_life_s <= 0) return 1.0;
  return std::exp2(-(static_cast<double>(dt_ms) / 1000.0) / half_life_s);
}

// One order-independent decayed sum: value is anchored at ref_ms (0 = empty).
struct DecayedCount {
  double value = 0;
  TimeMs ref_ms = 0;

  void add(double weight, TimeMs t, double half_life_s) {
    if (ref_ms == 0) {
      value = weight;
      ref_ms = t;
    } else if (t >= ref_ms) {
      value = value * decay_factor(t - ref_ms, half_life_s) + weight;
      ref_ms = t;
    } else {
      value += weight * decay_factor(ref_ms - t, half_life_s);
    }
  }
  double at(TimeMs now, double half_life_s) const {
    return ref_ms == 0 ? 0.0 : value * decay_factor(now - ref_ms, half_life_s);
  }
};

}  // namespace feedscout
