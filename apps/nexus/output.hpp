// output: how `nexus` prints. Human output is aligned columns on stdout;
// `--json` prints one JSON object with "schema_version" and the same data;
// errors are one line on stderr (see cli_error.hpp). A spinner line on
// stderr marks a wait longer than a second — only when stderr is a
// terminal, never when piped.
#pragma once

#include "transport/json_writer.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace nexus::cli {

/// The version of every --json document's shape; bumped when a field changes meaning.
constexpr int64_t json_schema_version = 1;

/// A JSON document that starts {"schema_version":1,...}; finish with done().
class json_out {
public:
  json_out() {
    w.begin_object();
    w.int_field("schema_version", json_schema_version);
  }
  /// Closes the object and prints it with a newline.
  void done();
  wire::json_writer w;
};

/// Aligned columns: a header row and rows of cells, padded to the widest
/// cell (UTF-8 aware), two spaces apart.
class table {
public:
  explicit table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.size() == 1; }
  void print() const;

private:
  std::vector<std::vector<std::string>> rows_;
};

/// "key: value" lines with the keys aligned.
void print_fields(const std::vector<std::pair<std::string, std::string>>& fields);

/// A spinner on stderr after one second of waiting, while in scope; nothing
/// when stderr is not a terminal.
class spinner {
public:
  explicit spinner(std::string what);
  ~spinner();
  spinner(const spinner&) = delete;
  spinner& operator=(const spinner&) = delete;

private:
  std::string what_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// "2m ago", "3h ago", "in 5m" relative to now; "" for 0.
std::string relative_time(int64_t unix_ms, int64_t now_ms);
/// "2026-04-15 12:00:00Z" (UTC, seconds).
std::string short_time(int64_t unix_ms);

} // namespace nexus::cli
