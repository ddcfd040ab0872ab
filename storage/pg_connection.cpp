// The only translation unit that includes libpq-fe.h (see pg_connection.hpp).
#include "storage/pg_connection.hpp"

#include "config/log.hpp"
#include "config/node_config.hpp"
#include "storage/sqlstate.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>

namespace nexus::storage {

const char* to_string(storage_errc e) {
  switch (e) {
    case storage_errc::none: return "none";
    case storage_errc::connect_failed: return "connect_failed";
    case storage_errc::connection_lost: return "connection_lost";
    case storage_errc::unavailable: return "unavailable";
    case storage_errc::unique_violation: return "unique_violation";
    case storage_errc::constraint_violation: return "constraint_violation";
    case storage_errc::serialization_failure: return "serialization_failure";
    case storage_errc::invalid_input: return "invalid_input";
    case storage_errc::query_failed: return "query_failed";
    case storage_errc::timeout: return "timeout";
    case storage_errc::shutting_down: return "shutting_down";
  }
  return "unknown";
}

size_t result_set::column(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end())
    throw storage_error(storage_errc::query_failed, "no column named '" + name + "' in result");
  return static_cast<size_t>(it - columns.begin());
}

const std::optional<std::string>& result_set::at(size_t row, const std::string& name) const {
  if (row >= rows.size())
    throw storage_error(storage_errc::query_failed,
                        "row " + std::to_string(row) + " out of range (" +
                            std::to_string(rows.size()) + " rows)");
  return rows[row][column(name)];
}

namespace {

struct conn_deleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct result_deleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_deleter>;
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

/// libpq's message on one line: its newlines and tab indents (multi-line
/// hints, DETAIL) become single spaces, so each log line stays one line.
std::string trimmed(const char* msg) {
  std::string out;
  bool space = false;
  for (const char* p = msg ? msg : ""; *p; ++p) {
    if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
      space = !out.empty();
      continue;
    }
    if (space)
      out.push_back(' ');
    space = false;
    out.push_back(*p);
  }
  return out;
}

/// The password the DSN carries (URL or key=value form), so it can be
/// scrubbed from any message libpq builds; empty when there is none.
std::string dsn_password(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (err)
    PQfreemem(err);
  if (!opts)
    return {};
  std::string pw;
  for (auto* o = opts; o->keyword; ++o)
    if (std::string_view(o->keyword) == "password" && o->val)
      pw = o->val;
  PQconninfoFree(opts);
  return pw;
}

/// libpq's own connect_timeout works in whole seconds (minimum 2); we keep it
/// as a backstop and enforce the millisecond deadline ourselves while polling.
std::string timeout_seconds(int64_t timeout_ms) {
  return std::to_string(std::max<int64_t>(2, (timeout_ms + 999) / 1000));
}

/// Server notices (e.g. "schema already exists, skipping") go to our log at
/// debug level instead of libpq's default of printing to stderr.
void on_notice(void*, const char* message) {
  log::debug("storage") << "server notice: " << trimmed(message);
}

} // namespace

struct pg_connection::impl {
  conn_ptr conn;
  std::string password;                     ///< for scrubbing messages only
  std::map<std::string, std::string> prepared; ///< statement name → SQL prepared on this session
  bool broken = false; ///< a pipeline lost track of the session: unusable even if libpq says OK

  std::string message() const { return scrub_secret(trimmed(PQerrorMessage(conn.get())), password); }

