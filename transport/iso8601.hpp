// iso8601: timestamps as the protocol prints them (§0.2) — exactly what
// JavaScript's Date.prototype.toISOString() produces.
//
// Pure function (no gmtime, no locale): safe from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace nexus::wire {

/// Unix milliseconds → "2026-04-15T12:00:00.123Z" (UTC, exactly three
/// fractional digits). Years outside 0000–9999 use JavaScript's expanded
/// form "+010000-…" / "-000001-…"; times before 1970 are fine.
std::string iso8601_ms(int64_t unix_ms);

} // namespace nexus::wire
