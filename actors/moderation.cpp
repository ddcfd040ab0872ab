// kick / disconnect / ban / unban / list_bans (PROTOCOL.md §5.19): the mesh
// side. Authorization is the `moderate` permission (owner and admins by
// default). Every affected connection is closed and then evicted through
// the normal path (evict_presence: peer_left to the others, the presence row
// marked disconnected, its audit entry, the connection gauge), so nothing is
// skipped as in the reference (deviation 22). Kick never matches the calling
// connection (deviation 42).
#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/identity_ops.hpp"
#include "config/log.hpp"
#include "storage/broker_sql.hpp"
#include "storage/identity_sql.hpp"

#include <caf/all.hpp>

namespace nexus {
namespace {

namespace sql = storage::identity_sql;

identity_reply not_allowed(const char* verb) {
  return error_reply("forbidden", std::string("only owner or admin can ") + verb);
}

std::string name_of(const connection_entry& e) {
  return e.display_name.empty() ? e.presence_id : e.display_name;
}

/// Closes (when online) and evicts `presence_id`.
void remove_connection(mesh_actor_t* self, const std::string& presence_id, uint16_t code,
                       const std::string& reason) {
  auto& st = self->state;
  if (auto p = st.presences.find(presence_id); p != st.presences.end())
    self->send(p->second, kick_atom::value, code, reason);
  evict_presence(self, presence_id);
}

/// §5.19 selection, first applicable of all, stale, target. `stale` picks
/// connections whose socket closed more than `stale` ms ago (still in their
/// grace window): open sockets are kept honest by the keepalive (§1.8),
/// which aborts a silent one, so only those leases can be stale here.
std::vector<const connection_entry*> select(const mesh_state& st, const kick_frame& f,
                                            const std::string& caller_presence, int64_t now_ms) {
  std::vector<const connection_entry*> out;
  for (const auto& [id, e] : st.table.entries()) {
    if (id == caller_presence)
      continue; // deviation 42: never the caller
    bool match = false;
    if (f.all) {
      match = true;
    } else if (f.stale_ms) {
      int64_t closed_at = e.lease_until_ms - st.cfg.presence_grace_ms;
      match = !e.online && now_ms - closed_at > *f.stale_ms;
    } else if (f.target) {
      const auto& t = *f.target;
      match = e.display_name == t || e.member_pubkey == t || e.member_pubkey.compare(0, t.size(), t) == 0;
    }
    if (match)
      out.push_back(&e);
  }
  return out;
}

identity_reply kick(mesh_actor_t* self, const identity_request& req, const caller_info& c,
                    const kick_frame& f) {
  if (!c.permissions.has(permission::moderate))
    return not_allowed(f.soft ? "disconnected" : "kicked");
  if (!f.all && !f.stale_ms && !f.target)
    return error_reply("invalid", "give target, stale or all");
  auto& st = self->state;
  auto chosen = select(st, f, req.presence_id, unix_now_ms());
  kick_ack_frame ack;
  ack.soft = f.soft;
  ack.req_id = req.req_id;
  std::vector<std::string> victims;
  for (const auto* e : chosen) {
    if (!f.soft && e->peer_role == "control-plane") { // §5.19: kick skips them, and says so
      if (!ack.skipped_control_plane)
        ack.skipped_control_plane.emplace();
      ack.skipped_control_plane->push_back(name_of(*e));
      continue;
    }
    ack.kicked.push_back(name_of(*e));
    victims.push_back(e->presence_id);
  }
  ack.affected = ack.kicked;
  const bool stale = f.stale_ms.has_value() && !f.all;
  const std::string reason = std::string(f.soft ? "disconnected" : "kicked") + (stale ? "_stale" : "");
  const uint16_t code = f.soft ? 1000 : 4001;
  for (const auto& id : victims) // after the selection: eviction changes the table
    remove_connection(self, id, code, reason);
  log::info("moderation") << st.mesh_id << ": " << c.display_name << " " << reason << " "
                          << victims.size() << " connection(s)";
  return identity_reply{std::move(ack)};
}

caf::result<identity_reply> ban(mesh_actor_t* self, const identity_request& req, const caller_info& c,
                                const ban_frame& f) {
  if (!c.permissions.has(permission::moderate))
    return not_allowed("ban");
  if (f.target.empty())
    return error_reply("invalid", "target required");
  auto& st = self->state;
  auto rp = self->make_response_promise<identity_reply>();
  db_request find{{db_call{&sql::find_ban_target, {st.mesh_id, f.target}}}};
  self->request(st.storage, storage_timeout(st), std::move(find))
      .then(
          [=](db_reply& rows) mutable {
            auto& st = self->state;
            const auto& rs = rows.results.at(0);
            if (rs.rows.empty()) {
              rp.deliver(error_reply("not_found", "peer \"" + f.target + "\" not found"));
              return;
            }
            auto target = storage::member_from(rs, 0);
            if (target.id == c.member_id) {
              rp.deliver(error_reply("invalid", "cannot ban yourself"));
              return;
            }
            if (target.peer_pubkey == st.owner_pubkey) {
              rp.deliver(error_reply("forbidden", "cannot ban the mesh owner"));
              return;
            }
            audit_event ev{"member_banned", c.member_id, c.display_name,
                           audit::payload_builder()
                               .string("target", target.display_name)
                               .string("targetPubkey", target.peer_pubkey)
                               .str()};
            db_request revoke{{audited(db_call{&storage::broker_sql::revoke_member, {st.mesh_id, target.id}},
                                       st.mesh_id, ev)}};
            identity_rows_into(self, std::move(revoke), [target, req_id = req.req_id](mesh_actor_t* self, db_reply& r) {
              const auto& rs = r.results.at(0);
              if (rs.rows.empty())
                return error_reply("not_found", "peer \"" + target.display_name + "\" not found");
              auto& st = self->state;
              remember_member(st, storage::member_from(rs, 0)); // revoked: leaves the cache
              std::vector<std::string> sessions;
              for (const auto& [id, e] : st.table.entries())
                if (e.member_id == target.id)
                  sessions.push_back(id);
              for (const auto& id : sessions)
                remove_connection(self, id, 4002, "banned");
              log::info("moderation") << st.mesh_id << ": banned " << target.display_name << " ("
                                      << sessions.size() << " connection(s) closed)";
              return identity_reply{ban_ack_frame{target.display_name, req_id}};
            }, rp);
          },
          [=](caf::error&) mutable { rp.deliver(error_reply("unavailable", "storage unavailable, retry shortly")); });
  return rp;
}

caf::result<identity_reply> unban(mesh_actor_t* self, const identity_request& req, const caller_info& c,
                                  const unban_frame& f) {
  if (!c.permissions.has(permission::moderate))
    return not_allowed("unban");
  if (f.target.empty())
    return error_reply("invalid", "target required");
  auto& st = self->state;
  auto rp = self->make_response_promise<identity_reply>();
  self->request(st.storage, storage_timeout(st),
                db_request{{db_call{&sql::find_banned, {st.mesh_id, f.target}}}})
      .then(
          [=](db_reply& rows) mutable {
            auto& st = self->state;
            const auto& rs = rows.results.at(0);
            if (rs.rows.empty()) {
              rp.deliver(error_reply("not_found", "no banned peer \"" + f.target + "\""));
              return;
            }
            auto target = storage::member_from(rs, 0);
            audit_event ev{"member_unbanned", c.member_id, c.display_name,
                           audit::payload_builder().string("target", target.display_name).str()};
            db_request q{{audited(db_call{&sql::unban_member, {st.mesh_id, target.id}}, st.mesh_id, ev)}};
            identity_rows_into(self, std::move(q), [f, req_id = req.req_id](mesh_actor_t* self, db_reply& r) {
              const auto& rs = r.results.at(0);
              if (rs.rows.empty())
                return error_reply("not_found", "no banned peer \"" + f.target + "\"");
              auto row = storage::member_from(rs, 0);
              remember_member(self->state, row);
              return identity_reply{unban_ack_frame{row.display_name, req_id}};
            }, rp);
          },
          [=](caf::error&) mutable { rp.deliver(error_reply("unavailable", "storage unavailable, retry shortly")); });
  return rp;
}

caf::result<identity_reply> list_bans(mesh_actor_t* self, const identity_request& req) {
  auto& st = self->state;
  return identity_rows(self, db_request{{db_call{&sql::list_bans, {st.mesh_id}}}},
                       [req_id = req.req_id](mesh_actor_t*, db_reply& r) {
                         list_bans_result_frame out;
                         out.req_id = req_id;
                         const auto& rs = r.results.at(0);
                         for (size_t i = 0; i < rs.rows.size(); ++i)
                           out.bans.push_back({rs.at(i, "name").value_or(""), rs.at(i, "pubkey").value_or(""),
                                               std::stoll(rs.at(i, "revoked_ms").value_or("0"))});
                         return identity_reply{std::move(out)};
                       });
}

} // namespace

caf::result<identity_reply> handle_moderation_op(mesh_actor_t* self, const identity_request& req,
                                                 const caller_info& caller) {
  if (const auto* f = std::get_if<kick_frame>(&req.op))
    return kick(self, req, caller, *f);
  if (const auto* f = std::get_if<ban_frame>(&req.op))
    return ban(self, req, caller, *f);
  if (const auto* f = std::get_if<unban_frame>(&req.op))
    return unban(self, req, caller, *f);
  return list_bans(self, req); // §5.19: no authorization check
}

} // namespace nexus
