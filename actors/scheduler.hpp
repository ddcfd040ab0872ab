// scheduler: the node's clock for scheduled messages and reminders
// (PROTOCOL.md §5.6, deviation 21). One per node, under the node.
//
// The database is the truth (storage/schedules_sql.hpp); the scheduler only
// holds the entries due within the look-ahead window (twice
// scheduler_poll_interval_ms, at most scheduler_batch_max of them), which it
// reads every scheduler_poll_interval_ms and is told about by the presences
// that create them (schedule_armed). One timer aims at the earliest held
// entry; when it is due the scheduler asks the entry's mesh actor (through
// the mesh registry) to fire it and, for a cron entry, holds it again at its
// next fire computed from now.
//
//   (storage_ready_atom, std::vector<caf::actor>) — the storage pool: the
//                         first poll runs now, so entries that fell due while
//                         the node was down fire at once — each exactly once
//                         (a cron entry then keeps its schedule)
//   schedule_armed        an entry was created (held if due soon)
//   schedule_disarmed     an entry was cancelled (dropped)
//   status_atom         → actor_status (held, in flight, fired, …)
//
// Nothing here can fire an entry twice: a fire claims the row by the
// deliver_at it was read with, in the statement that queues its message. A
// fire that fails (mesh not loadable, storage timeout) is simply dropped
// from memory; the next poll reads the unchanged row and fires it again.
//
// Event-based; every database step is an asynchronous request.
#pragma once

#include "config/node_config.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace nexus {

/// `registry` is the mesh registry (actors/mesh_registry.hpp); `metrics`
/// must outlive the actor.
caf::actor spawn_scheduler(caf::actor_system& sys, const config::node_config& cfg,
                           caf::actor registry, metrics::node_metrics& metrics);

} // namespace nexus
