// broker_link: the actor that owns a client's connection to a node. To the
// rest of a client program (the CLI, the MCP bridge) the remote mesh is this
// one actor handle: send it a link_request, get a link_reply.
//
//   connecting ──opened──▶ hello_sent ──hello_ack──▶ ready
//       ▲                     │ error / timeout          │ closed
//       │                     ▼                          ▼
//       └──── delay ──── backing_off ◀───────────────────┘
//                            │ hello refused (unauthorized, revoked,
//                            ▼ bad signature, ...) or closed 4001/4002
//                          denied (terminal: every request fails)
//
// What it does for its users:
//   * signs the hello (§2.2) with the member key; with a session key in the
//     identity it declares it as sessionPubkey (§2.3);
//   * reconnects after any loss with exponential backoff and jitter
//     (reconnect_min_ms … reconnect_max_ms, client/backoff.hpp);
//   * buffers requests while not ready, at most offline_send_buffer_max, and
//     writes them in order after the next hello_ack; more fail at once;
//   * correlates each reply by `_reqId` (a send's ack by its id), falling
//     back to the oldest request waiting for that reply type (§1.5), and
//     fails a request with `timeout` after request_timeout_ms;
//   * seals direct messages with crypto_box_easy on converted keys and opens
//     incoming ones (§3.11), base64-decodes the rest;
//   * drops pushes whose messageId it has already handed on (seen_ids).
//
// Subscribers (caf::actor) receive inbound_message, inbound_event and
// link_state (on every phase change) as plain messages.
//
// Thread-safety: an actor; talk to it only by messages.
#pragma once

#include "actors/status.hpp"
#include "client/broker_url.hpp"
#include "client/client_settings.hpp"
#include "client/link_protocol.hpp"
#include "crypto/secret_buffer.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nexus::client {

/// Who the link says it is (§2.1). Secrets stay in guarded memory.
struct link_identity {
  std::string mesh_id;
  std::string member_id;
  std::string member_pubkey;                                 ///< 64 lowercase hex
  std::shared_ptr<const crypto::secret_buffer> member_secret; ///< 64-byte ed25519 secret
  /// A session key (§2.3): routing pubkey and the key direct messages are
  /// sealed with. Without one the member key routes (and queued direct
  /// messages wait for the member while it is offline).
  std::optional<std::string> session_pubkey;
  std::shared_ptr<const crypto::secret_buffer> session_secret;
  std::string display_name;            ///< "" → the member's name
  std::string peer_type = "human";
  std::string channel = "nexus-cli";
};

struct link_config {
  broker_url url;
  link_identity identity;
  client_settings settings;
  std::vector<caf::actor> subscribers; ///< receive pushes from the first connection on
};

using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using link_state_atom = caf::atom_constant<caf::atom("link_state")>;
using link_stop_atom = caf::atom_constant<caf::atom("link_stop")>;

/// The link's own messages (socket events, timers). Opaque to users; part of
/// the interface only because a typed actor must list what it receives.
struct link_internal;

using broker_link = caf::typed_actor<
    /// Any request; always answered (a link_failure when it cannot be done).
    caf::replies_to<link_request>::with<link_reply>,
    /// Adds a subscriber for pushes, events and link_state changes.
    caf::reacts_to<subscribe_atom, caf::actor>,
    /// The current phase, presence and last error.
    caf::replies_to<link_state_atom>::with<link_state>,
    /// Writes what is queued, closes with 1000, fails what still waits, then
    /// quits; the reply comes once closed.
    caf::replies_to<link_stop_atom>::with<bool>,
    /// The inspector's status request (actors/status.hpp).
    caf::replies_to<status_atom>::with<actor_status>,
    caf::reacts_to<std::shared_ptr<link_internal>>>;

/// Spawns a link that starts connecting at once. REQUIRES: the identity's
/// keys are well-formed (the CLI validates them when it loads a home).
broker_link spawn_broker_link(caf::actor_system& sys, link_config cfg);

} // namespace nexus::client

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<nexus::client::link_internal>)
