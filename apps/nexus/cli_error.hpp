// cli_error: how a `nexus` command fails. Every failure becomes one line on
// stderr — what went wrong and, after a dash, what to do about it — and one
// of the documented exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace nexus::cli {

/// The exit codes of `nexus` (README "CLI"): stable, scripts depend on them.
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,       ///< the operation failed (broker said no, I/O error, ...)
  exit_usage = 2,         ///< bad command line
  exit_not_connected = 3, ///< no connection to the broker (down, unreachable, timed out)
  exit_not_found = 4,     ///< not found or denied (unknown mesh/peer/task, refused identity)
};

struct cli_error : std::runtime_error {
  cli_error(int code, const std::string& message, std::string hint = {})
      : std::runtime_error(message), exit(code), hint(std::move(hint)) {}
  int exit;
  std::string hint;
};

/// A command-line problem of command `command`; exit 2 with its usage line.
inline cli_error usage_error(const std::string& message, const std::string& command = {}) {
  return cli_error(exit_usage, message,
                   "see nexus " + (command.empty() ? std::string() : command + " ") + "--help");
}

} // namespace nexus::cli
