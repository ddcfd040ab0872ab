// child: runs a program (usually nexusd) for a test, with its stdout and
// stderr captured, and lets the test wait on its output or exit with a
// deadline. Kills the process in the destructor if it is still running.
// Not thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nexus::test {

class child {
public:
  /// Starts `argv[0]` with `argv`; `env` entries are added to (or replace in)
  /// the test's own environment.
  child(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  child(const child&) = delete;
  ~child();

  int pid() const { return pid_; }
  /// Waits until a line containing `needle` appears on stdout or stderr and
  /// returns it; nullopt at the deadline or when the process exited.
  std::optional<std::string> wait_for_output(const std::string& needle,
                                             std::chrono::milliseconds timeout);
  /// Everything read so far (stdout and stderr interleaved by arrival).
  const std::string& output() const { return output_; }
  void signal(int sig);
  /// Exit status (WEXITSTATUS, or 128+signal) once it exited before the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

private:
  void pump(std::chrono::milliseconds timeout);
  int pid_ = -1;
  int out_fd_ = -1;
  std::optional<int> status_;
  std::string output_;
};

/// PIDs of running processes whose command line contains `needle`.
std::vector<int> processes_matching(const std::string& needle);

/// A fresh directory under /tmp, removed (recursively) by the destructor.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace nexus::test
