// The mesh side of identity requests (actors/identity_ops.hpp): who the
// caller is, what it may do, the storage round trip, and the dispatch to
// invites.cpp, membership.cpp and moderation.cpp.
#include "actors/identity_ops.hpp"

#include "config/log.hpp"
#include "storage/identity_json.hpp"
#include "storage/mesh_admin.hpp"

#include <caf/all.hpp>

namespace nexus {

member_role role_of(const mesh_state& st, const member_info& m) {
  return role_of(m.role, !st.owner_pubkey.empty() && m.pubkey == st.owner_pubkey);
}

permission_set permissions_of(const mesh_state& st, const member_info& m) {
  return effective_permissions(role_of(st, m), m.permission_overrides);
}

std::optional<caller_info> caller_of(const mesh_state& st, const std::string& presence_id) {
  const auto* e = st.table.find(presence_id);
  if (e == nullptr || !e->online)
    return std::nullopt;
  auto it = st.members.find(e->member_id);
  if (it == st.members.end())
    return std::nullopt;
  return caller_info{e,
                     &it->second,
                     it->second.id,
                     e->display_name,
                     role_of(st, it->second),
                     permissions_of(st, it->second)};
}

std::optional<std::string> name_problem(const std::string& value, const char* what) {
  try {
    storage::validate_name(value, what);
    return std::nullopt;
  } catch (const storage::admin_error& e) {
    return std::string(e.what());
  }
}

std::optional<std::string> lower_pubkey(const std::string& hex) {
  try {
    return storage::normalize_pubkey(hex);
  } catch (const storage::admin_error&) {
    return std::nullopt;
  }
}

bool valid_message_mode(const std::string& mode) { return mode == "push" || mode == "inbox" || mode == "off"; }

storage::group_list group_list_of(const std::vector<group_ref>& groups) {
  storage::group_list out;
  for (const auto& g : groups)
    out.emplace_back(g.name, g.role);
  return out;
}

std::vector<group_ref> group_refs_of(const storage::group_list& groups) {
  std::vector<group_ref> out;
  for (const auto& [name, role] : groups)
    out.push_back({name, role});
  return out;
}

identity_reply error_reply(std::string code, std::string message) {
  return identity_reply{identity_error{std::move(code), std::move(message)}};
}

identity_reply forbidden(const caller_info& c, permission p, std::string_view what) {
  return error_reply("forbidden", "forbidden: " + std::string(what) + " needs the " +
                                      std::string(to_string(p)) + " permission (your role: " +
                                      std::string(to_string(c.role)) + ")");
}

caf::result<identity_reply> identity_rows(mesh_actor_t* self, db_request req, rows_handler then,
                                          storage_error_handler on_error) {
  auto rp = self->make_response_promise<identity_reply>();
  identity_rows_into(self, std::move(req), std::move(then), rp, std::move(on_error));
  return rp;
}

void identity_rows_into(mesh_actor_t* self, db_request req, rows_handler then, identity_promise rp,
                        storage_error_handler on_error) {
  auto& st = self->state;
  self->request(st.storage, storage_timeout(st), std::move(req))
      .then([=](db_reply& rows) mutable { rp.deliver(then(self, rows)); },
            [=](caf::error& err) mutable {
              if (on_error) {
                rp.deliver(on_error(err));
                return;
              }
              log::warn("identity") << self->state.mesh_id
                                    << ": storage request failed: " << to_string(err);
              rp.deliver(error_reply("unavailable", "storage unavailable, retry shortly"));
            });
}

void announce_permissions(mesh_actor_t* self, const member_info& m) {
  auto& st = self->state;
  permissions_changed changed{permissions_of(st, m)};
  for (const auto& [id, e] : st.table.entries())
    if (e.member_id == m.id && e.online)
      if (auto p = st.presences.find(id); p != st.presences.end())
        self->send(p->second, changed);
}

std::optional<self_editable_policy> policy_from_row(const std::optional<std::string>& json) {
  if (!json)
    return std::nullopt;
  auto values = storage::bools_from_json(json);
  self_editable_policy p;
  auto pick = [&](const char* key, bool& field) {
    if (auto it = values.find(key); it != values.end())
      field = it->second;
  };
  pick("displayName", p.displayName);
  pick("roleTag", p.roleTag);
  pick("groups", p.groups);
  pick("messageMode", p.messageMode);
  return p;
}

std::optional<mesh_policy> mesh_policy_of(const mesh_state& st) {
  if (!st.policy)
    return std::nullopt;
  return mesh_policy{st.policy->displayName, st.policy->roleTag, st.policy->groups,
                     st.policy->messageMode};
}

caf::result<identity_reply> handle_identity(mesh_actor_t* self, identity_request& req) {
  auto caller = caller_of(self->state, req.presence_id);
  if (!caller)
    return error_reply("unavailable", "this connection is not (or no longer) in the mesh");
  const auto& op = req.op;
  if (std::holds_alternative<invite_create_frame>(op) || std::holds_alternative<invite_list_frame>(op) ||
      std::holds_alternative<invite_revoke_frame>(op))
    return handle_invite_op(self, req, *caller);
  if (std::holds_alternative<kick_frame>(op) || std::holds_alternative<ban_frame>(op) ||
      std::holds_alternative<unban_frame>(op) || std::holds_alternative<list_bans_frame>(op))
    return handle_moderation_op(self, req, *caller);
  if (std::holds_alternative<create_mesh_frame>(op)) // the router's, never a mesh's
    return error_reply("invalid", "create_mesh is not a request of a mesh");
  return handle_member_op(self, req, *caller);
}

} // namespace nexus
