// The presence's delivery side (spec §3.6, §3.7): status gating, writing
// pushes, recording deliveries once written (deviation 18), and the drains
// of queued rows after a hello or a hook.
#include "actors/presence_state.hpp"
#include "actors/status.hpp"
#include "actors/storage_messages.hpp"
#include "actors/target_spec.hpp"
#include "config/log.hpp"
#include "storage/broker_sql.hpp"
#include "transport/frame_encoders.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace nexus {
namespace {

/// Message ids remembered for de-duplication (drain and live may overlap).
constexpr size_t seen_ids_max = 8192;

bool first_sighting(presence_state& st, const std::string& id) {
  if (!st.seen.insert(id).second)
    return false;
  st.seen_order.push_back(id);
  if (st.seen_order.size() > seen_ids_max) {
    st.seen.erase(st.seen_order.front());
    st.seen_order.pop_front();
  }
  return true;
}

void write(presence_actor_t* self, const deliver& d) {
  auto& st = self->state;
  if (auto* push = std::get_if<message_push>(&d.push)) {
    auto frame = wire::encode_push(*push);
    if (d.record_delivery) {
      uint64_t token = st.next_token++;
      st.written_tokens[token] = push->messageId;
      st.sink->send(std::move(frame), token);
    } else {
      st.sink->send(std::move(frame));
    }
  } else {
    st.sink->send(wire::encode_system_push(std::get<system_push>(d.push)));
  }
}

/// The status that gates deliveries now (§3.6 step 1); mirrors a change.
peer_status gate_status(presence_actor_t* self) {
  auto& st = self->state;
  auto before = st.status.status;
  auto eff = effective_status_for_drain(st.status, unix_now_ms(), st.cfg->hook_fresh_window_ms);
  if (st.status.status != before) // a bare timestamp bump is not worth a write
    status_written(self);
  return eff.effective;
}

/// A hook-reported "working" stops holding when it is no longer fresh:
/// look again then, so held messages do not wait for an unrelated trigger.
void schedule_recheck(presence_actor_t* self) {
  auto& st = self->state;
  if (st.recheck_queued || st.held.empty() || st.status.source != status_source::hook ||
      st.status.status == peer_status::dnd)
    return;
  int64_t due = st.status.updated_at_ms + st.cfg->hook_fresh_window_ms + 1 - unix_now_ms();
  st.recheck_queued = true;
  self->delayed_send(self, std::chrono::milliseconds(std::max<int64_t>(due, 1)),
                     recheck_atom::value);
}

void held_gauge(presence_state& st, int64_t delta) {
  st.metrics->reg.get_gauge("nexus_held_messages", "queued pushes held by recipient status").add(delta);
}

} // namespace

void publish_me(presence_actor_t* self) {
  auto& st = self->state;
  if (st.mesh)
    self->send(st.mesh, presence_update{st.me.presence_id, st.me});
}

void status_written(presence_actor_t* self) {
  auto& st = self->state;
  st.me.status = st.status.status;
  publish_me(self);
  persist_status(self);
  schedule_status_ttl(self);
}

void persist_status(presence_actor_t* self) {
  auto& st = self->state;
  if (!st.storage || st.me.presence_id.empty())
    return;
  db_request req{{db_call{&storage::broker_sql::update_presence_status,
                          {st.me.presence_id, std::string(to_string(st.status.status)),
                           std::string(to_string(st.status.source)),
                           std::to_string(st.status.updated_at_ms)}}}};
  self->request(st.storage, storage_timeout(st), std::move(req))
      .then([](db_reply&) {},
            [](caf::error& err) {
              // The live status (memory, list_peers) is authoritative; the
              // row catches up at the next write.
              log::warn("presence") << "storing the status failed: " << to_string(err);
            });
}

void schedule_status_ttl(presence_actor_t* self) {
  auto& st = self->state;
  if (st.ttl_queued || st.status.status != peer_status::working)
    return;
  // sweep_working_ttl flips when now - updated_at > ttl: fire 1 ms after.
  int64_t due = st.status.updated_at_ms + st.cfg->status_ttl_ms + 1 - unix_now_ms();
  st.ttl_queued = true;
  self->delayed_send(self, std::chrono::milliseconds(std::max<int64_t>(due, 1)),
                     status_ttl_atom::value);
}

void on_status_ttl(presence_actor_t* self) {
  auto& st = self->state;
  st.ttl_queued = false;
  if (st.phase != presence_phase::online)
    return;
  if (!sweep_working_ttl(st.status, unix_now_ms(), st.cfg->status_ttl_ms)) {
    schedule_status_ttl(self); // refreshed meanwhile: wait for the new deadline
    return;
  }
  status_written(self);
  release_held(self); // idle takes every priority (§3.6 step 2)
}

void on_deliver(presence_actor_t* self, deliver d) {
  auto& st = self->state;
  if (st.phase == presence_phase::closed)
    return;
  if (st.phase != presence_phase::online) {
    if (static_cast<int64_t>(st.early.size()) < st.cfg->presence_held_max)
      st.early.push_back(std::move(d));
    return;
  }
  if (auto* push = std::get_if<message_push>(&d.push))
    if (!first_sighting(st, push->messageId))
      return;
  if (!d.gated) {
    write(self, d);
    return;
  }
  auto priority = parse_priority(std::get<message_push>(d.push).priority)
                      .value_or(message_priority::next);
  if (deliverable(priority, gate_status(self))) {
    write(self, d);
    return;
  }
  if (static_cast<int64_t>(st.held.size()) >= st.cfg->presence_held_max) {
    st.held_overflow = true; // it stays queued in the database; drained on release
    st.seen.erase(std::get<message_push>(d.push).messageId);
    return;
  }
  st.held.push_back(std::move(d));
  held_gauge(st, 1);
  schedule_recheck(self);
}

