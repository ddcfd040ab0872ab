// pg_runner: the steps of running the embedded PostgreSQL, each bounded and
// none waiting on its own, so that the supervisor actor (which polls them
// from its timer) and pg_instance (which blocks on them, for admin
// subcommands) share one implementation:
//
//   prepare → [spawn_initdb … exit 0] → spawn_postgres … ready → ensure_database
//   stop: SIGINT (fast shutdown) → SIGQUIT (immediate) → SIGKILL
//
// A pg_runner is built from the node config; it holds no process, only (from
// prepare to release) the home's owner_lock. One owner thread; the
// child_process objects it returns belong to that thread too (see
// child_process.hpp).
#pragma once

#include "actors/child_process.hpp"
#include "config/node_config.hpp"
#include "storage/embedded_pg.hpp"
#include "storage/os_user.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace nexus {

class pg_runner {
public:
  /// Resolves the layout, the binaries and (as root) the pg_user. Throws
  /// std::runtime_error with a message fit for the operator when the
  /// configuration cannot work (no PostgreSQL installed, unknown pg_user,
  /// pg_user is root, socket path too long).
  explicit pg_runner(const config::node_config& cfg);

  const storage::embedded_pg::layout& paths() const { return layout_; }
  const std::string& bin_dir() const { return bin_dir_; }
  /// The DSN of the node database (no secret in it).
  const std::string& dsn() const { return dsn_; }
  /// The user postgres runs as when nexusd is root; nullopt otherwise.
  const std::optional<storage::os_user>& run_as() const { return user_; }
  std::chrono::milliseconds start_timeout() const;
  std::chrono::milliseconds stop_timeout() const;

  /// Directories, ownership, traversal rights; takes the home's owner_lock
  /// (throws if another process runs this home's PostgreSQL) and then stops
  /// a postmaster of this data dir left by a dead owner. Blocks at most
  /// 2 × pg_stop_timeout_ms. Idempotent while the lock is held.
  void prepare();
  /// Drops the owner_lock (after the postmaster was stopped).
  void release() { lock_.release(); }
  /// No cluster in the data dir yet.
  bool needs_initdb() const;
  /// initdb, output appended to the log; SIGTERM (initdb then removes its
  /// half-made data dir) if the spawning thread dies.
  child_process spawn_initdb() const;
  /// The postmaster; SIGINT (fast shutdown) if the spawning thread dies.
  child_process spawn_postgres() const;
  /// The postmaster `pm` reports ready in postmaster.pid (as pg_ctl -w).
  bool ready(const child_process& pm) const;
  /// Creates the node database if missing. Blocks at most
  /// db_connect_timeout_ms plus one statement; throws storage_error.
  void ensure_database() const;
  /// Stops `pm`: SIGINT, pg_stop_timeout_ms, SIGQUIT, pg_stop_timeout_ms,
  /// SIGKILL. Returns once reaped.
  exit_status stop(child_process& pm) const;
  /// `what` plus the last lines of postgres.log, for errors shown to people.
  std::string failure(const std::string& what) const;

private:
  config::node_config cfg_;
  storage::embedded_pg::layout layout_;
  std::string bin_dir_;
  std::optional<storage::os_user> user_;
  std::string dsn_;
  storage::embedded_pg::owner_lock lock_;
};

} // namespace nexus
