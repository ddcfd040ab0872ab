// channel_hub: the actor that owns the bridge's inbound messages. Every
// message the backend receives goes here; the hub keeps it for
// check_messages (bounded: the oldest is dropped first, and counted) and
// forwards it, encoded as a channel notification line, to each subscribed
// output (the stdio writer, open HTTP event streams).
//
//   inbound_message               → keep + notify subscribers
//   (take_atom)                   → inbox_batch: everything kept, oldest first; cleared
//   (join_atom, actor)            → the actor receives (notify_atom, std::string line)
//                                   until it leaves or terminates
//   (leave_atom, actor)           → stop notifying it
//   (status_atom)                 → hub_status
//
// Thread-safety: an actor; talk to it by messages only.
#pragma once

#include "mcp/mesh_backend.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <vector>

namespace nexus::mcp {

using take_atom = caf::atom_constant<caf::atom("take")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using notify_atom = caf::atom_constant<caf::atom("notify")>;
using hub_status_atom = caf::atom_constant<caf::atom("hub_stat")>;

struct inbox_batch {
  std::vector<inbound_message> messages;
};

struct hub_status {
  int64_t kept = 0;        ///< messages waiting for check_messages
  int64_t received = 0;    ///< since start
  int64_t dropped = 0;     ///< oldest dropped because the inbox was full
  int64_t subscribers = 0;
};

/// `inbox_messages_max` is config key mcp_inbox_messages_max (≥ 1).
caf::actor spawn_channel_hub(caf::actor_system& sys, int64_t inbox_messages_max);

/// Blocking helper for non-actor threads: takes the inbox.
std::vector<inbound_message> take_inbox(caf::actor_system& sys, const caf::actor& hub);

} // namespace nexus::mcp

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::mcp::inbound_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::mcp::inbox_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::mcp::hub_status)
