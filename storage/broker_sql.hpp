// broker_sql: every SQL statement of the core broker (meshes, members,
// presences, the message queue, peer state, pending hook statuses), as named
// storage::statement constants over the tables of migration 0002_core.sql.
//
// Conventions, so callers never guess:
//   - parameters are `$n` in text format; jsonb parameters are JSON text;
//     array parameters are PostgreSQL array literals made by pg_text_array();
//     a nullopt param is SQL NULL;
//   - timestamps come back as Unix milliseconds (bigint, floored) in columns
//     named `*_ms`; jsonb columns come back as JSON text;
//   - each constant's comment lists its parameters and result columns.
// Statement names start with "core_" and are unique (see all_statements()).
//
// Thread-safety: immutable constants and pure functions; safe everywhere.
#pragma once

#include "storage/pg_connection.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::storage {

/// `{"a","b\"c"}`: a PostgreSQL text[] literal with every element quoted and
/// `"`/`\` escaped, for `$n::text[]` parameters. Throws std::invalid_argument
/// if an element contains a NUL byte (PostgreSQL text cannot hold one).
std::string pg_text_array(const std::vector<std::string>& values);

/// The elements of a literal pg_text_array() made (every element quoted);
/// nullopt for any other text. Lets the storage layer look inside an array
/// parameter it did not build (storage_merge).
std::optional<std::vector<std::string>> parse_pg_text_array(const std::string& literal);

/// A nexus.member row as the member statements return it.
struct member_row {
  std::string id;
  std::string mesh_id;
  std::string peer_pubkey;
  std::string display_name;
  std::string role;                      ///< admin | member
  std::optional<std::string> role_tag;
  std::string default_groups = "[]";     ///< JSON array text
  std::string message_mode = "push";
  std::string peer_grants = "{}";        ///< JSON object text
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms;
  std::string permissions = "{}";        ///< JSON object text: overrides of the role defaults (0007)
  bool revoked() const { return revoked_ms.has_value(); }
};

/// A nexus.mesh row as insert_mesh / select_mesh return it.
struct mesh_row {
  std::string id;
  std::string name;
  std::optional<std::string> slug;
  std::string owner_pubkey;
  std::string root_key_enc_hex;          ///< hex of nonce ‖ ciphertext (node_key)
  std::optional<std::string> self_editable;
  int64_t created_ms = 0;
  std::optional<int64_t> archived_ms;
};

/// Row `row` of a result of a member statement.
member_row member_from(const result_set& rs, size_t row);
/// Row `row` of a result of insert_mesh / select_mesh.
mesh_row mesh_from(const result_set& rs, size_t row);

namespace broker_sql {

// --- meshes -----------------------------------------------------------------
extern const statement insert_mesh;    // $1 id, $2 name, $3 slug|NULL, $4 owner_pubkey, $5 root_key_enc hex → mesh columns
extern const statement select_mesh;    // $1 id → mesh columns (0 or 1 row)

// --- members ----------------------------------------------------------------
extern const statement insert_member;          // $1 id, $2 mesh, $3 pubkey, $4 display_name, $5 role, $6 role_tag|NULL, $7 default_groups json|NULL → member columns
extern const statement select_active_member;   // $1 mesh, $2 pubkey → the non-revoked member (0 or 1 row)
extern const statement select_member_any;      // $1 mesh, $2 pubkey → newest row, active preferred (0 or 1; revoked vs unknown)
extern const statement select_member_by_id;    // $1 mesh, $2 member id → member (also revoked; 0 or 1 row)
extern const statement list_members;           // $1 mesh → every member incl. revoked, oldest first
extern const statement revoke_member;          // $1 mesh, $2 member id → the row if it was active (0 rows otherwise)
extern const statement select_members_by_ids;  // $1 mesh, $2 ids text[] → those members (any state)

// --- presences --------------------------------------------------------------
extern const statement insert_presence;        // $1 id, $2 mesh, $3 member, $4 session_id, $5 session_pubkey|NULL, $6 display_name|NULL, $7 pid, $8 cwd, $9 groups json, $10 role → id, connected_ms
extern const statement reattach_presence;      // $1 id, $2 cwd, $3 display_name|NULL (keep), $4 session_id|NULL (keep) → id
extern const statement mark_presence_disconnected; // $1 id → id if it was connected
extern const statement reset_presences;        // (none) → reset: count of presences marked disconnected
extern const statement update_presence_status; // $1 id, $2 status, $3 status_source, $4 status_updated_ms → id
extern const statement update_presence_summary;// $1 id, $2 summary → id
extern const statement update_presence_groups; // $1 id, $2 groups json → id
extern const statement touch_presence;         // $1 id → id (last_ping_at = now)
extern const statement select_hook_presence;   // $1 cwd, $2 pid|NULL → id, mesh_id, member_id, status, status_source, status_updated_ms (0 or 1)

// --- message queue ----------------------------------------------------------
extern const statement insert_message;   // $1 id, $2 mesh, $3 sender member, $4 sender session pubkey|NULL, $5 target_spec, $6 priority, $7 nonce, $8 ciphertext, $9 client_message_id, $10 request_fingerprint ('' → NULL) → id, created_ms
extern const statement mark_delivered;   // $1 mesh, $2 ids text[] → id of each row newly delivered
extern const statement select_drain;     // $1 mesh, $2 targets text[], $3 priorities text[], $4 exclude-'*'-from session pubkey|NULL, $5 limit → drain columns, oldest first
extern const statement claim_drain;      // select_drain's $1..$5, $6 claim id (presence), $7 claim ttl ms → drain columns of the rows claimed, oldest first
extern const statement client_ack;       // $1 mesh, $2 brokerMessageId|NULL, $3 clientMessageId|NULL, $4 own targets text[] → id of each row newly delivered
extern const statement message_status_exact;  // $1 mesh, $2 id → status columns (0 or 1 row)
extern const statement message_status_prefix; // $1 mesh, $2 base62 prefix → matches (total count) + status columns, at most 2 rows
extern const statement queue_depth;      // (none) → depth: undelivered rows of every mesh
extern const statement delete_expired_messages; // $1 max age ms → deleted: count of undelivered rows older than that

// --- peer state -------------------------------------------------------------
extern const statement upsert_peer_state; // $1 mesh, $2 member, $3 groups json, $4 profile json, $5 visible bool, $6 last_summary|NULL, $7 last_display_name|NULL, $8 cumulative_stats json → last_seen_ms
extern const statement select_peer_state; // $1 mesh, $2 member → groups, profile, visible, last_summary, last_display_name, cumulative_stats, last_seen_ms

// --- pending hook statuses --------------------------------------------------
extern const statement insert_pending_status;  // $1 pid, $2 cwd, $3 status, $4 status_source → id
extern const statement select_pending_status;  // $1 pid, $2 cwd, $3 freshness window ms → newest fresh unapplied: id, status, status_source, created_ms
extern const statement mark_pending_applied;   // $1 id → id if it was unapplied

/// Every statement above (for the uniqueness test and for preparing).
const std::vector<const statement*>& all_statements();

} // namespace broker_sql
} // namespace nexus::storage
