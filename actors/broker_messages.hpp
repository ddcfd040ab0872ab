// The core broker's actor protocol: what presence actors (one per
// connection), mesh actors (one per active mesh) and the mesh registry say
// to each other. Domain types only; the presence actor converts them to wire
// frames (transport/) and back. All types are local to the node
// (CAF_ALLOW_UNSAFE_MESSAGE_TYPE); the cluster will register them later.
//
//   presence ──(get_mesh_atom, mesh_id)──────────▶ mesh_registry ─▶ caf::actor (mesh)
//   presence ──join_request──────────────────────▶ mesh  ─▶ join_reply
//   presence ──send_request──────────────────────▶ mesh  ─▶ send_reply   (after COMMIT)
//   presence ──presence_update / presence_left───▶ mesh  (no reply)
//   presence ──peers_request─────────────────────▶ mesh  ─▶ peers_reply
//   presence ──message_status_request────────────▶ mesh  ─▶ message_status_reply
//   mesh     ──deliver───────────────────────────▶ presence (push now or hold, §3.6)
//   mesh     ──(kick_atom, code, reason)─────────▶ presence (close the socket)
#pragma once

#include "actors/connection_table.hpp"
#include "actors/handshake.hpp"
#include "actors/status_engine.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus {

/// (get_mesh_atom, std::string mesh_id) → caf::actor; error when the mesh
/// does not exist.
using get_mesh_atom = caf::atom_constant<caf::atom("get_mesh")>;
/// mesh → presence: (kick_atom, uint16_t code, std::string reason)
using kick_atom = caf::atom_constant<caf::atom("kick")>;

/// A hello (or session_hello) that passed its frame decoding.
struct join_request {
  bool via_session_hello = false;
  hello_frame hello;              ///< when !via_session_hello
  session_hello_frame session;    ///< when via_session_hello
  caf::actor presence;            ///< the connection's actor, for deliveries
};

/// What the restored peer_state adds to hello_ack (§2.7).
struct restored_state {
  std::optional<std::string> last_summary;
  int64_t last_seen_at_ms = 0;
  std::optional<std::vector<group_entry>> restored_groups;
  int64_t messages_in = 0, messages_out = 0, tool_calls = 0, errors = 0;
};

struct join_reply {
  std::optional<handshake_rejection> rejection; ///< set: send error + close
  connection_entry entry;                       ///< the admitted presence
  bool reattached = false;
  // hello_ack contents (§2.7)
  std::optional<std::string> role_tag;
  std::vector<group_entry> default_groups;
  std::string message_mode = "push";
  std::optional<restored_state> restored;       ///< hello path, new presence, row existed
  caf::actor storage;                           ///< the mesh's storage actor
  std::string mesh_id;
};

/// A send frame after decoding (spec §3.1).
struct send_request {
  std::string presence_id;
  std::string id;               ///< the frame's id ("" when absent)
  std::string target_spec;
  std::string priority;         ///< unvalidated (deviation 41 answers with an ack)
  std::string nonce, ciphertext;
  std::optional<std::string> client_message_id, request_fingerprint;
};

/// The ack of §3.4; `error` empty on success.
struct send_reply {
  std::string id;
  std::string message_id;
  bool queued = false;
  std::string error;            ///< rejection text, exactly as §3.4
};

/// One push, in domain terms (§3.7). `live` pushes (multicast, system)
/// ignore status gating; queued ones (direct) are gated by the recipient.
struct push_envelope {
  enum class kind : uint8_t { live, drained, system };
  kind k = kind::live;
  std::string message_id;
  std::string mesh_id;
  std::string sender_pubkey;          ///< routing pubkey, or "system"
  std::string sender_member_pubkey;
  std::string sender_member_id;
  std::string sender_name;
  std::string priority;               ///< now | next | low
  std::string nonce, ciphertext;
  int64_t created_at_ms = 0;
  std::optional<std::string> client_message_id, request_fingerprint, subtype;
  // system pushes (§3.7.3, §4.7)
  std::string event;
  std::string event_name, event_pubkey;         ///< eventData name/displayName and pubkey
  std::optional<std::vector<group_entry>> event_groups;
  std::optional<int64_t> event_last_seen_at_ms;
  std::optional<std::string> event_summary;
};

/// mesh → presence: push this (now, or when the status allows).
struct deliver {
  push_envelope push;
  bool record_delivery = false; ///< direct queue row: record it once written
};

/// presence → mesh: the peer-visible fields of a presence changed.
struct presence_update {
  std::string presence_id;
  connection_entry snapshot;    ///< only the mutable peer fields are read
};

/// presence → mesh: the socket is gone (start the grace window).
struct presence_left {
  std::string presence_id;
  uint64_t epoch = 0;           ///< the entry epoch the presence was attached with
};

struct peers_request {
  std::string presence_id;
};

struct peers_reply {
  std::vector<connection_entry> peers;
};

struct message_status_request {
  std::string presence_id;
  std::string message_id;       ///< id or prefix, validated by the presence
};

struct message_status_recipient {
  std::string name, pubkey, status; ///< status: delivered | held | disconnected
};

struct message_status_reply {
  std::optional<std::string> error_code, error_message; ///< not_found, ambiguous_prefix
  std::string message_id, target_spec;
  bool delivered = false;
  std::optional<int64_t> delivered_at_ms;
  std::vector<message_status_recipient> recipients;
};

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::join_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::send_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::send_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::deliver)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::presence_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::presence_left)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::peers_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::peers_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::message_status_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::message_status_reply)
