#include "mcp/link_backend.hpp"

#include "client/target_resolve.hpp"
#include "mcp/peer_target.hpp"

#include <caf/all.hpp>

namespace nexus::mcp {
namespace {

using client::link_reply;

backend_error error_of(const client::link_failure& f) {
  std::string text = f.broker_code.empty() ? f.message : f.broker_code + ": " + f.message;
  if (f.code == client::link_errc::not_connected || f.code == client::link_errc::timeout)
    text += " (the bridge reconnects by itself; try again shortly)";
  return backend_error{std::move(text)};
}

/// The reply's T, or the failure, or a protocol surprise.
template <class T, class Map>
auto expect(const link_reply& r, Map&& map) -> outcome<decltype(map(std::declval<const T&>()))> {
  if (const auto* f = r.failure())
    return error_of(*f);
  if (const auto* v = r.get<T>())
    return map(*v);
  return backend_error{"the broker sent an unexpected reply"};
}

outcome<done> expect_done(const link_reply& r) {
  if (const auto* f = r.failure())
    return error_of(*f);
  return done{};
}

/// Converts the link's view of an inbound message into the bridge's.
inbound_message from_push(const client::inbound_message& m) {
  inbound_message out;
  out.message_id = m.messageId;
  out.from_id = m.senderPubkey;
  out.from_name = m.senderName;
  out.text = m.text.value_or("(a message that could not be decrypted)");
  out.priority = m.priority;
  out.sent_at_ms = m.createdAt_ms;
  out.mesh_id = m.meshId;
  if (m.subtype == std::optional<std::string>("reminder"))
    out.kind = "reminder";
  else
    out.kind = m.kind == "direct" ? "direct" : "broadcast";
  return out;
}

/// Stream items and peer arrivals/departures are worth telling the agent;
/// state changes are not (they would flood it), so they stay silent.
std::optional<inbound_message> from_event(const client::inbound_event& e, int seq) {
  inbound_message out;
  out.message_id = "event-" + std::to_string(seq);
  out.sent_at_ms = e.createdAt_ms;
  out.priority = "low";
  if (e.event == "stream_data") {
    out.kind = "stream";
    out.from_name = e.name;
    out.from_id = e.name;
    out.text = e.detail_json;
    return out;
  }
  if (e.event == "peer_joined" || e.event == "peer_left" || e.event == "peer_returned") {
    out.kind = "system";
    out.from_id = "system";
    out.from_name = "system";
    out.text = e.name + (e.event == "peer_left" ? " left the mesh" : " joined the mesh");
    return out;
  }
  return std::nullopt;
}

caf::behavior relay(caf::event_based_actor*, std::function<void(inbound_message)> receiver) {
  auto seq = std::make_shared<int>(0);
  return {
      [=](const client::inbound_message& m) { receiver(from_push(m)); },
      [=](const client::inbound_event& e) {
        if (auto m = from_event(e, ++*seq))
          receiver(std::move(*m));
      },
      [=](const client::link_state&) {},
  };
}

} // namespace

link_backend::link_backend(caf::actor_system& sys, client::broker_link link,
                           std::string self_pubkey, std::chrono::milliseconds reply_timeout)
    : sys_(sys), link_(std::move(link)), self_pubkey_(std::move(self_pubkey)),
      reply_timeout_(reply_timeout) {}

link_backend::~link_backend() {
  if (relay_)
    caf::anon_send_exit(relay_, caf::exit_reason::user_shutdown);
}

link_reply link_backend::ask(client::link_op op) {
  caf::scoped_actor self{sys_};
  link_reply out{client::link_failure{client::link_errc::timeout, "", "no reply from the link"}};
  self->request(link_, reply_timeout_, client::link_request{std::move(op)})
      .receive([&](link_reply& r) { out = std::move(r); },
               [&](caf::error& e) {
                 out = link_reply{client::link_failure{client::link_errc::not_connected, "",
                                                       "the broker link failed: " + to_string(e)}};
               });
  return out;
}

outcome<std::string> link_backend::target_of(const std::string& to) {
  std::vector<peer_entry> peers;
  if (client::needs_peer_list(to)) {
    auto listed = list_peers();
    if (auto* err = std::get_if<backend_error>(&listed))
      return *err;
    peers = std::move(std::get<std::vector<peer_entry>>(listed));
  }
  auto r = resolve_peer_target(to, peers, self_pubkey_);
  if (auto* err = std::get_if<backend_error>(&r))
    return *err;
  return std::get<std::string>(r);
}

outcome<sent_message> link_backend::send_message(const outgoing_message& m) {
  auto target = target_of(m.to);
  if (auto* err = std::get_if<backend_error>(&target))
    return *err;
  return expect<client::message_sent>(
      ask(client::send_message{std::get<std::string>(target), m.text, m.priority}),
      [](const client::message_sent& s) { return sent_message{s.messageId, true}; });
}

outcome<std::vector<peer_entry>> link_backend::list_peers() {
  return expect<peers_list_frame>(ask(client::presence_op{list_peers_frame{}}),
                                  [](const peers_list_frame& f) { return f.peers; });
}

outcome<message_status_result_frame> link_backend::message_status(const std::string& id) {
  return expect<message_status_result_frame>(
      ask(client::presence_op{message_status_frame{id}}),
      [](const message_status_result_frame& f) { return f; });
}

outcome<done> link_backend::set_status(const set_status_frame& f) {
  return expect_done(ask(client::presence_op{f}));
}
outcome<done> link_backend::set_summary(const set_summary_frame& f) {
  return expect_done(ask(client::presence_op{f}));
}
outcome<done> link_backend::set_visible(const set_visible_frame& f) {
  return expect_done(ask(client::presence_op{f}));
}
outcome<done> link_backend::set_profile(const set_profile_frame& f) {
  return expect_done(ask(client::presence_op{f}));
}
outcome<done> link_backend::join_group(const join_group_frame& f) {
  return expect_done(ask(client::presence_op{f}));
}
outcome<done> link_backend::leave_group(const leave_group_frame& f) {
  return expect_done(ask(client::presence_op{f}));
}

outcome<done> link_backend::set_state(const set_state_frame& f) {
  return expect_done(ask(collab_request{f}));
}
outcome<std::optional<state_entry>> link_backend::get_state(const get_state_frame& f) {
  return expect<state_result_frame>(ask(collab_request{f}),
                                    [](const state_result_frame& r) { return r.entry; });
}
outcome<std::vector<state_entry>> link_backend::list_state() {
  return expect<state_list_frame>(ask(collab_request{list_state_frame{}}),
                                  [](const state_list_frame& r) { return r.entries; });
}

outcome<std::string> link_backend::remember(const remember_frame& f) {
  return expect<memory_stored_frame>(ask(collab_request{f}),
                                     [](const memory_stored_frame& r) { return r.id; });
}
outcome<std::vector<memory_entry>> link_backend::recall(const recall_frame& f) {
  return expect<memory_results_frame>(ask(collab_request{f}),
                                      [](const memory_results_frame& r) { return r.memories; });
}
outcome<done> link_backend::forget(const forget_frame& f) {
  return expect<forget_ack_frame>(ask(collab_request{f}), [](const forget_ack_frame&) { return done{}; });
}

outcome<std::string> link_backend::share_context(const share_context_frame& f) {
  return expect<context_shared_frame>(ask(collab_request{f}),
                                      [](const context_shared_frame& r) { return r.id; });
}
outcome<std::vector<context_entry>> link_backend::get_context(const get_context_frame& f) {
  return expect<context_list_frame>(ask(collab_request{f}),
                                    [](const context_list_frame& r) { return r.contexts; });
}
outcome<std::vector<context_entry>> link_backend::list_contexts() {
  return expect<context_list_frame>(ask(collab_request{list_contexts_frame{}}),
                                    [](const context_list_frame& r) { return r.contexts; });
}

outcome<std::string> link_backend::create_task(const create_task_frame& f) {
  return expect<task_created_frame>(ask(collab_request{f}),
                                    [](const task_created_frame& r) { return r.id; });
}
outcome<std::vector<task_entry>> link_backend::claim_task(const claim_task_frame& f) {
  return expect<task_list_frame>(ask(collab_request{f}),
                                 [](const task_list_frame& r) { return r.tasks; });
}
outcome<std::vector<task_entry>> link_backend::complete_task(const complete_task_frame& f) {
  return expect<task_list_frame>(ask(collab_request{f}),
                                 [](const task_list_frame& r) { return r.tasks; });
}
outcome<std::vector<task_entry>> link_backend::list_tasks(const list_tasks_frame& f) {
  return expect<task_list_frame>(ask(collab_request{f}),
                                 [](const task_list_frame& r) { return r.tasks; });
}

outcome<scheduled_ack> link_backend::schedule_reminder(const reminder_request& r) {
  std::string to = self_pubkey_;
  if (r.to) {
    auto target = target_of(*r.to);
    if (auto* err = std::get_if<backend_error>(&target))
      return *err;
    to = std::get<std::string>(target);
  }
  schedule_request_frame f;
  f.to = to;
  f.message = r.message;
  f.deliverAt = r.cron ? 0 : r.deliverAt_ms.value_or(0);
  f.subtype = "reminder";
  f.cron = r.cron;
  return expect<scheduled_ack_frame>(
      ask(client::schedule_op{f}), [](const scheduled_ack_frame& a) {
        return scheduled_ack{a.scheduledId, a.deliverAt_ms, a.cron};
      });
}

outcome<std::vector<scheduled_entry>> link_backend::list_scheduled() {
  return expect<scheduled_list_frame>(
      ask(client::schedule_op{list_scheduled_frame{}}),
      [](const scheduled_list_frame& l) {
        std::vector<scheduled_entry> out;
        for (const auto& e : l.messages)
          out.push_back({e.id, e.to, e.message, e.deliverAt_ms, e.createdAt_ms, e.cron, e.firedCount});
        return out;
      });
}

outcome<bool> link_backend::cancel_scheduled(const std::string& id) {
  return expect<cancel_scheduled_ack_frame>(
      ask(client::schedule_op{cancel_scheduled_frame{id}}),
      [](const cancel_scheduled_ack_frame& a) { return a.ok; });
}

outcome<stream_created_frame> link_backend::create_stream(const create_stream_frame& f) {
  return expect<stream_created_frame>(ask(mesh_op{f}),
                                      [](const stream_created_frame& r) { return r; });
}
outcome<done> link_backend::publish(const publish_frame& f) { return expect_done(ask(mesh_op{f})); }
outcome<done> link_backend::subscribe(const subscribe_frame& f) {
  return expect<subscribed_frame>(ask(mesh_op{f}), [](const subscribed_frame&) { return done{}; });
}
outcome<std::vector<stream_entry>> link_backend::list_streams() {
  return expect<stream_list_frame>(ask(mesh_op{list_streams_frame{}}),
                                   [](const stream_list_frame& r) { return r.streams; });
}
outcome<mesh_info_result_frame> link_backend::mesh_info() {
  return expect<mesh_info_result_frame>(ask(mesh_op{mesh_info_frame{}}),
                                        [](const mesh_info_result_frame& r) { return r; });
}

void link_backend::on_inbound(std::function<void(inbound_message)> receiver) {
  relay_ = sys_.spawn(relay, std::move(receiver));
  caf::anon_send(link_, client::subscribe_atom::value, relay_);
}

} // namespace nexus::mcp
