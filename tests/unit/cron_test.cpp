// The §5.6 cron dialect (actors/cron.hpp): lists, ranges, steps, names,
// out-of-range values dropped, day-of-month AND day-of-week, UTC, the
// next-whole-minute rule, the 366-day horizon, and expressions that must be
// refused as invalid_cron.
#include "actors/cron.hpp"

#include <doctest/doctest.h>

#include <bitset>
#include <string>
#include <vector>

using namespace nexus;

namespace {

/// Unix ms of a UTC civil time (H. Hinnant's days_from_civil), written out
/// here so the test does not trust the code under test for dates.
int64_t utc_ms(int64_t y, unsigned m, unsigned d, unsigned hh = 0, unsigned mm = 0, unsigned ss = 0,
               unsigned ms = 0) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + static_cast<int64_t>(doe) - 719468;
  return ((days * 24 + hh) * 60 + mm) * 60'000 + ss * 1000 + ms;
}

template <size_t N>
std::vector<size_t> set_bits(const std::bitset<N>& bits) {
  std::vector<size_t> out;
  for (size_t i = 0; i < bits.size(); ++i)
    if (bits.test(i))
      out.push_back(i);
  return out;
}

cron::schedule parsed(const char* expr) {
  auto s = cron::parse(expr);
  REQUIRE_MESSAGE(s.has_value(), expr);
  return *s;
}

int64_t next_of(const char* expr, int64_t after_ms) {
  auto next = cron::first_fire(expr, after_ms);
  REQUIRE_MESSAGE(next.has_value(), expr);
  return *next;
}

} // namespace

TEST_CASE("cron: the test's own calendar agrees with known dates") {
  CHECK(utc_ms(1970, 1, 1) == 0);
  CHECK(utc_ms(2026, 4, 15, 12, 0, 0, 123) == 1776254400123);
}

TEST_CASE("cron: lists, ranges, steps and stars expand per field") {
  auto s = parsed("1,2,3 1-3,7 */10 */5 0-6/2");
  CHECK(set_bits(s.minutes) == std::vector<size_t>{1, 2, 3});
  CHECK(set_bits(s.hours) == std::vector<size_t>{1, 2, 3, 7});
  CHECK(set_bits(s.days_of_month) == std::vector<size_t>{1, 11, 21, 31});
  CHECK(set_bits(s.months) == std::vector<size_t>{1, 6, 11});
  CHECK(set_bits(s.days_of_week) == std::vector<size_t>{0, 2, 4, 6});

  // `N/S` runs from N to the field's end; `N-M/S` stays inside the range.
  CHECK(set_bits(parsed("5/15 * * * *").minutes) == std::vector<size_t>{5, 20, 35, 50});
  CHECK(set_bits(parsed("0-10/5 * * * *").minutes) == std::vector<size_t>{0, 5, 10});
  CHECK(parsed("* * * * *").minutes.count() == 60);
  // white space of any kind and amount separates fields
  CHECK(set_bits(parsed("  0\t9  * *   1-5 ").hours) == std::vector<size_t>{9});
}

TEST_CASE("cron: month and weekday names, case-insensitive, in lists and ranges") {
  auto s = parsed("0 0 * JAN,jul,Dec mon-FRI");
  CHECK(set_bits(s.months) == std::vector<size_t>{1, 7, 12});
  CHECK(set_bits(s.days_of_week) == std::vector<size_t>{1, 2, 3, 4, 5});
  CHECK(set_bits(parsed("0 0 * * SUN,sat").days_of_week) == std::vector<size_t>{0, 6});
  CHECK(set_bits(parsed("0 0 * FEB-apr/2 *").months) == std::vector<size_t>{2, 4});
}

TEST_CASE("cron: values outside a field's range are dropped, not wrapped") {
  CHECK(parsed("0-99 * * * *").minutes.count() == 60);
  CHECK(set_bits(parsed("0 0 * * 0,7").days_of_week) == std::vector<size_t>{0}); // 7 is not Sunday
  CHECK(set_bits(parsed("0 0 0-3 * *").days_of_month) == std::vector<size_t>{1, 2, 3});
  CHECK(set_bits(parsed("0 0 * 12-20 *").months) == std::vector<size_t>{12});
  // a descending part yields nothing, but the field still has the other part
  CHECK(set_bits(parsed("5-1,30 * * * *").minutes) == std::vector<size_t>{30});
  // huge numbers are just out of range
  CHECK(set_bits(parsed("99999999999999999999,1 * * * *").minutes) == std::vector<size_t>{1});
}

TEST_CASE("cron: invalid expressions") {
  const char* bad[] = {
      "",                  // no fields
      "* * * *",           // four fields
      "* * * * * *",       // six (no seconds field)
      "60 * * * *",        // the field yields nothing
      "* 24 * * *",
      "* * 0 * *",
      "* * 32 * *",
      "* * * 0 *",
      "* * * 13 *",
      "* * * * 7",         // only an out-of-range weekday
      "5-1 * * * *",       // only a descending range
      "*/0 * * * *",       // step 0
      "1/0 * * * *",
      "*/ * * * *",        // empty step
      "*/x * * * *",
      "1,,2 * * * *",      // empty part
      ",1 * * * *",
      "1, * * * *",
      "-1 * * * *",        // sign
      "1- * * * *",
      "1.5 * * * *",       // fraction
      "a * * * *",
      "5x * * * *",        // half a number
      "L * * * *",         // no L/W/?
      "* * ? * *",
      "* * 15W * *",
      "MON * * * *",       // names only where they belong
      "* * * * JAN",
      "* * * MON *",
      "* * * JANUARY *",   // three letters only
      "@daily",
      "*-5 * * * *",
      "1-2-3 * * * *",
      "*/5/2 * * * *",
  };
  for (const char* expr : bad)
    CHECK_MESSAGE(!cron::parse(expr).has_value(), '"' << expr << '"');
}

