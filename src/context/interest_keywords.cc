#include "feedscout/context/interest_keywords.h"

#include <algorithm>
#include <bit>

#include "feedscout/common/decay.h"

namespace feedscout {
namespace {

constexpr int kDayWindow = 64;  // bits of InterestKeyword::day_mask

bool by_text(const InterestKeyword& a, std::string_view b) {
  return a.text < b;
}

}  // namespace

int64_t utc_day(TimeMs t) {
  return t >= 0 ? t / kMsPerDay : -((-t + kMsPerDay - 1) / kMsPerDay);
}

uint32_t InterestKeyword::days() const {
  const uint32_t counted = static_cast<uint32_t>(std::popcount(day_mask)) + older_days;
  // Two distinct days also follow from the first and last times, whatever the arrival order.
  const uint32_t spanned = utc_day(first_ms) != utc_day(last_ms) ? 2u : 1u;
  return std::max(counted, spanned);
}

uint32_t InterestKeyword::surface_count() const {
  return static_cast<uint32_t>(std::popcount(static_cast<unsigned>(surfaces)));
}

bool InterestKeyword::lasting(const KeywordContextConfig& config) const {
  return days() >= config.lasting_min_days || surface_count() >= config.lasting_min_surfaces;
}

double InterestKeyword::weight_at(TimeMs now, const KeywordContextConfig& config) const {
  return lasting(config) ? lasting_sum * decay_factor(now - last_ms, config.lasting_half_life_s)
                         : errand_sum * decay_factor(now - last_ms, config.errand_half_life_s);
}

void InterestKeywords::add(const std::vector<intent::Keyword>& keywords, Surface surface, TimeMs t,
                           const KeywordContextConfig& config) {
  if (keywords.empty()) return;
  const uint8_t surface_bit = static_cast<uint8_t>(1u << static_cast<unsigned>(surface));
  const int64_t day = utc_day(t);
  for (const intent::Keyword& k : keywords) {
    if (k.text.empty() || !(k.weight > 0)) continue;
    const double w = std::min(1.0, k.weight);
    auto it = std::lower_bound(entries_.begin(), entries_.end(), std::string_view(k.text), by_text);
    if (it == entries_.end() || it->text != k.text) {
      InterestKeyword e;
      e.text = k.text;
      e.kind = k.kind;
      e.surfaces = surface_bit;
      e.day_mask = 1;
      e.first_ms = e.last_ms = t;
      e.lasting_sum = e.errand_sum = w;
      entries_.insert(it, std::move(e));
      continue;
    }
    InterestKeyword& e = *it;
    if (k.kind == intent::KeywordKind::kEntity) e.kind = intent::KeywordKind::kEntity;
    e.surfaces |= surface_bit;
    e.first_ms = std::min(e.first_ms, t);
    const int64_t last_day = utc_day(e.last_ms);
    if (t > e.last_ms) {
      e.lasting_sum = e.lasting_sum * decay_factor(t - e.last_ms, config.lasting_half_life_s) + w;
      e.errand_sum = e.errand_sum * decay_factor(t - e.last_ms, config.errand_half_life_s) + w;
      if (day > last_day) {
        const int64_t shift = day - last_day;
        const uint64_t gone = shift >= kDayWindow ? e.day_mask : e.day_mask >> (kDayWindow - shift);
        e.older_days = static_cast<uint16_t>(
            std::min<uint32_t>(UINT16_MAX, e.older_days + std::popcount(gone)));
        e.day_mask = shift >= kDayWindow ? 0 : e.day_mask << shift;
      }
      e.day_mask |= 1;
      e.last_ms = t;
    } else {
      e.lasting_sum += w * decay_factor(e.last_ms - t, config.lasting_half_life_s);
      e.errand_sum += w * decay_factor(e.last_ms - t, config.errand_half_life_s);
      const int64_t offset = last_day - day;
      if (offset < kDayWindow) e.day_mask |= uint64_t{1} << offset;
    }
  }

  if (entries_.size() > config.max_per_user) {
    TimeMs newest = 0;
    for (const InterestKeyword& e : entries_) newest = std::max(newest, e.last_ms);
    std::vector<std::pair<double, size_t>> order;
    order.reserve(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      order.emplace_back(entries_[i].weight_at(newest, config), i);
    }
    // Strongest first; equal weights keep the smaller text (entries are sorted by text).
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<bool> keep(entries_.size(), false);
    for (size_t i = 0; i < config.max_per_user; ++i) keep[order[i].second] = true;
    std::vector<InterestKeyword> kept;
    kept.reserve(config.max_per_user);
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (keep[i]) kept.push_back(std::move(entries_[i]));
    }
    entries_ = std::move(kept);
  }
}

bool InterestKeywords::assign(std::vector<InterestKeyword> entries) {
  for (size_t i = 1; i < entries.size(); ++i) {
    if (!(entries[i - 1].text < entries[i].text)) return false;
  }
  entries_ = std::move(entries);
  return true;
}

std::vector<KeywordScore> keyword_scores(const InterestKeywords& keywords, TimeMs now,
                                         const KeywordContextConfig& config) {
  std::vector<KeywordScore> out;
  for (const InterestKeyword& e : keywords.entries()) {
    const double w = e.weight_at(now, config);
    if (w < config.min_view_weight) continue;
    out.push_back(
        {e.text, e.kind, w, e.lasting(config), e.days(), e.surfaces, e.first_ms, e.last_ms});
  }
  std::sort(out.begin(), out.end(), [](const KeywordScore& a, const KeywordScore& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.text < b.text;
  });
  return out;
}

}  // namespace feedscout
