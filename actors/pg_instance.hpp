// pg_instance: a started embedded PostgreSQL owned by a scope, for admin
// subcommands of nexusd (migrate, backup, …) that need the node database
// while no node is running. Blocking; no actors. It runs the same pg_runner
// steps as the supervisor actor, but does not restart anything.
//
//   auto db = nexus::attach_or_start(cfg);   // a running node's, or our own
//   auto conn = storage::pg_connection::connect(db.dsn, cfg.db_connect_timeout_ms);
//   …                                        // db.owned stops it at scope end
//
// Owned by one thread (the one that started it: the postmaster's
// parent-death signal is tied to that thread). Not safe to share.
#pragma once

#include "actors/child_process.hpp"
#include "actors/pg_runner.hpp"
#include "config/node_config.hpp"

#include <memory>
#include <string>

namespace nexus {

class pg_instance {
public:
  /// Prepares, initdb's on first use, starts postgres, waits until it is
  /// ready and the node database exists. Blocks at most pg_start_timeout_ms
  /// (plus 2 × pg_stop_timeout_ms if a stale postmaster must be stopped
  /// first). Throws std::runtime_error (with the tail of postgres.log when
  /// PostgreSQL itself failed) or storage::storage_error.
  static std::unique_ptr<pg_instance> start(const config::node_config& cfg);

  pg_instance(const pg_instance&) = delete;
  pg_instance& operator=(const pg_instance&) = delete;
  /// Stops the server if still running.
  ~pg_instance();

  const std::string& dsn() const { return runner_.dsn(); }
  /// The postmaster's pid, 0 once stopped.
  pid_t pid() const { return postmaster_.pid(); }
  /// Fast shutdown, escalating like the supervisor; returns once reaped.
  void stop();

private:
  pg_instance(pg_runner runner, child_process postmaster);
  pg_runner runner_;
  child_process postmaster_;
};

/// The node database for an admin subcommand.
struct pg_attachment {
  std::string dsn;
  std::unique_ptr<pg_instance> owned; ///< null when a running node's server is used
};

/// With database_url set: that URL. Else the running embedded server of
/// cfg.home if there is one, else one started here for the attachment's
/// lifetime. Throws like pg_instance::start.
pg_attachment attach_or_start(const config::node_config& cfg);

} // namespace nexus
