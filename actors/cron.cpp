#include "actors/cron.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace nexus::cron {
namespace {

struct field_spec {
  int min, max;
  /// Three-letter names for min, min+1, … (empty: the field has none).
  std::vector<std::string_view> names;
};

const std::array<field_spec, 5>& fields() {
  static const std::array<field_spec, 5> f{{
      {0, 59, {}},
      {0, 23, {}},
      {1, 31, {}},
      {1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
      {0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
  }};
  return f;
}

/// Values beyond this are out of every field's range; capping the digits
/// keeps the arithmetic far from overflow.
constexpr int64_t value_cap = 1'000'000;

/// A number or (where the field has names) a name; nullopt when neither.
std::optional<int64_t> value_of(std::string_view s, const field_spec& f) {
  if (s.empty())
    return std::nullopt;
  bool digits = true;
  for (char c : s)
    digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (digits) {
    int64_t v = 0;
    for (char c : s)
      v = std::min<int64_t>(value_cap, v * 10 + (c - '0'));
    return v;
  }
  if (s.size() != 3)
    return std::nullopt;
  std::string lower;
  for (char c : s)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < f.names.size(); ++i)
    if (f.names[i] == lower)
      return f.min + static_cast<int64_t>(i);
  return std::nullopt;
}

/// Adds the values of one comma-separated part to `out`; false when the
/// part is malformed.
template <size_t N>
bool add_part(std::string_view part, const field_spec& f, std::bitset<N>& out) {
  int64_t step = 1;
  const auto slash = part.find('/');
  const bool stepped = slash != std::string_view::npos;
  if (stepped) {
    auto s = part.substr(slash + 1);
    bool digits = !s.empty();
    for (char c : s)
      digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!digits)
      return false;
    auto parsed = value_of(s, field_spec{0, 0, {}});
    if (!parsed || *parsed == 0)
      return false;
    step = *parsed;
    part = part.substr(0, slash);
  }
  int64_t first = f.min, last = f.max;
  if (part != "*") {
    auto dash = part.find('-');
    auto a = value_of(part.substr(0, dash), f);
    if (!a)
      return false;
    first = *a;
    if (dash != std::string_view::npos) {
      auto b = value_of(part.substr(dash + 1), f);
      if (!b)
        return false;
      last = *b;
    } else {
      // `N` alone is one value; `N/S` runs to the field's end.
      last = stepped ? f.max : first;
    }
  }
  for (int64_t v = first; v <= last && v <= f.max; v += step)
    if (v >= f.min)
      out.set(static_cast<size_t>(v));
  return true;
}

template <size_t N>
bool parse_field(std::string_view text, const field_spec& f, std::bitset<N>& out) {
  size_t start = 0;
  for (;;) {
    auto comma = text.find(',', start);
    auto part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                    : comma - start);
    if (!add_part(part, f, out))
      return false;
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return out.any();
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct civil_date {
  int64_t year;
  unsigned month, day;
};

/// Days since 1970-01-01 → proleptic Gregorian date (H. Hinnant's algorithm).
civil_date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

/// 0 = Sunday; 1970-01-01 was a Thursday.
unsigned weekday_of(int64_t days) { return static_cast<unsigned>(((days % 7) + 7 + 4) % 7); }

bool day_matches(const schedule& s, int64_t days) {
  auto c = civil_from_days(days);
  return s.months.test(c.month) && s.days_of_month.test(c.day) &&
         s.days_of_week.test(weekday_of(days));
}

} // namespace

std::optional<schedule> parse(std::string_view expression) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && is_space(expression[i]))
      ++i;
    size_t start = i;
    while (i < expression.size() && !is_space(expression[i]))
      ++i;
    if (i > start)
      words.push_back(expression.substr(start, i - start));
  }
  if (words.size() != 5)
    return std::nullopt;
  const auto& f = fields();
  schedule s;
  if (!parse_field(words[0], f[0], s.minutes) || !parse_field(words[1], f[1], s.hours) ||
      !parse_field(words[2], f[2], s.days_of_month) || !parse_field(words[3], f[3], s.months) ||
      !parse_field(words[4], f[4], s.days_of_week))
    return std::nullopt;
  return s;
}

bool matches(const schedule& s, int64_t unix_minute) {
  int64_t days = floor_div(unix_minute, 1440);
  int64_t minute_of_day = unix_minute - days * 1440;
  return day_matches(s, days) && s.hours.test(static_cast<size_t>(minute_of_day / 60)) &&
         s.minutes.test(static_cast<size_t>(minute_of_day % 60));
}

std::optional<int64_t> next_fire(const schedule& s, int64_t after_ms) {
  // Equivalent to §5.6's minute-by-minute scan, skipping whole days and
  // hours that cannot match.
  const int64_t first = floor_div(after_ms, 60'000) + 1;
  const int64_t end = first + lookahead_minutes;
  for (int64_t m = first; m < end;) {
    int64_t days = floor_div(m, 1440);
    if (!day_matches(s, days)) {
      m = (days + 1) * 1440;
      continue;
    }
    int64_t minute_of_day = m - days * 1440;
    int64_t hour = minute_of_day / 60;
    if (!s.hours.test(static_cast<size_t>(hour))) {
      m = days * 1440 + (hour + 1) * 60;
      continue;
    }
    if (s.minutes.test(static_cast<size_t>(minute_of_day % 60)))
      return m * 60'000;
    ++m;
  }
  return std::nullopt;
}

std::optional<int64_t> first_fire(std::string_view expression, int64_t after_ms) {
  auto s = parse(expression);
  if (!s)
    return std::nullopt;
  return next_fire(*s, after_ms);
}

} // namespace nexus::cron
