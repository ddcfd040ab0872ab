#include "storage/identity_sql.hpp"

#include "storage/sql_columns.hpp"

namespace nexus::storage {

namespace {

int64_t to_int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

} // namespace

invite_row invite_from(const result_set& rs, size_t row) {
  invite_row i;
  i.id = rs.at(row, "id").value_or("");
  i.mesh_id = rs.at(row, "mesh_id").value_or("");
  i.code = rs.at(row, "code").value_or("");
  i.role = rs.at(row, "role").value_or("");
  i.max_uses = to_int(rs.at(row, "max_uses"));
  i.used_count = to_int(rs.at(row, "used_count"));
  i.expires_s = to_int(rs.at(row, "expires_s"));
  i.created_ms = to_int(rs.at(row, "created_ms"));
  if (auto r = rs.at(row, "revoked_ms"))
    i.revoked_ms = std::stoll(*r);
  i.capability_json = rs.at(row, "capability_v2").value_or("{}");
  i.created_by = rs.at(row, "created_by").value_or("");
  i.created_by_name = rs.at(row, "created_by_name").value_or("");
  i.signer_pubkey = rs.at(row, "signer_pubkey").value_or("");
  i.preset_json = rs.at(row, "preset");
  i.expired = rs.at(row, "expired").value_or("f") == "t";
  i.issuer_active = rs.at(row, "issuer_active").value_or("f") == "t";
  return i;
}

invite_mesh_row invite_mesh_from(const result_set& rs, size_t row) {
  invite_mesh_row m;
  m.name = rs.at(row, "mesh_name").value_or("");
  m.owner_pubkey = rs.at(row, "owner_pubkey").value_or("");
  m.root_key_enc_hex = rs.at(row, "root_key_enc").value_or("");
  m.archived = rs.at(row, "archived").value_or("f") == "t";
  m.member_count = to_int(rs.at(row, "member_count"));
  return m;
}

namespace identity_sql {

// An invite `i` with its issuer `c` (LEFT JOIN nexus.member c ON c.id = i.created_by).
#define NEXUS_INVITE_COLUMNS                                                                    \
  "i.id, i.mesh_id, i.code, i.role, i.max_uses, i.used_count, "                                 \
  "floor(extract(epoch FROM i.expires_at))::bigint AS expires_s, "                              \
  NEXUS_MS("i.created_at") " AS created_ms, " NEXUS_MS("i.revoked_at") " AS revoked_ms, "       \
  "i.capability_v2::text AS capability_v2, i.created_by, c.display_name AS created_by_name, "   \
  "i.signer_pubkey, i.preset::text AS preset, i.expires_at <= now() AS expired, "               \
  "coalesce(c.revoked_at IS NULL, false) AS issuer_active"

#define NEXUS_INVITE_FROM " FROM nexus.invite i LEFT JOIN nexus.member c ON c.id = i.created_by "

// --- meshes ---

// The mesh row and its owner as an admin member, in one statement: a mesh
// never exists without the member that can manage it.
const statement create_mesh{
    "identity_create_mesh",
    "WITH x AS (INSERT INTO nexus.mesh (id, name, slug, owner_pubkey, root_key_enc) "
    "VALUES ($1, $2, $3, $4, decode($5, 'hex')) RETURNING id, owner_pubkey), "
    "m AS (INSERT INTO nexus.member (id, mesh_id, peer_pubkey, display_name, role) "
    "SELECT $6, x.id, x.owner_pubkey, $7, 'admin' FROM x RETURNING *) "
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM m"};

const statement set_self_editable{
    "identity_set_self_editable",
    "UPDATE nexus.mesh SET self_editable = $2::jsonb WHERE id = $1 "
    "RETURNING self_editable::text AS self_editable"};

// --- invites ---

// A plain INSERT: a duplicate id fails on invite_pkey, a code collision on
// invite_code_key (the caller draws another code).
const statement insert_invite{
    "identity_insert_invite",
    "WITH i AS (INSERT INTO nexus.invite (id, mesh_id, code, role, max_uses, expires_at, "
    "capability_v2, created_by, signer_pubkey, preset) "
    "VALUES ($1, $2, $3, $4, $5::int, to_timestamp($6::bigint), $7::jsonb, $8, $9, $10::jsonb) "
    "RETURNING *) "
    "SELECT " NEXUS_INVITE_COLUMNS " FROM i LEFT JOIN nexus.member c ON c.id = i.created_by"};

// The mesh columns ride along so a claim or preview needs one read.
const statement invite_by_code{
    "identity_invite_by_code",
    "SELECT " NEXUS_INVITE_COLUMNS ", x.name AS mesh_name, x.owner_pubkey, "
    "encode(x.root_key_enc, 'hex') AS root_key_enc, x.archived_at IS NOT NULL AS archived, "
    "(SELECT count(*) FROM nexus.member a WHERE a.mesh_id = i.mesh_id AND a.revoked_at IS NULL) "
    "AS member_count, EXISTS (SELECT 1 FROM nexus.member e WHERE e.mesh_id = i.mesh_id "
    "AND e.peer_pubkey = $2::text AND e.revoked_at IS NULL) AS already_member"
    NEXUS_INVITE_FROM "JOIN nexus.mesh x ON x.id = i.mesh_id WHERE i.code = $1"};

const statement list_invites{
    "identity_list_invites",
    "SELECT " NEXUS_INVITE_COLUMNS NEXUS_INVITE_FROM
    "WHERE i.mesh_id = $1 ORDER BY i.created_at DESC, i.id LIMIT $2::int"};

// `newly` tells a first revocation from a repeated one (only the first is audited).
const statement revoke_invite{
    "identity_revoke_invite",
    "WITH o AS (SELECT id, revoked_at IS NULL AS newly FROM nexus.invite "
    "WHERE mesh_id = $1 AND code = $2 FOR UPDATE), "
    "i AS (UPDATE nexus.invite u SET revoked_at = coalesce(u.revoked_at, now()) FROM o "
    "WHERE u.id = o.id RETURNING u.*) "
    "SELECT " NEXUS_INVITE_COLUMNS ", o.newly FROM i JOIN o ON o.id = i.id "
    "LEFT JOIN nexus.member c ON c.id = i.created_by"};

const statement claim_existing_member{
    "identity_claim_existing_member",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m JOIN nexus.invite i ON i.mesh_id = m.mesh_id "
    "WHERE i.id = $1 AND m.peer_pubkey = $2 AND m.revoked_at IS NULL"};

// Under READ COMMITTED a concurrent claim of the same invite waits for the
// row lock and then re-checks `used_count < max_uses` on the new version, so
// at most max_uses claims ever pass, whatever the concurrency. The member
// fields come from the row's preset (§7.2 step 7).
const statement claim_invite{
    "identity_claim_invite",
    "WITH c AS (UPDATE nexus.invite i SET used_count = i.used_count + 1, claimed_by_pubkey = $5 "
    "WHERE i.id = $1 AND i.used_count < i.max_uses AND i.revoked_at IS NULL "
    "AND i.expires_at > now() AND NOT EXISTS (SELECT 1 FROM nexus.member e "
    "WHERE e.mesh_id = i.mesh_id AND e.peer_pubkey = $3 AND e.revoked_at IS NULL) "
    "RETURNING i.mesh_id, i.role, i.preset), "
    "m AS (INSERT INTO nexus.member (id, mesh_id, peer_pubkey, display_name, role, role_tag, "
    "default_groups, message_mode) SELECT $2, c.mesh_id, $3, "
    "coalesce(nullif(c.preset->>'displayName', ''), nullif($4, ''), 'member-' || left($3, 8)), "
    "c.role, c.preset->>'roleTag', coalesce(c.preset->'groups', '[]'::jsonb), "
    "coalesce(c.preset->>'messageMode', 'push') FROM c RETURNING *) "
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM m"};

// --- members ---

const statement update_member{
    "identity_update_member",
    "UPDATE nexus.member AS m SET display_name = coalesce($3, m.display_name), "
    "role_tag = CASE WHEN $4::text IS NULL THEN m.role_tag ELSE $5 END, "
    "default_groups = coalesce($6::jsonb, m.default_groups), "
    "message_mode = coalesce($7, m.message_mode) "
    "WHERE m.mesh_id = $1 AND m.id = $2 AND m.revoked_at IS NULL RETURNING " NEXUS_MEMBER_COLUMNS};

const statement set_member_role{
    "identity_set_member_role",
    "UPDATE nexus.member AS m SET role = $3 WHERE m.mesh_id = $1 AND m.id = $2 "
    "AND m.revoked_at IS NULL RETURNING " NEXUS_MEMBER_COLUMNS};

const statement set_member_permissions{
    "identity_set_member_permissions",
    "UPDATE nexus.member AS m SET permissions = $3::jsonb WHERE m.mesh_id = $1 AND m.id = $2 "
    "AND m.revoked_at IS NULL RETURNING " NEXUS_MEMBER_COLUMNS};

const statement set_member_grants{
    "identity_set_member_grants",
    "UPDATE nexus.member AS m SET peer_grants = $3::jsonb WHERE m.mesh_id = $1 AND m.id = $2 "
    "AND m.revoked_at IS NULL RETURNING " NEXUS_MEMBER_COLUMNS};

// --- moderation ---

// starts_with, not LIKE: a target holding % or _ must match literally.
const statement find_ban_target{
    "identity_find_ban_target",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m WHERE m.mesh_id = $1 "
    "AND m.revoked_at IS NULL AND (m.display_name = $2 OR m.peer_pubkey = $2 "
    "OR starts_with(m.peer_pubkey, $2)) ORDER BY m.created_at, m.id LIMIT 1"};

const statement find_banned{
    "identity_find_banned",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m WHERE m.mesh_id = $1 "
    "AND m.revoked_at IS NOT NULL AND (m.display_name = $2 OR m.peer_pubkey = $2) "
    "AND NOT EXISTS (SELECT 1 FROM nexus.member a WHERE a.mesh_id = m.mesh_id "
    "AND a.peer_pubkey = m.peer_pubkey AND a.revoked_at IS NULL) "
    "ORDER BY m.revoked_at DESC, m.id LIMIT 1"};

const statement unban_member{
    "identity_unban_member",
    "UPDATE nexus.member AS m SET revoked_at = NULL WHERE m.mesh_id = $1 AND m.id = $2 "
    "AND m.revoked_at IS NOT NULL RETURNING " NEXUS_MEMBER_COLUMNS};

const statement list_bans{
    "identity_list_bans",
    "SELECT * FROM (SELECT DISTINCT ON (m.peer_pubkey) m.display_name AS name, "
    "m.peer_pubkey AS pubkey, " NEXUS_MS("m.revoked_at") " AS revoked_ms FROM nexus.member m "
    "WHERE m.mesh_id = $1 AND m.revoked_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
    "nexus.member a WHERE a.mesh_id = m.mesh_id AND a.peer_pubkey = m.peer_pubkey "
    "AND a.revoked_at IS NULL) ORDER BY m.peer_pubkey, m.revoked_at DESC) b "
    "ORDER BY b.revoked_ms DESC, b.pubkey"};

#undef NEXUS_INVITE_FROM
#undef NEXUS_INVITE_COLUMNS

const std::vector<const statement*>& all_statements() {
  static const std::vector<const statement*> all = {
      &create_mesh,   &set_self_editable, &insert_invite,   &invite_by_code,
      &list_invites,  &revoke_invite,     &claim_existing_member, &claim_invite,
      &update_member, &set_member_role,   &set_member_permissions, &set_member_grants,
      &find_ban_target, &find_banned,     &unban_member,    &list_bans,
  };
  return all;
}

} // namespace identity_sql
} // namespace nexus::storage
