// sql_columns: SQL text fragments shared by the statement files of storage/
// (broker_sql.cpp, identity_sql.cpp), as string-literal macros so they
// concatenate into statement constants at compile time. Include only from a
// *_sql.cpp file; nothing here is a value.
#pragma once

// Unix milliseconds of a timestamptz, floored (NULL stays NULL).
#define NEXUS_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"

// The member columns member_from() reads (storage/broker_sql.hpp), from a
// nexus.member row (or a CTE of its columns) aliased `m`.
#define NEXUS_MEMBER_COLUMNS                                                                    \
  "m.id, m.mesh_id, m.peer_pubkey, m.display_name, m.role, m.role_tag, m.default_groups, "      \
  "m.message_mode, m.peer_grants, " NEXUS_MS("m.created_at") " AS created_ms, "                 \
  NEXUS_MS("m.revoked_at") " AS revoked_ms, m.permissions"