TEST_CASE("cron: the next fire starts at the next whole minute, never the current one") {
  int64_t noon = utc_ms(2026, 4, 15, 12, 0);
  CHECK(next_of("* * * * *", noon) == noon + 60'000);           // exactly on a minute
  CHECK(next_of("* * * * *", noon + 59'999) == noon + 60'000);
  CHECK(next_of("0 12 * * *", noon) == utc_ms(2026, 4, 16, 12, 0)); // 12:00 itself is past
  CHECK(next_of("*/15 * * * *", utc_ms(2026, 4, 15, 12, 14, 59)) == utc_ms(2026, 4, 15, 12, 15));
  CHECK(next_of("30 * * * *", utc_ms(2026, 4, 15, 23, 45)) == utc_ms(2026, 4, 16, 0, 30));
  // over the year's end
  CHECK(next_of("0 0 1 1 *", utc_ms(2026, 12, 31, 23, 59, 30)) == utc_ms(2027, 1, 1, 0, 0));
}

TEST_CASE("cron: weekdays in UTC (2026-04-17 is a Friday)") {
  // Friday 10:00 → Monday 09:00 for a weekday-morning entry.
  CHECK(next_of("0 9 * * 1-5", utc_ms(2026, 4, 17, 10, 0)) == utc_ms(2026, 4, 20, 9, 0));
  CHECK(next_of("0 9 * * MON-FRI", utc_ms(2026, 4, 17, 8, 0)) == utc_ms(2026, 4, 17, 9, 0));
  CHECK(next_of("0 12 * * 0", utc_ms(2026, 4, 17, 13, 0)) == utc_ms(2026, 4, 19, 12, 0));
  CHECK(cron::matches(parsed("* * * * 4"), 0)); // 1970-01-01 was a Thursday
  CHECK_FALSE(cron::matches(parsed("* * * * 3"), 0));
}

TEST_CASE("cron: day-of-month AND day-of-week (deviation 33), not Vixie's OR") {
  // Friday the 13th: Vixie would fire on Friday 2026-01-02 (or Tuesday
  // 2026-01-13); both fields must match: February, March and November.
  CHECK(next_of("0 0 13 * 5", utc_ms(2026, 1, 1)) == utc_ms(2026, 2, 13));
  CHECK(next_of("0 0 13 * 5", utc_ms(2026, 2, 13)) == utc_ms(2026, 3, 13));
  CHECK(next_of("0 0 13 * FRI", utc_ms(2026, 3, 13, 0, 0)) == utc_ms(2026, 11, 13));
  // a day-of-month star with a weekday, and the other way round
  CHECK(next_of("0 0 * * 1", utc_ms(2026, 4, 15)) == utc_ms(2026, 4, 20));
  CHECK(next_of("0 0 20 * *", utc_ms(2026, 4, 15)) == utc_ms(2026, 4, 20));
}

TEST_CASE("cron: months of different lengths and leap days, within 366 days") {
  CHECK(next_of("0 0 31 * *", utc_ms(2026, 4, 1)) == utc_ms(2026, 5, 31)); // April has 30
  CHECK(next_of("0 0 30 2,3 *", utc_ms(2026, 1, 1)) == utc_ms(2026, 3, 30));
  // 2028-02-29 is 365 days after 2027-03-01: found; from 2026 it is too far.
  CHECK(next_of("0 0 29 2 *", utc_ms(2027, 3, 1)) == utc_ms(2028, 2, 29));
  CHECK_FALSE(cron::first_fire("0 0 29 2 *", utc_ms(2026, 3, 1)).has_value());
  // parses, but never fires: invalid for scheduling
  CHECK(cron::parse("0 0 31 2 *").has_value());
  CHECK_FALSE(cron::first_fire("0 0 31 2 *", utc_ms(2026, 1, 1)).has_value());
  CHECK_FALSE(cron::first_fire("0 0 31 4,6,9,11 *", utc_ms(2026, 1, 1)).has_value());
}

TEST_CASE("cron: the horizon's edge is exactly 366 days from the next whole minute") {
  // From 2026-04-15 12:00 the scan starts at 12:01 and its last minute is
  // 2027-04-16 12:00. April 16 is a Thursday in 2026 and a Friday in 2027,
  // so "April 16 that is a Friday" first falls right on that edge.
  int64_t from = utc_ms(2026, 4, 15, 12, 0);
  int64_t last = from + 60'000 + (cron::lookahead_minutes - 1) * 60'000;
  CHECK(last == utc_ms(2027, 4, 16, 12, 0));
  CHECK(next_of("0 12 16 4 5", from) == last);
  CHECK_FALSE(cron::first_fire("1 12 16 4 5", from).has_value()); // one minute beyond
}
