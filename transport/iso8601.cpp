#include "transport/iso8601.hpp"

#include <cstdio>

namespace nexus::wire {
namespace {

/// Floor division: the calendar of a negative timestamp counts backwards
/// from 1970 with non-negative remainders.
int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

struct civil_date {
  int64_t year;
  unsigned month; // 1–12
  unsigned day;   // 1–31
};

/// Days since 1970-01-01 → proleptic Gregorian date (H. Hinnant's
/// civil_from_days, exact for every int64 day count we can get from ms).
civil_date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;                                   // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                  // [0, 11]
  const unsigned d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const unsigned m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

} // namespace

std::string iso8601_ms(int64_t unix_ms) {
  constexpr int64_t ms_per_day = 86'400'000;
  const int64_t days = floor_div(unix_ms, ms_per_day);
  const int64_t ms_of_day = unix_ms - days * ms_per_day; // [0, ms_per_day)
  const civil_date date = civil_from_days(days);
  const int64_t hours = ms_of_day / 3'600'000;
  const int64_t minutes = ms_of_day / 60'000 % 60;
  const int64_t seconds = ms_of_day / 1000 % 60;
  const int64_t millis = ms_of_day % 1000;
  char year[32];
  if (date.year >= 0 && date.year <= 9999)
    std::snprintf(year, sizeof year, "%04lld", static_cast<long long>(date.year));
  else if (date.year > 9999)
    std::snprintf(year, sizeof year, "+%06lld", static_cast<long long>(date.year));
  else
    std::snprintf(year, sizeof year, "-%06lld", -static_cast<long long>(date.year));
  char out[80];
  std::snprintf(out, sizeof out, "%s-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", year, date.month,
                date.day, static_cast<long long>(hours), static_cast<long long>(minutes),
                static_cast<long long>(seconds), static_cast<long long>(millis));
  return out;
}

} // namespace nexus::wire
