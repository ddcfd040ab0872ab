#include "apps/nexus/output.hpp"

#include "transport/iso8601.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace nexus::cli {
namespace {

/// Display width: code points, not bytes (good enough for names and text).
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80)
      ++n;
  return n;
}

} // namespace

void json_out::done() {
  w.end_object();
  std::cout << w.take() << "\n";
}

void table::print() const {
  std::vector<size_t> widths;
  for (const auto& r : rows_)
    for (size_t i = 0; i < r.size(); ++i) {
      if (widths.size() <= i)
        widths.push_back(0);
      widths[i] = std::max(widths[i], width(r[i]));
    }
  for (const auto& r : rows_) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size())
        line += std::string(widths[i] - width(r[i]) + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

void print_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t w = 0;
  for (const auto& f : fields)
    w = std::max(w, width(f.first));
  for (const auto& [k, v] : fields)
    std::cout << k << ":" << std::string(w - width(k) + 1, ' ') << v << "\n";
}

spinner::spinner(std::string what) : what_(std::move(what)) {
  if (!isatty(STDERR_FILENO))
    return;
  thread_ = std::thread([this] {
    static const char* frames[] = {"|", "/", "-", "\\"};
    auto start = std::chrono::steady_clock::now();
    bool shown = false;
    for (size_t i = 0; !stop_.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (std::chrono::steady_clock::now() - start < std::chrono::seconds(1))
        continue;
      shown = true;
      std::fprintf(stderr, "\r%s %s ", frames[i % 4], what_.c_str());
      std::fflush(stderr);
    }
    if (shown)
      std::fprintf(stderr, "\r\033[K");
  });
}

spinner::~spinner() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

std::string relative_time(int64_t unix_ms, int64_t now_ms) {
  if (unix_ms == 0)
    return "";
  int64_t d = (now_ms - unix_ms) / 1000;
  const bool future = d < 0;
  if (future)
    d = -d;
  std::string v = d < 60      ? std::to_string(d) + "s"
                  : d < 3600  ? std::to_string(d / 60) + "m"
                  : d < 86400 ? std::to_string(d / 3600) + "h"
                              : std::to_string(d / 86400) + "d";
  return future ? "in " + v : v + " ago";
}

std::string short_time(int64_t unix_ms) {
  std::string iso = wire::iso8601_ms(unix_ms); // 2026-04-15T12:00:00.123Z
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + "Z";
}

} // namespace nexus::cli
