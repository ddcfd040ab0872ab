// link_backend: the mesh_backend of nexus-mcp, on the client library's
// broker_link actor (client/broker_link.hpp). Each tool call is one
// link_request awaited by a scoped actor on the caller's thread; the link
// seals direct messages, correlates replies and times them out
// (request_timeout_ms). Inbound pushes, stream items and peer events reach
// on_inbound's receiver through a small relay actor subscribed to the link.
//
// Thread-safety: calls may come from several threads at once (each uses its
// own scoped actor); the link serializes them.
#pragma once

#include "client/broker_link.hpp"
#include "mcp/mesh_backend.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <string>

namespace nexus::mcp {

class link_backend : public mesh_backend {
public:
  /// `self_pubkey`: our routing key (reminders go there by default, name
  /// resolution skips it). `reply_timeout` should exceed the link's own
  /// request_timeout_ms, which then decides.
  link_backend(caf::actor_system& sys, client::broker_link link, std::string self_pubkey,
               std::chrono::milliseconds reply_timeout);
  ~link_backend() override;

  outcome<sent_message> send_message(const outgoing_message& m) override;
  outcome<std::vector<peer_entry>> list_peers() override;
  outcome<message_status_result_frame> message_status(const std::string& message_id) override;
  outcome<done> set_status(const set_status_frame& f) override;
  outcome<done> set_summary(const set_summary_frame& f) override;
  outcome<done> set_visible(const set_visible_frame& f) override;
  outcome<done> set_profile(const set_profile_frame& f) override;
  outcome<done> join_group(const join_group_frame& f) override;
  outcome<done> leave_group(const leave_group_frame& f) override;
  outcome<done> set_state(const set_state_frame& f) override;
  outcome<std::optional<state_entry>> get_state(const get_state_frame& f) override;
  outcome<std::vector<state_entry>> list_state() override;
  outcome<std::string> remember(const remember_frame& f) override;
  outcome<std::vector<memory_entry>> recall(const recall_frame& f) override;
  outcome<done> forget(const forget_frame& f) override;
  outcome<std::string> share_context(const share_context_frame& f) override;
  outcome<std::vector<context_entry>> get_context(const get_context_frame& f) override;
  outcome<std::vector<context_entry>> list_contexts() override;
  outcome<std::string> create_task(const create_task_frame& f) override;
  outcome<std::vector<task_entry>> claim_task(const claim_task_frame& f) override;
  outcome<std::vector<task_entry>> complete_task(const complete_task_frame& f) override;
  outcome<std::vector<task_entry>> list_tasks(const list_tasks_frame& f) override;
  outcome<scheduled_ack> schedule_reminder(const reminder_request& r) override;
  outcome<std::vector<scheduled_entry>> list_scheduled() override;
  outcome<bool> cancel_scheduled(const std::string& scheduled_id) override;
  outcome<stream_created_frame> create_stream(const create_stream_frame& f) override;
  outcome<done> publish(const publish_frame& f) override;
  outcome<done> subscribe(const subscribe_frame& f) override;
  outcome<std::vector<stream_entry>> list_streams() override;
  outcome<mesh_info_result_frame> mesh_info() override;
  void on_inbound(std::function<void(inbound_message)> receiver) override;

  /// The link's reply to `op`, or a link_failure when no reply came.
  client::link_reply ask(client::link_op op);

private:
  outcome<std::string> target_of(const std::string& to);

  caf::actor_system& sys_;
  client::broker_link link_;
  std::string self_pubkey_;
  std::chrono::milliseconds reply_timeout_;
  caf::actor relay_;
};

} // namespace nexus::mcp
