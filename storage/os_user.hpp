// os_user: who a child process runs as, and what that user may reach.
//
// When nexusd runs as root, the embedded PostgreSQL (and later other
// supervised services) run as an unprivileged user. This header resolves that
// user once, in the parent, so the forked child only has to make raw
// syscalls (setgroups/setgid/setuid are the only async-signal-safe way to
// switch identity in the child of a multithreaded process).
//
// Plain functions and values; safe to call from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace nexus::storage {

/// A resolved local account.
struct os_user {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;              ///< primary group
  std::vector<gid_t> groups;  ///< supplementary groups, primary included
};

/// Looks `name` up in the user database (getpwnam_r + getgrouplist).
/// Throws std::runtime_error naming the user when it does not exist.
os_user lookup_user(const std::string& name);

/// geteuid() == 0.
bool running_as_root();

/// Switches the calling process to `u` with raw syscalls (groups, gid, uid —
/// in that order, since dropping the uid first would forbid the rest).
/// Returns 0 or the errno of the failing step. Async-signal-safe: meant for
/// the child between fork and exec.
int switch_user_in_child(const os_user& u) noexcept;

/// True if `u` may search (x) `dir` and every directory above it, as judged
/// by the kernel itself: a forked child switches to `u` and calls access(2),
/// so ACLs, group membership and capabilities all count.
/// REQUIRES: running_as_root().
bool user_can_search(const os_user& u, const std::string& dir);

/// True while a process with this pid exists (zombies included).
bool process_exists(pid_t pid);

/// Waits until process `pid` has terminated or `timeout` passed; returns true
/// if it terminated. Works for any process we may signal; for our own
/// children "terminated" means "exited, possibly not reaped yet". Uses a
/// pidfd (poll on exit) where the kernel has one, else polls every 10 ms.
bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

} // namespace nexus::storage
