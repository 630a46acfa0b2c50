// Wall-clock time in feedscout: signed milliseconds since the Unix epoch (UTC).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "feedscout/common/status.h"

namespace feedscout {

using TimeMs = int64_t;

constexpr TimeMs kMsPerSecond = 1000;
constexpr TimeMs kMsPerHour = 3600 * kMsPerSecond;
constexpr TimeMs kMsPerDay = 24 * kMsPerHour;

// Current wall-clock time.
TimeMs now_ms();

// Parses RFC 3339 / ISO 8601 timestamps: "2026-11-23T10:00:00Z",
// "2026-11-23T19:00:00.250+09:00", "2026-11-23 10:00:00Z". A zone is required.
Result<TimeMs> parse_rfc3339(std::string_view text);

// Formats as "2026-11-23T10:00:00Z" (UTC, second precision; milliseconds appended when
// non-zero).
std::string format_rfc3339(TimeMs t);

}  // namespace feedscout
