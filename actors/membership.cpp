// member_list / member_update / member_set_role / member_set_permissions /
// mesh_policy, and a member's own grants (grant / block / unblock /
// list_grants, §3.5.5): the mesh side (docs/identity.md). The caller is the
// connection's member, never a body field (deviation 3). Every change is one
// audited statement; the member cache, the live entries and the member's
// presences follow once it committed.
#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/identity_ops.hpp"
#include "config/log.hpp"
#include "crypto/sodium.hpp"
#include "storage/broker_sql.hpp"
#include "storage/identity_json.hpp"
#include "storage/identity_sql.hpp"

#include <caf/all.hpp>

namespace nexus {
namespace {

namespace sql = storage::identity_sql;

member_entry entry_of(const mesh_state& st, const member_info& m) {
  member_entry e;
  e.memberId = m.id;
  e.pubkey = m.pubkey;
  e.displayName = m.display_name;
  e.role = std::string(to_string(role_of(st, m)));
  e.roleTag = m.role_tag;
  for (const auto& g : m.default_groups)
    e.groups.push_back({g.name, g.role});
  e.messageMode = m.message_mode;
  auto perms = permissions_of(st, m);
  for (permission p : all_permissions)
    e.permissions.emplace_back(std::string(to_string(p)), perms.has(p));
  for (const auto& [id, c] : st.table.entries())
    if (c.member_id == m.id && c.online)
      ++e.sessions;
  e.online = e.sessions > 0;
  e.createdAt_ms = m.created_ms;
  return e;
}

audit_event event_of(const caller_info& c, std::string type, std::string payload) {
  return {std::move(type), c.member_id, c.display_name, std::move(payload)};
}

/// A changed member row is now the truth: cache, live names, presences.
member_info apply_row(mesh_actor_t* self, const storage::member_row& row) {
  auto& st = self->state;
  std::string old_name;
  if (auto it = st.members.find(row.id); it != st.members.end())
    old_name = it->second.display_name;
  remember_member(st, row);
  auto m = member_info_from(row);
  // Live entries that carry the member's name (not a hello override) follow it.
  if (!old_name.empty() && old_name != m.display_name)
    for (const auto& [id, e] : st.table.entries())
      if (e.member_id == m.id && e.display_name == old_name)
        st.table.find(id)->display_name = m.display_name;
  announce_permissions(self, m);
  return m;
}

/// Loads member `member_id` and hands it, with the request's promise, to
/// `then`; an unknown or revoked member → not_found.
caf::result<identity_reply> with_member(mesh_actor_t* self, const std::string& member_id,
                                        std::function<void(storage::member_row, identity_promise)> then) {
  auto& st = self->state;
  db_request q{{db_call{&storage::broker_sql::select_member_by_id, {st.mesh_id, member_id}}}};
  auto rp = self->make_response_promise<identity_reply>();
  self->request(st.storage, storage_timeout(st), std::move(q))
      .then(
          [=](db_reply& rows) mutable {
            const auto& rs = rows.results.at(0);
            if (rs.rows.empty() || storage::member_from(rs, 0).revoked()) {
              rp.deliver(error_reply("not_found", "no member " + member_id + " in this mesh"));
              return;
            }
            then(storage::member_from(rs, 0), rp);
          },
          [=](caf::error&) mutable { rp.deliver(error_reply("unavailable", "storage unavailable, retry shortly")); });
  return rp;
}

/// The committed row of a member change → member_updated (or not_found when
/// it stopped being active meanwhile).
rows_handler member_updated(std::optional<std::string> req_id) {
  return [req_id](mesh_actor_t* self, db_reply& r) {
    const auto& rs = r.results.at(0);
    if (rs.rows.empty())
      return error_reply("not_found", "the member is no longer active");
    auto m = apply_row(self, storage::member_from(rs, 0));
    return identity_reply{member_updated_frame{entry_of(self->state, m), req_id}};
  };
}

caf::result<identity_reply> list(mesh_actor_t* self, const identity_request& req) {
  auto& st = self->state;
  db_request q{{db_call{&storage::broker_sql::list_members, {st.mesh_id}}}};
  return identity_rows(self, std::move(q), [req_id = req.req_id](mesh_actor_t* self, db_reply& r) {
    auto& st = self->state;
    member_list_result_frame out;
    out.req_id = req_id;
    const auto& rs = r.results.at(0);
    for (size_t i = 0; i < rs.rows.size(); ++i) {
      auto row = storage::member_from(rs, i);
      if (row.revoked())
        continue;
      remember_member(st, row);
      out.members.push_back(entry_of(st, member_info_from(row)));
    }
    return identity_reply{std::move(out)};
  });
}

/// §4.7 profile_updated to the edited member's connections: the changed fields.
void push_profile_updated(mesh_actor_t* self, const std::string& member_id, const member_update_frame& f) {
  auto& st = self->state;
  profile_updated_push push;
  push.displayName = f.displayName;
  push.roleTag = f.roleTag;
  push.groups = f.groups;
  push.messageMode = f.messageMode;
  push.meshId = st.mesh_id;
  push.createdAt_ms = unix_now_ms();
  for (const auto& [id, e] : st.table.entries())
    if (e.member_id == member_id && e.online)
      if (auto p = st.presences.find(id); p != st.presences.end()) {
        push.messageId = uuid_v4();
        self->send(p->second, push);
      }
}

/// The fields of `f` the self-editable policy does not allow, or "".
std::string beyond_policy(const self_editable_policy& p, const member_update_frame& f) {
  if (f.displayName && !p.displayName)
    return "displayName";
  if (f.roleTag.present && !p.roleTag)
    return "roleTag";
  if (f.groups && !p.groups)
    return "groups";
  if (f.messageMode && !p.messageMode)
    return "messageMode";
  return "";
}

std::optional<identity_reply> update_problem(const member_update_frame& f) {
  if (!f.displayName && !f.roleTag.present && !f.groups && !f.messageMode)
    return error_reply("invalid", "nothing to update: give displayName, roleTag, groups or messageMode");
  if (f.displayName)
    if (auto bad = name_problem(*f.displayName, "displayName"))
      return error_reply("invalid", *bad);
  if (f.roleTag.value)
    if (auto bad = name_problem(*f.roleTag.value, "roleTag"))
      return error_reply("invalid", *bad);
  if (f.messageMode && !valid_message_mode(*f.messageMode))
    return error_reply("invalid", "messageMode must be push, inbox or off");
  return std::nullopt;
}

caf::result<identity_reply> update(mesh_actor_t* self, const identity_request& req,
                                   const caller_info& c, const member_update_frame& f) {
  if (auto bad = update_problem(f))
    return *bad;
  auto& st = self->state;
  const std::string target = f.memberId.value_or(c.member->id);
  bool manage = c.permissions.has(permission::manage_members);
  if (target != c.member->id && !manage)
    return forbidden(c, permission::manage_members, "editing another member");
  if (target == c.member->id && !manage) {
    auto field = beyond_policy(st.policy.value_or(self_editable_policy{}), f);
    if (!field.empty())
      return error_reply("forbidden", "forbidden: the mesh's self-editable policy does not let members change " +
                                          field + " (ask someone with manage_members)");
  }
  return with_member(self, target, [=](storage::member_row row, identity_promise rp) {
    auto& st = self->state;
    if (row.peer_pubkey == st.owner_pubkey && c.role != member_role::owner) {
      rp.deliver(error_reply("forbidden", "forbidden: only the owner edits the owner"));
      return;
    }
    std::vector<std::string> changed;
    if (f.displayName)
      changed.push_back("displayName");
    if (f.roleTag.present)
      changed.push_back("roleTag");
    if (f.groups)
      changed.push_back("groups");
    if (f.messageMode)
      changed.push_back("messageMode");
    auto payload = audit::payload_builder().string("memberId", row.id).strings("fields", changed).str();
    storage::param groups;
    if (f.groups)
      groups = storage::groups_to_json(group_list_of(*f.groups));
    db_call call{&sql::update_member,
                 {st.mesh_id, row.id, f.displayName, f.roleTag.present ? storage::param{"set"} : storage::param{},
                  f.roleTag.value, groups, f.messageMode}};
    db_request q{{audited(call, st.mesh_id, event_of(c, "member_updated", payload))}};
    auto updated = member_updated(req.req_id);
    identity_rows_into(self, std::move(q), [=](mesh_actor_t* self, db_reply& r) {
      auto reply = updated(self, r);
      if (std::holds_alternative<member_updated_frame>(reply.frame))
        push_profile_updated(self, std::get<member_updated_frame>(reply.frame).member.memberId, f);
      return reply;
    }, rp);
  });
}

caf::result<identity_reply> set_role(mesh_actor_t* self, const identity_request& req,
                                     const caller_info& c, const member_set_role_frame& f) {
  if (!c.permissions.has(permission::manage_members))
    return forbidden(c, permission::manage_members, "member_set_role");
  if (f.role != "admin" && f.role != "member")
    return error_reply("invalid", "role must be admin or member");
  return with_member(self, f.memberId, [=](storage::member_row row, identity_promise rp) {
    auto& st = self->state;
    if (row.peer_pubkey == st.owner_pubkey) {
      rp.deliver(error_reply("invalid", "the owner's role cannot be changed"));
      return;
    }
    auto payload = audit::payload_builder().string("memberId", row.id).string("role", f.role).str();
    db_request q{{audited(db_call{&sql::set_member_role, {st.mesh_id, row.id, f.role}}, st.mesh_id,
                          event_of(c, "member_role_set", payload))}};
    identity_rows_into(self, std::move(q), member_updated(req.req_id), rp);
  });
}

caf::result<identity_reply> set_permissions(mesh_actor_t* self, const identity_request& req,
                                            const caller_info& c, const member_set_permissions_frame& f) {
  if (!c.permissions.has(permission::manage_members))
    return forbidden(c, permission::manage_members, "member_set_permissions");
  for (const auto& [name, value] : f.permissions)
    if (!parse_permission(name))
      return error_reply("invalid", "unknown permission \"" + name +
                                        "\" (invite, manage_members, write_state, send, moderate, manage_services)");
  return with_member(self, f.memberId, [=](storage::member_row row, identity_promise rp) {
    auto& st = self->state;
    if (row.peer_pubkey == st.owner_pubkey) {
      rp.deliver(error_reply("invalid", "the owner's permissions cannot be changed"));
      return;
    }
    auto overrides = storage::bools_from_json(row.permissions);
    for (const auto& [name, value] : f.permissions) {
      if (value)
        overrides[name] = *value;
      else
        overrides.erase(name);
    }
    auto json = storage::bools_to_json(overrides);
    auto payload = audit::payload_builder()
                       .string("memberId", row.id)
                       .raw("permissions", audit::canonical_json(json).value_or("{}"))
                       .str();
    db_request q{{audited(db_call{&sql::set_member_permissions, {st.mesh_id, row.id, json}}, st.mesh_id,
                          event_of(c, "member_permissions_set", payload))}};
    identity_rows_into(self, std::move(q), member_updated(req.req_id), rp);
  });
}

caf::result<identity_reply> policy(mesh_actor_t* self, const identity_request& req,
                                   const caller_info& c, const mesh_policy_frame& f) {
  auto& st = self->state;
  if (!f.selfEditable)
    return identity_reply{mesh_policy_result_frame{st.policy.value_or(self_editable_policy{}), req.req_id}};
  if (!c.permissions.has(permission::manage_members))
    return forbidden(c, permission::manage_members, "changing the self-editable policy");
  const auto& p = *f.selfEditable;
  auto json = storage::bools_to_json({{"displayName", p.displayName},
                                      {"roleTag", p.roleTag},
                                      {"groups", p.groups},
                                      {"messageMode", p.messageMode}});
  db_request q{{audited(db_call{&sql::set_self_editable, {st.mesh_id, json}}, st.mesh_id,
                        event_of(c, "mesh_policy_set", audit::canonical_json(json).value_or("{}")))}};
  return identity_rows(self, std::move(q), [p, req_id = req.req_id](mesh_actor_t* self, db_reply&) {
    self->state.policy = p;
    return identity_reply{mesh_policy_result_frame{p, req_id}};
  });
}

// --- grants (§3.5.5): the caller's own map ---

std::optional<identity_reply> grant_problem(const mesh_state& st, const caller_info& c,
                                            const std::string& peer,
                                            const std::vector<std::string>* caps) {
  if (!crypto::is_lower_hex(peer, 64))
    return error_reply("invalid", "peer must be a pubkey of 64 lowercase hex characters");
  if (caps)
    for (const auto& cap : *caps)
      if (!parse_capability(cap))
        return error_reply("invalid", "unknown capability \"" + cap +
                                          "\" (read, dm, broadcast, state-read, state-write)");
  const auto& grants = c.member->grants;
  bool is_new = !grants || grants->find(peer) == grants->end();
  if (caps && is_new && grants && static_cast<int64_t>(grants->size()) >= st.cfg.grants_per_member_max)
    return error_reply("invalid", "at most grants_per_member_max=" +
                                      std::to_string(st.cfg.grants_per_member_max) + " peers may have grants");
  return std::nullopt;
}

caf::result<identity_reply> store_grants(mesh_actor_t* self, const identity_request& req,
                                         const caller_info& c, grants_map grants) {
  auto& st = self->state;
  auto json = storage::grants_to_json(grants);
  db_request q{{audited(db_call{&sql::set_member_grants, {st.mesh_id, c.member->id, json}}, st.mesh_id,
                        event_of(c, "grants_set", audit::canonical_json(json).value_or("{}")))}};
  return identity_rows(self, std::move(q), [req_id = req.req_id](mesh_actor_t* self, db_reply& r) {
    const auto& rs = r.results.at(0);
    if (rs.rows.empty())
      return error_reply("not_found", "your member is no longer active");
    auto m = apply_row(self, storage::member_from(rs, 0));
    return identity_reply{grants_result_frame{m.grants.value_or(grants_map{}), req_id}};
  });
}

caf::result<identity_reply> grants_op(mesh_actor_t* self, const identity_request& req, const caller_info& c) {
  auto& st = self->state;
  grants_map grants = c.member->grants.value_or(grants_map{});
  if (std::holds_alternative<list_grants_frame>(req.op))
    return identity_reply{grants_result_frame{std::move(grants), req.req_id}};
  if (const auto* f = std::get_if<grant_frame>(&req.op)) {
    if (auto bad = grant_problem(st, c, f->peer, &f->capabilities))
      return *bad;
    grants[f->peer] = f->capabilities;
  } else if (const auto* b = std::get_if<block_frame>(&req.op)) {
    std::vector<std::string> none;
    if (auto bad = grant_problem(st, c, b->peer, &none))
      return *bad;
    grants[b->peer] = {}; // an empty list blocks everything (§3.5.5 step 2)
  } else {
    const auto& peer = std::get<unblock_frame>(req.op).peer;
    if (auto bad = grant_problem(st, c, peer, nullptr))
      return *bad;
    grants.erase(peer);
  }
  return store_grants(self, req, c, std::move(grants));
}

} // namespace

bool mesh_allows(const mesh_state& st, const std::string& recipient_member_id, capability cap,
                 const connection_entry& sender) {
  static const std::optional<grants_map> none;
  auto it = st.grants.find(recipient_member_id);
  std::optional<std::string_view> session;
  if (!sender.session_pubkey.empty())
    session = sender.session_pubkey;
  return allowed(it == st.grants.end() ? none : it->second, cap, sender.member_pubkey, session);
}

void count_grant_drop(mesh_state& st, capability cap, int64_t n) {
  st.metrics->reg
      .get_counter("broker_messages_dropped_by_grant_total",
                   "recipients skipped because their grants refuse the sender",
                   {{"cap", std::string(to_string(cap))}})
      .inc(n);
}

caf::result<identity_reply> handle_member_op(mesh_actor_t* self, const identity_request& req,
                                             const caller_info& caller) {
  const auto& op = req.op;
  if (std::holds_alternative<member_list_frame>(op))
    return list(self, req);
  if (const auto* f = std::get_if<member_update_frame>(&op))
    return update(self, req, caller, *f);
  if (const auto* f = std::get_if<member_set_role_frame>(&op))
    return set_role(self, req, caller, *f);
  if (const auto* f = std::get_if<member_set_permissions_frame>(&op))
    return set_permissions(self, req, caller, *f);
  if (const auto* f = std::get_if<mesh_policy_frame>(&op))
    return policy(self, req, caller, *f);
  return grants_op(self, req, caller);
}

} // namespace nexus
