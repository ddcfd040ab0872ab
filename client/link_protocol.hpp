// link_protocol: what a program sends to its broker_link actor and what it
// gets back (client/broker_link.hpp). One request struct in, one
// link_reply out: a typed reply, or a link_failure that says why.
//
// Requests reuse the broker's own frame vocabulary (transport/frames*.hpp):
// a client sends the very structs the node decodes, and reads back the very
// structs the node encodes (the schedule frames included). Client-side only:
// send_message (plaintext; the link seals it) and the identity frames.
//
// Thread-safety: plain values; copy freely between threads and actors.
#pragma once

#include "client/identity_frames.hpp"
#include "transport/frames.hpp"
#include "transport/frames_out.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus::client {

// --- requests ---------------------------------------------------------------

/// A message to `target` (a 64-hex pubkey, `@group`, `*` or `#topicId`;
/// names are resolved by the caller, see client/target_resolve.hpp). A direct
/// target gets the text sealed with crypto_box_easy (§3.11); any other
/// target carries base64 plaintext, as every claudemesh client does.
struct send_message {
  std::string target;
  std::string text;
  std::string priority = "next"; ///< now | next | low
};

/// Presence setters and reads (§3.10, §4).
using presence_op =
    std::variant<list_peers_frame, set_status_frame, set_summary_frame, set_visible_frame,
                 set_profile_frame, join_group_frame, leave_group_frame, message_status_frame>;

/// Scheduled messages and reminders (§5.6): the node's own request struct.
using schedule_op = schedule_frame;

/// Everything a link can be asked to do on the broker.
using link_op =
    std::variant<send_message, presence_op, collab_request, mesh_op, schedule_op, identity_op>;

struct link_request {
  link_op op;
};

// --- replies ----------------------------------------------------------------

/// Why a request failed. Each value maps to one CLI exit code (apps/nexus).
enum class link_errc {
  timeout,       ///< no reply within request_timeout_ms (connected or not)
  not_connected, ///< offline buffer full, link stopped, or the connection dropped mid-request
  rejected,      ///< the broker answered with an error frame or a refusing ack
  denied,        ///< the broker refused the hello (unauthorized, revoked, banned, kicked)
  invalid,       ///< the request cannot be sent as is (e.g. a target that is no ed25519 key)
};

const char* to_string(link_errc e);

struct link_failure {
  link_errc code = link_errc::rejected;
  std::string broker_code; ///< the error frame's code, when the broker sent one
  std::string message;     ///< one human line
};

/// A fire-and-forget frame (set_state, set_status, ...) was written to the
/// socket. The broker processes one connection's frames in order, so the
/// reply to any later request proves it was applied.
struct link_done {};

/// A send the broker queued (ack queued:true).
struct message_sent {
  std::string id;        ///< our send id
  std::string messageId; ///< the broker's queue row id
};

using link_result =
    std::variant<link_failure, link_done, message_sent, peers_list_frame, done_ack,
                 message_status_result_frame, state_result_frame, state_list_frame,
                 memory_stored_frame, memory_results_frame, forget_ack_frame, task_created_frame,
                 task_list_frame, context_shared_frame, context_list_frame, stream_created_frame,
                 subscribed_frame, stream_list_frame, mesh_info_result_frame, clock_status_frame,
                 scheduled_ack_frame, scheduled_list_frame, cancel_scheduled_ack_frame,
                 invite_created_frame>;

struct link_reply {
  link_result result;

  bool ok() const { return !std::holds_alternative<link_failure>(result); }
  const link_failure* failure() const { return std::get_if<link_failure>(&result); }
  template <class T>
  const T* get() const { return std::get_if<T>(&result); }
};

// --- what subscribers receive ------------------------------------------------

/// A message push, opened: direct messages decrypted, others base64-decoded.
struct inbound_message {
  std::string messageId;
  std::string meshId;
  std::string senderPubkey;       ///< routing key
  std::string senderMemberPubkey; ///< "" when the broker did not say
  std::string senderName;
  std::string priority;
  std::string kind;               ///< "direct" | "broadcast" | "group" | "topic"... see broker_link.cpp
  std::optional<std::string> text; ///< nullopt: could not be opened
  std::optional<std::string> subtype;
  std::optional<std::string> topic;
  int64_t createdAt_ms = 0;
  int64_t receivedAt_ms = 0;
};

/// A system push (§3.7.3, §4.7) or another broker event worth showing.
struct inbound_event {
  std::string event;      ///< peer_joined, peer_left, tick, state_change, stream_data, ...
  std::string name;       ///< eventData.name / updatedBy / publishedBy when present
  std::string pubkey;     ///< eventData.pubkey when present
  std::string detail_json = "null"; ///< the rest, as JSON text (eventData, or {key,value})
  int64_t createdAt_ms = 0;
};

/// Where the link is. Subscribers get one on every change.
struct link_state {
  enum class phase { connecting, ready, backing_off, denied, stopped } now = phase::connecting;
  std::string presenceId;          ///< when ready
  std::string memberDisplayName;   ///< when ready (hello_ack)
  std::string routing_pubkey;      ///< session key if any, else member key
  std::string last_error;          ///< why the last connection ended or failed
  int64_t next_attempt_in_ms = 0;  ///< backing_off only
  int64_t attempts = 0;            ///< connection attempts since the last hello_ack
};

const char* to_string(link_state::phase p);

} // namespace nexus::client

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::client::link_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::client::link_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::client::inbound_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::client::inbound_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::client::link_state)
