#include "actors/pg_runner.hpp"

#include "storage/pg_connection.hpp"

#include <signal.h>

#include <stdexcept>

namespace nexus {

namespace embedded_pg = storage::embedded_pg;

namespace {

// Connects to the always-present maintenance database to create ours.
constexpr const char* maintenance_db = "postgres";

const storage::statement find_database{
    "embedded_pg_find_database",
    "SELECT 1 FROM pg_database WHERE datname = $1"}; // $1: database name

// A constant identifier, equal to embedded_pg::database_name: CREATE
// DATABASE takes no parameters, and no value ever enters this text.
constexpr const char* create_database_sql = "CREATE DATABASE nexus";

// SQLSTATE duplicate_database: another process created it between our check
// and our CREATE (a CLI command and nexusd starting together).
constexpr const char* duplicate_database = "42P04";

constexpr size_t failure_log_lines = 12;

// What initdb and postgres run with: our environment minus the node's own
// settings (tokens, keys), in the pg dir (nexusd's cwd, e.g. /root, may be
// closed to pg_user).
process_spec pg_spec(const std::string& program, std::vector<std::string> args,
                     const embedded_pg::layout& l, const std::optional<storage::os_user>& user,
                     int death_signal) {
  process_spec spec;
  spec.program = program;
  spec.args = std::move(args);
  spec.log_file = l.log_file;
  spec.user = user;
  spec.parent_death_signal = death_signal;
  spec.working_dir = l.pg_dir;
  spec.environment = environment_without({"NEXUS_"});
  return spec;
}

} // namespace

pg_runner::pg_runner(const config::node_config& cfg)
    : cfg_(cfg), layout_(embedded_pg::layout_for(cfg.home)) {
  embedded_pg::check_socket_path(layout_);
  if (storage::running_as_root()) {
    try {
      user_ = storage::lookup_user(cfg.pg_user);
    } catch (const std::exception&) {
      throw std::runtime_error("pg_user \"" + cfg.pg_user +
                               "\" does not exist; nexusd runs as root, so the embedded "
                               "PostgreSQL needs an unprivileged user: create it or set pg_user");
    }
    if (user_->uid == 0)
      throw std::runtime_error("pg_user \"" + cfg.pg_user +
                               "\" is root; PostgreSQL refuses to run as root");
  }
  bin_dir_ = embedded_pg::find_bin_dir(cfg.pg_bin_dir, embedded_pg::data_version(layout_));
  dsn_ = embedded_pg::dsn(layout_);
}

std::chrono::milliseconds pg_runner::start_timeout() const {
  return std::chrono::milliseconds(cfg_.pg_start_timeout_ms);
}

std::chrono::milliseconds pg_runner::stop_timeout() const {
  return std::chrono::milliseconds(cfg_.pg_stop_timeout_ms);
}

void pg_runner::prepare() {
  embedded_pg::prepare_directories(layout_, user_ ? &*user_ : nullptr);
  if (!lock_.held())
    lock_ = embedded_pg::owner_lock::acquire(layout_);
  embedded_pg::stop_stale_postmaster(layout_, stop_timeout());
}

bool pg_runner::needs_initdb() const { return embedded_pg::data_version(layout_).empty(); }

child_process pg_runner::spawn_initdb() const {
  return child_process::spawn(pg_spec(bin_dir_ + "/initdb",
                                      embedded_pg::initdb_args(layout_, embedded_pg::initdb_locale()),
                                      layout_, user_, SIGTERM));
}

child_process pg_runner::spawn_postgres() const {
  return child_process::spawn(pg_spec(bin_dir_ + "/postgres", embedded_pg::postgres_args(layout_),
                                      layout_, user_, SIGINT));
}

bool pg_runner::ready(const child_process& pm) const {
  return pm.running() && embedded_pg::postmaster_ready(layout_, pm.pid());
}

void pg_runner::ensure_database() const {
  auto conn = storage::pg_connection::connect(embedded_pg::dsn(layout_, maintenance_db),
                                              cfg_.db_connect_timeout_ms);
  if (!conn.exec(find_database, {std::string(embedded_pg::database_name)}).rows.empty())
    return;
  try {
    conn.exec_script(create_database_sql);
  } catch (const storage::storage_error& e) {
    if (e.sqlstate() != duplicate_database)
      throw;
  }
}

exit_status pg_runner::stop(child_process& pm) const {
  return pm.terminate({SIGINT, SIGQUIT}, stop_timeout());
}

std::string pg_runner::failure(const std::string& what) const {
  auto tail = embedded_pg::log_tail(layout_.log_file, failure_log_lines);
  if (tail.empty())
    return what + " (" + layout_.log_file + " is empty)";
  return what + "; last lines of " + layout_.log_file + ":\n" + tail;
}

} // namespace nexus
