// The presence side of §5.6; see schedule_requests.hpp.
#include "actors/schedule_requests.hpp"

#include "actors/audit_chain.hpp"
#include "actors/cron.hpp"
#include "actors/mesh_state.hpp"
#include "actors/presence_request.hpp"
#include "crypto/sodium.hpp"
#include "storage/schedules_sql.hpp"
#include "transport/frame_encoders.hpp"
#include "transport/frame_encoders_schedule.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace nexus {
namespace {

namespace sql = storage::schedules_sql;
using storage::param;

/// When a one-shot fires (Unix ms), or an error text for `invalid_argument`.
std::variant<int64_t, std::string> one_shot_time(const schedule_request_frame& f, int64_t now,
                                                 int64_t ahead_max_ms) {
  auto too_far = [&] {
    return "schedule: the time is more than " + std::to_string(ahead_max_ms) +
           " ms ahead (schedule_ahead_max_ms)";
  };
  int64_t at = now;
  if (f.deliverAt) {
    if (*f.deliverAt > now && *f.deliverAt - now > ahead_max_ms)
      return too_far();
    at = *f.deliverAt;
  } else if (f.delayMs) {
    if (*f.delayMs > ahead_max_ms)
      return too_far();
    at = now + *f.delayMs;
  }
  return std::max(at, now); // past values fire at once (§5.6)
}

void on(const request_ctx& c, const schedule_request_frame& f) {
  auto& st = c.st();
  const auto& cfg = *st.cfg;
  int64_t now = unix_now_ms();
  int64_t deliver = now;
  if (f.cron) { // §5.6: deliverAt is ignored; the first fire comes from the expression
    auto first = cron::first_fire(*f.cron, now);
    if (!first) {
      c.error("invalid_cron", "Invalid cron expression: " + *f.cron);
      return c.done();
    }
    deliver = *first;
  } else {
    auto at = one_shot_time(f, now, cfg.schedule_ahead_max_ms);
    if (auto* err = std::get_if<std::string>(&at)) {
      c.error("invalid_argument", *err);
      return c.done();
    }
    deliver = std::get<int64_t>(at);
  }
  if (f.to.empty()) {
    c.error("invalid_argument", "schedule: to must name a target");
    return c.done();
  }
  // What the fire will send must pass the send pipeline's size check (§3.3).
  auto size = crypto::base64_length(f.message.size()) + f.to.size();
  if (static_cast<int64_t>(size) > cfg.frame_bytes_max) {
    c.error("invalid_argument", "schedule: message too large: " + std::to_string(size) +
                                    " bytes as sent > " + std::to_string(cfg.frame_bytes_max));
    return c.done();
  }
  auto id = uuid_v4();
  auto payload = audit::payload_builder()
                     .string("scheduledId", id)
                     .string("to", f.to)
                     .raw("deliverAt", std::to_string(deliver));
  if (f.cron)
    payload.string("cron", *f.cron);
  db_call insert{&sql::insert_schedule,
                 {id, st.mesh_id, st.me.presence_id, st.me.member_id,
                  st.me.session_pubkey.empty() ? param{} : param{st.me.session_pubkey}, f.to,
                  f.message, std::to_string(deliver), f.cron, f.subtype,
                  std::to_string(cfg.schedules_per_member_max)}};
  // §8: the entry, never the message.
  run(c, {{c.audited(std::move(insert), "schedule_created", payload.str())}},
      [c](presence_actor_t* self, db_reply& r) {
        const auto& rs = r.results.at(0);
        if (rs.rows.empty()) {
          c.error("limit", "schedule limit reached: at most " +
                               std::to_string(c.st().cfg->schedules_per_member_max) +
                               " scheduled entries per member in a mesh (schedules_per_member_max)");
          return;
        }
        auto row = storage::schedule_from(rs, 0);
        c.reply(wire::encode_scheduled_ack({row.id, row.deliver_ms, row.cron, c.req_id}));
        self->send(self->state.scheduler, schedule_armed{std::move(row)});
      });
}

void on(const request_ctx& c, const list_scheduled_frame&) {
  auto& st = c.st();
  run(c,
      {{{&sql::list_schedules, {st.mesh_id, st.me.presence_id, st.me.member_id,
                                std::to_string(st.cfg->scheduled_list_max)}}}},
      [c](presence_actor_t*, db_reply& r) {
        scheduled_list_frame out;
        out.req_id = c.req_id;
        const auto& rs = r.results.at(0);
        for (size_t i = 0; i < rs.rows.size(); ++i) {
          auto row = storage::schedule_from(rs, i);
          std::optional<int64_t> fired;
          if (row.cron)
            fired = row.fired_count;
          out.messages.push_back(
              {row.id, row.to, row.message, row.deliver_ms, row.created_ms, row.cron, fired});
        }
        c.reply(wire::encode_scheduled_list(out));
      });
}

void on(const request_ctx& c, const cancel_scheduled_frame& f) {
  auto& st = c.st();
  db_call cancel{&sql::cancel_schedule, {f.scheduledId, st.mesh_id, st.me.presence_id, st.me.member_id}};
  run(c,
      {{c.audited(std::move(cancel), "schedule_cancelled",
                  audit::payload_builder().string("scheduledId", f.scheduledId).str())}},
      [c, id = f.scheduledId](presence_actor_t* self, db_reply& r) {
        bool ok = !r.results.at(0).rows.empty();
        c.reply(wire::encode_cancel_scheduled_ack({id, ok, c.req_id}));
        if (ok)
          self->send(self->state.scheduler, schedule_disarmed{id});
      });
}

} // namespace

void handle_schedule(presence_actor_t* self, const schedule_frame& frame,
                     const std::optional<std::string>& req_id, std::function<void()> done) {
  request_ctx c{self, req_id, std::move(done), "schedule"};
  std::visit([&c](const auto& f) { on(c, f); }, frame.request);
}

void push_fired_ack(presence_actor_t* self, const fired_ack& a) {
  auto& st = self->state;
  if (st.phase == presence_phase::online)
    st.sink->send(wire::encode_send_ack(a.ack));
}

} // namespace nexus
