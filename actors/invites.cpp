// invite_create / invite_list / invite_revoke (§7.2 with the issuer's key,
// docs/identity.md): the mesh side. The issuing admin signs the canonical
// capability with its own member key; the node checks the signature and
// the bounds, assigns the code, and stores the row with its audit entry.
#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/identity_canonical.hpp"
#include "actors/identity_ops.hpp"
#include "config/log.hpp"
#include "crypto/sodium.hpp"
#include "storage/identity_json.hpp"
#include "storage/identity_sql.hpp"

#include <caf/all.hpp>

namespace nexus {
namespace {

namespace sql = storage::identity_sql;

/// How often a code collision (1 in 32^8 per live code) is retried.
constexpr int code_attempts_max = 3;

invite_preset_value preset_value_of(const storage::invite_preset& p) {
  invite_preset_value v;
  v.displayName = p.display_name;
  v.roleTag = p.role_tag;
  v.messageMode = p.message_mode;
  if (p.groups)
    v.groups = group_refs_of(*p.groups);
  return v;
}

storage::invite_preset preset_of(const invite_preset_value& v) {
  storage::invite_preset p;
  p.display_name = v.displayName;
  p.role_tag = v.roleTag;
  p.message_mode = v.messageMode;
  if (v.groups)
    p.groups = group_list_of(*v.groups);
  return p;
}

invite_entry entry_of(const storage::invite_row& row) {
  invite_entry e;
  e.code = row.code;
  e.inviteId = row.id;
  e.meshId = row.mesh_id;
  e.role = row.role;
  e.maxUses = row.max_uses;
  e.usedCount = row.used_count;
  e.expiresAt_s = row.expires_s;
  e.createdAt_ms = row.created_ms;
  e.createdBy = row.created_by_name;
  e.createdByPubkey = row.signer_pubkey;
  e.revokedAt_ms = row.revoked_ms;
  auto preset = storage::preset_from_json(row.preset_json);
  if (!preset.empty())
    e.preset = preset_value_of(preset);
  return e;
}

bool is_base62_id(const std::string& s) {
  if (s.size() != 32)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
      return false;
  return true;
}

std::optional<std::string> preset_problem(const invite_preset_value& p) {
  if (p.displayName)
    if (auto bad = name_problem(*p.displayName, "preset.displayName"))
      return bad;
  if (p.roleTag)
    if (auto bad = name_problem(*p.roleTag, "preset.roleTag"))
      return bad;
  if (p.messageMode && !valid_message_mode(*p.messageMode))
    return std::string("preset.messageMode must be push, inbox or off");
  return std::nullopt;
}

/// The checks of invite_create that need no database (docs/identity.md).
std::optional<identity_reply> check_create(const mesh_state& st, const caller_info& c,
                                           const invite_create_frame& f, int64_t now_s) {
  if (!c.permissions.has(permission::invite))
    return forbidden(c, permission::invite, "invite_create");
  if (f.role != "admin" && f.role != "member")
    return error_reply("invalid", "role must be admin or member");
  if (f.role == "admin" && !c.permissions.has(permission::manage_members))
    return forbidden(c, permission::manage_members, "an admin invite");
  if (!is_base62_id(f.inviteId))
    return error_reply("invalid", "inviteId must be 32 characters of [0-9A-Za-z]");
  if (f.maxUses < 1 || f.maxUses > st.cfg.invite_max_uses_max)
    return error_reply("invalid", "maxUses must be 1.." + std::to_string(st.cfg.invite_max_uses_max));
  if (f.expiresAt <= now_s)
    return error_reply("invalid", "expiresAt must be in the future (Unix seconds)");
  if (f.expiresAt > now_s + st.cfg.invite_ttl_max_s)
    return error_reply("invalid", "expiresAt is more than invite_ttl_max_s=" +
                                      std::to_string(st.cfg.invite_ttl_max_s) + " s ahead");
  if (f.preset)
    if (auto bad = preset_problem(*f.preset))
      return error_reply("invalid", *bad);
  return std::nullopt;
}

struct insert_attempt {
  db_call insert;            ///< params[2] is the code
  audit_event event;
  std::string canonical;
  int attempts_left = code_attempts_max;
};

void try_insert(mesh_actor_t* self, std::shared_ptr<insert_attempt> a,
                caf::typed_response_promise<identity_reply> rp, std::optional<std::string> req_id) {
  auto& st = self->state;
  a->insert.params[2] = new_invite_code();
  auto payload = audit::payload_builder()
                     .string("code", *a->insert.params[2])
                     .string("role", *a->insert.params[3])
                     .str();
  audit_event ev = a->event;
  ev.payload = payload;
  db_request q{{a->insert, audit_append(st.mesh_id, ev)}};
  self->request(st.storage, storage_timeout(st), std::move(q))
      .then(
          [=](db_reply& rows) mutable {
            auto row = storage::invite_from(rows.results.at(0), 0);
            log::info("identity") << self->state.mesh_id << ": invite " << row.code << " ("
                                  << row.role << ", " << row.max_uses << " uses) by "
                                  << row.created_by_name;
            rp.deliver(identity_reply{invite_created_frame{entry_of(row), a->canonical, req_id}});
          },
          [=](caf::error& err) mutable {
            if (storage_errc_of(err) == storage::storage_errc::unique_violation) {
              auto why = storage_error_context(err);
              if (why.find("invite_code_key") != std::string::npos && --a->attempts_left > 0) {
                try_insert(self, a, rp, req_id);
                return;
              }
              rp.deliver(error_reply("conflict", "inviteId is already used; pick a new one"));
              return;
            }
            log::warn("identity") << self->state.mesh_id << ": invite insert failed: " << to_string(err);
            rp.deliver(error_reply("unavailable", "storage unavailable, retry shortly"));
          });
}

caf::result<identity_reply> create(mesh_actor_t* self, const identity_request& req,
                                   const caller_info& c, const invite_create_frame& f) {
  auto& st = self->state;
  int64_t now_s = unix_now_ms() / 1000;
  if (auto refused = check_create(st, c, f, now_s))
    return *refused;
  auto canonical = invite_capability_canonical(st.mesh_id, f.inviteId, f.expiresAt, f.role, st.owner_pubkey);
  if (!crypto::verify_ed25519(canonical, f.signature, c.member->pubkey))
    return error_reply("bad_signature",
                       "the capability signature does not verify with your member key over " + canonical);
  auto a = std::make_shared<insert_attempt>();
  a->canonical = canonical;
  storage::param preset;
  if (f.preset)
    preset = storage::preset_to_json(preset_of(*f.preset));
  a->insert = db_call{&sql::insert_invite,
                      {f.inviteId, st.mesh_id, std::string(), f.role, std::to_string(f.maxUses),
                       std::to_string(f.expiresAt),
                       storage::capability_to_json({canonical, crypto::to_hex(*crypto::from_hex(f.signature))}),
                       c.member->id, c.member->pubkey, preset}};
  a->event = {"invite_created", c.member->id, c.entry->display_name, "{}"};
  auto rp = self->make_response_promise<identity_reply>();
  try_insert(self, a, rp, req.req_id);
  return rp;
}

caf::result<identity_reply> list(mesh_actor_t* self, const identity_request& req, const caller_info& c) {
  if (!c.permissions.has(permission::invite))
    return forbidden(c, permission::invite, "invite_list");
  auto& st = self->state;
  db_request q{{db_call{&sql::list_invites, {st.mesh_id, std::to_string(st.cfg.invite_list_max)}}}};
  return identity_rows(self, std::move(q), [req_id = req.req_id](mesh_actor_t*, db_reply& r) {
    invite_list_result_frame out;
    out.req_id = req_id;
    const auto& rs = r.results.at(0);
    for (size_t i = 0; i < rs.rows.size(); ++i)
      out.invites.push_back(entry_of(storage::invite_from(rs, i)));
    return identity_reply{std::move(out)};
  });
}

caf::result<identity_reply> revoke(mesh_actor_t* self, const identity_request& req,
                                   const caller_info& c, const invite_revoke_frame& f) {
  if (!c.permissions.has(permission::invite))
    return forbidden(c, permission::invite, "invite_revoke");
  if (!is_invite_code(f.code))
    return error_reply("not_found", "no invite " + f.code + " in this mesh");
  auto& st = self->state;
  audit_event ev{"invite_revoked", c.member->id, c.entry->display_name,
                 audit::payload_builder().string("code", f.code).str()};
  db_request q{{db_call{&sql::revoke_invite, {st.mesh_id, f.code}}}};
  return identity_rows(self, std::move(q), [=, req_id = req.req_id](mesh_actor_t* self, db_reply& r) {
    const auto& rs = r.results.at(0);
    if (rs.rows.empty())
      return error_reply("not_found", "no invite " + f.code + " in this mesh");
    if (rs.at(0, "newly").value_or("f") == "t") { // only a first revocation is an event
      auto& st = self->state;
      self->request(st.storage, storage_timeout(st), db_request{{audit_append(st.mesh_id, ev)}})
          .then([](db_reply&) {},
                [](caf::error& err) { log::warn("identity") << "invite_revoked audit failed: " << to_string(err); });
    }
    return identity_reply{invite_revoked_frame{entry_of(storage::invite_from(rs, 0)), req_id}};
  });
}

} // namespace

caf::result<identity_reply> handle_invite_op(mesh_actor_t* self, const identity_request& req,
                                             const caller_info& caller) {
  if (const auto* f = std::get_if<invite_create_frame>(&req.op))
    return create(self, req, caller, *f);
  if (const auto* f = std::get_if<invite_revoke_frame>(&req.op))
    return revoke(self, req, caller, *f);
  return list(self, req, caller);
}

} // namespace nexus