void release_held(presence_actor_t* self) {
  auto& st = self->state;
  st.recheck_queued = false;
  if (st.held.empty() && !st.held_overflow)
    return;
  auto status = gate_status(self);
  std::deque<deliver> still;
  for (auto& d : st.held) {
    auto priority = parse_priority(std::get<message_push>(d.push).priority)
                        .value_or(message_priority::next);
    if (deliverable(priority, status))
      write(self, d);
    else
      still.push_back(std::move(d));
  }
  held_gauge(st, static_cast<int64_t>(still.size()) - static_cast<int64_t>(st.held.size()));
  st.held = std::move(still);
  if (st.held.empty() && st.held_overflow) {
    st.held_overflow = false;
    drain_queue(self);
  }
  schedule_recheck(self);
}

void on_written(presence_actor_t* self, uint64_t token) {
  auto& st = self->state;
  auto it = st.written_tokens.find(token);
  if (it == st.written_tokens.end())
    return;
  st.to_mark.push_back(std::move(it->second));
  st.written_tokens.erase(it);
  if (!st.mark_queued) { // everything written meanwhile joins one UPDATE
    st.mark_queued = true;
    self->send(self, mark_flush_atom::value);
  }
}

void flush_marks(presence_actor_t* self, bool closing) {
  auto& st = self->state;
  st.mark_queued = false;
  // One UPDATE in flight per connection: what is written meanwhile waits
  // and goes in the next one, so marks batch up under load. A closing
  // connection sends what it has regardless: it will not see the reply.
  if (st.to_mark.empty() || !st.storage || (st.mark_in_flight && !closing))
    return;
  st.mark_in_flight = true;
  auto ids = std::move(st.to_mark);
  st.to_mark.clear();
  db_request req{{db_call{&storage::broker_sql::mark_delivered,
                          {st.mesh_id, storage::pg_text_array(ids)}}}};
  // No CAF timeout (hot path): the storage actor answers every request.
  self->request(st.storage, caf::infinite, std::move(req))
      .then(
          [=](db_reply& rows) {
            auto& st = self->state;
            st.mark_in_flight = false;
            if (st.drain_more && !rows.results.at(0).rows.empty()) {
              st.drain_more = false;
              drain_queue(self);
            }
            flush_marks(self);
          },
          [=](caf::error& err) {
            // The rows stay undelivered and come again at the next hello:
            // at-least-once, clients de-duplicate by messageId.
            log::warn("presence") << "recording deliveries failed: " << to_string(err);
            self->state.mark_in_flight = false;
            flush_marks(self);
          });
}

void drain_queue(presence_actor_t* self) {
  auto& st = self->state;
  std::optional<std::string_view> session;
  if (!st.me.session_pubkey.empty())
    session = st.me.session_pubkey;
  auto targets = drain_target_set(st.me.member_pubkey, session, st.me.group_names(), {});
  int64_t limit = st.cfg->drain_batch_max;
  db_request req{{db_call{&storage::broker_sql::select_drain,
                          {st.mesh_id, storage::pg_text_array(targets),
                           storage::pg_text_array({"now", "next", "low"}), storage::param{},
                           std::to_string(limit)}}}};
  self->request(st.storage, storage_timeout(st), std::move(req))
      .then(
          [=](db_reply& rows) {
            auto& st = self->state;
            const auto& rs = rows.results.at(0);
            for (size_t i = 0; i < rs.rows.size(); ++i) {
              message_push p;
              p.messageId = rs.at(i, "id").value_or("");
              p.meshId = st.mesh_id;
              auto session_pk = rs.at(i, "sender_session_pubkey");
              p.senderMemberPubkey = rs.at(i, "sender_member_pubkey").value_or("");
              p.senderPubkey = session_pk.value_or(p.senderMemberPubkey);
              p.senderMemberId = rs.at(i, "sender_member_id").value_or("");
              p.senderName = rs.at(i, "sender_name").value_or("");
              p.priority = rs.at(i, "priority").value_or("next");
              p.nonce = rs.at(i, "nonce").value_or("");
              p.ciphertext = rs.at(i, "ciphertext").value_or("");
              p.createdAt_ms = std::stoll(rs.at(i, "created_ms").value_or("0"));
              p.client_message_id = rs.at(i, "client_message_id");
              p.request_fingerprint = rs.at(i, "request_fingerprint");
              p.subtype = rs.at(i, "subtype"); // "reminder" rows (deviation 21)
              on_deliver(self, deliver{std::move(p), true, !st.me.client_acks});
            }
            st.drain_more = static_cast<int64_t>(rs.rows.size()) >= limit && !st.me.client_acks;
          },
          [=](caf::error& err) {
            log::warn("presence") << "draining queued messages failed: " << to_string(err);
          });
}

} // namespace nexus
