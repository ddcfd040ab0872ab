// The mesh side of a scheduled fire (§5.6, deviation 21); see mesh_schedule.hpp.
#include "actors/mesh_schedule.hpp"

#include "config/log.hpp"
#include "crypto/sodium.hpp"
#include "storage/schedules_sql.hpp"

#include <caf/all.hpp>

namespace nexus {
namespace {

namespace sql = storage::schedules_sql;

/// Whom the fire is from (see mesh_schedule.hpp); nullopt when the member
/// is gone (revoked: the mesh forgets it).
std::optional<connection_entry> sender_for(const mesh_state& st, const storage::schedule_row& row) {
  if (row.presence_id)
    if (const auto* e = st.table.find(*row.presence_id); e != nullptr && e->member_id == row.member_id)
      return *e;
  auto member = st.members.find(row.member_id);
  if (member == st.members.end())
    return std::nullopt;
  if (row.session_pubkey)
    for (const auto& [id, e] : st.table.entries())
      if (e.online && e.member_id == row.member_id && e.session_pubkey == *row.session_pubkey)
        return e;
  connection_entry as_member; // no connection: the member as it scheduled
  as_member.member_id = member->second.id;
  as_member.member_pubkey = member->second.pubkey;
  as_member.session_pubkey = row.session_pubkey.value_or("");
  as_member.display_name = member->second.display_name;
  as_member.online = false;
  return as_member;
}

/// The claim without a message, for a fire the pipeline refused.
void skip(mesh_actor_t* self, const schedule_fire& fire, caf::typed_response_promise<fire_outcome> rp) {
  auto& st = self->state;
  storage::param next = fire.next_ms ? storage::param{std::to_string(*fire.next_ms)} : storage::param{};
  db_request q{{db_call{&sql::skip_schedule, {fire.row.id, std::to_string(fire.row.deliver_ms), next}}}};
  self->request(st.storage, storage_timeout(st), std::move(q))
      .then(
          [=](db_reply& r) mutable {
            rp.deliver(fire_outcome{r.results.at(0).rows.empty() ? fire_result::lost
                                                                 : fire_result::refused});
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
}

void retire(mesh_actor_t* self, const schedule_fire& fire, caf::typed_response_promise<fire_outcome> rp) {
  auto& st = self->state;
  log::info("mesh") << st.mesh_id << ": scheduled entry " << fire.row.id
                    << " stops: its member is no longer in the mesh";
  db_request q{{db_call{&sql::retire_schedule, {fire.row.id, std::to_string(fire.row.deliver_ms)}}}};
  self->request(st.storage, storage_timeout(st), std::move(q))
      .then([=](db_reply&) mutable { rp.deliver(fire_outcome{fire_result::retired}); },
            [=](caf::error& err) mutable { rp.deliver(err); });
}

} // namespace

caf::result<fire_outcome> handle_schedule_fire(mesh_actor_t* self, schedule_fire& fire) {
  auto& st = self->state;
  auto rp = self->make_response_promise<fire_outcome>();
  auto sender = sender_for(st, fire.row);
  if (!sender) {
    retire(self, fire, rp);
    return rp;
  }
  // §5.6: the ordinary send as that sender — a fresh UUID id, priority now,
  // the plaintext as base64 ciphertext, no nonce.
  send_request req;
  req.presence_id = sender->presence_id;
  req.frame.id = uuid_v4();
  req.frame.targetSpec = fire.row.to;
  req.frame.priority = "now";
  req.frame.ciphertext = crypto::to_base64(fire.row.message);
  req.scheduled = scheduled_send{*sender, fire.row.id, fire.row.deliver_ms, fire.next_ms,
                                 fire.row.subtype};
  std::optional<caf::actor> ack_to;
  if (auto it = st.presences.find(sender->presence_id); sender->online && it != st.presences.end())
    ack_to = it->second;
  // Through our own mailbox, so the fire queues behind sends already
  // waiting and takes the same path they do.
  self->request(caf::actor_cast<caf::actor>(self), storage_timeout(st) * 2, std::move(req))
      .then(
          [=](send_ack& ack) mutable {
            bool lost = !ack.queued && ack.error == std::string(schedule_lost_text);
            if (ack_to && !lost)
              self->send(*ack_to, fired_ack{ack});
            if (ack.queued)
              rp.deliver(fire_outcome{fire_result::sent});
            else if (lost)
              rp.deliver(fire_outcome{fire_result::lost});
            else
              skip(self, fire, rp);
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

db_call scheduled_enqueue(db_call insert_message_call, const scheduled_send& s) {
  db_call fire{&sql::fire_schedule, std::move(insert_message_call.params)};
  fire.params.emplace_back(s.schedule_id);
  fire.params.emplace_back(std::to_string(s.expected_ms));
  fire.params.push_back(s.next_ms ? storage::param{std::to_string(*s.next_ms)} : storage::param{});
  fire.params.push_back(s.subtype);
  return fire;
}

direct_plan plan_scheduled_direct(const mesh_state& st, const scheduled_send& s,
                                  const std::string& target,
                                  const std::optional<std::string>& target_member_id) {
  const auto& sender = s.sender;
  bool own = target == sender.member_pubkey ||
             (!sender.session_pubkey.empty() && target == sender.session_pubkey);
  if (!own)
    return st.table.plan_direct(sender, target, target_member_id, st.grants);
  direct_plan plan; // deviation 21: to oneself, the scheduling socket included
  plan.recipient_member_id = sender.member_id;
  for (const auto& [id, e] : st.table.entries())
    if (e.online && e.member_id == sender.member_id &&
        (e.member_pubkey == target || e.session_pubkey == target))
      plan.presence_ids.push_back(id);
  return plan;
}

} // namespace nexus
