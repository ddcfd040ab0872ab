// Decoding of the identity and membership frames (docs/identity.md) into
// identity_frame, with field_reader's rule set (frames_identity.hpp). Shared
// pieces (groups, presets, the mesh creation request) are also used by the
// HTTP bodies (identity_http_body.cpp) through frame_decode_identity.hpp.
#include "transport/frame_decode_identity.hpp"

#include "transport/frame_decode.hpp"
#include "transport/json_fields.hpp"

namespace nexus::wire {
namespace {

template <class Frame>
frame_payload result(const field_reader& r, Frame&& f) {
  if (!r.ok())
    return *r.error();
  return frame_payload(identity_frame{identity_op(std::forward<Frame>(f))});
}

/// A required integer (an absent or non-number value fails).
int64_t required_integer(field_reader& r, const char* name) {
  auto v = r.optional_integer(name);
  if (!v && r.ok())
    r.fail(name, "must be a number");
  return v.value_or(0);
}

std::optional<self_editable_policy> policy(field_reader& r, const char* name) {
  const auto* v = r.get(name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  if (!v->IsObject()) {
    r.fail(name, "must be an object");
    return std::nullopt;
  }
  field_reader p(*v, "mesh_policy", std::string(name) + ".");
  self_editable_policy out;
  out.displayName = p.optional_bool("displayName").value_or(out.displayName);
  out.roleTag = p.optional_bool("roleTag").value_or(out.roleTag);
  out.groups = p.optional_bool("groups").value_or(out.groups);
  out.messageMode = p.optional_bool("messageMode").value_or(out.messageMode);
  if (!p.ok()) {
    r.fail(name, "must hold booleans only");
    return std::nullopt;
  }
  return out;
}

frame_payload create_mesh(const rapidjson::Value& frame) {
  field_reader r(frame, "create_mesh");
  create_mesh_frame f;
  auto& q = f.request;
  q.name = r.required_string("name");
  q.pubkey = r.required_string("pubkey");
  q.display_name = r.required_string("displayName");
  q.recipient_x25519 = r.required_string("recipientX25519Pubkey");
  q.timestamp_ms = required_integer(r, "timestamp");
  q.signature = r.required_string("signature");
  q.operator_token = r.optional_string("operatorToken");
  return result(r, std::move(f));
}

frame_payload invite_create(const rapidjson::Value& frame) {
  field_reader r(frame, "invite_create");
  invite_create_frame f;
  f.inviteId = r.required_string("inviteId");
  f.expiresAt = required_integer(r, "expiresAt");
  f.role = r.optional_string("role").value_or("member");
  f.maxUses = r.optional_integer("maxUses").value_or(1);
  f.signature = r.required_string("signature");
  f.preset = optional_preset(r, "preset");
  return result(r, std::move(f));
}

frame_payload invite_revoke(const rapidjson::Value& frame) {
  field_reader r(frame, "invite_revoke");
  invite_revoke_frame f;
  f.code = r.required_string("code");
  return result(r, std::move(f));
}

frame_payload member_update(const rapidjson::Value& frame) {
  field_reader r(frame, "member_update");
  member_update_frame f;
  f.memberId = r.optional_string("memberId");
  f.displayName = r.optional_string("displayName");
  if (r.get("roleTag") != nullptr) {
    f.roleTag.present = true;
    f.roleTag.value = r.optional_string("roleTag");
  }
  f.groups = optional_groups(r, "groups");
  f.messageMode = r.optional_string("messageMode");
  return result(r, std::move(f));
}

frame_payload member_set_role(const rapidjson::Value& frame) {
  field_reader r(frame, "member_set_role");
  member_set_role_frame f;
  f.memberId = r.required_string("memberId");
  f.role = r.required_string("role");
  return result(r, std::move(f));
}

frame_payload member_set_permissions(const rapidjson::Value& frame) {
  field_reader r(frame, "member_set_permissions");
  member_set_permissions_frame f;
  f.memberId = r.required_string("memberId");
  const auto* v = r.get("permissions");
  if (v == nullptr || !v->IsObject()) {
    r.fail("permissions", "must be an object");
    return *r.error();
  }
  for (const auto& m : v->GetObject()) {
    std::string name = string_of(m.name);
    if (m.value.IsNull())
      f.permissions[name] = std::nullopt;
    else if (m.value.IsBool())
      f.permissions[name] = m.value.GetBool();
    else
      r.fail("permissions", "values must be true, false or null");
  }
  return result(r, std::move(f));
}

frame_payload mesh_policy(const rapidjson::Value& frame) {
  field_reader r(frame, "mesh_policy");
  mesh_policy_frame f;
  f.selfEditable = policy(r, "selfEditable");
  return result(r, std::move(f));
}

frame_payload grant(const rapidjson::Value& frame) {
  field_reader r(frame, "grant");
  grant_frame f;
  f.peer = r.required_string("peer");
  auto caps = r.optional_string_array("capabilities");
  if (!caps && r.ok())
    r.fail("capabilities", "must be an array of strings");
  f.capabilities = caps.value_or(std::vector<std::string>{});
  return result(r, std::move(f));
}

template <class Frame>
frame_payload peer_only(const rapidjson::Value& frame, const char* type) {
  field_reader r(frame, type);
  Frame f;
  f.peer = r.required_string("peer");
  return result(r, std::move(f));
}

frame_payload kick(const rapidjson::Value& frame, bool soft) {
  field_reader r(frame, soft ? "disconnect" : "kick");
  kick_frame f;
  f.soft = soft;
  f.target = r.optional_nonempty_string("target");
  f.stale_ms = r.optional_integer("stale");
  f.all = r.optional_bool("all").value_or(false);
  return result(r, std::move(f));
}

frame_payload ban(const rapidjson::Value& frame) {
  field_reader r(frame, "ban");
  ban_frame f;
  f.target = r.string_or_empty("target");
  f.reason = r.optional_string("reason");
  return result(r, std::move(f));
}

frame_payload unban(const rapidjson::Value& frame) {
  field_reader r(frame, "unban");
  unban_frame f;
  f.target = r.string_or_empty("target");
  return result(r, std::move(f));
}

frame_payload empty(identity_op op) { return frame_payload(identity_frame{std::move(op)}); }

} // namespace

std::optional<std::vector<group_ref>> optional_groups(field_reader& r, const char* name) {
  const auto* v = r.get(name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  const char* shape = "must be an array of {name, role?} objects";
  if (!v->IsArray()) {
    r.fail(name, shape);
    return std::nullopt;
  }
  std::vector<group_ref> out;
  for (const auto& g : v->GetArray()) {
    if (!g.IsObject()) {
      r.fail(name, shape);
      return std::nullopt;
    }
    field_reader gr(g, "group");
    group_ref ref;
    ref.name = gr.required_string("name");
    ref.role = gr.optional_nonempty_string("role");
    if (!gr.ok() || ref.name.empty()) {
      r.fail(name, shape);
      return std::nullopt;
    }
    out.push_back(std::move(ref));
  }
  return out;
}

std::optional<invite_preset_value> optional_preset(field_reader& r, const char* name) {
  const auto* v = r.get(name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  if (!v->IsObject()) {
    r.fail(name, "must be an object");
    return std::nullopt;
  }
  field_reader p(*v, "invite_create", std::string(name) + ".");
  invite_preset_value out;
  out.displayName = p.optional_nonempty_string("displayName");
  out.roleTag = p.optional_nonempty_string("roleTag");
  out.messageMode = p.optional_nonempty_string("messageMode");
  out.groups = optional_groups(p, "groups");
  if (!p.ok()) {
    r.fail(name, "has a field of the wrong type");
    return std::nullopt;
  }
  return out;
}

std::optional<frame_payload> decode_identity(std::string_view type, const rapidjson::Value& frame) {
  if (type == "create_mesh")
    return create_mesh(frame);
  if (type == "invite_create")
    return invite_create(frame);
  if (type == "invite_list")
    return empty(invite_list_frame{});
  if (type == "invite_revoke")
    return invite_revoke(frame);
  if (type == "member_list")
    return empty(member_list_frame{});
  if (type == "member_update")
    return member_update(frame);
  if (type == "member_set_role")
    return member_set_role(frame);
  if (type == "member_set_permissions")
    return member_set_permissions(frame);
  if (type == "mesh_policy")
    return mesh_policy(frame);
  if (type == "grant")
    return grant(frame);
  if (type == "block")
    return peer_only<block_frame>(frame, "block");
  if (type == "unblock")
    return peer_only<unblock_frame>(frame, "unblock");
  if (type == "list_grants")
    return empty(list_grants_frame{});
  if (type == "kick")
    return kick(frame, false);
  if (type == "disconnect")
    return kick(frame, true);
  if (type == "ban")
    return ban(frame);
  if (type == "unban")
    return unban(frame);
  if (type == "list_bans")
    return empty(list_bans_frame{});
  return std::nullopt;
}

} // namespace nexus::wire
