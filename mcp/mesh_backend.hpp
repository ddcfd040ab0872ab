// mesh_backend: what the MCP tools need from a mesh, as typed calls. The
// bridge's tool table (tool_table.hpp) validates a tool's arguments, calls
// one method here and formats the typed result for the model; it never sees
// a broker frame. The production implementation sits on the client
// library's broker_link actor (one request, one awaited reply); the request
// and result types are the wire structs of transport/frames*.hpp, so the
// link's decoded replies pass through unchanged.
//
// Thread-safety: implementations must accept calls from several threads at
// once (the HTTP transport serves connections in parallel); each call blocks
// its caller until the reply, a broker error or the link's timeout.
// REQUIRES: never call from inside a CAF event-based actor.
#pragma once

#include "transport/frames.hpp"
#include "transport/frames_collab.hpp"
#include "transport/frames_mesh_ops.hpp"
#include "transport/frames_out.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus::mcp {

/// Why a call failed, in words a model can act on ("not connected to the
/// broker (retrying)", "no peer named 'bob'", "task_not_claimable: ...").
struct backend_error {
  std::string message;
};

/// A value or the reason there is none.
template <class T>
using outcome = std::variant<T, backend_error>;

/// The result of calls whose reply carries nothing but success.
struct done {};

/// `send_message`: the link resolves `to` (display name, pubkey or prefix,
/// `@group`, `*`) and seals direct messages.
struct outgoing_message {
  std::string to;
  std::string text;
  std::string priority = "next"; ///< "now" | "next" | "low"
};

struct sent_message {
  std::string messageId;
  bool queued = false;
};

/// `schedule` (PROTOCOL.md §5.6) as a reminder: to nullopt = to oneself.
struct reminder_request {
  std::string message;
  std::optional<std::string> to;
  std::optional<int64_t> deliverAt_ms; ///< one-shot; ignored with cron
  std::optional<std::string> cron;     ///< 5-field, UTC
};

struct scheduled_ack {
  std::string scheduledId;
  int64_t deliverAt_ms = 0; ///< first fire
  std::optional<std::string> cron;
};

struct scheduled_entry {
  std::string id, to, message;
  int64_t deliverAt_ms = 0;
  int64_t createdAt_ms = 0;
  std::optional<std::string> cron;
  std::optional<int64_t> firedCount;
};

/// One message for the agent: a decrypted push, a reminder, a system event
/// or a stream item. Becomes a `notifications/claude/channel` notification
/// and an entry of check_messages (channel.hpp).
struct inbound_message {
  std::string message_id;
  std::string from_id;   ///< sender's routing pubkey ("system" for events)
  std::string from_name; ///< sender's display name
  std::string text;      ///< plaintext
  std::string priority = "next";
  int64_t sent_at_ms = 0;
  std::string mesh_id;
  std::string kind;      ///< "direct" | "broadcast" | "reminder" | "system" | "stream"
};

class mesh_backend {
public:
  virtual ~mesh_backend() = default;

  // --- messaging (§3, §4.1) ---
  virtual outcome<sent_message> send_message(const outgoing_message& m) = 0;
  virtual outcome<std::vector<peer_entry>> list_peers() = 0;
  virtual outcome<message_status_result_frame> message_status(const std::string& message_id) = 0;

  // --- presence (§4.2–§4.4) ---
  virtual outcome<done> set_status(const set_status_frame& f) = 0;
  virtual outcome<done> set_summary(const set_summary_frame& f) = 0;
  virtual outcome<done> set_visible(const set_visible_frame& f) = 0;
  virtual outcome<done> set_profile(const set_profile_frame& f) = 0;
  virtual outcome<done> join_group(const join_group_frame& f) = 0;
  virtual outcome<done> leave_group(const leave_group_frame& f) = 0;

  // --- shared state (§5.1) ---
  virtual outcome<done> set_state(const set_state_frame& f) = 0;
  /// nullopt: the key has no value.
  virtual outcome<std::optional<state_entry>> get_state(const get_state_frame& f) = 0;
  virtual outcome<std::vector<state_entry>> list_state() = 0;

  // --- memory (§5.2) ---
  /// The new memory's id.
  virtual outcome<std::string> remember(const remember_frame& f) = 0;
  virtual outcome<std::vector<memory_entry>> recall(const recall_frame& f) = 0;
  virtual outcome<done> forget(const forget_frame& f) = 0;

  // --- contexts (§5.4) ---
  /// The context row's id.
  virtual outcome<std::string> share_context(const share_context_frame& f) = 0;
  virtual outcome<std::vector<context_entry>> get_context(const get_context_frame& f) = 0;
  virtual outcome<std::vector<context_entry>> list_contexts() = 0;

  // --- tasks (§5.3) ---
  /// The new task's id.
  virtual outcome<std::string> create_task(const create_task_frame& f) = 0;
  /// The broker answers claim/complete with the matching task(s).
  virtual outcome<std::vector<task_entry>> claim_task(const claim_task_frame& f) = 0;
  virtual outcome<std::vector<task_entry>> complete_task(const complete_task_frame& f) = 0;
  virtual outcome<std::vector<task_entry>> list_tasks(const list_tasks_frame& f) = 0;

  // --- reminders (§5.6) ---
  virtual outcome<scheduled_ack> schedule_reminder(const reminder_request& r) = 0;
  virtual outcome<std::vector<scheduled_entry>> list_scheduled() = 0;
  /// true: cancelled; false: no such entry of ours.
  virtual outcome<bool> cancel_scheduled(const std::string& scheduled_id) = 0;

  // --- streams (§5.5) ---
  virtual outcome<stream_created_frame> create_stream(const create_stream_frame& f) = 0;
  virtual outcome<done> publish(const publish_frame& f) = 0;
  virtual outcome<done> subscribe(const subscribe_frame& f) = 0;
  virtual outcome<std::vector<stream_entry>> list_streams() = 0;

  // --- mesh (§5.7) ---
  virtual outcome<mesh_info_result_frame> mesh_info() = 0;

  /// Installs the receiver of inbound messages, called from any thread, once
  /// per message id. Set once, before the first message can arrive.
  virtual void on_inbound(std::function<void(inbound_message)> receiver) = 0;
};

} // namespace nexus::mcp
