#include "transport/frame_encoders_identity.hpp"

#include "transport/json_writer.hpp"

namespace nexus::wire {
namespace {

/// A frame `{"type":<type>, ...` whose body `fill` writes; closed with `_reqId`.
template <class Fill>
std::string frame(std::string_view type, const std::optional<std::string>& req_id, Fill fill) {
  json_writer w;
  w.begin_object();
  w.str_field("type", type);
  fill(w);
  w.opt_str_field("_reqId", req_id);
  w.end_object();
  return w.take();
}

void groups(json_writer& w, std::string_view key, const std::vector<group_ref>& gs) {
  w.key(key);
  w.begin_array();
  for (const auto& g : gs) {
    w.begin_object();
    w.str_field("name", g.name);
    w.opt_str_field("role", g.role);
    w.end_object();
  }
  w.end_array();
}

void preset(json_writer& w, const invite_preset_value& p) {
  w.key("preset");
  w.begin_object();
  w.opt_str_field("displayName", p.displayName);
  w.opt_str_field("roleTag", p.roleTag);
  if (p.groups)
    groups(w, "groups", *p.groups);
  w.opt_str_field("messageMode", p.messageMode);
  w.end_object();
}

void invite_object(json_writer& w, const invite_entry& i) {
  w.begin_object();
  w.str_field("code", i.code);
  w.str_field("inviteId", i.inviteId);
  w.str_field("meshId", i.meshId);
  w.str_field("role", i.role);
  w.int_field("maxUses", i.maxUses);
  w.int_field("usedCount", i.usedCount);
  w.int_field("expiresAt", i.expiresAt_s);
  w.time_field("createdAt", i.createdAt_ms);
  w.str_field("createdBy", i.createdBy);
  w.str_field("createdByPubkey", i.createdByPubkey);
  if (i.revokedAt_ms)
    w.time_field("revokedAt", *i.revokedAt_ms);
  if (i.preset)
    preset(w, *i.preset);
  w.end_object();
}

void invite(json_writer& w, const invite_entry& i) {
  w.key("invite");
  invite_object(w, i);
}

void member(json_writer& w, const member_entry& m) {
  w.begin_object();
  w.str_field("memberId", m.memberId);
  w.str_field("pubkey", m.pubkey);
  w.str_field("displayName", m.displayName);
  w.str_field("role", m.role);
  w.str_or_null_field("roleTag", m.roleTag);
  groups(w, "groups", m.groups);
  w.str_field("messageMode", m.messageMode);
  w.key("permissions");
  w.begin_object();
  for (const auto& [name, granted] : m.permissions)
    w.bool_field(name, granted);
  w.end_object();
  w.bool_field("online", m.online);
  w.int_field("sessions", m.sessions);
  w.time_field("createdAt", m.createdAt_ms);
  w.end_object();
}

void policy(json_writer& w, const self_editable_policy& p) {
  w.key("selfEditable");
  w.begin_object();
  w.bool_field("displayName", p.displayName);
  w.bool_field("roleTag", p.roleTag);
  w.bool_field("groups", p.groups);
  w.bool_field("messageMode", p.messageMode);
  w.end_object();
}

} // namespace

std::string encode_mesh_created(const mesh_created_frame& f) {
  return frame("mesh_created", f.req_id, [&](json_writer& w) {
    w.str_field("meshId", f.meshId);
    w.str_field("name", f.name);
    w.opt_str_field("slug", f.slug);
    w.str_field("ownerPubkey", f.ownerPubkey);
    w.str_field("memberId", f.memberId);
    w.str_field("role", f.role);
    w.str_field("sealedRootKey", f.sealedRootKey);
  });
}

std::string encode_invite_created(const invite_created_frame& f) {
  return frame("invite_created", f.req_id, [&](json_writer& w) {
    invite(w, f.invite);
    w.str_field("canonical", f.canonical);
  });
}

std::string encode_invite_list_result(const invite_list_result_frame& f) {
  return frame("invite_list_result", f.req_id, [&](json_writer& w) {
    w.key("invites");
    w.begin_array();
    for (const auto& i : f.invites)
      invite_object(w, i);
    w.end_array();
  });
}

std::string encode_invite_revoked(const invite_revoked_frame& f) {
  return frame("invite_revoked", f.req_id, [&](json_writer& w) { invite(w, f.invite); });
}

std::string encode_member_list_result(const member_list_result_frame& f) {
  return frame("member_list_result", f.req_id, [&](json_writer& w) {
    w.key("members");
    w.begin_array();
    for (const auto& m : f.members)
      member(w, m);
    w.end_array();
  });
}

std::string encode_member_updated(const member_updated_frame& f) {
  return frame("member_updated", f.req_id, [&](json_writer& w) {
    w.key("member");
    member(w, f.member);
  });
}

std::string encode_mesh_policy_result(const mesh_policy_result_frame& f) {
  return frame("mesh_policy_result", f.req_id, [&](json_writer& w) { policy(w, f.selfEditable); });
}

std::string encode_grants_result(const grants_result_frame& f) {
  return frame("grants_result", f.req_id, [&](json_writer& w) {
    w.key("grants");
    w.begin_object();
    for (const auto& [peer, caps] : f.grants)
      w.strings_field(peer, caps);
    w.end_object();
  });
}

std::string encode_kick_ack(const kick_ack_frame& f) {
  return frame(f.soft ? "disconnect_ack" : "kick_ack", f.req_id, [&](json_writer& w) {
    w.strings_field("kicked", f.kicked);
    w.strings_field("affected", f.affected);
    if (f.skipped_control_plane)
      w.strings_field("skipped_control_plane", *f.skipped_control_plane);
  });
}

std::string encode_ban_ack(const ban_ack_frame& f) {
  return frame("ban_ack", f.req_id, [&](json_writer& w) { w.str_field("banned", f.banned); });
}

std::string encode_unban_ack(const unban_ack_frame& f) {
  return frame("unban_ack", f.req_id, [&](json_writer& w) { w.str_field("unbanned", f.unbanned); });
}

std::string encode_list_bans_result(const list_bans_result_frame& f) {
  return frame("list_bans_result", f.req_id, [&](json_writer& w) {
    w.key("bans");
    w.begin_array();
    for (const auto& b : f.bans) {
      w.begin_object();
      w.str_field("name", b.name);
      w.str_field("pubkey", b.pubkey);
      w.time_field("revokedAt", b.revokedAt_ms);
      w.end_object();
    }
    w.end_array();
  });
}

std::string encode_profile_updated(const profile_updated_push& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "push");
  w.str_field("subtype", "system");
  w.str_field("event", "profile_updated");
  w.key("eventData");
  w.begin_object();
  w.opt_str_field("displayName", f.displayName);
  if (f.roleTag.present)
    w.str_or_null_field("roleTag", f.roleTag.value);
  if (f.groups)
    groups(w, "groups", *f.groups);
  w.opt_str_field("messageMode", f.messageMode);
  w.end_object();
  w.str_field("messageId", f.messageId);
  w.str_field("meshId", f.meshId);
  w.str_field("senderPubkey", "system");
  w.str_field("priority", "low");
  w.str_field("nonce", "");
  w.str_field("ciphertext", "");
  w.time_field("createdAt", f.createdAt_ms);
  w.end_object();
  return w.take();
}

} // namespace nexus::wire
