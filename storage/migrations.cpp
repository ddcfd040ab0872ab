#include "storage/migrations.hpp"

#include "config/log.hpp"

#include <sodium.h>

#include <map>
#include <set>

namespace nexus::storage {

namespace {

/// Key of the session-level advisory lock around a migration run: "nexusmig"
/// in ASCII, so it is recognizable in pg_locks and unlikely to collide.
constexpr const char* advisory_lock_key = "7954880535262538087"; // 0x6e657875736d6967

const statement lock_stmt{"nexus_migrations_lock", "SELECT pg_advisory_lock($1::bigint)"};
const statement unlock_stmt{"nexus_migrations_unlock", "SELECT pg_advisory_unlock($1::bigint)"};
const statement table_exists_stmt{
    "nexus_migrations_table_exists",
    "SELECT to_regclass('nexus.schema_migrations') IS NOT NULL AS present"};
const statement record_stmt{
    "nexus_migrations_record",
    "INSERT INTO nexus.schema_migrations (version, name, checksum) VALUES ($1::int, $2, $3)"};

/// The runner's own bookkeeping; created before any migration so that the
/// first one can be recorded. Only ever run while holding the advisory lock
/// (concurrent CREATE ... IF NOT EXISTS can fail with a unique violation).
constexpr const char* bootstrap_sql = R"sql(
CREATE SCHEMA IF NOT EXISTS nexus;
CREATE TABLE IF NOT EXISTS nexus.schema_migrations (
  version    int PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
)sql";

/// Holds the advisory lock for its lifetime. Unlocking is skipped when the
/// connection broke: the server drops session locks with the session.
class advisory_lock {
public:
  explicit advisory_lock(pg_connection& c) : conn_(c) { conn_.exec(lock_stmt, {advisory_lock_key}); }
  ~advisory_lock() {
    if (!conn_.ok())
      return;
    try {
      conn_.exec(unlock_stmt, {advisory_lock_key});
    } catch (const std::exception& e) {
      log::warn("migrations") << "could not release advisory lock: " << e.what();
    }
  }
  advisory_lock(const advisory_lock&) = delete;
  advisory_lock& operator=(const advisory_lock&) = delete;

private:
  pg_connection& conn_;
};

void apply_one(pg_connection& conn, const migration& m) {
  conn.exec_script("BEGIN");
  try {
    conn.exec_script(std::string(m.sql));
    conn.exec(record_stmt, {std::to_string(m.version), std::string(m.name),
                            migration_checksum(m.sql)});
    conn.exec_script("COMMIT");
  } catch (const storage_error& e) {
    if (conn.ok()) {
      try {
        conn.exec_script("ROLLBACK");
      } catch (const std::exception&) {
        // The original error is what matters; the session is reset anyway.
      }
    }
    throw storage_error(e.code(), "migration " + std::string(m.name) + " failed: " + e.what(),
                        e.sqlstate());
  }
}

} // namespace

const statement select_schema_migrations{
    "nexus_migrations_select",
    "SELECT version, name, checksum FROM nexus.schema_migrations ORDER BY version"};

std::string migration_checksum(std::string_view sql) {
  if (sodium_init() < 0)
    throw storage_error(storage_errc::query_failed, "libsodium failed to initialize");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(sql.data()), sql.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 0xf]);
  }
  return out;
}

std::string history_conflict(const std::vector<applied_migration>& recorded,
                             const std::vector<migration>& embedded) {
  std::map<int, const migration*> by_version;
  for (const auto& m : embedded)
    by_version[m.version] = &m;
  for (const auto& r : recorded) {
    auto it = by_version.find(r.version);
    if (it == by_version.end())
      return "database has migration " + std::to_string(r.version) + " (" + r.name +
             ") that this binary does not know; is a newer nexusd using it?";
    if (r.checksum != migration_checksum(it->second->sql))
      return "migration " + std::string(it->second->name) +
             " was changed after it was applied (checksum differs from the database)";
  }
  return {};
}

std::string migration_mismatch(const std::vector<applied_migration>& recorded,
                               const std::vector<migration>& embedded) {
  if (auto why = history_conflict(recorded, embedded); !why.empty())
    return why;
  std::set<int> seen;
  for (const auto& r : recorded)
    seen.insert(r.version);
  for (const auto& m : embedded)
    if (!seen.count(m.version))
      return "migration " + std::string(m.name) + " is not applied";
  return {};
}

std::vector<applied_migration> recorded_migrations(pg_connection& conn) {
  auto present = conn.exec(table_exists_stmt);
  if (present.rows.empty() || present.at(0, "present") != std::optional<std::string>("t"))
    return {};
  auto rs = conn.exec(select_schema_migrations);
  std::vector<applied_migration> out;
  for (size_t i = 0; i < rs.rows.size(); ++i)
    out.push_back({std::stoi(rs.at(i, "version").value_or("0")), rs.at(i, "name").value_or(""),
                   rs.at(i, "checksum").value_or("")});
  return out;
}

void apply_migrations(pg_connection& conn, const std::vector<migration>& list) {
  advisory_lock lock(conn);
  conn.exec_script(bootstrap_sql);
  const auto recorded = recorded_migrations(conn);

  // Refuse to touch a database whose history disagrees with ours, before
  // applying anything.
  if (auto why = history_conflict(recorded, list); !why.empty())
    throw storage_error(storage_errc::query_failed, why);
  std::set<int> done;
  for (const auto& r : recorded)
    done.insert(r.version);

  int applied = 0;
  for (const auto& m : list) {
    if (done.count(m.version))
      continue;
    apply_one(conn, m);
    ++applied;
    log::info("migrations") << "applied " << m.name;
  }
  if (applied == 0)
    log::debug("migrations") << "schema is current (" << list.size() << " migrations)";
}

bool migrations_current(pg_connection& conn, const std::vector<migration>& list) {
  return migration_mismatch(recorded_migrations(conn), list).empty();
}

} // namespace nexus::storage
