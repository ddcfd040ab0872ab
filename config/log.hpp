// log: one line per event on stderr — UTC time, level, component, message.
//
//   2026-11-21T09:17:27.123Z INFO  gateway listening on 127.0.0.1:7900
//
// Thread-safe: each line is formatted into one buffer and written with a
// single write(2), so lines from different threads never interleave.
// Never pass DSNs, keys or tokens; use config::redact_dsn for database URLs.
#pragma once

#include <sstream>
#include <string>

namespace nexus::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

/// Sets the least severe level printed ("debug", "info", "warn", "error").
void set_level(const std::string& name);
bool enabled(level l);
void write(level l, const char* component, const std::string& message);

/// Stream-style helpers: log::info("gateway") << "listening on " << addr;
class line {
public:
  line(level l, const char* component) : level_(l), component_(component), on_(enabled(l)) {}
  line(const line&) = delete;
  ~line() {
    if (on_)
      write(level_, component_, out_.str());
  }
  template <class T>
  line& operator<<(const T& x) {
    if (on_)
      out_ << x;
    return *this;
  }

private:
  level level_;
  const char* component_;
  bool on_;
  std::ostringstream out_;
};

inline line debug(const char* component) { return line(level::debug, component); }
inline line info(const char* component) { return line(level::info, component); }
inline line warn(const char* component) { return line(level::warn, component); }
inline line error(const char* component) { return line(level::error, component); }

} // namespace nexus::log
