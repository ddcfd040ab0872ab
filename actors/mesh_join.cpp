// The mesh actor's hello path (spec §2.2–§2.8): stateless checks, replay,
// member lookup, reattach or new presence, hello_ack contents, and the
// peer_joined / peer_returned push to the others.
#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/handshake.hpp"
#include "actors/identity_ops.hpp"
#include "actors/mesh_state.hpp"
#include "actors/status.hpp"
#include "config/log.hpp"
#include "crypto/sodium.hpp"
#include "storage/json_columns.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace nexus {
namespace {

using storage::broker_sql::insert_presence;
using storage::broker_sql::mark_pending_applied;
using storage::broker_sql::reattach_presence;
using storage::broker_sql::select_member_any;
using storage::broker_sql::select_peer_state;
using storage::broker_sql::select_pending_status;

/// A hook status posted before its presence existed counts this long (§4.2).
constexpr int64_t pending_hook_status_ttl_ms = 10'000;

join_reply rejected(mesh_state& st, const handshake_rejection& r) {
  return refused_join(r, *st.metrics);
}

join_reply unavailable(mesh_state& st) {
  handshake_rejection r;
  r.code = "unavailable";
  r.message = "broker database unavailable, retry shortly";
  r.close_code = 1013; // try again later
  r.close_reason = "unavailable";
  return rejected(st, r);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<hello_group> to_groups(const storage::group_list& g) {
  std::vector<hello_group> out;
  for (const auto& [name, role] : g)
    out.push_back({name, role});
  return out;
}

storage::group_list to_group_list(const std::vector<hello_group>& g) {
  storage::group_list out;
  for (const auto& x : g)
    out.emplace_back(x.name, x.role);
  return out;
}

/// §2.6 side effect: the peer_joined audit payload of a new presence.
std::string joined_payload(const connection_entry& e, bool hello_path, bool restored) {
  std::string groups = "[";
  for (size_t i = 0; i < e.groups.size(); ++i) {
    audit::payload_builder g;
    g.string("name", e.groups[i].name);
    if (e.groups[i].role)
      g.string("role", *e.groups[i].role);
    groups += (i ? "," : "") + g.str();
  }
  groups += "]";
  audit::payload_builder p;
  p.string("pubkey", e.member_pubkey).raw("groups", groups);
  if (hello_path)
    p.boolean("restored", restored).string("role", "control-plane");
  else
    p.string("session_pubkey", e.session_pubkey).string("via", "session_hello").string("role", "session");
  return p.str();
}

/// What a join needs besides the request, carried through the async steps.
struct join_context {
  join_request req;
  member_info member;
  std::string session_pubkey;
  std::string session_id;
  const presence_request& shape() const {
    return req.via_session_hello ? static_cast<const presence_request&>(req.session)
                                 : static_cast<const presence_request&>(req.hello);
  }
  std::optional<std::vector<hello_group>> hello_groups() const {
    return req.via_session_hello ? req.session.groups : req.hello.groups;
  }
};

member_profile profile_of(const member_info& m) {
  member_profile p;
  p.roleTag = m.role_tag;
  p.groups = m.default_groups;
  p.messageMode = m.message_mode;
  return p;
}

void finish_reattach(mesh_actor_t* self, join_context& ctx, connection_entry& old,
                     caf::typed_response_promise<join_reply> rp) {
  auto& st = self->state;
  // A session_hello may displace a still-open socket of the same session.
  if (auto it = st.presences.find(old.presence_id); it != st.presences.end() && old.online)
    self->send(it->second, kick_atom::value, uint16_t{1000}, std::string("session_replaced"));
  st.table.attach(old.presence_id);
  auto& shape = ctx.shape();
  old.cwd = shape.cwd;
  if (!shape.displayName.empty())
    old.display_name = shape.displayName;
  if (ctx.req.via_session_hello)
    old.session_id = ctx.session_id;
  st.presences[old.presence_id] = ctx.req.presence;
  self->request(st.storage, storage_timeout(st),
                db_request{{db_call{&reattach_presence,
                                    {old.presence_id, old.cwd,
                                     shape.displayName.empty() ? storage::param{} : shape.displayName,
                                     ctx.req.via_session_hello ? storage::param{ctx.session_id}
                                                               : storage::param{}}}}})
      .then([](db_reply&) {},
            [](caf::error& e) { log::warn("mesh") << "reattach row update failed: " << to_string(e); });
  join_reply reply;
  reply.entry = old;
  reply.reattached = true;
  reply.ack.presenceId = old.presence_id;
  reply.ack.memberDisplayName = old.display_name;
  if (!ctx.req.via_session_hello)
    reply.ack.memberProfile = profile_of(ctx.member);
  reply.ack.services = !ctx.req.via_session_hello;
  reply.ack.meshPolicy = mesh_policy_of(st);
  reply.permissions = permissions_of(st, ctx.member);
  reply.storage = st.storage;
  reply.mesh_id = st.mesh_id;
  reply.status = presence_status{old.status, status_source::jsonl, unix_now_ms()};
  log::info("mesh") << st.mesh_id << ": presence " << old.presence_id << " reattached";
  rp.deliver(std::move(reply));
}

void finish_new(mesh_actor_t* self, join_context ctx, db_reply& rows,
                caf::typed_response_promise<join_reply> rp, const std::string& presence_id) {
  auto& st = self->state;
  const bool hello_path = !ctx.req.via_session_hello;
  const auto& shape = ctx.shape();
  int64_t now = unix_now_ms();

  connection_entry e;
  e.presence_id = presence_id;
  e.member_id = ctx.member.id;
  e.member_pubkey = ctx.member.pubkey;
  e.session_pubkey = ctx.session_pubkey;
  e.session_id = ctx.session_id;
  e.display_name = shape.displayName.empty() ? ctx.member.display_name : shape.displayName;
  e.via_session_hello = !hello_path;
  e.peer_role = hello_path && ctx.session_pubkey.empty() ? "control-plane" : "session";
  e.client_acks = !hello_path || shape.channel.value_or("") == "claudemesh-daemon";
  e.pid = shape.pid;
  e.cwd = shape.cwd;
  e.hostname = shape.hostname;
  e.peer_type = shape.peerType;
  e.channel = shape.channel;
  e.model = shape.model;
  e.connected_at_ms = now;

  join_reply reply;
  const auto& peer_state = rows.results[0];
  auto hello_groups = ctx.hello_groups();
  if (hello_path) {
    std::vector<hello_group> saved;
    if (!peer_state.rows.empty()) {
      saved = to_groups(storage::groups_from_json(peer_state.at(0, "groups").value_or("[]")));
      e.visible = peer_state.at(0, "visible").value_or("t") == "t";
      auto profile = storage::strings_from_json(peer_state.at(0, "profile").value_or("{}"));
      if (profile.count("avatar"))
        e.profile.avatar = profile["avatar"];
      if (profile.count("title"))
        e.profile.title = profile["title"];
      if (profile.count("bio"))
        e.profile.bio = profile["bio"];
      restored_state restored;
      restored.lastSummary = peer_state.at(0, "last_summary");
      restored.lastSeenAt_ms = std::stoll(peer_state.at(0, "last_seen_ms").value_or("0"));
      bool hello_had_groups = hello_groups && !hello_groups->empty();
      if (!hello_had_groups && !saved.empty())
        restored.restoredGroups = saved;
      auto totals = storage::numbers_from_json(peer_state.at(0, "cumulative_stats").value_or("{}"));
      restored.restoredStats = {totals["messagesIn"], totals["messagesOut"], totals["toolCalls"],
                                totals["errors"]};
      st.base_stats[presence_id] = restored.restoredStats;
      reply.ack.restored = restored;
    }
    if (hello_groups && !hello_groups->empty())
      e.groups = *hello_groups;
    else if (!saved.empty())
      e.groups = saved;
    else
      e.groups = ctx.member.default_groups;
  } else {
    e.groups = hello_groups ? *hello_groups : ctx.member.default_groups;
  }

  presence_status status{peer_status::idle, status_source::jsonl, now};
  const auto& pending = rows.results[1];
  if (!pending.rows.empty()) {
    if (auto s = parse_peer_status(pending.at(0, "status").value_or(""))) {
      status = presence_status{*s, status_source::hook, now};
      auto id = pending.at(0, "id").value_or("");
      self->request(st.storage, storage_timeout(st), db_request{{db_call{&mark_pending_applied, {id}}}})
          .then([](db_reply&) {}, [](caf::error&) {});
    }
  }
  e.status = status.status;

  st.table.insert(e);
  st.presences[presence_id] = ctx.req.presence;
  st.metrics->reg
      .get_gauge("nexus_mesh_connections", "connections per mesh, grace ones included",
                 {{"mesh", st.mesh_id}})
      .set(static_cast<int64_t>(st.table.size()));

  reply.entry = e;
  reply.ack.presenceId = presence_id;
  reply.ack.memberDisplayName = e.display_name;
  reply.ack.memberProfile = profile_of(ctx.member);
  reply.ack.services = hello_path;
  reply.ack.meshPolicy = mesh_policy_of(st);
  reply.permissions = permissions_of(st, ctx.member);
  reply.storage = st.storage;
  reply.mesh_id = st.mesh_id;
  reply.status = status;
  bool restored = reply.ack.restored.has_value();
  auto last_seen = restored ? std::optional<int64_t>(reply.ack.restored->lastSeenAt_ms) : std::nullopt;
  auto summary = restored ? reply.ack.restored->lastSummary : std::nullopt;
  log::info("mesh") << st.mesh_id << ": " << e.display_name << " joined as presence "
                    << presence_id << " (" << e.peer_role << ")";
  // §8: its own request, since `restored` and the groups come from the rows
  // the join request read. Sent before the reply, so before any later request of this
  // presence (same storage actor, in order): the chain records it first.
  self->request(st.storage, storage_timeout(st),
                db_request{{audit_append(st.mesh_id, {"peer_joined", e.member_id, e.display_name,
                                                      joined_payload(e, hello_path, restored)})}})
      .then([](db_reply&) {},
            [](caf::error& err) { log::warn("mesh") << "peer_joined audit failed: " << to_string(err); });

  rp.deliver(std::move(reply));

  // §2.8 step 3: tell the others.
  system_event_data data{e.display_name, e.routing_pubkey(), e.groups, std::nullopt, std::nullopt};
  if (hello_path) {
    if (restored) {
      data.lastSeenAt_ms = last_seen;
      data.summary = summary;
    }
    auto member = e.member_id;
    system_push_to(self, restored ? "peer_returned" : "peer_joined", e, data,
                   [member](const connection_entry& other) { return other.member_id != member; });
  } else {
    system_push_to(self, "peer_joined", e, data, [](const connection_entry&) { return true; });
  }
}

void start_new(mesh_actor_t* self, join_context ctx, caf::typed_response_promise<join_reply> rp) {
  auto& st = self->state;
  // §2.6 (b), deviation 2 and 22: older sessions of the same member with this
  // sessionId are replaced, through the normal eviction path.
  for (const auto& old : st.table.same_session_id(ctx.member.id, ctx.session_id)) {
    if (auto it = st.presences.find(old); it != st.presences.end())
      self->send(it->second, kick_atom::value, uint16_t{1000}, std::string("session_replaced"));
    evict_presence(self, old);
  }
  std::string presence_id = crypto::random_base62(32);
  const auto& shape = ctx.shape();
  auto groups = ctx.hello_groups().value_or(std::vector<hello_group>{});
  std::string role = !ctx.req.via_session_hello && ctx.session_pubkey.empty() ? "control-plane"
                                                                              : "session";
  db_request req{{
      db_call{&select_peer_state, {st.mesh_id, ctx.member.id}},
      db_call{&select_pending_status,
              {std::to_string(shape.pid), shape.cwd, std::to_string(pending_hook_status_ttl_ms)}},
      db_call{&insert_presence,
              {presence_id, st.mesh_id, ctx.member.id, ctx.session_id,
               ctx.session_pubkey.empty() ? storage::param{} : ctx.session_pubkey,
               shape.displayName.empty() ? storage::param{} : shape.displayName,
               std::to_string(shape.pid), shape.cwd,
               storage::groups_to_json(to_group_list(groups)), role}},
  }};
  self->request(st.storage, storage_timeout(st), std::move(req))
      .then(
          [=](db_reply& rows) mutable {
            if (rows.results.size() != 3) {
              rp.deliver(unavailable(self->state));
              return;
            }
            finish_new(self, std::move(ctx), rows, rp, presence_id);
          },
          [=](caf::error& e) mutable {
            log::warn("mesh") << "join failed in storage: " << to_string(e);
            rp.deliver(unavailable(self->state));
          });
}

void after_member_lookup(mesh_actor_t* self, join_context ctx, db_reply& rows,
                         caf::typed_response_promise<join_reply> rp) {
  auto& st = self->state;
  auto kind = ctx.req.via_session_hello ? handshake_kind::session_hello : handshake_kind::hello;
  const auto& rs = rows.results.at(0);
  if (rs.rows.empty()) {
    rp.deliver(rejected(st, reject_unauthorized(kind)));
    return;
  }
  auto row = storage::member_from(rs, 0);
  remember_member(st, row);
  if (row.revoked()) {
    rp.deliver(rejected(st, reject_revoked(st.mesh_name.empty() ? st.mesh_id : st.mesh_name)));
    return;
  }
  ctx.member = member_info_from(row);
  if (ctx.req.via_session_hello) {
    auto& claimed = ctx.req.session.parentMemberId;
    if (claimed && !claimed->empty() && *claimed != row.id) {
      rp.deliver(rejected(st, reject_parent_member_id_mismatch()));
      return;
    }
  } else if (ctx.req.hello.memberId != row.id) {
    log::warn("mesh") << st.mesh_id << ": hello memberId " << ctx.req.hello.memberId
                      << " does not match member " << row.id << " of its pubkey (accepted)";
  }
  if (st.table.session_pubkey_held_by_other(ctx.session_pubkey, ctx.member.pubkey)) {
    rp.deliver(rejected(st, reject_session_pubkey_taken()));
    return;
  }
  if (auto* old = st.table.reattach_candidate(ctx.req.via_session_hello, ctx.member.pubkey,
                                              ctx.session_pubkey, ctx.session_id)) {
    finish_reattach(self, ctx, *old, rp);
    return;
  }
  start_new(self, std::move(ctx), rp);
}

} // namespace

join_reply refused_join(const handshake_rejection& r, metrics::node_metrics& metrics) {
  metrics.reg
      .get_counter("broker_connections_rejected_total", "handshakes refused, by error code",
                   {{"reason", r.code}})
      .inc();
  join_reply reply;
  reply.error_code = r.code;
  reply.error_message = r.message;
  reply.close_code = r.close_code;
  reply.close_reason = r.close_reason;
  return reply;
}

handshake_limits handshake_limits_of(const config::node_config& cfg) {
  handshake_limits limits;
  limits.hello_skew_ms = cfg.hello_skew_ms;
  limits.attestation_ttl_max_ms = cfg.attestation_ttl_max_ms;
  return limits;
}

caf::result<join_reply> handle_join(mesh_actor_t* self, join_request& req) {
  auto& st = self->state;
  ++st.joins;
  int64_t now = unix_now_ms();
  auto limits = handshake_limits_of(st.cfg);
  bool at_capacity = st.table.at_capacity(static_cast<size_t>(st.cfg.mesh_connections_max));
  auto kind = req.via_session_hello ? handshake_kind::session_hello : handshake_kind::hello;
  auto rejection = req.via_session_hello ? check_session_hello(req.session, now, at_capacity, limits)
                                         : check_hello(req.hello, now, at_capacity, limits);
  if (rejection)
    return rejected(st, *rejection);
  if (!st.replay->check_and_remember(
          req.via_session_hello ? req.session.signature : req.hello.signature, now))
    return rejected(st, reject_replayed(kind));

  join_context ctx;
  ctx.member.pubkey = lower(req.via_session_hello ? req.session.parentMemberPubkey : req.hello.pubkey);
  ctx.session_pubkey = req.via_session_hello ? req.session.sessionPubkey
                                             : req.hello.sessionPubkey.value_or("");
  auto sid = req.via_session_hello ? req.session.sessionId : req.hello.sessionId;
  ctx.session_id = sid && !sid->empty() ? *sid : "nexus-" + crypto::random_base62(24);
  ctx.req = std::move(req);
  auto rp = self->make_response_promise<join_reply>();
  std::string pubkey = ctx.member.pubkey;
  self->request(st.storage, storage_timeout(st),
                db_request{{db_call{&select_member_any, {st.mesh_id, pubkey}}}})
      .then([=](db_reply& rows) mutable { after_member_lookup(self, std::move(ctx), rows, rp); },
            [=](caf::error& e) mutable {
              log::warn("mesh") << "member lookup failed: " << to_string(e);
              rp.deliver(unavailable(self->state));
            });
  return rp;
}

} // namespace nexus
