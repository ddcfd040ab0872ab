// embedded_pg: the files of the embedded PostgreSQL and the plain process
// work around them — where things live, which binaries to use, the argument
// lists of initdb and postgres, postmaster.pid, the DSN. No actors here: the
// supervisor (actors/pg_supervisor) and the blocking pg_instance (actors/
// pg_instance, for admin subcommands) drive these steps.
//
// Layout under the node home (decided once, shared by every part of Nexus):
//
//   <home>/pg/data          the cluster (initdb -E UTF8 -U nexus -A trust)
//   <home>/pg/run           unix socket directory, 0700, owned by the user
//                           running postgres; nothing listens on TCP
//   <home>/pg/postgres.log  stdout/stderr of initdb and postgres, appended
//   <home>/pg/owner.lock    flock held by the process running the server
//
// Clients connect with `host=<home>/pg/run port=5432 dbname=nexus
// user=nexus`: the port only names the socket file, the directory's mode is
// the access control.
//
// Plain functions; safe to call from any thread. Functions that touch the
// file system throw std::runtime_error with a message naming the path.
#pragma once

#include "storage/os_user.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::storage::embedded_pg {

/// Only names the socket file (.s.PGSQL.5432) inside the private run dir.
constexpr int socket_port = 5432;
/// Role created by initdb (-U) and used by the node; trust auth is safe
/// because only the run dir's owner (and root) can reach the socket.
constexpr const char* role_name = "nexus";
/// The node's database, created on first start.
constexpr const char* database_name = "nexus";
/// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
constexpr size_t socket_path_bytes_max = 107;

struct layout {
  std::string home;
  std::string pg_dir;   ///< <home>/pg
  std::string data_dir; ///< <home>/pg/data
  std::string run_dir;  ///< <home>/pg/run
  std::string log_file; ///< <home>/pg/postgres.log
  std::string lock_file; ///< <home>/pg/owner.lock
};

/// The layout for a node home (absolute path, as in node_config::home).
layout layout_for(const std::string& home);

/// <run_dir>/.s.PGSQL.5432
std::string socket_path(const layout& l);

/// Throws std::runtime_error when the socket path does not fit sun_path,
/// saying which home to shorten (or to configure database_url).
void check_socket_path(const layout& l);

/// A libpq key=value DSN for the embedded server, e.g.
/// `host=/x/pg/run port=5432 dbname=nexus user=nexus`. Holds no secret.
std::string dsn(const layout& l, const std::string& dbname = database_name);

/// Quotes a conninfo value when libpq needs it (empty, spaces, quotes,
/// backslashes): `'a b'`, with `\` and `'` escaped.
std::string quote_dsn_value(const std::string& v);

/// Contents of postmaster.pid (PostgreSQL's pidfile.h, lines 1–8).
struct postmaster_pid {
  int64_t pid = 0;            ///< line 1; negative for a single-user backend
  std::string data_dir;       ///< line 2
  int64_t start_time = 0;     ///< line 3, Unix seconds
  int port = 0;               ///< line 4
  std::string socket_dir;     ///< line 5, first unix socket directory
  std::string listen_address; ///< line 6, empty when not on TCP
  std::string status;         ///< line 8 trimmed: starting|stopping|ready|standby, or empty
  /// What pg_ctl -w waits for.
  bool ready() const { return pid > 0 && status == "ready"; }
};

/// Parses the text of a postmaster.pid; nullopt if line 1 is not a pid (a
/// file being written, or not a pid file). Missing later lines stay empty.
std::optional<postmaster_pid> parse_postmaster_pid(const std::string& text);

/// Reads <data_dir>/postmaster.pid; nullopt if absent or unparseable.
std::optional<postmaster_pid> read_postmaster_pid(const layout& l);

/// True when postmaster.pid names `pid` and says ready.
bool postmaster_ready(const layout& l, pid_t pid);

