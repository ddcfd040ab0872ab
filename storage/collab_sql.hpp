// collab_sql: every SQL statement of a mesh's collaboration areas — shared
// state (§5.1), memory (§5.2), tasks (§5.3), contexts (§5.4) — as named
// storage::statement constants over the tables of migration 0003_collab.sql,
// plus the row types their results map to.
//
// Conventions are broker_sql's (storage/broker_sql.hpp): `$n` text params,
// text[] params made by pg_text_array(), nullopt = SQL NULL, times returned
// as Unix ms in `*_ms` columns. Names of people are resolved inside the
// statement from the member row (`$member` → member.display_name, or
// "unknown"): the spec wants the member's name, not the session override.
//
// Every mutation of a kind is exactly one statement here (upsert_state,
// insert_memory, forget_memory, insert_task, claim_task, complete_task,
// upsert_context), so the audit log (§8) can be appended next to each.
// Statement names start with "collab_" and are unique (all_statements()).
//
// Thread-safety: immutable constants and pure functions; safe everywhere.
#pragma once

#include "storage/pg_connection.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::storage {

struct state_row {
  std::string key;
  std::string value_json;      ///< JSON text; "null" for a stored null
  std::string updated_by_name;
  int64_t updated_ms = 0;
};

struct memory_row {
  std::string id;
  std::string content;
  std::vector<std::string> tags;
  std::string remembered_by_name; ///< "unknown" when none was stored
  int64_t remembered_ms = 0;
};

struct task_row {
  std::string id;
  std::string title;
  std::optional<std::string> assignee;
  std::optional<std::string> claimed_by_name;
  std::string status;             ///< open | claimed | done
  std::string priority;
  std::optional<std::string> created_by_name;
  std::vector<std::string> tags;
  std::optional<std::string> result;
  int64_t created_ms = 0;
};

struct context_row {
  std::string id;
  std::string peer_name;
  std::string summary;
  std::vector<std::string> files_read;  ///< empty for list_contexts rows
  std::vector<std::string> key_findings;///< empty for list_contexts rows
  std::vector<std::string> tags;
  int64_t updated_ms = 0;
};

state_row state_from(const result_set& rs, size_t row);
memory_row memory_from(const result_set& rs, size_t row);
task_row task_from(const result_set& rs, size_t row);
context_row context_from(const result_set& rs, size_t row);

namespace collab_sql {

// --- shared state (§5.1) ------------------------------------------------------
extern const statement upsert_state;  // $1 mesh, $2 key, $3 value json text, $4 presence id, $5 member id → state columns
extern const statement select_state;  // $1 mesh, $2 key → state columns (0 or 1 row)
extern const statement list_state;    // $1 mesh → state columns, key ascending (byte order)

// --- memory (§5.2) ------------------------------------------------------------
extern const statement insert_memory; // $1 id, $2 mesh, $3 content, $4 tags text[], $5 member id → id
extern const statement recall_memory; // $1 mesh, $2 query (plain English), $3 limit → memory columns, best ts_rank first
extern const statement forget_memory; // $1 mesh, $2 id → id if it was live (0 rows otherwise)

// --- tasks (§5.3) -------------------------------------------------------------
extern const statement insert_task;   // $1 id, $2 mesh, $3 title, $4 assignee|NULL, $5 priority, $6 tags text[], $7 member id → id
/// Atomic: `UPDATE … WHERE status = 'open' RETURNING`. Of concurrent claims
/// of one task (any connections, any transactions) exactly one returns a row.
extern const statement claim_task;    // $1 mesh, $2 task id, $3 presence id, $4 member id → id (0 rows: not claimable)
extern const statement complete_task; // $1 mesh, $2 task id, $3 result|NULL → id (0 rows: not in this mesh)
extern const statement list_tasks;    // $1 mesh, $2 status|NULL, $3 assignee|NULL, $4 limit → task columns, newest first

// --- contexts (§5.4) ----------------------------------------------------------
extern const statement upsert_context;  // $1 new id, $2 mesh, $3 member id, $4 presence id, $5 summary, $6 files_read text[], $7 key_findings text[], $8 tags text[] → id (the row's, kept on update), peer_name
extern const statement search_contexts; // $1 mesh, $2 query, $3 limit → context columns: summary contains query (case-insensitive) or a tag equals it; newest first
extern const statement list_contexts;   // $1 mesh → context columns without files_read/key_findings, newest first

/// Every statement above (uniqueness test, preparing).
const std::vector<const statement*>& all_statements();

} // namespace collab_sql
} // namespace nexus::storage
