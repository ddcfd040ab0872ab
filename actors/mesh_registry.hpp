// mesh_registry: mesh id → mesh actor, spawning on demand. Loads the mesh
// row and its members through the mesh's storage actor before spawning, so
// a mesh actor starts complete; concurrent requests for a mesh being loaded
// wait for the same load. Later (cluster) it also knows which node owns a
// mesh.
//
//   (get_mesh_atom, mesh_id) → caf::actor, or sec::invalid_argument when the mesh does
//                              not exist or cannot be loaded (or storage is
//                              not ready yet)
//   (storage_ready_atom, std::vector<caf::actor>) — the storage pool, once
//                              the database is known (the gateway, and so
//                              hellos, start before it)
//   status_atom              → actor_status
#pragma once

#include "actors/storage_pool.hpp"
#include "config/node_config.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

namespace nexus {

/// Longest mesh id accepted before touching the database.
constexpr size_t mesh_id_bytes_max = 128;

using storage_ready_atom = caf::atom_constant<caf::atom("stor_ready")>;

/// Mesh actors are linked to the registry: stopping it stops them.
caf::actor spawn_mesh_registry(caf::actor_system& sys, const config::node_config& cfg,
                               metrics::node_metrics& metrics);

} // namespace nexus
