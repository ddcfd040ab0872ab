// mesh: one actor per active mesh. Owns the mesh's live state — its
// connection table (online and grace presences), the member cache, send
// rate buckets, the hello replay guard — and decides routing. Writes go
// through the mesh's storage actor (one per mesh id, so per-mesh order is
// the storage actor's order); an ack is sent only after the row committed.
//
// Spawned by the mesh registry with the mesh row and its active members
// already loaded, so it never runs half-initialised. Event-based: every
// database step is an asynchronous request; nothing blocks.
#pragma once

#include "actors/broker_messages.hpp"
#include "config/node_config.hpp"
#include "storage/broker_sql.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <vector>

namespace nexus {

/// (evict_atom, presence_id, epoch): internal grace timer.
using evict_atom = caf::atom_constant<caf::atom("evict")>;

caf::actor spawn_mesh(caf::actor_system& sys, const config::node_config& cfg,
                      storage::mesh_row mesh, std::vector<storage::member_row> members,
                      caf::actor storage, metrics::node_metrics& metrics);

} // namespace nexus
