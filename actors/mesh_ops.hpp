// mesh_ops: the mesh-actor areas of issue 5 — streams (PROTOCOL.md §5.5),
// mesh_info (§5.7) and the simulation clock (§5.8). Their state is mesh
// state (subscriber sets, the clock), so the mesh actor owns and answers
// them; the presence forwards the frame and writes the reply and the pushes.
//
//   presence ──mesh_op_request─────────────▶ mesh ─▶ mesh_op_reply
//   mesh     ──stream_data_frame───────────▶ each subscribed online presence but the publisher
//   mesh     ──tick_push_frame─────────────▶ every online presence of the mesh
//   mesh     ──(clock_tick_atom, generation)▶ itself (the clock's delayed_send timer)
//
// Stream names persist (storage/streams_sql.hpp) through the mesh's storage
// actor; subscriptions are in memory, keyed by presence id: they survive the
// grace window (a reattach keeps them) and end at eviction (§4.6, §5.5). A
// mesh whose last connection is evicted pauses its clock (§4.6).
//
// Internal to actors/. Functions run on their actor's thread only.
#pragma once

#include "actors/mesh_state.hpp"
#include "actors/presence_state.hpp"
#include "transport/frames_mesh_ops.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace nexus {

/// mesh → mesh: (clock_tick_atom, uint64_t generation). A timer of an older
/// generation (speed changed, paused) is ignored: delayed_send cannot be
/// cancelled, so the generation retires it.
using clock_tick_atom = caf::atom_constant<caf::atom("clock_tick")>;

/// presence → mesh: one frame of an online presence.
struct mesh_op_request {
  std::string presence_id;
  mesh_op op;
  std::optional<std::string> req_id; ///< echoed into the reply frame
};

/// An error frame for the requester (no_clock, unavailable).
struct mesh_op_error {
  std::string code, message;
};

/// The reply to write; monostate = none (unsubscribe, publish: §12).
struct mesh_op_reply {
  std::variant<std::monostate, stream_created_frame, subscribed_frame, stream_list_frame,
               mesh_info_result_frame, clock_status_frame, mesh_op_error>
      frame;
};

// --- presence side (mesh_ops_presence.cpp) ---

/// Forwards `frame` to the mesh and writes its reply. Calls `done` exactly
/// once, asynchronously, after that (the caller holds later frames).
void handle_mesh_op(presence_actor_t* self, const mesh_op_frame& frame,
                    const std::optional<std::string>& req_id, std::function<void()> done);
/// Pushes from the mesh; written only while online.
void push_stream_data(presence_actor_t* self, const stream_data_frame& f);
void push_tick(presence_actor_t* self, const tick_push_frame& f);

// --- mesh side (mesh_streams.cpp, mesh_clock.cpp) ---

caf::result<mesh_op_reply> handle_mesh_op(mesh_actor_t* self, mesh_op_request& req);
/// mesh_clock.cpp: the clock requests (set/pause/resume/get, §5.8).
mesh_op_reply handle_clock_op(mesh_actor_t* self, const mesh_op& op,
                              const std::optional<std::string>& req_id);
/// The timer of generation `generation` fired.
void on_clock_tick(mesh_actor_t* self, uint64_t generation);
/// §4.6: pauses a running clock when the mesh has no connections left.
void pause_clock_if_idle(mesh_actor_t* self);
/// Eviction side effects of this area (§4.6): the presence's subscriptions
/// end; a mesh left without connections pauses its clock.
void on_presence_evicted(mesh_actor_t* self, const std::string& presence_id);

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::mesh_op_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::mesh_op_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::stream_data_frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::tick_push_frame)
