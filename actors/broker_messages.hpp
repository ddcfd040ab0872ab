// The core broker's actor protocol: what presence actors (one per
// connection), mesh actors (one per active mesh) and the mesh registry say
// to each other. Payloads reuse the typed frames of transport/frames*.hpp
// (plain values, no JSON); only the presence actor encodes them. All types
// are local to the node (CAF_ALLOW_UNSAFE_MESSAGE_TYPE).
//
//   presence ──(get_mesh_atom, mesh_id)──────────▶ mesh_registry ─▶ caf::actor (mesh)
//   presence ──join_request──────────────────────▶ mesh  ─▶ join_reply
//   presence ──send_request──────────────────────▶ mesh  ─▶ send_ack      (after COMMIT)
//   presence ──presence_update / presence_left───▶ mesh  (no reply)
//   presence ──peers_request─────────────────────▶ mesh  ─▶ peers_reply
//   presence ──message_status_request────────────▶ mesh  ─▶ message_status_reply
//   mesh     ──deliver───────────────────────────▶ presence (push now or hold, §3.6)
//   mesh     ──(kick_atom, code, reason)─────────▶ presence (close the socket)
//   mesh     ──(hook_status_atom, status)────────▶ presence ─▶ hook_status_reply (§6.4 hook)
//   hook     ──(hook_status_atom, presence_id, status)─▶ mesh ─▶ hook_status_reply
//                                                  (delegated to the presence when online)
#pragma once

#include "actors/connection_table.hpp"
#include "actors/handshake.hpp"
#include "actors/schedule_messages.hpp"
#include "actors/permissions.hpp"
#include "config/node_config.hpp"
#include "transport/metrics.hpp"
#include "transport/frames.hpp"
#include "transport/frames_out.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus {

/// (get_mesh_atom, std::string mesh_id) → caf::actor; an error when the
/// mesh does not exist (the hello is then `unauthorized`).
using get_mesh_atom = caf::atom_constant<caf::atom("get_mesh")>;
/// mesh → presence: (kick_atom, uint16_t code, std::string reason)
using kick_atom = caf::atom_constant<caf::atom("kick")>;
/// POST /hook/set-status (§6.4):
///   → mesh:     (hook_status_atom, std::string presence_id, std::string status) → hook_status_reply
///   → presence: (hook_status_atom, std::string status) → hook_status_reply
/// The status string is one of idle|working|dnd (the route validated it).
using hook_status_atom = caf::atom_constant<caf::atom("hook_stat")>;

/// A hello (or session_hello) whose frame decoded.
struct join_request {
  bool via_session_hello = false;
  hello_frame hello;              ///< when !via_session_hello
  session_hello_frame session;    ///< when via_session_hello
  caf::actor presence;            ///< the connection's actor, for deliveries
};

struct join_reply {
  /// Set: send this error, then close with its code and reason.
  std::optional<std::string> error_code, error_message, close_reason;
  uint16_t close_code = 0;
  // Accepted:
  connection_entry entry;         ///< the admitted presence (reattached or new)
  bool reattached = false;
  hello_ack_frame ack;            ///< ready to encode
  caf::actor storage;             ///< the mesh's storage actor
  std::string mesh_id;
  presence_status status;         ///< incl. a pending hook status applied at join
  permission_set permissions;     ///< the member's effective permissions (issue 4)
};

/// A refused handshake as the join_reply the presence acts on (error frame,
/// then close), counted in broker_connections_rejected_total{reason}.
join_reply refused_join(const handshake_rejection& r, metrics::node_metrics& metrics);

/// The handshake checks' bounds from the node's config.
handshake_limits handshake_limits_of(const config::node_config& cfg);

/// A send frame of an admitted presence (§3.1), or a scheduled fire (§5.6).
struct send_request {
  std::string presence_id;
  send_frame frame;
  std::optional<scheduled_send> scheduled = std::nullopt; ///< set by the mesh for a scheduled fire
};

/// mesh → presence: push this now (live, system) or when the status
/// allows (queued direct rows, §3.6).
struct deliver {
  std::variant<message_push, system_push> push;
  bool gated = false;             ///< queued row: gate by status and priority
  bool record_delivery = false;   ///< mark the row delivered once written
};

/// presence → mesh: the peer-visible fields of a presence changed.
struct presence_update {
  std::string presence_id;
  connection_entry snapshot;      ///< the mutable peer fields are copied from it
};

/// presence → mesh: the socket is gone (grace window, §4.6).
struct presence_left {
  std::string presence_id;
  uint64_t epoch = 0;             ///< the entry epoch the presence was attached with
};

struct peers_request {
  std::string presence_id;
};

struct peers_reply {
  std::vector<peer_entry> peers;
};

struct message_status_request {
  std::string presence_id;
  std::string message_id;         ///< id or prefix, shape already validated
};

struct message_status_reply {
  std::optional<std::string> error_code, error_message; ///< not_found, ambiguous_prefix
  message_status_result_frame result;
};

/// The answer to a hook status: sent after the status was written (so a
/// list_peers issued after the HTTP reply sees it).
struct hook_status_reply {
  bool found = false; ///< the mesh knows the presence (online or in its grace window)
  bool dnd = false;   ///< it was dnd, so nothing changed ("DND is sacred")
};

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::join_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::send_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::send_ack)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::deliver)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::presence_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::presence_left)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::peers_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::peers_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::message_status_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::message_status_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::hook_status_reply)
