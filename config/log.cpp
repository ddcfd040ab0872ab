#include "config/log.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <unistd.h>

namespace nexus::log {
namespace {

std::atomic<int> min_level{static_cast<int>(level::info)};

const char* tag(level l) {
  switch (l) {
    case level::debug: return "DEBUG";
    case level::info: return "INFO ";
    case level::warn: return "WARN ";
    case level::error: return "ERROR";
  }
  return "?";
}

} // namespace

void set_level(const std::string& name) {
  level l = name == "debug" ? level::debug
            : name == "warn" ? level::warn
            : name == "error" ? level::error
                              : level::info;
  min_level = static_cast<int>(l);
}

bool enabled(level l) { return static_cast<int>(l) >= min_level.load(std::memory_order_relaxed); }

void write(level l, const char* component, const std::string& message) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[96];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  std::string out;
  out.reserve(64 + message.size());
  out += stamp;
  out += ' ';
  out += tag(l);
  out += ' ';
  out += component;
  out += ' ';
  // One event, one line: fold embedded newlines.
  for (char c : message)
    out += (c == '\n' || c == '\r') ? ' ' : c;
  out += '\n';
  const char* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0)
      break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

} // namespace nexus::log
