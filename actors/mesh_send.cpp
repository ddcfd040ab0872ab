// The mesh actor's send path (spec §3.3): rate limit, size, priority,
// target resolution and grants, then one queue row committed through the
// mesh's storage actor, and only then the ack and the fan-out (§3.5).
#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/mesh_schedule.hpp"
#include "actors/identity_ops.hpp"
#include "actors/mesh_state.hpp"
#include "actors/status.hpp"
#include "actors/target_spec.hpp"
#include "config/log.hpp"
#include "crypto/sodium.hpp"

#include <caf/all.hpp>

namespace nexus {
namespace {

using storage::broker_sql::insert_message;
using storage::broker_sql::mark_delivered;
using storage::broker_sql::select_member_any;

send_ack refuse(mesh_state& st, std::string send_id, const std::string& reason, std::string text) {
  st.metrics->reg
      .get_counter("broker_messages_rejected_total", "sends refused, by reason", {{"reason", reason}})
      .inc();
  send_ack ack;
  ack.id = std::move(send_id);
  ack.queued = false;
  ack.error = std::move(text);
  return ack;
}

send_ack refuse(mesh_state& st, const send_request& req, const std::string& reason,
                std::string text) {
  return refuse(st, req.frame.id.value_or(""), reason, std::move(text));
}

/// The sending entry: the table's, or the one a scheduled fire brings (§5.6).
const connection_entry* sender_of(const mesh_state& st, const send_request& req) {
  return req.scheduled ? &req.scheduled->sender : st.table.find(req.presence_id);
}

const char* no_recipient_text =
    "no connected peer for target (not online, or targetSpec is your own key without another session)";

/// Commits the row, then acks and fans out. `direct` is set for direct sends.
void commit_and_route(mesh_actor_t* self, send_request req, std::optional<direct_plan> direct,
                      caf::typed_response_promise<send_ack> rp) {
  auto& st = self->state;
  const auto* sender = sender_of(st, req);
  if (sender == nullptr) { // left meanwhile
    rp.deliver(refuse(st, req, "no_sender", "sender is no longer connected"));
    return;
  }
  std::string message_id = crypto::random_base62(32);
  const auto& f = req.frame;
  // The row and its audit entry (§8 message_sent: {targetSpec, priority},
  // never the content) are one statement: no extra round trip.
  audit_event ev{"message_sent", sender->member_id, sender->display_name,
                 audit::payload_builder()
                     .string("targetSpec", f.targetSpec)
                     .string("priority", f.priority)
                     .str()};
  db_call enqueue{&insert_message,
                  {message_id, st.mesh_id, sender->member_id,
                   sender->session_pubkey.empty() ? storage::param{} : sender->session_pubkey,
                   f.targetSpec, f.priority, f.nonce, f.ciphertext, f.client_message_id.value_or(""),
                   f.request_fingerprint.value_or("")}};
  if (req.scheduled) // §5.6: the entry's claim rides in the same statement
    enqueue = scheduled_enqueue(std::move(enqueue), *req.scheduled);
  db_request insert{{audited(std::move(enqueue), st.mesh_id, ev)}};
  // No CAF timeout on the hot path (a clock-thread entry and wake-up per
  // send): the storage actor answers every request, with an error if the
  // database fails, and the sending presence bounds the client's wait. The
  // request moves into the reply handler, so the frame (ciphertext included)
  // is copied once for the statement and once for the push.
  std::string send_id = f.id.value_or("");
  self->request(st.storage, caf::infinite, std::move(insert))
      .then(
          [self, req = std::move(req), direct = std::move(direct), rp, message_id](db_reply& rows) mutable {
            auto& st = self->state;
            if (rows.results.at(0).rows.empty()) { // a scheduled claim found nothing
              rp.deliver(refuse(st, req, "schedule_lost", schedule_lost_text));
              return;
            }
            int64_t created = std::stoll(rows.results.at(0).at(0, "created_ms").value_or("0"));
            st.metrics->reg
                .get_counter("broker_messages_routed_total", "sends committed, by priority",
                             {{"priority", req.frame.priority}})
                .inc();
            send_ack ack;
            ack.id = req.frame.id.value_or("");
            ack.messageId = message_id;
            ack.queued = true;
            rp.deliver(std::move(ack));

            const auto* sender = sender_of(st, req);
            if (sender == nullptr)
              return; // queued rows are drained at the recipients' next hello
            message_push push;
            push.messageId = message_id;
            push.meshId = st.mesh_id;
            push.senderPubkey = sender->routing_pubkey();
            push.senderMemberPubkey = sender->member_pubkey;
            push.senderMemberId = sender->member_id;
            push.senderName = sender->display_name;
            push.priority = req.frame.priority;
            push.nonce = std::move(req.frame.nonce); // the frame is not needed after this
            push.ciphertext = std::move(req.frame.ciphertext);
            if (req.scheduled) // deviation 21: live and queued alike
              push.subtype = req.scheduled->subtype;
            if (direct) {
              // §3.5.3 / §3.7.2: the drained envelope, gated by each recipient.
              push.createdAt_ms = created;
              push.client_message_id = req.frame.client_message_id;
              push.request_fingerprint = req.frame.request_fingerprint;
              const auto& ids = direct->presence_ids;
              for (size_t k = 0; k < ids.size(); ++k) {
                auto it = st.presences.find(ids[k]);
                const auto* e = st.table.find(ids[k]);
                if (it == st.presences.end() || e == nullptr || !e->online)
                  continue;
                bool last = k + 1 == ids.size();
                self->send(it->second, deliver{last ? std::move(push) : push, true, !e->client_acks});
              }
              return;
            }
            // §3.5.1/§3.5.2: live envelope now, then the row is delivered.
            push.createdAt_ms = unix_now_ms();
            auto cls = classify_target(req.frame.targetSpec);
            std::optional<std::string> group;
            if (cls.kind == target_class::group)
              group = std::string(cls.name);
            size_t dropped = 0;
            for (const auto& id : st.table.multicast_recipients(*sender, group, st.grants, dropped))
              if (auto it = st.presences.find(id); it != st.presences.end())
                self->send(it->second, deliver{push, false, false});
            if (dropped > 0)
              st.metrics->reg
                  .get_counter("broker_messages_dropped_by_grant_total",
                               "recipients skipped because their grants refuse the sender",
                               {{"cap", "broadcast"}})
                  .inc(dropped);
            self->request(st.storage, caf::infinite,
                          db_request{{db_call{&mark_delivered,
                                              {st.mesh_id, storage::pg_text_array({message_id})}}}})
                .then([](db_reply&) {},
                      [](caf::error& e) {
                        log::warn("mesh") << "marking a multicast delivered failed: " << to_string(e);
                      });
          },
          [self, send_id, rp](caf::error& e) mutable {
            log::warn("mesh") << self->state.mesh_id << ": queue insert failed: " << to_string(e);
            rp.deliver(refuse(self->state, send_id, "storage", "broker could not store the message, retry"));
          });
}

void route_direct(mesh_actor_t* self, send_request req, const std::optional<std::string>& member_id,
                  caf::typed_response_promise<send_ack> rp) {
  auto& st = self->state;
  const auto* sender = sender_of(st, req);
  if (sender == nullptr) {
    rp.deliver(refuse(st, req, "no_sender", "sender is no longer connected"));
    return;
  }
  auto plan = req.scheduled
                  ? plan_scheduled_direct(st, *req.scheduled, req.frame.targetSpec, member_id)
                  : st.table.plan_direct(*sender, req.frame.targetSpec, member_id, st.grants);
  switch (plan.refusal) {
    case send_refusal::no_recipient:
      rp.deliver(refuse(st, req, "no_recipient", no_recipient_text));
      return;
    case send_refusal::blocked_by_grants:
      st.metrics->reg
          .get_counter("broker_messages_dropped_by_grant_total",
                       "recipients skipped because their grants refuse the sender", {{"cap", "dm"}})
          .inc();
      rp.deliver(refuse(st, req, "blocked", "blocked by recipient grants (sender lacks dm capability)"));
      return;
    case send_refusal::none:
      break;
  }
  commit_and_route(self, std::move(req), std::move(plan), rp);
}

} // namespace

caf::result<send_ack> handle_send(mesh_actor_t* self, send_request& req) {
  auto& st = self->state;
  ++st.sends;
  const auto* sender = sender_of(st, req);
  if (sender == nullptr || (!sender->online && !req.scheduled)) // a fire needs no socket
    return refuse(st, req, "no_sender", "sender is not connected");
  if (auto m = st.members.find(sender->member_id);
      m != st.members.end() && !permissions_of(st, m->second).has(permission::send))
    return refuse(st, req, "forbidden", "forbidden: the send permission of this member is off");
  const auto& f = req.frame;
  int64_t now = unix_now_ms();

  // 1. rate limit, per member (shared by all its connections)
  auto bucket = st.send_buckets.find(sender->member_id);
  if (bucket == st.send_buckets.end())
    bucket = st.send_buckets
                 .emplace(sender->member_id,
                          token_bucket(static_cast<double>(st.cfg.send_rate_burst),
                                       static_cast<double>(st.cfg.send_rate_per_min), now))
                 .first;
  if (!bucket->second.try_take(now))
    return refuse(st, req, "rate_limit",
                  "rate_limit: max " + std::to_string(st.cfg.send_rate_per_min) + " msg/min (burst " +
                      std::to_string(st.cfg.send_rate_burst) + ") — slow down");
  // 2. size
  size_t size = f.ciphertext.size() + f.nonce.size() + f.targetSpec.size();
  if (static_cast<int64_t>(size) > st.cfg.frame_bytes_max)
    return refuse(st, req, "too_large",
                  "payload too large: " + std::to_string(size) +
                      " bytes > MAX_MESSAGE_BYTES=" + std::to_string(st.cfg.frame_bytes_max));
  // deviation 41
  if (!parse_priority(f.priority))
    return refuse(st, req, "invalid_priority", "invalid priority");

  auto rp = self->make_response_promise<send_ack>();
  auto cls = classify_target(f.targetSpec);
  if (cls.kind == target_class::topic) {
    rp.deliver(refuse(st, req, "no_recipient", no_recipient_text)); // topics: a later issue
    return rp;
  }
  if (cls.kind != target_class::direct) {
    commit_and_route(self, std::move(req), std::nullopt, rp);
    return rp;
  }
  // 3. direct: a known member key queues even with no live session.
  std::optional<std::string> member_id;
  if (auto it = st.member_by_pubkey.find(f.targetSpec); it != st.member_by_pubkey.end())
    member_id = it->second;
  // A session key of a live (or grace) connection needs no lookup: the
  // table already knows its member. Only an unknown 64-hex key may be a
  // member added since the mesh loaded.
  bool in_table = st.table.knows_key(f.targetSpec);
  bool maybe_member = !member_id && !in_table && crypto::is_lower_hex(f.targetSpec, 64);
  if (!maybe_member) {
    route_direct(self, std::move(req), member_id, rp);
    return rp;
  }
  // Not cached: a member added since the mesh loaded? Ask the database.
  std::string target = f.targetSpec;
  self->request(st.storage, storage_timeout(st),
                db_request{{db_call{&select_member_any, {st.mesh_id, target}}}})
      .then(
          [=](db_reply& rows) mutable {
            std::optional<std::string> found;
            const auto& rs = rows.results.at(0);
            if (!rs.rows.empty()) {
              auto row = storage::member_from(rs, 0);
              remember_member(self->state, row);
              if (!row.revoked())
                found = row.id;
            }
            route_direct(self, std::move(req), found, rp);
          },
          [=](caf::error&) mutable {
            rp.deliver(refuse(self->state, req, "storage", "broker could not resolve the target, retry"));
          });
  return rp;
}

} // namespace nexus
