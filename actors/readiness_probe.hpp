// readiness_probe: every health_check_interval_ms, asks each storage actor to
// read nexus.schema_migrations and publishes what it learns:
//   node_health::db_up              every storage actor reached the database
//   node_health::migrations_applied the recorded migrations equal the embedded ones
//   metrics db_up gauge             1 / 0, like db_up
// Transitions are logged once (db up → down and back), not on every tick.
//
// An event-based actor (it never blocks: it only sends requests). A probe
// round that has not finished when the next tick comes is not overlapped; a
// reply not back within one interval counts as down. Stop it with
// send_exit(probe, caf::exit_reason::user_shutdown). `health` and `metrics`
// must outlive it.
#pragma once

#include "actors/storage_pool.hpp"
#include "config/node_config.hpp"
#include "transport/health.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>

#include <vector>

namespace nexus {

/// Asks the probe for a round now, besides its periodic ones. No reply.
using probe_now_atom = caf::atom_constant<caf::atom("probe_now")>;

/// True when `err` (the error answer of a probe request) means the database
/// was not reached (no connection, lost connection, timeout, actor gone) as
/// opposed to reached-but-the-query-failed (e.g. the schema is missing).
bool probe_error_means_db_down(const caf::error& err);

caf::actor spawn_readiness_probe(caf::actor_system& sys, const config::node_config& cfg,
                                 std::vector<caf::actor> storage_actors, node_health& health,
                                 metrics::node_metrics& metrics);

/// Probes every actor of `pool`.
caf::actor spawn_readiness_probe(caf::actor_system& sys, const config::node_config& cfg,
                                 const storage_pool& pool, node_health& health,
                                 metrics::node_metrics& metrics);

} // namespace nexus
