// identity_sql: the SQL of identity and membership (issue 4; PROTOCOL.md
// §7.2 invites v2, §5.19 moderation, member management, mesh creation) over
// migration 0007_identity.sql, as named storage::statement constants, plus
// the invite row type.
//
// Conventions are broker_sql's (storage/broker_sql.hpp): `$n` text params,
// nullopt = SQL NULL, jsonb params as JSON text, times as Unix ms in `*_ms`
// columns. Member statements return broker_sql's member columns (read them
// with member_from). Statement names start with "identity_" and are unique
// (all_statements()).
//
// Thread-safety: immutable constants and pure functions; safe everywhere.
#pragma once

#include "storage/pg_connection.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::storage {

/// A nexus.invite row with what the identity code needs around it.
struct invite_row {
  std::string id, mesh_id, code, role;
  int64_t max_uses = 0, used_count = 0;
  int64_t expires_s = 0;                     ///< Unix seconds (floored, as §7.2 signs it)
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms;
  std::string capability_json;               ///< {"canonical","signature"}
  std::string created_by, created_by_name;   ///< member id, its display name
  std::string signer_pubkey;
  std::optional<std::string> preset_json;
  bool expired = false;                      ///< expires_at <= now() when read
  bool issuer_active = true;                 ///< the issuing member is not revoked
};

/// The mesh around an invite (invite_by_code).
struct invite_mesh_row {
  std::string name, owner_pubkey, root_key_enc_hex;
  bool archived = false;
  int64_t member_count = 0;                  ///< active members
};

invite_row invite_from(const result_set& rs, size_t row);
invite_mesh_row invite_mesh_from(const result_set& rs, size_t row);

namespace identity_sql {

// --- meshes -----------------------------------------------------------------
/// A mesh and its owner member in one statement (POST /api/meshes):
/// $1 mesh id, $2 name, $3 slug|NULL, $4 owner pubkey, $5 root_key_enc hex,
/// $6 member id, $7 owner display name → member columns of the owner (role admin).
extern const statement create_mesh;
/// $1 mesh, $2 self_editable json → self_editable (text).
extern const statement set_self_editable;

// --- invites ----------------------------------------------------------------
/// $1 id, $2 mesh, $3 code, $4 role, $5 max_uses, $6 expires_at Unix s,
/// $7 capability json, $8 created_by member, $9 signer pubkey, $10 preset
/// json|NULL → invite columns; a unique_violation on invite_pkey (the id is
/// taken) or invite_code_key (a code collision: draw another code).
extern const statement insert_invite;
/// $1 code, $2 peer pubkey|NULL → invite columns + mesh columns +
/// already_member (that pubkey is an active member of the mesh) (0 or 1 row).
extern const statement invite_by_code;
/// $1 mesh, $2 limit → invite columns, newest first.
extern const statement list_invites;
/// $1 mesh, $2 code → invite columns + newly (true when this call revoked
/// it; revoked_at is kept when it was set already). 0 rows: no such code.
extern const statement revoke_invite;
/// $1 invite id, $2 peer pubkey → member columns of the active member of
/// the invite's mesh with that pubkey (0 or 1 row).
extern const statement claim_existing_member;
/// The atomic claim (§7.2 steps 6–7): $1 invite id, $2 new member id,
/// $3 peer pubkey, $4 display name ('' = none), $5 recipient x25519 key →
/// member columns of the new member, or 0 rows when the invite is used up,
/// revoked or expired by now, or the pubkey is already an active member.
extern const statement claim_invite;

// --- members ----------------------------------------------------------------
/// $1 mesh, $2 member, $3 display_name|NULL (keep), $4 'set'|NULL (role_tag
/// given), $5 role_tag|NULL, $6 default_groups json|NULL (keep),
/// $7 message_mode|NULL (keep) → member columns (active members only).
extern const statement update_member;
/// $1 mesh, $2 member, $3 role → member columns (active only).
extern const statement set_member_role;
/// $1 mesh, $2 member, $3 permissions json (the whole override map) → member columns.
extern const statement set_member_permissions;
/// $1 mesh, $2 member, $3 peer_grants json → member columns.
extern const statement set_member_grants;

// --- moderation (§5.19) -----------------------------------------------------
/// $1 mesh, $2 target → the oldest active member whose display name equals
/// the target, or whose pubkey equals or starts with it (0 or 1 row).
extern const statement find_ban_target;
/// $1 mesh, $2 target → the newest revoked member whose display name or
/// pubkey equals the target and whose pubkey has no active member now.
extern const statement find_banned;
/// $1 mesh, $2 member → member columns if it was revoked (now active again).
extern const statement unban_member;
/// $1 mesh → name, pubkey, revoked_ms of each banned pubkey (its newest
/// revoked row, none active), newest ban first.
extern const statement list_bans;

/// Every statement above (uniqueness test, preparing).
const std::vector<const statement*>& all_statements();

} // namespace identity_sql
} // namespace nexus::storage
