#include "feedscout/context/interest_profiles.h"

#include <algorithm>
#include <cmath>

namespace feedscout {
namespace {

// x normalised into `out`; false when x is zero or not finite.
bool unit(std::span<const float> x, std::vector<float>& out) {
  double sum = 0;
  for (float v : x) {
    if (!std::isfinite(v)) return false;
    sum += static_cast<double>(v) * v;
  }
  if (sum <= 0) return false;
  const double inv = 1.0 / std::sqrt(sum);
  out.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = static_cast<float>(x[i] * inv);
  return true;
}

std::vector<int8_t> quantise(const std::vector<float>& v) {
  std::vector<int8_t> q(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    q[i] = static_cast<int8_t>(std::lround(std::clamp(v[i], -1.0f, 1.0f) * 127.0f));
  }
  return q;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// The profile most similar to x (unit), or npos when there are none.
size_t nearest(const std::vector<InterestProfile>& profiles, const std::vector<float>& x,
               double* similarity) {
  size_t best = SIZE_MAX;
  double best_sim = -2;
  for (size_t i = 0; i < profiles.size(); ++i) {
    const double s = dot(profiles[i].vector(), x);
    if (s > best_sim) {
      best_sim = s;
      best = i;
    }
  }
  *similarity = best_sim;
  return best;
}

}  // namespace

std::vector<float> InterestProfile::vector() const {
  std::vector<float> v(q.size());
  double sum = 0;
  for (size_t i = 0; i < q.size(); ++i) {
    v[i] = static_cast<float>(q[i]) / 127.0f;
    sum += static_cast<double>(v[i]) * v[i];
  }
  if (sum > 0) {
    const double inv = 1.0 / std::sqrt(sum);
    for (float& x : v) x = static_cast<float>(x * inv);
  }
  return v;
}

double InterestProfile::weight_at(TimeMs now, const ProfileContextConfig& config) const {
  if (now <= ref_ms || config.half_life_s <= 0) return weight;
  const double age_s = static_cast<double>(now - ref_ms) / 1000.0;
  return weight * std::exp2(-age_s / config.half_life_s);
}

void InterestProfiles::on_click(uint64_t key, std::span<const float> raw, TimeMs t,
                                const ProfileContextConfig& config) {
  clear_pending(key);
  if (config.max_profiles == 0) return;
  std::vector<float> x;
  if (!unit(raw, x)) return;
  if (!profiles_.empty() && profiles_.front().q.size() != x.size()) profiles_.clear();
  double sim = 0;
  const size_t near = nearest(profiles_, x, &sim);
  if (near != SIZE_MAX && sim >= config.merge_similarity) {
    InterestProfile& p = profiles_[near];
    std::vector<float> v = p.vector();
    const double r = std::clamp(config.click_rate, 0.0, 1.0);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>((1 - r) * v[i] + r * x[i]);
    std::vector<float> moved;
    if (unit(v, moved)) p.q = quantise(moved);  // x = −p with r = ½ leaves p where it was
    if (t >= p.ref_ms) {
      p.weight = p.weight_at(t, config) + 1.0;
      p.ref_ms = t;
      p.anchor_key = key;
    } else {  // a late click adds its decayed share at the anchor
      p.weight += std::exp2(-static_cast<double>(p.ref_ms - t) / 1000.0 /
                            std::max(1e-9, config.half_life_s));
    }
    ++p.clicks;
    return;
  }
  InterestProfile fresh;
  fresh.q = quantise(x);
  fresh.weight = 1.0;
  fresh.ref_ms = t;
  fresh.anchor_key = key;
  fresh.clicks = 1;
  if (profiles_.size() < config.max_profiles) {
    profiles_.push_back(std::move(fresh));
    return;
  }
  size_t weakest = 0;
  for (size_t i = 1; i < profiles_.size(); ++i) {
    const double wi = profiles_[i].weight_at(t, config);
    const double ww = profiles_[weakest].weight_at(t, config);
    if (wi < ww || (wi == ww && profiles_[i].ref_ms < profiles_[weakest].ref_ms)) weakest = i;
  }
  profiles_[weakest] = std::move(fresh);
}

void InterestProfiles::on_skip(std::span<const float> raw, const ProfileContextConfig& config) {
  std::vector<float> x;
  if (profiles_.empty() || !unit(raw, x) || profiles_.front().q.size() != x.size()) return;
  double sim = 0;
  const size_t near = nearest(profiles_, x, &sim);
  if (near == SIZE_MAX || sim < config.skip_min_similarity) return;
  InterestProfile& p = profiles_[near];
  std::vector<float> v = p.vector();
  const double r = std::clamp(config.skip_rate, 0.0, 1.0);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(v[i] - r * x[i]);
  std::vector<float> moved;
  if (unit(v, moved)) p.q = quantise(moved);
  ++p.skips;
}

void InterestProfiles::add_pending(uint64_t key, TimeMs t, const ProfileContextConfig& config) {
  if (config.max_profiles == 0 || config.max_pending == 0) return;
  auto same = std::find_if(pending_.begin(), pending_.end(),
                           [&](const PendingImpression& p) { return p.key == key; });
  if (same != pending_.end()) {
    if (same->time_ms >= t) return;
    pending_.erase(same);
  }
  const PendingImpression entry{key, t};
  auto pos = std::upper_bound(
      pending_.begin(), pending_.end(), entry,
      [](const PendingImpression& a, const PendingImpression& b) { return a.time_ms < b.time_ms; });
  pending_.insert(pos, entry);
  if (pending_.size() > config.max_pending) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(
                                                            pending_.size() - config.max_pending));
  }
}

void InterestProfiles::clear_pending(uint64_t key) {
  std::erase_if(pending_, [&](const PendingImpression& p) { return p.key == key; });
}

std::vector<PendingImpression> InterestProfiles::take_skips(TimeMs t,
                                                            const ProfileContextConfig& config) {
  std::vector<PendingImpression> out;
  size_t n = 0;
  while (n < pending_.size() && pending_[n].time_ms <= t - config.skip_after_ms) ++n;
  out.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  return out;
}

bool InterestProfiles::assign(std::vector<InterestProfile> profiles,
                              std::vector<PendingImpression> pending) {
  for (const InterestProfile& p : profiles) {
    if (p.q.empty() || p.q.size() != profiles.front().q.size()) return false;
  }
  for (size_t i = 1; i < pending.size(); ++i) {
    if (pending[i].time_ms < pending[i - 1].time_ms) return false;
  }
  profiles_ = std::move(profiles);
  pending_ = std::move(pending);
  return true;
}

std::vector<ProfileScore> profile_scores(const InterestProfiles& profiles, TimeMs now,
                                         const ProfileContextConfig& config) {
  std::vector<ProfileScore> out;
  for (const InterestProfile& p : profiles.profiles()) {
    const double w = p.weight_at(now, config);
    if (w < config.min_view_weight) continue;
    out.push_back({p.vector(), w, p.anchor_key, p.clicks, p.skips});
  }
  std::stable_sort(out.begin(), out.end(), [](const ProfileScore& a, const ProfileScore& b) {
    return a.weight > b.weight;
  });
  return out;
}

}  // namespace feedscout