  /// Turns a failed (or missing) result into a storage_error. A broken
  /// session is connection_lost whatever the SQLSTATE says.
  [[noreturn]] void fail(const PGresult* res, const std::string& what) const {
    std::string sqlstate;
    std::string msg;
    if (res) {
      if (const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE))
        sqlstate = s;
      msg = scrub_secret(trimmed(PQresultErrorMessage(res)), password);
    }
    if (msg.empty())
      msg = message();
    storage_errc code = errc_from_sqlstate(sqlstate);
    if (PQstatus(conn.get()) != CONNECTION_OK)
      code = storage_errc::connection_lost;
    throw storage_error(code, what + ": " + msg, sqlstate);
  }

  result_set collect(result_ptr res, const std::string& what) const {
    if (!res)
      fail(nullptr, what);
    switch (PQresultStatus(res.get())) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        break;
      default:
        fail(res.get(), what);
    }
    result_set out;
    const int ncols = PQnfields(res.get());
    const int nrows = PQntuples(res.get());
    out.columns.reserve(static_cast<size_t>(ncols));
    for (int c = 0; c < ncols; ++c)
      out.columns.emplace_back(PQfname(res.get(), c));
    out.rows.reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      std::vector<std::optional<std::string>> row;
      row.reserve(static_cast<size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c))
          row.emplace_back(std::nullopt);
        else
          row.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                       static_cast<size_t>(PQgetlength(res.get(), r, c))));
      }
      out.rows.push_back(std::move(row));
    }
    const char* affected = PQcmdTuples(res.get());
    out.affected = (affected && *affected) ? std::stoll(affected) : 0;
    return out;
  }

  /// Prepares `stmt` on this session the first time its name is used.
  /// Prepared statements are session state, not transactional: they survive
  /// a ROLLBACK, so recording the name after success is enough.
  void prepare(const statement& stmt) {
    auto it = prepared.find(stmt.name);
    if (it != prepared.end()) {
      if (it->second != stmt.sql)
        throw storage_error(storage_errc::query_failed,
                            std::string("statement name '") + stmt.name +
                                "' reused for different SQL");
      return;
    }
    result_ptr res(PQprepare(conn.get(), stmt.name, stmt.sql, 0, nullptr));
    collect(std::move(res), std::string("prepare ") + stmt.name);
    prepared.emplace(stmt.name, stmt.sql);
  }
};

pg_connection::pg_connection(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
pg_connection::pg_connection(pg_connection&&) noexcept = default;
pg_connection& pg_connection::operator=(pg_connection&&) noexcept = default;
pg_connection::~pg_connection() = default;

pg_connection pg_connection::connect(const std::string& dsn, int64_t timeout_ms) {
  const std::string where = "connect to " + config::redact_dsn(dsn);
  auto p = std::make_unique<impl>();
  p->password = dsn_password(dsn);
  const std::string secs = timeout_seconds(timeout_ms);
  // dbname is expanded as a full connection string / URL; keywords listed
  // after it override what it sets.
  const char* keys[] = {"dbname", "connect_timeout", "fallback_application_name", nullptr};
  const char* vals[] = {dsn.c_str(), secs.c_str(), "nexus", nullptr};
  p->conn.reset(PQconnectStartParams(keys, vals, 1));
  if (!p->conn)
    throw storage_error(storage_errc::connect_failed, where + ": out of memory");
  if (PQstatus(p->conn.get()) == CONNECTION_BAD)
    throw storage_error(storage_errc::connect_failed, where + ": " + p->message());

  // Non-blocking handshake with our own millisecond deadline (libpq's
  // connect_timeout has one-second granularity and a 2 s minimum).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (st != PGRES_POLLING_OK) {
    if (st == PGRES_POLLING_FAILED)
      throw storage_error(storage_errc::connect_failed, where + ": " + p->message());
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0)
      throw storage_error(storage_errc::connect_failed,
                          where + ": timed out after " + std::to_string(timeout_ms) + " ms");
    pollfd pfd{};
    pfd.fd = PQsocket(p->conn.get()); // may change between polls (multiple hosts)
    pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    int rc = ::poll(&pfd, 1, static_cast<int>(left));
    if (rc < 0 && errno != EINTR)
      throw storage_error(storage_errc::connect_failed, where + ": poll failed");
    if (rc > 0)
      st = PQconnectPoll(p->conn.get());
  }
  PQsetNoticeProcessor(p->conn.get(), on_notice, nullptr);
  return pg_connection(std::move(p));
}

bool pg_connection::ok() const {
  return impl_ && !impl_->broken && PQstatus(impl_->conn.get()) == CONNECTION_OK;
}

result_set pg_connection::exec(const statement& stmt, const std::vector<param>& params) {
  if (!ok())
    throw storage_error(storage_errc::connection_lost,
                        std::string("exec ") + stmt.name + ": connection is not open");
  impl_->prepare(stmt);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p ? p->c_str() : nullptr);
  // Text format in, text format out: lengths and formats may be null.
  result_ptr res(PQexecPrepared(impl_->conn.get(), stmt.name, static_cast<int>(values.size()),
                                values.data(), nullptr, nullptr, 0));
  return impl_->collect(std::move(res), std::string("exec ") + stmt.name);
}

