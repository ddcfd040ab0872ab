#include "apps/nexus/durations.hpp"

#include "client/client_codec.hpp"

#include <algorithm>
#include <cctype>

namespace nexus::cli {

std::optional<int64_t> parse_duration_ms(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  const char unit = text.back();
  const bool has_unit = !std::isdigit(static_cast<unsigned char>(unit));
  const std::string digits = has_unit ? text.substr(0, text.size() - 1) : text;
  if (digits.empty() || digits.size() > 12 ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  int64_t n = std::stoll(digits);
  int64_t scale = 1000;
  switch (has_unit ? unit : 's') {
    case 's': scale = 1000; break;
    case 'm': scale = 60 * 1000; break;
    case 'h': scale = 3600 * 1000; break;
    case 'd': scale = 86400 * 1000; break;
    default: return std::nullopt;
  }
  const int64_t ten_years_ms = int64_t{10} * 366 * 86400 * 1000;
  if (n <= 0 || n > ten_years_ms / scale)
    return std::nullopt;
  return n * scale;
}

std::optional<int64_t> parse_time_ms(const std::string& text) {
  if (!text.empty() && text.size() <= 15 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::stoll(text);
  if (text.size() == 20 && text[19] == 'Z') // no milliseconds
    return client::parse_iso8601_ms(text.substr(0, 19) + ".000Z");
  return client::parse_iso8601_ms(text);
}

} // namespace nexus::cli
