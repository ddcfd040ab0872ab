// The presence's frame side: the hello (§2), then every request frame in
// arrival order (§3, §4), answered through the connection's sink.
#include "actors/audit.hpp"
#include "actors/collab.hpp"
#include "actors/handshake.hpp"
#include "actors/identity_ops.hpp"
#include "actors/mesh_ops.hpp"
#include "actors/presence_state.hpp"
#include "actors/schedule_requests.hpp"
#include "actors/status.hpp"
#include "actors/storage_messages.hpp"
#include "config/log.hpp"
#include "storage/broker_sql.hpp"
#include "transport/frame_encoders.hpp"
#include "transport/frame_encoders_identity.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace nexus {
namespace {

void done(presence_actor_t* self) {
  self->state.busy = false;
  process_frames(self);
}

void send_error(presence_state& st, std::string_view code, std::string_view message,
                const std::optional<std::string>& req_id = std::nullopt,
                const std::optional<std::string>& id = std::nullopt) {
  st.sink->send(wire::encode_error(code, message, req_id, id));
}

void close_with(presence_actor_t* self, const join_reply& r) {
  auto& st = self->state;
  send_error(st, *r.error_code, r.error_message.value_or(*r.error_code));
  st.sink->close(r.close_code, r.close_reason.value_or(*r.error_code));
  st.phase = presence_phase::closed;
  st.queue.clear();
}

void joined(presence_actor_t* self, join_reply& r) {
  auto& st = self->state;
  if (st.phase == presence_phase::closed)
    return;
  if (r.error_code) {
    close_with(self, r);
    return;
  }
  st.phase = presence_phase::online;
  st.storage = r.storage;
  st.mesh_id = r.mesh_id;
  st.me = r.entry;
  st.status = r.status;
  st.permissions = r.permissions;
  if (st.status.source == status_source::hook)
    persist_status(self); // a pending hook status applied at join (§4.2)
  schedule_status_ttl(self);
  st.sink->send(wire::encode_hello_ack(r.ack)); // §2.8: the ack before any push
  auto early = std::move(st.early);
  st.early.clear();
  for (auto& d : early)
    on_deliver(self, std::move(d));
  drain_queue(self);
  done(self);
}

/// The mesh is unknown (or could not be loaded): the stateless checks still
/// decide first, as in the reference, else the member is not found.
void mesh_unavailable(presence_actor_t* self, const wire::inbound& frame) {
  auto& st = self->state;
  int64_t now = unix_now_ms();
  auto limits = handshake_limits_of(*st.cfg);
  std::optional<handshake_rejection> r;
  handshake_kind kind = handshake_kind::hello;
  if (auto* h = std::get_if<hello_frame>(&frame.payload)) {
    r = check_hello(*h, now, false, limits);
  } else if (auto* s = std::get_if<session_hello_frame>(&frame.payload)) {
    kind = handshake_kind::session_hello;
    r = check_session_hello(*s, now, false, limits);
  }
  if (!r)
    r = reject_unauthorized(kind);
  close_with(self, refused_join(*r, *st.metrics));
}

void start_join(presence_actor_t* self, wire::inbound frame) {
  auto& st = self->state;
  st.phase = presence_phase::joining;
  st.busy = true;
  join_request req;
  req.presence = self;
  std::string mesh_id;
  if (auto* h = std::get_if<hello_frame>(&frame.payload)) {
    req.hello = *h;
    mesh_id = h->meshId;
  } else {
    req.via_session_hello = true;
    req.session = std::get<session_hello_frame>(frame.payload);
    mesh_id = req.session.meshId;
  }
  auto timeout = storage_timeout(st) * 3;
  self->request(st.registry, timeout, get_mesh_atom::value, mesh_id)
      .then(
          [=](caf::actor mesh) mutable {
            self->state.mesh = mesh;
            self->request(mesh, timeout, std::move(req))
                .then([=](join_reply& r) { joined(self, r); },
                      [=](caf::error& err) {
                        log::warn("presence") << "join failed: " << to_string(err);
                        join_reply r;
                        r.error_code = "unavailable";
                        r.error_message = "broker busy, retry shortly";
                        r.close_code = 1013;
                        joined(self, r);
                      });
          },
          [=](caf::error& err) {
            if (err == caf::sec::invalid_argument) { // no such mesh
              mesh_unavailable(self, frame);
              return;
            }
            join_reply r; // storage not ready, or the database is down
            r.error_code = "unavailable";
            r.error_message = "broker not ready, retry shortly";
            r.close_code = 1013;
            joined(self, r);
          });
}

void ack_done(presence_state& st, const std::optional<std::string>& req_id) {
  done_ack ack;
  ack.req_id = req_id;
  st.sink->send(wire::encode_done_ack(ack));
}

bool base62(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

/// One frame of an admitted connection. Sets busy when its answer waits.
void handle_online(presence_actor_t* self, wire::inbound& in) {
  auto& st = self->state;
  auto& p = in.payload;
  if (auto* err = std::get_if<frame_error>(&p)) {
    send_error(st, err->code, err->message, in.req_id, err->id);
    if (in.type == "send") { // the sender waits for an ack by id
      send_ack ack;
      ack.id = err->id.value_or("");
      ack.error = err->message;
      st.sink->send(wire::encode_send_ack(ack));
    }
    return;
  }
  if (auto* send = std::get_if<send_frame>(&p)) { // actors/presence_sends.cpp
    start_send(self, std::move(*send)); // the frame is not used after this
    return;
  }
  if (auto* ca = std::get_if<client_ack_frame>(&p)) {
    if (!ca->clientMessageId && !ca->brokerMessageId)
      return;
    std::vector<std::string> own{st.me.member_pubkey, "*"};
    if (!st.me.session_pubkey.empty())
      own.push_back(st.me.session_pubkey);
    db_request req{{db_call{&storage::broker_sql::client_ack,
                            {st.mesh_id, ca->brokerMessageId, ca->clientMessageId,
                             storage::pg_text_array(own)}}}};
    self->request(st.storage, storage_timeout(st), std::move(req))
        .then([](db_reply&) {}, [](caf::error&) {});
    return;
  }
  if (auto* s = std::get_if<set_status_frame>(&p)) {
    if (auto status = parse_peer_status(s->status)) {
      write_status(st.status, *status, status_source::manual, unix_now_ms(),
                   st.cfg->hook_fresh_window_ms);
      status_written(self);
      release_held(self);
    }
    return;
  }
  if (auto* s = std::get_if<set_summary_frame>(&p)) {
    st.me.summary = s->summary;
    publish_me(self);
    return;
  }
  if (auto* v = std::get_if<set_visible_frame>(&p)) {
    st.me.visible = v->visible;
    publish_me(self);
    ack_done(st, in.req_id);
    return;
  }
  if (auto* prof = std::get_if<set_profile_frame>(&p)) {
    if (prof->avatar)
      st.me.profile.avatar = prof->avatar;
    if (prof->title)
      st.me.profile.title = prof->title;
    if (prof->bio)
      st.me.profile.bio = prof->bio;
    if (prof->capabilities)
      st.me.profile.capabilities = prof->capabilities;
    publish_me(self);
    ack_done(st, in.req_id);
    return;
  }
  if (auto* stats = std::get_if<set_stats_frame>(&p)) {
    st.me.stats = static_cast<peer_stats>(*stats);
    publish_me(self);
    return;
  }
  if (auto* j = std::get_if<join_group_frame>(&p)) {
    auto& g = st.me.groups;
    g.erase(std::remove_if(g.begin(), g.end(), [&](const hello_group& x) { return x.name == j->name; }),
            g.end());
    g.push_back({j->name, j->role});
    publish_me(self);
    return;
  }
  if (auto* l = std::get_if<leave_group_frame>(&p)) {
    auto& g = st.me.groups;
    g.erase(std::remove_if(g.begin(), g.end(), [&](const hello_group& x) { return x.name == l->name; }),
            g.end());
    publish_me(self);
    return;
  }
  if (std::holds_alternative<list_peers_frame>(p)) {
    st.busy = true;
    auto req_id = in.req_id;
    self->request(st.mesh, storage_timeout(st), peers_request{st.me.presence_id})
        .then(
            [=](peers_reply& r) {
              peers_list_frame f;
              f.peers = std::move(r.peers);
              f.req_id = req_id;
              self->state.sink->send(wire::encode_peers_list(f));
              done(self);
            },
            [=](caf::error&) { done(self); });
    return;
  }
  if (auto* ms = std::get_if<message_status_frame>(&p)) {
    const auto& id = ms->messageId;
    if (id.size() < 8 || id.size() > 32 || !base62(id)) {
      send_error(st, "invalid_argument",
                 "messageId must be 8-32 base62 chars (got " + std::to_string(id.size()) + ")",
                 in.req_id);
      return;
    }
    st.busy = true;
    auto req_id = in.req_id;
    self->request(st.mesh, storage_timeout(st) * 2, message_status_request{st.me.presence_id, id})
        .then(
            [=](message_status_reply& r) {
              auto& st = self->state;
              if (r.error_code) {
                send_error(st, *r.error_code, r.error_message.value_or(""), req_id);
              } else {
                r.result.req_id = req_id;
                st.sink->send(wire::encode_message_status_result(r.result));
              }
              done(self);
            },
            [=](caf::error&) { done(self); });
    return;
  }
  if (auto* c = std::get_if<collab_frame>(&p)) { // §5.1–§5.4 (actors/collab.hpp)
    if (std::holds_alternative<set_state_frame>(c->request) &&
        !st.permissions.has(permission::write_state)) {
      send_error(st, "forbidden", "forbidden: set_state needs the write_state permission", in.req_id);
      return;
    }
    st.busy = true;
    handle_collab(self, *c, in.req_id, [self] { done(self); });
    return;
  }
  if (auto* op = std::get_if<mesh_op_frame>(&p)) { // §5.5, §5.7, §5.8 (actors/mesh_ops.hpp)
    st.busy = true;
    handle_mesh_op(self, *op, in.req_id, [self] { done(self); });
    return;
  }
  if (auto* a = std::get_if<audit_frame>(&p)) { // §5.20 (actors/audit.hpp)
    st.busy = true;
    handle_audit(self, *a, in.req_id, [self] { done(self); });
    return;
  }
  if (auto* s = std::get_if<schedule_frame>(&p)) { // §5.6 (actors/schedule_requests.hpp)
    st.busy = true;
    handle_schedule(self, *s, in.req_id, [self] { done(self); });
    return;
  }
  if (auto* id = std::get_if<identity_frame>(&p)) { // issue 4 (actors/identity_ops.hpp)
    st.busy = true;
    handle_identity(self, *id, in.req_id, [self] { done(self); });
    return;
  }
  // A second hello (§1.3: ignored) or a type the broker does not handle yet
  // (§1.2: silently ignored).
}

} // namespace

void process_frames(presence_actor_t* self) {
  auto& st = self->state;
  while (!st.busy && !st.queue.empty() && st.phase != presence_phase::closed) {
    if (st.phase == presence_phase::online && !send_order_allows(st, st.queue.front()))
      break;
    auto frame = std::move(st.queue.front());
    st.queue.pop_front();
    st.sink->consumed(1);
    if (st.phase == presence_phase::awaiting_hello) {
      if (std::holds_alternative<hello_frame>(frame.payload) ||
          std::holds_alternative<session_hello_frame>(frame.payload))
        start_join(self, std::move(frame));
      else if (auto* err = std::get_if<frame_error>(&frame.payload); err && frame.type.empty())
        st.sink->send(wire::encode_error(*err, frame.req_id)); // not even a frame: say so
      else
        send_error(st, "no_hello", "must send hello first");
      continue;
    }
    handle_online(self, frame);
  }
}

namespace {

caf::behavior presence(presence_actor_t* self, std::shared_ptr<transport::frame_sink> sink,
                       transport::connection_info conn, std::shared_ptr<const config::node_config> cfg,
                       caf::actor registry, caf::actor scheduler, metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.sink = std::move(sink);
  st.conn = std::move(conn);
  st.cfg = std::move(cfg);
  st.registry = std::move(registry);
  st.scheduler = std::move(scheduler);
  st.metrics = metrics;
  auto touch = [self] {
    ++self->state.handled;
    self->state.last_activity_ms = unix_now_ms();
  };
  return {
      [=](wire::inbound& frame) {
        touch();
        auto& st = self->state;
        if (st.phase == presence_phase::closed)
          return;
        st.queue.push_back(std::move(frame));
        process_frames(self);
      },
      [=](deliver& d) {
        touch();
        on_deliver(self, std::move(d));
      },
      [=](const transport::frame_written& w) {
        touch();
        on_written(self, w.token);
      },
      [=](const state_change_frame& change) {
        touch();
        push_state_change(self, change);
      },
      [=](const stream_data_frame& data) {
        touch();
        push_stream_data(self, data);
      },
      [=](const tick_push_frame& tick) {
        touch();
        push_tick(self, tick);
      },
      [=](const fired_ack& a) { // a scheduled send went out as this connection (§5.6)
        touch();
        push_fired_ack(self, a);
      },
      [=](const permissions_changed& changed) { self->state.permissions = changed.permissions; },
      [=](const profile_updated_push& push) {
        touch();
        if (self->state.phase == presence_phase::online)
          self->state.sink->send(wire::encode_profile_updated(push));
      },
      [=](mark_flush_atom) { flush_marks(self); },
      [=](send_sweep_atom) { on_send_sweep(self); },
      [=](recheck_atom) { release_held(self); },
      [=](status_ttl_atom) { on_status_ttl(self); },
      [=](hook_status_atom, const std::string& status) -> hook_status_reply {
        touch();
        auto& st = self->state;
        hook_status_reply reply;
        reply.found = true;
        reply.dnd = st.status.status == peer_status::dnd;
        auto parsed = parse_peer_status(status);
        if (!parsed || st.phase != presence_phase::online)
          return reply;
        if (!write_hook_status(st.status, *parsed, unix_now_ms(), st.cfg->hook_fresh_window_ms))
          return reply; // DND is sacred (§6.4 step 7): no write, no drain
        status_written(self);
        release_held(self);
        drain_queue(self);
        return reply;
      },
      [=](kick_atom, uint16_t code, const std::string& reason) {
        touch();
        auto& st = self->state;
        st.sink->close(code, reason);
        st.phase = presence_phase::closed;
      },
      [=](const transport::connection_closed&) {
        auto& st = self->state;
        if (st.mesh && !st.me.presence_id.empty())
          self->send(st.mesh, presence_left{st.me.presence_id, st.me.epoch});
        flush_marks(self, true);
        st.metrics->reg.get_gauge("nexus_held_messages", "queued pushes held by recipient status")
            .add(-static_cast<int64_t>(st.held.size()));
        self->quit();
      },
      [=](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "presence";
        s.id = st.me.presence_id.empty() ? "conn-" + std::to_string(st.conn.id) : st.me.presence_id;
        s.mesh = st.mesh_id;
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"held", static_cast<int64_t>(st.held.size())},
                     {"queued_frames", static_cast<int64_t>(st.queue.size())},
                     {"sends_in_flight", static_cast<int64_t>(st.sends.size())},
                     {"awaiting_write", static_cast<int64_t>(st.written_tokens.size())}};
        return s;
      },
  };
}

} // namespace

transport::connection_factory make_presence_factory(caf::actor_system& sys,
                                                    std::shared_ptr<const config::node_config> cfg,
                                                    caf::actor registry, caf::actor scheduler,
                                                    metrics::node_metrics& metrics) {
  return [&sys, cfg, registry, scheduler, &metrics](std::shared_ptr<transport::frame_sink> sink,
                                                    const transport::connection_info& info) {
    return sys.spawn(presence, std::move(sink), info, cfg, registry, scheduler, &metrics);
  };
}

} // namespace nexus
