// streams_sql: the SQL of the mesh-actor areas of issue 5 — stream names
// (§5.5, migration 0004_streams.sql) and the database half of mesh_info
// (§5.7) — as named storage::statement constants, plus the row types.
//
// Conventions are broker_sql's (storage/broker_sql.hpp): `$n` text params,
// nullopt = SQL NULL, times as Unix ms in `*_ms` columns. Statement names
// start with "streams_" and are unique (all_statements()).
//
// Thread-safety: immutable constants and pure functions; safe everywhere.
#pragma once

#include "storage/pg_connection.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::storage {

struct stream_row {
  std::string id, name, created_by_name;
  int64_t created_ms = 0;
};

/// The database's part of mesh_info (§5.7).
struct mesh_info_row {
  std::vector<std::string> state_keys; ///< ascending, byte order
  int64_t memory_count = 0;            ///< not forgotten
  int64_t tasks_open = 0, tasks_claimed = 0, tasks_done = 0;
  std::vector<std::string> streams;    ///< names, by creation
};

stream_row stream_from(const result_set& rs, size_t row);
/// Row 0 of mesh_info_counts.
mesh_info_row mesh_info_from(const result_set& rs);

namespace streams_sql {

/// Upsert of (mesh, name): a new row, or the existing one unchanged (its id,
/// creator and creation time are kept). created_by_name = the member's
/// display name or "peer" (§5.5).
extern const statement upsert_stream; // $1 new id, $2 mesh, $3 name, $4 member id → stream columns
extern const statement list_streams;  // $1 mesh → stream columns, by creation
extern const statement mesh_info_counts; // $1 mesh → one row (mesh_info_row columns)

/// Every statement above (uniqueness test, preparing).
const std::vector<const statement*>& all_statements();

} // namespace streams_sql
} // namespace nexus::storage
