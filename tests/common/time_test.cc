#include "feedscout/common/time.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace feedscout {
namespace {

TimeMs parse_ok(const std::string& s) {
  auto r = parse_rfc3339(s);
  EXPECT_TRUE(r.is_ok()) << s << ": " << r.status().to_string();
  return r.is_ok() ? *r : 0;
}

// 2026-11-23 is day 20780 after 1970-01-01 (56 years: 14 leap days 1972..2024, so
// 56·365 + 14 = 20454 days to 2026-01-01, plus 326 days to 23 November).
// 20780·86400 s + 10 h = 1 795 392 000 + 36 000 = 1 795 428 000 s.
constexpr TimeMs k20261123T10 = 1795428000000;

TEST(TimeTest, ParsesUtc) {
  EXPECT_EQ(parse_ok("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_ok("2026-11-23T10:00:00Z"), k20261123T10);
  // 2000-02-29 (a leap day of a year divisible by 400): 11016 days → 951 782 400 s.
  EXPECT_EQ(parse_ok("2000-02-29T00:00:00Z"), 951782400000);
  EXPECT_EQ(parse_ok("1969-12-31T23:59:59Z"), -1000);
}

TEST(TimeTest, ParsesZonesAndSeparators) {
  // +09:00 is nine hours ahead of UTC: 19:00+09:00 == 10:00Z.
  EXPECT_EQ(parse_ok("2026-11-23T19:00:00+09:00"), k20261123T10);
  EXPECT_EQ(parse_ok("2026-11-23T04:30:00-05:30"), k20261123T10);
  EXPECT_EQ(parse_ok("2026-11-23T10:00:00+00:00"), k20261123T10);
  EXPECT_EQ(parse_ok("2026-11-23T10:00:00-00:00"), k20261123T10);
  EXPECT_EQ(parse_ok("2026-11-23t10:00:00z"), k20261123T10);
  EXPECT_EQ(parse_ok("2026-11-23 10:00:00Z"), k20261123T10);
  // A zone crossing midnight changes the date.
  EXPECT_EQ(parse_ok("2026-11-24T01:00:00+15:00"), k20261123T10);
}

TEST(TimeTest, ParsesFractions) {
  EXPECT_EQ(parse_ok("2026-11-23T19:00:00.250+09:00"), k20261123T10 + 250);
  EXPECT_EQ(parse_ok("2026-11-23T10:00:00.5Z"), k20261123T10 + 500);
  EXPECT_EQ(parse_ok("2026-11-23T10:00:00.05Z"), k20261123T10 + 50);
  EXPECT_EQ(parse_ok("2026-11-23T10:00:00.000Z"), k20261123T10);
  // Digits past milliseconds are truncated, not rounded.
  EXPECT_EQ(parse_ok("2026-11-23T10:00:00.123999999Z"), k20261123T10 + 123);
}

TEST(TimeTest, RejectsBadInputs) {
  const char* bad[] = {
      "",
      "2026-11-23",                 // no time
      "2026-11-23T10:00:00",        // no zone
      "2026-11-23T10:00Z",          // no seconds
      "2026/11/23T10:00:00Z",       // wrong date separator
      "26-11-23T10:00:00Z",         // two-digit year
      "2026-11-23X10:00:00Z",       // wrong T
      "2026-00-23T10:00:00Z",       // month 0
      "2026-13-23T10:00:00Z",       // month 13
      "2026-11-00T10:00:00Z",       // day 0
      "2026-11-32T10:00:00Z",       // day 32
      "2026-11-23T24:00:00Z",       // hour 24
      "2026-11-23T10:60:00Z",       // minute 60
      "2026-11-23T10:00:61Z",       // second 61
      "2026-11-23T10:00:00.Z",      // empty fraction
      "2026-11-23T10:00:00+0900",   // offset without colon
      "2026-11-23T10:00:00+9:00",   // one-digit offset hour
      "2026-11-23T10:00:00+24:00",  // offset hour 24
      "2026-11-23T10:00:00+09:60",  // offset minute 60
      "2026-11-23T10:00:00Z ",      // trailing space
      "2026-11-23T10:00:00ZZ",      // trailing characters
      " 2026-11-23T10:00:00Z",      // leading space
      "2026-11-23T1a:00:00Z",       // letter in hour
      "１９７０-01-01T00:00:00Z",   // fullwidth digits
  };
  for (const char* s : bad) {
    auto r = parse_rfc3339(s);
    EXPECT_FALSE(r.is_ok()) << "accepted '" << s << "' as " << (r.is_ok() ? *r : 0);
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
      EXPECT_NE(r.status().message().find("RFC 3339"), std::string::npos);
    }
  }
}

// RFC 3339 §5.7: the day must exist in its month ("2026-02-30" is not a date). The parser
// checks only 1..31, so such dates silently roll over into the next month.
TEST(TimeTest, RejectsDaysThatDoNotExistInTheMonth) {
  const char* bad[] = {"2026-02-29T00:00:00Z",  // 2026 is not a leap year
                       "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "1900-02-29T00:00:00Z"};
  for (const char* s : bad) {
    auto r = parse_rfc3339(s);
    EXPECT_FALSE(r.is_ok()) << "accepted '" << s << "' as "
                            << (r.is_ok() ? format_rfc3339(*r) : "");
  }
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z").is_ok());  // a real leap day
}

TEST(TimeTest, Formats) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(k20261123T10), "2026-11-23T10:00:00Z");
  EXPECT_EQ(format_rfc3339(k20261123T10 + 250), "2026-11-23T10:00:00.250Z");
  EXPECT_EQ(format_rfc3339(k20261123T10 + 7), "2026-11-23T10:00:00.007Z");
  // Before the epoch: -1 ms is 999 ms into the last second of 1969.
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(-86400000), "1969-12-31T00:00:00Z");
  EXPECT_EQ(format_rfc3339(951782400000), "2000-02-29T00:00:00Z");
}

TEST(TimeTest, FormatParseRoundTrip) {
  std::mt19937_64 rng(20261123);
  // 1900-01-01 .. 2100-01-01, millisecond resolution.
  std::uniform_int_distribution<TimeMs> dist(-2208988800000, 4102444800000);
  for (int i = 0; i < 5000; ++i) {
    const TimeMs t = dist(rng);
    const std::string s = format_rfc3339(t);
    auto back = parse_rfc3339(s);
    ASSERT_TRUE(back.is_ok()) << s;
    EXPECT_EQ(*back, t) << s;
  }
  // A zoned input formats back in UTC.
  EXPECT_EQ(format_rfc3339(parse_ok("2026-11-23T19:00:00.250+09:00")), "2026-11-23T10:00:00.250Z");
}

TEST(TimeTest, NowIsPlausible) {
  const TimeMs now = now_ms();
  EXPECT_GT(now, parse_ok("2024-01-01T00:00:00Z"));
  EXPECT_LT(now, parse_ok("2100-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace feedscout
