// Interest keywords, the fourth context (context/interest_keywords.h): lasting interests vs
// one-off errands, faster decay of errands, the per-user cap, order independence, the view,
// and the binary codec (version 4, and version 3 records still decoding).
#include "feedscout/context/interest_keywords.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "feedscout/context/user_context.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using intent::Keyword;
using intent::KeywordKind;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z
constexpr TimeMs kHour = kMsPerHour;

KeywordContextConfig config() {
  return KeywordContextConfig{};  // 64 per user, lasting ≥ 2 days or surfaces, 30 d / 2 d
}

const KeywordScore* find(const std::vector<KeywordScore>& v, std::string_view text) {
  for (const KeywordScore& k : v) {
    if (k.text == text) return &k;
  }
  return nullptr;
}

struct Applied {
  std::vector<Keyword> keywords;
  Surface surface;
  TimeMs t;
};

InterestKeywords apply_all(const std::vector<Applied>& events,
                           const KeywordContextConfig& c = config()) {
  InterestKeywords k;
  for (const Applied& a : events) k.add(a.keywords, a.surface, a.t, c);
  return k;
}

TEST(InterestKeywordsTest, SameKeywordOnTwoDaysBecomesLasting) {
  const auto k = apply_all(
      {{{{"볼리비아", KeywordKind::kKeyword, 1.0}}, Surface::kSearch, kNow - 3 * kMsPerDay},
       {{{"볼리비아", KeywordKind::kKeyword, 0.5}}, Surface::kSearch, kNow}});
  ASSERT_EQ(k.entries().size(), 1u);
  const InterestKeyword& e = k.entries()[0];
  EXPECT_EQ(e.days(), 2u);
  EXPECT_EQ(e.surface_count(), 1u);
  EXPECT_TRUE(e.lasting(config()));
  // Lasting: the whole history at the 30-day half-life.
  const double expected = 0.5 + 1.0 * std::exp2(-3.0 / 30.0);
  EXPECT_NEAR(e.weight_at(kNow, config()), expected, 1e-9);
  EXPECT_EQ(e.first_ms, kNow - 3 * kMsPerDay);
  EXPECT_EQ(e.last_ms, kNow);
}

TEST(InterestKeywordsTest, OneBurstOnOneDayStaysAnErrandAndDecaysFaster) {
  // "볼리비아 비자": three searches within an hour on one day, on one surface.
  std::vector<Applied> burst;
  for (int i = 0; i < 3; ++i) {
    burst.push_back(
        {{{"비자", KeywordKind::kKeyword, 1.0}}, Surface::kSearch, kNow + i * kHour / 4});
  }
  // "축구": once a day on two days.
  burst.push_back({{{"축구", KeywordKind::kKeyword, 1.0}}, Surface::kFeed, kNow - kMsPerDay});
  burst.push_back({{{"축구", KeywordKind::kKeyword, 1.0}}, Surface::kFeed, kNow});
  const auto k = apply_all(burst);
  const auto at_start = keyword_scores(k, kNow + kHour, config());
  ASSERT_NE(find(at_start, "비자"), nullptr);
  EXPECT_FALSE(find(at_start, "비자")->lasting);
  EXPECT_EQ(find(at_start, "비자")->days, 1u);
  EXPECT_TRUE(find(at_start, "축구")->lasting);
  // Right after the burst the errand leads (three searches) ...
  EXPECT_GT(find(at_start, "비자")->weight, find(at_start, "축구")->weight);
  // ... two weeks later it has faded far below the lasting interest (2-day vs 30-day
  // half-life: 3·2^(−7) ≈ 0.023 vs ≈ 1.4).
  const TimeMs later = kNow + 14 * kMsPerDay;
  const auto after = keyword_scores(k, later, config());
  ASSERT_NE(find(after, "축구"), nullptr);
  EXPECT_GT(find(after, "축구")->weight, 1.0);
  ASSERT_NE(find(after, "비자"), nullptr);
  EXPECT_LT(find(after, "비자")->weight, 0.05);
  EXPECT_EQ(after[0].text, "축구");
  // Another month on, the errand drops out of the view (min_view_weight 0.01).
  EXPECT_EQ(find(keyword_scores(k, later + 30 * kMsPerDay, config()), "비자"), nullptr);
}

