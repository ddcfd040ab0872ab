// The mesh actor's behavior: dispatch, presence lifecycle (updates, grace,
// eviction, §4.6), peers_list (§4.1), message_status (§3.10), status.
#include "actors/audit.hpp"
#include "actors/collab.hpp"
#include "actors/identity_ops.hpp"
#include "actors/mesh_ops.hpp"
#include "actors/mesh_schedule.hpp"
#include "actors/mesh_state.hpp"
#include "actors/status.hpp"
#include "config/log.hpp"
#include "crypto/sodium.hpp"
#include "storage/identity_json.hpp"
#include "storage/json_columns.hpp"

#include <caf/all.hpp>

#include <sodium.h>

namespace nexus {
namespace {

using storage::broker_sql::mark_presence_disconnected;
using storage::broker_sql::message_status_exact;
using storage::broker_sql::message_status_prefix;
using storage::broker_sql::upsert_peer_state;

peer_entry peer_entry_of(const connection_entry& e) {
  peer_entry p;
  p.pubkey = e.routing_pubkey();
  p.memberPubkey = e.member_pubkey;
  p.displayName = e.display_name;
  p.status = std::string(to_string(e.status));
  p.summary = e.summary;
  p.groups = e.groups;
  p.sessionId = e.session_id;
  p.connectedAt_ms = e.connected_at_ms;
  p.cwd = e.cwd;
  p.peerRole = e.peer_role;
  p.hostname = e.hostname;
  p.peerType = e.peer_type;
  p.channel = e.channel;
  p.model = e.model;
  p.stats = e.stats;
  p.visible = e.visible;
  if (e.profile.avatar || e.profile.title || e.profile.bio || e.profile.capabilities)
    p.profile = e.profile;
  return p;
}

void update_connections_gauge(mesh_state& st) {
  st.metrics->reg
      .get_gauge("nexus_mesh_connections", "connections per mesh, grace ones included",
                 {{"mesh", st.mesh_id}})
      .set(static_cast<int64_t>(st.table.size()));
}

/// §4.5: what a closing connection leaves for its member's next hello.
void save_peer_state(mesh_actor_t* self, const connection_entry& e) {
  auto& st = self->state;
  storage::group_list groups;
  for (const auto& g : e.groups)
    groups.emplace_back(g.name, g.role);
  storage::string_map profile;
  if (e.profile.avatar)
    profile["avatar"] = *e.profile.avatar;
  if (e.profile.title)
    profile["title"] = *e.profile.title;
  if (e.profile.bio)
    profile["bio"] = *e.profile.bio;
  auto base = st.base_stats[e.presence_id];
  storage::number_map totals{{"messagesIn", base.messagesIn},
                             {"messagesOut", base.messagesOut},
                             {"toolCalls", base.toolCalls},
                             {"errors", base.errors}};
  if (e.stats) {
    totals["messagesIn"] += e.stats->messagesIn.value_or(0);
    totals["messagesOut"] += e.stats->messagesOut.value_or(0);
    totals["toolCalls"] += e.stats->toolCalls.value_or(0);
    totals["errors"] += e.stats->errors.value_or(0);
  }
  db_request req{{db_call{&upsert_peer_state,
                          {st.mesh_id, e.member_id, storage::groups_to_json(groups),
                           storage::strings_to_json(profile), e.visible ? "true" : "false",
                           e.summary ? storage::param{*e.summary} : storage::param{},
                           e.display_name, storage::numbers_to_json(totals)}}}};
  self->request(st.storage, storage_timeout(st), std::move(req))
      .then([](db_reply&) {},
            [](caf::error& err) { log::warn("mesh") << "saving peer_state failed: " << to_string(err); });
}

void on_presence_left(mesh_actor_t* self, const presence_left& left) {
  auto& st = self->state;
  auto* e = st.table.find(left.presence_id);
  if (e == nullptr || !e->online || e->epoch != left.epoch)
    return; // replaced, kicked or already gone
  st.presences.erase(left.presence_id);
  save_peer_state(self, *e);
  uint64_t epoch = st.table.detach(left.presence_id, unix_now_ms(), st.cfg.presence_grace_ms);
  if (st.cfg.presence_grace_ms <= 0) {
    evict_presence(self, left.presence_id);
    return;
  }
  self->delayed_send(self, std::chrono::milliseconds(st.cfg.presence_grace_ms), evict_atom::value,
                     left.presence_id, epoch);
}

void on_presence_update(mesh_actor_t* self, presence_update& u) {
  auto& st = self->state;
  auto* e = st.table.find(u.presence_id);
  if (e == nullptr)
    return;
  bool visibility_changed = e->visible != u.snapshot.visible;
  e->status = u.snapshot.status;
  e->summary = u.snapshot.summary;
  e->groups = u.snapshot.groups;
  e->visible = u.snapshot.visible;
  e->profile = u.snapshot.profile;
  e->stats = u.snapshot.stats;
  if (visibility_changed) // §4.3: every other connection, same member included
    system_push_to(self, e->visible ? "peer_visible" : "peer_hidden", *e,
                   system_event_data{e->display_name, e->routing_pubkey(), std::nullopt,
                                     std::nullopt, std::nullopt},
                   [](const connection_entry&) { return true; });
}

caf::result<message_status_reply> on_message_status(mesh_actor_t* self,
                                                    message_status_request& req) {
  auto& st = self->state;
  bool exact = req.message_id.size() == 32;
  auto rp = self->make_response_promise<message_status_reply>();
  db_request q{{db_call{exact ? &message_status_exact : &message_status_prefix,
                        {st.mesh_id, req.message_id}}}};
  self->request(st.storage, storage_timeout(st), std::move(q))
      .then(
          [=](db_reply& rows) mutable {
            auto& st = self->state;
            const auto& rs = rows.results.at(0);
            message_status_reply reply;
            if (rs.rows.empty()) {
              reply.error_code = "not_found";
              reply.error_message = "message not found";
              rp.deliver(std::move(reply));
              return;
            }
            if (!exact) {
              auto matches = std::stoll(rs.at(0, "matches").value_or("0"));
              if (matches >= 2) {
                reply.error_code = "ambiguous_prefix";
                reply.error_message =
                    "prefix matched " + std::to_string(matches) + " messages — use a longer id";
                rp.deliver(std::move(reply));
                return;
              }
            }
            auto& r = reply.result;
            r.messageId = req.message_id;
            r.targetSpec = rs.at(0, "target_spec").value_or("");
            auto delivered_ms = rs.at(0, "delivered_ms");
            r.delivered = delivered_ms.has_value();
            if (delivered_ms)
              r.deliveredAt_ms = std::stoll(*delivered_ms);
            const char* status = r.delivered ? "delivered" : "held";
            const auto* caller = st.table.find(req.presence_id);
            if (caller == nullptr) {
              rp.deliver(std::move(reply));
              return;
            }
            const auto& t = r.targetSpec;
            if (t == "*" || (!t.empty() && t[0] == '@')) {
              std::string group = t.size() > 1 && t[0] == '@' ? t.substr(1) : "";
              for (const auto* p : st.table.peers_for(*caller)) {
                bool in = group.empty() || group == "all" ||
                          std::any_of(p->groups.begin(), p->groups.end(),
                                      [&](const hello_group& g) { return g.name == group; });
                if (in)
                  r.recipients.push_back({p->display_name, p->routing_pubkey(), status});
              }
            } else {
              const connection_entry* match = nullptr;
              for (const auto* p : st.table.peers_for(*caller))
                if (p->routing_pubkey() == t)
                  match = p;
              if (match)
                r.recipients.push_back({match->display_name, match->routing_pubkey(), status});
              else
                r.recipients.push_back({"unknown", t.substr(0, 16), "disconnected"});
            }
            rp.deliver(std::move(reply));
          },
          [=](caf::error&) mutable {
            message_status_reply reply;
            reply.error_code = "not_found";
            reply.error_message = "message status unavailable, retry";
            rp.deliver(std::move(reply));
          });
  return rp;
}

/// §6.4: a hook status for one of this mesh's presences. An online
/// presence decides itself (DND is sacred, write, drain) and answers the
/// hook directly; a presence in its grace window has no actor, so only the
/// table's status changes (the reattach starts from it).
caf::result<hook_status_reply> on_hook_status(mesh_actor_t* self, const std::string& presence_id,
                                              const std::string& status) {
  auto& st = self->state;
  auto* e = st.table.find(presence_id);
  if (e == nullptr)
    return hook_status_reply{};
  if (auto it = st.presences.find(presence_id); it != st.presences.end()) {
    auto rp = self->make_response_promise();
    rp.delegate(it->second, hook_status_atom::value, status);
    return rp;
  }
  hook_status_reply reply;
  reply.found = true;
  reply.dnd = e->status == peer_status::dnd;
  if (auto parsed = parse_peer_status(status); parsed && !reply.dnd)
    e->status = *parsed;
  return reply;
}

caf::behavior mesh_behavior(mesh_actor_t* self, config::node_config cfg, storage::mesh_row mesh,
                            std::vector<storage::member_row> members, caf::actor storage,
                            metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.metrics = metrics;
  st.mesh_id = mesh.id;
  st.mesh_name = mesh.name;
  st.owner_pubkey = mesh.owner_pubkey;
  st.policy = policy_from_row(mesh.self_editable);
  st.storage = std::move(storage);
  st.replay.emplace(st.cfg.hello_skew_ms, static_cast<size_t>(st.cfg.hello_replay_cache_max));
  for (const auto& m : members)
    remember_member(st, m);
  auto touch = [self] {
    ++self->state.handled;
    self->state.last_activity_ms = unix_now_ms();
  };
  return {
      [=](join_request& req) -> caf::result<join_reply> {
        touch();
        return handle_join(self, req);
      },
      [=](send_request& req) -> caf::result<send_ack> {
        touch();
        return handle_send(self, req);
      },
      [=](presence_update& u) {
        touch();
        on_presence_update(self, u);
      },
      [=](const state_change_request& req) { // set_state / share_context (§5.1, §5.4)
        touch();
        fan_out_state_change(self, req);
      },
      [=](mesh_op_request& req) -> caf::result<mesh_op_reply> { // §5.5, §5.7, §5.8
        touch();
        return handle_mesh_op(self, req);
      },
      [=](clock_tick_atom, uint64_t generation) { on_clock_tick(self, generation); },
      [=](schedule_fire& fire) -> caf::result<fire_outcome> { // §5.6 (actors/mesh_schedule.hpp)
        touch();
        return handle_schedule_fire(self, fire);
      },
      [=](presence_left& left) {
        touch();
        on_presence_left(self, left);
      },
      [=](evict_atom, const std::string& presence_id, uint64_t epoch) {
        touch();
        const auto* e = self->state.table.find(presence_id);
        if (e != nullptr && !e->online && e->epoch == epoch)
          evict_presence(self, presence_id);
      },
      [=](peers_request& req) -> peers_reply {
        touch();
        peers_reply reply;
        const auto& st = self->state;
        if (const auto* caller = st.table.find(req.presence_id))
          for (const auto* p : st.table.peers_for(*caller))
            // A peer whose grants deny `read` to the caller is not listed (§3.5.5).
            if (p->member_id == caller->member_id ||
                mesh_allows(st, p->member_id, capability::read, *caller))
              reply.peers.push_back(peer_entry_of(*p));
        return reply;
      },
      [=](message_status_request& req) -> caf::result<message_status_reply> {
        touch();
        return on_message_status(self, req);
      },
      [=](identity_request& req) -> caf::result<identity_reply> { // issue 4 (actors/identity_ops.hpp)
        touch();
        return handle_identity(self, req);
      },
      [=](hook_status_atom, const std::string& presence_id,
          const std::string& status) -> caf::result<hook_status_reply> {
        touch();
        return on_hook_status(self, presence_id, status);
      },
      [=](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "mesh";
        s.id = st.mesh_id;
        s.mesh = st.mesh_id;
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"connections", static_cast<int64_t>(st.table.size())},
                     {"online", static_cast<int64_t>(st.presences.size())},
                     {"members", static_cast<int64_t>(st.members.size())},
                     {"joins", st.joins},
                     {"sends", st.sends}};
        return s;
      },
  };
}

} // namespace