pipeline_outcome pg_connection::exec_pipeline(const std::vector<pipeline_call>& calls) {
  pipeline_outcome out;
  if (calls.empty())
    return out;
  if (!ok()) {
    out.error = storage_error(storage_errc::connection_lost, "pipeline: connection is not open");
    return out;
  }
  PGconn* c = impl_->conn.get();
  try { // preparing is a round trip of its own, once per statement and session
    for (const auto& call : calls)
      impl_->prepare(*call.stmt);
  } catch (const storage_error& e) {
    out.error = e;
    return out;
  }
  auto lost = [&](const std::string& what) {
    impl_->broken = true; // the pipeline's state is unknown: the caller reconnects
    out.error = storage_error(storage_errc::connection_lost, "pipeline: " + what + ": " + impl_->message());
    return out;
  };
  // Non-blocking, so that sending many statements can never deadlock against
  // a server that blocks writing results we have not read yet.
  if (PQsetnonblocking(c, 1) != 0 || PQenterPipelineMode(c) != 1)
    return lost("cannot enter pipeline mode");

  std::vector<const char*> values;
  size_t queued = 0;
  for (const auto& call : calls) {
    values.clear();
    if (call.params)
      for (const auto& p : *call.params)
        values.push_back(p ? p->c_str() : nullptr);
    if (PQsendQueryPrepared(c, call.stmt->name, static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, 0) != 1)
      break; // what was queued still runs; the rest is reported as failed below
    ++queued;
  }
  if (PQpipelineSync(c) != 1)
    return lost("cannot send the sync");

  size_t index = 0; // the call whose results come next
  bool synced = false;
  while (!synced) {
    const int flushed = PQflush(c); // 0: all sent, 1: more to send, -1: failed
    if (flushed < 0)
      return lost("send failed");
    while (!synced && !PQisBusy(c)) {
      PGresult* raw = PQgetResult(c);
      if (raw == nullptr) { // the end of one statement's results
        if (PQstatus(c) != CONNECTION_OK || ++index > calls.size())
          return lost("session broke"); // libpq would answer nullptr forever
        continue;
      }
      result_ptr res(raw);
      const auto status = PQresultStatus(raw);
      if (status == PGRES_PIPELINE_SYNC)
        synced = true;
      else if (status != PGRES_PIPELINE_ABORTED && !out.error && index < calls.size()) {
        try {
          out.results.push_back(
              impl_->collect(std::move(res), std::string("exec ") + calls[index].stmt->name));
        } catch (const storage_error& e) {
          out.error = e;
        }
      }
    }
    if (synced)
      break;
    if (PQstatus(c) != CONNECTION_OK)
      return lost("session broke");
    pollfd pfd{};
    pfd.fd = PQsocket(c);
    pfd.events = static_cast<short>(POLLIN | (flushed == 1 ? POLLOUT : 0));
    if (::poll(&pfd, 1, -1) < 0 && errno != EINTR)
      return lost("poll failed");
    if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) != 0 && PQconsumeInput(c) != 1)
      return lost("receive failed");
  }
  if (PQexitPipelineMode(c) != 1 || PQsetnonblocking(c, 0) != 0)
    return lost("cannot leave pipeline mode");
  if (queued < calls.size()) // e.g. out of memory: a transaction may be left open
    return lost(std::string("could not queue ") + calls[queued].stmt->name);
  return out;
}

result_set pg_connection::exec_script(const std::string& sql) {
  if (!ok())
    throw storage_error(storage_errc::connection_lost, "exec script: connection is not open");
  result_ptr res(PQexec(impl_->conn.get(), sql.c_str()));
  // The statement text is ours (never values), but it may be long: name it by
  // its first line only.
  const size_t start = std::min(sql.find_first_not_of(" \t\r\n"), sql.size());
  const size_t end = std::min({sql.find('\n', start), sql.size(), start + 60});
  const std::string first_line = sql.substr(start, end - start);
  return impl_->collect(std::move(res), "exec script '" + first_line + "'");
}

int pg_connection::server_version() const {
  return impl_ ? PQserverVersion(impl_->conn.get()) : 0;
}

bool ping(const std::string& dsn, int64_t timeout_ms) {
  const std::string secs = timeout_seconds(timeout_ms);
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* vals[] = {dsn.c_str(), secs.c_str(), nullptr};
  return PQpingParams(keys, vals, 1) == PQPING_OK;
}

} // namespace nexus::storage