TEST(InterestKeywordsTest, TwoSurfacesMakeLastingOnOneDay) {
  const auto k = apply_all({{{{"에스파", KeywordKind::kKeyword, 1.0}}, Surface::kSearch, kNow},
                            {{{"에스파", KeywordKind::kEntity, 0.4}}, Surface::kMain, kNow + 1}});
  ASSERT_EQ(k.entries().size(), 1u);
  EXPECT_EQ(k.entries()[0].days(), 1u);
  EXPECT_EQ(k.entries()[0].surface_count(), 2u);
  EXPECT_TRUE(k.entries()[0].lasting(config()));
  EXPECT_EQ(k.entries()[0].kind, KeywordKind::kEntity);  // entity wins
  // Thresholds are configurable: 3 surfaces needed → an errand.
  KeywordContextConfig strict = config();
  strict.lasting_min_surfaces = 3;
  EXPECT_FALSE(k.entries()[0].lasting(strict));
}

TEST(InterestKeywordsTest, CapDropsTheWeakest) {
  KeywordContextConfig c = config();
  c.max_per_user = 5;
  InterestKeywords k;
  for (int i = 0; i < 20; ++i) {
    // Later keywords are heavier; "k00" is repeated on a second day and so lasting.
    k.add({{"k" + std::string(i < 10 ? "0" : "") + std::to_string(i), KeywordKind::kKeyword,
            0.05 + 0.04 * i}},
          Surface::kSearch, kNow + i * kHour, c);
    k.add({{"k00", KeywordKind::kKeyword, 1.0}}, Surface::kFeed, kNow + i * kMsPerDay, c);
  }
  ASSERT_EQ(k.entries().size(), 5u);
  std::vector<std::string> texts;
  for (const auto& e : k.entries()) texts.push_back(e.text);
  EXPECT_TRUE(std::is_sorted(texts.begin(), texts.end()));
  EXPECT_EQ(texts[0], "k00");
  EXPECT_EQ(texts.back(), "k19");
}

TEST(InterestKeywordsTest, OutOfOrderEventsGiveTheSameKeywords) {
  std::mt19937 rng(7);
  const char* words[] = {"에스파", "일본", "앨범", "두바이 초콜릿", "비자"};
  std::vector<Applied> events;
  for (int i = 0; i < 60; ++i) {
    std::vector<Keyword> kw;
    for (int j = 0; j < 2; ++j) {
      const char* w = words[rng() % 5];
      if (std::any_of(kw.begin(), kw.end(), [&](const Keyword& k) { return k.text == w; })) {
        continue;
      }
      kw.push_back({w,
                    std::string(w).find(' ') != std::string::npos ? KeywordKind::kEntity
                                                                  : KeywordKind::kKeyword,
                    0.1 + 0.9 * (rng() % 100) / 100.0});
    }
    events.push_back({kw, static_cast<Surface>(rng() % kNumSurfaces),
                      kNow - static_cast<TimeMs>(rng() % (40 * kMsPerDay))});
  }
  const auto forward = apply_all(events);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(events.begin(), events.end(), rng);
    const auto shuffled = apply_all(events);
    ASSERT_EQ(shuffled.entries().size(), forward.entries().size());
    for (size_t i = 0; i < forward.entries().size(); ++i) {
      const InterestKeyword& a = forward.entries()[i];
      const InterestKeyword& b = shuffled.entries()[i];
      EXPECT_EQ(a.text, b.text);
      EXPECT_EQ(a.kind, b.kind);
      EXPECT_EQ(a.surfaces, b.surfaces);
      EXPECT_EQ(a.days(), b.days()) << a.text;
      EXPECT_EQ(a.day_mask, b.day_mask) << a.text;
      EXPECT_EQ(a.first_ms, b.first_ms);
      EXPECT_EQ(a.last_ms, b.last_ms);
      EXPECT_NEAR(a.lasting_sum, b.lasting_sum, 1e-9 * a.lasting_sum);
      EXPECT_NEAR(a.errand_sum, b.errand_sum, 1e-9 * a.errand_sum);
    }
  }
}

TEST(InterestKeywordsTest, DaysCountedAcrossTheWindow) {
  InterestKeywords k;
  for (int d : {0, 1, 5, 70, 71}) {
    k.add({{"x", KeywordKind::kKeyword, 1.0}}, Surface::kFeed, kNow + d * kMsPerDay, config());
  }
  ASSERT_EQ(k.entries().size(), 1u);
  EXPECT_EQ(k.entries()[0].days(), 5u);
  EXPECT_EQ(k.entries()[0].older_days, 3u);
  EXPECT_EQ(utc_day(0), 0);
  EXPECT_EQ(utc_day(-1), -1);
  EXPECT_EQ(utc_day(kMsPerDay), 1);
}

