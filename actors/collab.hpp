// collab: a mesh's collaboration requests (PROTOCOL.md §5.1 shared state,
// §5.2 memory, §5.3 tasks, §5.4 contexts), handled in the caller's presence
// actor: every read and write is a typed db_request to the mesh's storage
// actor (one per mesh id, so per-mesh order is the storage actor's order),
// and every reply goes out after COMMIT through the presence's sink.
//
//   presence ──db_request──────────────▶ storage ─▶ db_reply
//   presence ──state_change_request────▶ mesh      (set_state, share_context; after COMMIT)
//   mesh     ──state_change_frame──────▶ every OTHER online presence of the mesh
//
// Errors: a request whose storage call fails is answered with
// error{code:"unavailable"} (its _reqId echoed); set_state gets that error
// too but never a state_result (§1.5). task_not_claimable and
// task_not_found are the spec's (§5.3). Names (updatedBy, createdBy,
// claimedBy, peerName, rememberedBy) are the *member's* display name,
// resolved by the SQL (storage/collab_sql.hpp).
//
// Internal to actors/. Functions run on their actor's thread only.
#pragma once

#include "actors/mesh_state.hpp"
#include "actors/presence_state.hpp"
#include "transport/frames_collab.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace nexus {

/// presence → mesh: push `change` to every online connection of the mesh
/// except `presence_id` (the caller's sibling sessions included, §5.1).
struct state_change_request {
  std::string presence_id;
  state_change_frame change;
};

// Result caps: the config keys recall_results_max, task_list_max and
// context_search_results_max, whose defaults are the spec's ("limit 20"
// §5.2, "at most 100" §5.3, "limit 20" §5.4).

/// Presence side: handles one collaboration frame of an online presence.
/// Calls `done` exactly once, asynchronously, after the reply was sent;
/// the caller holds its later frames until then (frames stay in order).
void handle_collab(presence_actor_t* self, const collab_frame& frame,
                   const std::optional<std::string>& req_id, std::function<void()> done);

/// Presence side: a state_change from the mesh; written to the socket.
void push_state_change(presence_actor_t* self, const state_change_frame& change);

/// Mesh side: sends req.change to every online presence but the caller.
void fan_out_state_change(mesh_actor_t* self, const state_change_request& req);

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::state_change_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::state_change_frame)
