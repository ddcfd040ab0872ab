// pg_connection: the one RAII wrapper around libpq. This header and its .cpp
// are the only code in Nexus that sees libpq-fe.h.
//
// A pg_connection is owned by one thread at a time (a storage actor, a
// migration run, a CLI command); it is not safe to share. Every statement is
// parameterized (PQexecParams / PQexecPrepared); values never enter SQL text.
// DSNs are never logged (use config::redact_dsn).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nexus::storage {

/// Errors of the storage layer, mapped from libpq status and SQLSTATE.
enum class storage_errc : uint8_t {
  none = 0,
  connect_failed,        ///< could not open a connection
  connection_lost,       ///< the connection broke; the request may or may not have committed
  unavailable,           ///< no connection right now (reconnecting); nothing was attempted
  unique_violation,      ///< SQLSTATE 23505
  constraint_violation,  ///< other class 23 (foreign key, not null, check)
  serialization_failure, ///< 40001 / 40P01: retry the transaction
  invalid_input,         ///< class 22 (bad value for a parameter)
  query_failed,          ///< any other server-side error
  timeout,               ///< the caller gave up waiting
  shutting_down,         ///< the storage actor is stopping
};

const char* to_string(storage_errc e);

/// Thrown by pg_connection on failure; never crosses an actor boundary
/// (storage actors turn it into a caf::error).
class storage_error : public std::runtime_error {
public:
  storage_error(storage_errc code, std::string message, std::string sqlstate = {})
      : std::runtime_error(std::move(message)), code_(code), sqlstate_(std::move(sqlstate)) {}
  storage_errc code() const { return code_; }
  const std::string& sqlstate() const { return sqlstate_; }

private:
  storage_errc code_;
  std::string sqlstate_;
};

/// A positional parameter in text format; nullopt is SQL NULL.
using param = std::optional<std::string>;

/// A named SQL statement with $n parameters. Declare them as constants next
/// to the code that uses them (SQL you can find); `name` must be unique in
/// the process because it is the prepared-statement name.
struct statement {
  const char* name;
  const char* sql;
};

/// Rows of one statement, values in text format, NULL as nullopt.
struct result_set {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  int64_t affected = 0; ///< PQcmdTuples for INSERT/UPDATE/DELETE

  /// Index of a column by name; throws storage_error(query_failed) if absent.
  size_t column(const std::string& name) const;
  /// Value by row and column name.
  const std::optional<std::string>& at(size_t row, const std::string& name) const;
};

/// One statement of a pipeline (pg_connection::exec_pipeline). Both
/// pointers must stay valid for the call.
struct pipeline_call {
  const statement* stmt = nullptr;
  const std::vector<param>* params = nullptr; ///< null = no parameters
};

/// What a pipeline did: one result per statement that succeeded, in order,
/// up to the first failure, which `error` holds; the statements after it
/// did not run.
struct pipeline_outcome {
  std::vector<result_set> results;
  std::optional<storage_error> error;
};

class pg_connection {
public:
  /// Opens a connection; throws storage_error(connect_failed) with a message
  /// that never contains the password.
  static pg_connection connect(const std::string& dsn, int64_t timeout_ms);

  pg_connection(pg_connection&&) noexcept;
  pg_connection& operator=(pg_connection&&) noexcept;
  ~pg_connection();

  /// True while libpq reports CONNECTION_OK.
  bool ok() const;

  /// Runs a statement (prepared once per connection by name).
  result_set exec(const statement& stmt, const std::vector<param>& params = {});

  /// Runs `calls` in libpq pipeline mode: every statement is sent, then one
  /// sync, and the results are read as they come, so the list costs one
  /// round trip instead of one per statement; the server still runs them
  /// one after the other, in order. After a failure the server skips the
  /// rest up to the sync; inside a transaction block that block is then
  /// aborted and the caller must ROLLBACK. Statement failures are reported,
  /// not thrown; a session that breaks is reported as connection_lost and
  /// ok() turns false.
  pipeline_outcome exec_pipeline(const std::vector<pipeline_call>& calls);

  /// Runs SQL text without parameters: BEGIN, COMMIT, SAVEPOINT, migrations.
  /// Never build this text from values.
  result_set exec_script(const std::string& sql);

  /// Server version number (e.g. 150018).
  int server_version() const;

private:
  struct impl;
  explicit pg_connection(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// Quick reachability check without a full connection (PQping).
bool ping(const std::string& dsn, int64_t timeout_ms);

} // namespace nexus::storage
