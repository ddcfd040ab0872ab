// migrations: the numbered, forward-only schema changes compiled into the
// binary from storage/migrations/NNNN_name.sql, and the runner that applies
// them at start-up.
//
// The runner holds a session-level PostgreSQL advisory lock (fixed key) for
// the whole run, so nodes starting together serialize: the first applies,
// the others wait and then find everything recorded. Each file runs in its own
// transaction together with its row in nexus.schema_migrations(version, name,
// checksum, applied_at). A recorded checksum that differs from the embedded
// file is an error naming the file: migrations are never edited once shipped.
//
// A migration file must not contain transaction control (BEGIN/COMMIT): the
// runner wraps it. Functions take a pg_connection owned by the calling thread (not shared).
#pragma once

#include "storage/pg_connection.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nexus::storage {

/// One migration file. `sql` points into the binary (static storage).
struct migration {
  int version;           ///< NNNN from the file name
  std::string_view name; ///< file name, e.g. "0001_schema.sql"
  std::string_view sql;
};

/// A row of nexus.schema_migrations.
struct applied_migration {
  int version = 0;
  std::string name;
  std::string checksum;
};

/// Every embedded migration, ascending by version (generated at build time
/// by storage/embed_migrations.cmake).
const std::vector<migration>& embedded_migrations();

/// Lowercase hex SHA-256 of a migration's SQL text; what the table records.
std::string migration_checksum(std::string_view sql);

/// Empty when every recorded migration is embedded with the same checksum;
/// otherwise a one-line reason naming the offending file/version. Pure.
std::string history_conflict(const std::vector<applied_migration>& recorded,
                             const std::vector<migration>& embedded);

/// Compares what the database recorded with what the binary carries.
/// Returns an empty string when every embedded migration is recorded with
/// its checksum and nothing unknown is recorded; otherwise a one-line reason
/// naming the first offending file/version. Pure; no I/O.
std::string migration_mismatch(const std::vector<applied_migration>& recorded,
                               const std::vector<migration>& embedded);

/// Applies every embedded migration not yet recorded, in order, under the
/// advisory lock; logs each file applied. Throws storage_error on a checksum
/// mismatch, a version recorded in the database but unknown to this binary,
/// or a failing migration (its transaction is rolled back; the message names
/// the file). `list` is injectable for tests.
void apply_migrations(pg_connection& conn,
                      const std::vector<migration>& list = embedded_migrations());

/// True when the database records exactly the embedded migrations (same
/// checksums). Takes no lock; false if the migrations table does not exist.
bool migrations_current(pg_connection& conn,
                        const std::vector<migration>& list = embedded_migrations());

/// Reads nexus.schema_migrations (empty when the table does not exist).
std::vector<applied_migration> recorded_migrations(pg_connection& conn);

/// The statement that reads nexus.schema_migrations (version, name,
/// checksum), for callers that go through a storage actor (readiness probe).
extern const statement select_schema_migrations;

} // namespace nexus::storage