/// True if `pid` is a running postgres whose working directory (postgres
/// chdirs into its data dir) or command line is `data_dir`.
bool is_postgres_of(pid_t pid, const std::string& data_dir);

/// Every process whose working directory is `data_dir` or whose command line
/// names it: the postmaster and all its children. For tests and diagnostics.
std::vector<pid_t> processes_in_data_dir(const std::string& data_dir);

/// The DSN of a live, ready postmaster serving this home's data dir, so admin
/// subcommands can talk to a running node's database; nullopt otherwise.
std::optional<std::string> running_dsn(const std::string& home);

/// Orders PostgreSQL version directory names numerically: 9.6 < 15 < 16.
bool version_less(const std::string& a, const std::string& b);

/// Resolves pg_bin_dir. A configured dir must hold `postgres` and `initdb`.
/// Empty: among <root>/<version>/bin holding both, the one for `want_major`
/// when given (a data dir opens only with its own major version), else the
/// newest. Throws std::runtime_error saying what was searched.
std::string find_bin_dir(const std::string& configured, const std::string& want_major = {},
                         const std::string& root = "/usr/lib/postgresql");

/// The major version in <data_dir>/PG_VERSION, empty when there is no
/// cluster yet (which is also how we know initdb is needed).
std::string data_version(const layout& l);

/// "C.UTF-8" when the C library has it (byte-order collation, but Unicode
/// character classes for full-text search), else "C".
std::string initdb_locale();

/// Arguments (argv[1..]) of initdb and postgres for this layout.
std::vector<std::string> initdb_args(const layout& l, const std::string& locale);
std::vector<std::string> postgres_args(const layout& l);

/// "/", "/a", "/a/b" for "/a/b": every directory a process must search to
/// reach an entry inside `dir`. `dir` must be absolute.
std::vector<std::string> ancestors(const std::string& dir);

/// Creates home (0700), pg/, pg/run (0700) and the log file (0600) if
/// missing. With `run_as` (nexusd is root): chowns pg/, pg/run and the log to
/// that user and makes every directory from / down to home searchable for it
/// — a POSIX ACL `u:<user>:x` via setfacl, else `chmod o+x` — logging one
/// WARN per directory changed. Throws std::runtime_error.
void prepare_directories(const layout& l, const os_user* run_as);

/// Held by the one process that runs this home's PostgreSQL (a node's
/// supervisor or an admin command's pg_instance): an exclusive flock on
/// <home>/pg/owner.lock, released on destruction or when the process dies.
/// Holding it is what makes a live postmaster of this data dir "stale":
/// its owner is gone. Move-only; not for sharing between threads.
class owner_lock {
public:
  /// Takes the lock without waiting. Throws std::runtime_error naming the
  /// holder's pid when another process holds it. REQUIRES: pg_dir exists.
  static owner_lock acquire(const layout& l);
  owner_lock() = default;
  owner_lock(owner_lock&& other) noexcept;
  owner_lock& operator=(owner_lock&& other) noexcept;
  owner_lock(const owner_lock&) = delete;
  owner_lock& operator=(const owner_lock&) = delete;
  ~owner_lock();
  bool held() const { return fd_ >= 0; }
  void release();

private:
  int fd_ = -1;
};

/// A postmaster of this data dir left behind by a nexusd that died: if
/// postmaster.pid names a live postgres of this data dir, SIGINT (fast
/// shutdown), wait up to `timeout`, then SIGQUIT and wait again. Returns
/// true if one was stopped; throws std::runtime_error if it survives. A dead
/// pid is left to postgres, which removes its own stale lock file.
/// REQUIRES: the caller holds the owner_lock (else it may be a live owner's).
bool stop_stale_postmaster(const layout& l, std::chrono::milliseconds timeout);

/// The last `lines` lines of a log file (for error messages); empty on error.
std::string log_tail(const std::string& path, size_t lines);

} // namespace nexus::storage::embedded_pg
