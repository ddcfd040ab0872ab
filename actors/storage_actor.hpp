// storage_actor: owns one PostgreSQL connection and serializes all work on
// it. Spawned `caf::detached` (libpq blocks), one per pool slot
// (storage_pool.hpp). Protocol (storage_messages.hpp):
//
//   db_request        → db_reply | error(storage)  ; replied after COMMIT
//   storage_stop_atom → (none)                     ; commits what is queued before it, quits
//   status_atom       → actor_status               ; figures: batches, requests,
//                                                     last_batch_size, max_batch_size,
//                                                     connected, failures, reconnects,
//                                                     pending
//
// Group commit: the first request of a batch makes the actor send itself a
// flush; every request that reaches the mailbox before that flush joins the
// batch (at most storage_batch_max), which then runs as one transaction
// (storage_batch.hpp).
//
//            connect ok                      session broke (batch or BEGIN)
//   start ──────────────► connected ─────────────────────────────► disconnected
//     │                      ▲                                        │  ▲
//     │ connect failed       │ reconnect ok                           │  │ reconnect failed:
//     └──────────────────────┴──────── (delayed reconnect, backoff) ◄─┘  │ delay × 2 ≤ max
//                                                                     └──┘
// While disconnected, requests fail at once with `unavailable`; nothing sleeps:
// reconnects are delayed messages to self.
#pragma once

#include "config/node_config.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace nexus {

/// What one storage actor needs; all bounds come from node_config.
struct storage_settings {
  std::string dsn;                 ///< never logged except through redact_dsn
  std::string id;                  ///< e.g. "storage-0" (status and logs)
  int64_t batch_max = 0;           ///< requests per transaction
  int64_t connect_timeout_ms = 0;
  int64_t reconnect_min_ms = 0;
  int64_t reconnect_max_ms = 0;

  static storage_settings from(const config::node_config& cfg, std::string dsn, size_t index);
};

/// Next reconnect delay after a failed attempt: doubles, capped at max.
inline int64_t next_reconnect_delay_ms(int64_t current_ms, int64_t min_ms, int64_t max_ms) {
  return std::clamp(current_ms * 2, min_ms, std::max(min_ms, max_ms));
}

/// Spawns a detached storage actor. It connects before handling its first
/// message (so requests sent right after spawn see the connection if the
/// server is up). `metrics` must outlive the actor.
caf::actor spawn_storage_actor(caf::actor_system& sys, storage_settings settings,
                               metrics::node_metrics& metrics);

} // namespace nexus
