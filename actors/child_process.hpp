// child_process: one child program run by the node (the embedded PostgreSQL,
// later mesh-deployed MCP servers): fork/exec without a shell, an optional
// switch to an unprivileged user, stdout/stderr appended to a log file, a
// parent-death signal, signals, and reaping without blocking.
//
// Not an actor: the supervisor actors own one each. A child_process belongs
// to one thread at a time and is not safe to share. Its owner must be the
// only code that waits for this pid (nobody in nexusd calls waitpid(-1)).
//
// PR_SET_PDEATHSIG fires when the *thread* that spawned the child exits, not
// the process: spawn from a thread that lives as long as the child should
// (a detached actor's own thread, or main).
#pragma once

#include "storage/os_user.hpp"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace nexus {

struct process_spec {
  std::string program;                  ///< absolute path; exec'd directly (no PATH, no shell)
  std::vector<std::string> args;        ///< argv[1..]; argv[0] is `program`
  std::string log_file;                 ///< stdout+stderr appended (created 0600); empty = inherit
  std::optional<storage::os_user> user; ///< switch to this user before exec (needs root)
  int parent_death_signal = 0;          ///< sent to the child when the spawning thread dies; 0 = none
  std::string working_dir;              ///< entered after the user switch; empty = inherit
  /// "KEY=VALUE" entries replacing the environment; nullopt = inherit ours.
  std::optional<std::vector<std::string>> environment;
};

/// Our environment without the variables whose names start with one of
/// `prefixes` (e.g. "NEXUS_", which may carry tokens and keys).
std::vector<std::string> environment_without(const std::vector<std::string>& prefixes);

/// How a child ended.
struct exit_status {
  int code = -1;  ///< exit code when it exited, else -1
  int signal = 0; ///< the signal that killed it, else 0
  bool clean() const { return signal == 0 && code == 0; }
  /// "exit code 1" / "signal 9 (Killed)"
  std::string describe() const;
};

class child_process {
public:
  /// Starts the program. Everything that can fail before exec (opening the
  /// log, switching user, exec itself) is reported here: throws
  /// std::system_error naming the program and the failed step.
  static child_process spawn(const process_spec& spec);

  child_process() = default;
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  /// Last resort: a child still running is SIGKILLed and reaped. Owners stop
  /// their children properly (terminate) before letting go of them.
  ~child_process();

  /// The child's pid while it has not been reaped, else 0.
  pid_t pid() const { return pid_; }
  /// Spawned and not yet reaped (as of the last poll; does not poll).
  bool running() const { return pid_ > 0; }
  /// How the child ended, once reaped.
  const std::optional<exit_status>& status() const { return status_; }

  /// Non-blocking reap (waitpid WNOHANG): the exit status once it ended.
  std::optional<exit_status> poll();
  /// Waits up to `timeout` for the child to end; the exit status if it did.
  std::optional<exit_status> wait_for(std::chrono::milliseconds timeout);
  /// Sends `sig`; false when the child is not running.
  bool signal(int sig);
  /// Sends each of `signals` in turn, giving the child `grace` after each to
  /// end, then SIGKILL; returns once reaped. Blocks at most
  /// (signals.size() × grace) plus the time to reap after SIGKILL.
  exit_status terminate(const std::vector<int>& signals, std::chrono::milliseconds grace);

private:
  void reaped(int wait_status);
  pid_t pid_ = 0;
  std::optional<exit_status> status_;
};

} // namespace nexus
