// cron: the 5-field cron dialect of PROTOCOL.md §5.6 as a pure parser and
// next-fire calculator. The scheduler (actors/scheduler.hpp) and the
// `schedule` request (actors/schedule_requests.cpp) use it; nothing here
// knows about actors, clocks or the database.
//
// Dialect (the reference's, with deviation 33 and one additive extension):
//   fields   minute 0–59, hour 0–23, day-of-month 1–31, month 1–12,
//            day-of-week 0–6 (0 = Sunday), separated by white space;
//            exactly five fields.
//   a field  a comma list of parts; a part is `*`, `N` or `N-M`, each
//            optionally followed by `/S` (S ≥ 1). `N/S` means N through the
//            field's maximum every S (as in Vixie cron).
//   values   outside the field's range are dropped (so `7` is not Sunday and
//            `0-99` in the minute field is 0–59); a descending range yields
//            nothing; a FIELD that yields no value makes the expression
//            invalid, as do a step of 0, an empty part, a sign, a fraction
//            or any other character (the reference would loop forever on a
//            step of 0 and half-parse `5x`; we refuse both).
//   names    (deviation from §5.6, which has none; the issue asks for them):
//            JAN–DEC in the month field and SUN–SAT in the day-of-week
//            field, case-insensitive, usable wherever a number is
//            (`MON-FRI`, `JAN,JUL`). Expressions without names mean exactly
//            what they mean to the reference.
//   matching ALL five fields must match — day-of-month AND day-of-week, not
//            Vixie's OR (§5.6, deviation 33) — in UTC.
//   next     the first matching minute from the next whole minute after a
//            given instant, looking at most 366 days ahead; none → the
//            expression is invalid for that instant (`0 0 31 2 *` never
//            fires; `0 0 29 2 *` only when a 29 February is that close).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::cron {

/// How far next_fire looks ahead (§5.6: 366 days).
inline constexpr int64_t lookahead_minutes = 366LL * 24 * 60;

/// A parsed expression: the set of accepted values of each field.
struct schedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  ///< bits 1..31
  std::bitset<13> months;         ///< bits 1..12
  std::bitset<7> days_of_week;    ///< bit 0 = Sunday
};

/// The expression's schedule, or nullopt when it is not valid in this
/// dialect (the caller answers `invalid_cron`).
std::optional<schedule> parse(std::string_view expression);

/// Whether the minute starting at `unix_minute` (Unix time / 60 s, UTC)
/// matches all five fields.
bool matches(const schedule& s, int64_t unix_minute);

/// The first matching instant (Unix ms, a whole minute) strictly after
/// `after_ms`'s minute — i.e. from the next whole minute on — within
/// lookahead_minutes; nullopt when there is none.
std::optional<int64_t> next_fire(const schedule& s, int64_t after_ms);

/// parse + next_fire: the first fire of `expression` after `after_ms`, or
/// nullopt when the expression is invalid or never fires within 366 days.
std::optional<int64_t> first_fire(std::string_view expression, int64_t after_ms);

} // namespace nexus::cron
