// durations: the time arguments of `nexus remind` and `nexus invite`.
//
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nexus::cli {

/// "90s", "10m", "2h", "7d" (or bare seconds "45") → milliseconds; nullopt
/// when malformed, zero or beyond 10 years.
std::optional<int64_t> parse_duration_ms(const std::string& text);

/// "2026-04-15T12:00:00Z", "2026-04-15T12:00:00.123Z" or Unix ms digits →
/// Unix ms; nullopt otherwise.
std::optional<int64_t> parse_time_ms(const std::string& text);

} // namespace nexus::cli
