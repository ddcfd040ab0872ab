// audit_sql: the SQL of the audit log (PROTOCOL.md §8, §5.20, migration
// 0005_audit.sql) as named storage::statement constants.
//
// Appending. The hash is computed INSIDE PostgreSQL, in the same statement
// that inserts the row, while holding the mesh's chain head:
//
//   WITH m AS (<the mutation, unchanged>),         -- e.g. collab_claim_task
//        t AS (time, truncated to ms, only if the mutation changed something),
//        h AS (INSERT INTO audit_head … ON CONFLICT (mesh_id) DO UPDATE
//              SET prev_hash = last_hash, last_hash = sha256(last_hash || tail)),
//        l AS (INSERT INTO audit_log … FROM h)
//   SELECT m.* FROM m                              -- the mutation's own columns
//
// Why in the database rather than a head hash cached in the mesh actor: the
// head is then always the committed one — a request that fails, times out or
// dies with its connection (it "may or may not have committed") cannot leave
// an in-memory head that the next append would link to wrongly. Why the
// head row: its row lock is the one-writer-per-mesh lock, taken by the
// statement itself (no extra round trip, no table- or database-wide lock;
// other meshes never wait), held until the group commit, and ON CONFLICT DO
// UPDATE re-reads the newest committed head even under READ COMMITTED (an
// advisory lock taken inside the same statement would not: the statement's
// snapshot predates the lock). The storage pool already routes one mesh to
// one connection, so in the broker the lock never even waits; it makes the
// chain correct against any other writer (a second node, the CLI) too.
//
// audited(mutation) → the composed statement: the mutation's parameters
// $1..$k unchanged, then
//   $k+1 mesh id, $k+2 event type, $k+3 actor member id|NULL,
//   $k+4 actor display name|NULL, $k+5 canonical payload JSON (the exact
//   text hashed; actors/audit_chain.hpp builds it)
// and the mutation's result columns. The entry is appended only when the
// mutation returned a row (a failed claim, an unknown forget, a reattached
// presence record nothing); for upsert_stream only when the row is new
// (its id is the $1 passed in).
//
// Thread-safety: immutable constants; audited() builds its table once
// (thread-safe static initialization) and only reads it afterwards.
#pragma once

#include "storage/pg_connection.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nexus::storage::audit_sql {

/// An append with no mutation: $1 mesh, $2 event, $3 actor member id|NULL,
/// $4 actor display name|NULL, $5 canonical payload → id, hash.
const statement& append();

/// The audited form of one of: broker_sql::insert_message,
/// broker_sql::mark_presence_disconnected, collab_sql::upsert_state,
/// insert_memory, forget_memory, insert_task, claim_task, complete_task,
/// upsert_context, streams_sql::upsert_stream, schedules_sql::insert_schedule,
/// cancel_schedule, fire_schedule, broker_sql::revoke_member,
/// identity_sql::unban_member, update_member, set_member_role,
/// set_member_permissions, set_member_grants, set_self_editable. Throws std::logic_error for
/// any other statement (a programming error).
const statement& audited(const statement& mutation);
/// $k of audited(mutation): the number of the mutation's own parameters.
size_t mutation_params(const statement& mutation);
/// For append() and every audited form: the 0-based index of the parameter
/// naming the mesh whose chain it appends to; nullopt for other statements.
std::optional<size_t> chain_mesh_param(const statement& stmt);

/// $1 mesh → total (entry count), max_id (NULL when none).
extern const statement chain_bounds;
/// $1 mesh, $2 after id, $3 up to id, $4 limit → id, event_type,
/// actor_member_id, payload (text), prev_hash, hash, created_ms; ascending id.
extern const statement chain_page;
/// $1 mesh, $2 event type|NULL → total.
extern const statement query_total;
/// $1 mesh, $2 event type|NULL, $3 limit, $4 offset → id, event_type,
/// actor (display name, else member id, else 'system'), payload (text),
/// hash, created_ms; newest first.
extern const statement query_page;

/// Every statement above, the audited forms included (uniqueness, preparing).
const std::vector<const statement*>& all_statements();

} // namespace nexus::storage::audit_sql