TEST(InterestKeywordsTest, ViewShowsKeywordsThroughComputeView) {
  UserContext c;
  ContextConfig cc;
  c.add_keywords({{"에스파", KeywordKind::kKeyword, 1.0}, {"일본", KeywordKind::kKeyword, 0.6}},
                 Surface::kSearch, kNow, cc);
  const ContextView v = compute_view(c, kNow, cc);
  ASSERT_EQ(v.keywords.size(), 2u);
  EXPECT_EQ(v.keywords[0].text, "에스파");
  EXPECT_DOUBLE_EQ(v.keywords[0].weight, 1.0);
  EXPECT_FALSE(v.keywords[0].lasting);
  EXPECT_EQ(v.keywords[0].days, 1u);
  EXPECT_EQ(v.keywords[0].surfaces, 1u << static_cast<int>(Surface::kSearch));
  EXPECT_EQ(v.keywords[1].text, "일본");
}

// ---- codec ------------------------------------------------------------------------------

UserContext context_with_keywords() {
  UserContext c;
  ContextConfig cc;
  Event e = testing_support::search(kNow, "에스파", {"d1"});
  c.apply(e, {nullptr}, testing_support::taxonomy(), cc);
  c.add_keywords(
      {{"에스파", KeywordKind::kKeyword, 1.0}, {"에스파 일본", KeywordKind::kEntity, 0.8}},
      Surface::kSearch, kNow, cc);
  c.add_keywords({{"에스파", KeywordKind::kKeyword, 0.7}}, Surface::kFeed, kNow - 2 * kMsPerDay,
                 cc);
  return c;
}

TEST(InterestKeywordsCodecTest, KeywordsRoundTrip) {
  const UserContext c = context_with_keywords();
  const std::string bytes = c.encode();
  ASSERT_EQ(bytes[0], 5);
  auto d = UserContext::decode(bytes);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->keywords().entries().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const InterestKeyword& a = c.keywords().entries()[i];
    const InterestKeyword& b = d->keywords().entries()[i];
    EXPECT_EQ(a.text, b.text);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.surfaces, b.surfaces);
    EXPECT_EQ(a.older_days, b.older_days);
    EXPECT_EQ(a.day_mask, b.day_mask);
    EXPECT_EQ(a.first_ms, b.first_ms);
    EXPECT_EQ(a.last_ms, b.last_ms);
    EXPECT_EQ(a.lasting_sum, b.lasting_sum);
    EXPECT_EQ(a.errand_sum, b.errand_sum);
  }
  EXPECT_EQ(d->encode(), bytes);
  // Every truncation is rejected.
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(UserContext::decode(std::string_view(bytes.data(), n)).is_ok()) << n;
  }
}

TEST(InterestKeywordsCodecTest, BadKeywordFieldsAreRejected) {
  const std::string bytes = context_with_keywords().encode();
  // The first keyword is "에스파" (sorted by text; the recent search "에스파" comes earlier).
  const std::string text = "에스파";
  const size_t at = bytes.rfind(std::string("\x09\0\0\0", 4) + text);
  ASSERT_NE(at, std::string::npos);
  const size_t kind_at = at + 4 + text.size();
  std::string bad_kind = bytes;
  bad_kind[kind_at] = 7;
  EXPECT_FALSE(UserContext::decode(bad_kind).is_ok());
  std::string bad_surfaces = bytes;
  bad_surfaces[kind_at + 1] = static_cast<char>(0xF0);
  EXPECT_FALSE(UserContext::decode(bad_surfaces).is_ok());
}

TEST(InterestKeywordsCodecTest, Version3RecordsWithoutKeywordsStillDecode) {
  // A version-3 record is a version-5 record without the trailing keyword section and the
  // three profile counts of version 5.
  UserContext c;
  ContextConfig cc;
  c.apply(testing_support::search(kNow, "q", {"d"}), {nullptr}, testing_support::taxonomy(), cc);
  std::string v3 = c.encode();
  ASSERT_EQ(v3.substr(v3.size() - 16), std::string(16, '\0'));  // zero keywords, no profiles
  v3.resize(v3.size() - 16);
  v3[0] = 3;
  auto d = UserContext::decode(v3);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_TRUE(d->keywords().empty());
  ASSERT_EQ(d->recent_searches().size(), 1u);
  EXPECT_EQ(d->recent_searches()[0].query, "q");
  EXPECT_TRUE(d->has_seen(doc_key("d")));
  // Re-encoded, it is a version-5 record.
  EXPECT_EQ(d->encode()[0], 5);
  // Version 3 with keyword bytes appended has trailing bytes.
  const std::string v4 = context_with_keywords().encode();
  std::string fake = v4;
  fake[0] = 3;
  EXPECT_FALSE(UserContext::decode(fake).is_ok());
}

}  // namespace
}  // namespace feedscout