member_info member_info_from(const storage::member_row& row) {
  member_info m;
  m.id = row.id;
  m.pubkey = row.peer_pubkey;
  m.display_name = row.display_name;
  m.role = row.role;
  m.role_tag = row.role_tag;
  for (const auto& [name, role] : storage::groups_from_json(row.default_groups))
    m.default_groups.push_back({name, role});
  m.message_mode = row.message_mode;
  m.grants = storage::grants_from_json(row.peer_grants);
  m.permission_overrides = storage::bools_from_json(row.permissions);
  m.created_ms = row.created_ms;
  return m;
}

void remember_member(mesh_state& st, const storage::member_row& row) {
  if (row.revoked()) {
    st.members.erase(row.id);
    st.grants.erase(row.id);
    if (auto it = st.member_by_pubkey.find(row.peer_pubkey);
        it != st.member_by_pubkey.end() && it->second == row.id)
      st.member_by_pubkey.erase(it);
    return;
  }
  auto m = member_info_from(row);
  st.member_by_pubkey[m.pubkey] = m.id;
  st.grants[m.id] = m.grants;
  st.members[m.id] = std::move(m);
}

void evict_presence(mesh_actor_t* self, const std::string& presence_id) {
  auto& st = self->state;
  auto gone = st.table.evict(presence_id);
  st.presences.erase(presence_id);
  st.base_stats.erase(presence_id);
  if (!gone)
    return;
  update_connections_gauge(st);
  on_presence_evicted(self, presence_id); // subscriptions end, idle clock pauses
  auto member = gone->member_id;
  system_push_to(self, "peer_left", *gone,
                 system_event_data{gone->display_name, gone->routing_pubkey(), std::nullopt,
                                   std::nullopt, std::nullopt},
                 [member](const connection_entry& other) { return other.member_id != member; });
  // §4.6 / §8: audit peer_left ({}) with the row update, only if it was connected.
  audit_event ev{"peer_left", gone->member_id, gone->display_name, "{}"};
  self->request(st.storage, storage_timeout(st),
                db_request{{audited(db_call{&mark_presence_disconnected, {presence_id}}, st.mesh_id, ev)}})
      .then([](db_reply&) {}, [](caf::error&) {});
  log::info("mesh") << st.mesh_id << ": presence " << presence_id << " (" << gone->display_name
                    << ") left";
}

std::string uuid_v4() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  std::string hex = crypto::to_hex(b, sizeof b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

caf::actor spawn_mesh(caf::actor_system& sys, const config::node_config& cfg,
                      storage::mesh_row mesh, std::vector<storage::member_row> members,
                      caf::actor storage, metrics::node_metrics& metrics) {
  return sys.spawn(mesh_behavior, cfg, std::move(mesh), std::move(members), std::move(storage),
                   &metrics);
}

} // namespace nexus
