// node_health: the few facts /health and /health/ready report.
//
// Written by the actors that know them (the readiness probe, the embedded
// PostgreSQL supervisor, the node during start and shutdown) and read by the
// gateway's HTTP handlers on the I/O threads. Plain atomics: these are
// published flags, not domain state, and the gateway must answer without
// waiting on an actor.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

namespace nexus {

struct node_health {
  std::atomic<bool> db_up{false};              ///< last probe reached the database
  std::atomic<bool> migrations_applied{false}; ///< schema is at the binary's version
  std::atomic<bool> db_restarting{false};      ///< embedded PostgreSQL is being restarted
  std::atomic<bool> shutting_down{false};
  /// Set by the node while its start-up steps run (the storage pool handed to
  /// the actors that need it, presences reset): not ready even if the
  /// database already is, so no hello meets a half-started node.
  std::atomic<bool> starting{false};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  /// Empty when ready, else the reason reported by /health/ready.
  std::string not_ready_reason() const {
    if (shutting_down)
      return "shutting_down";
    if (db_restarting)
      return "db_restarting";
    if (!db_up)
      return "db_down";
    if (!migrations_applied)
      return "migrations_pending";
    if (starting)
      return "starting";
    return {};
  }

  int64_t uptime_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                            started)
        .count();
  }
};

} // namespace nexus
