// pg_connection::exec_pipeline against a real PostgreSQL: results in order,
// a failure stops the rest and aborts the transaction, a pipeline far larger
// than the socket buffers completes, a killed session is connection_lost.
#include "storage/pg_connection.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace nexus;
using storage::pg_connection;
using storage::pipeline_call;
using storage::storage_errc;

namespace {
constexpr int64_t connect_timeout_ms = 10000;

const storage::statement insert_kv{"test_pipe_insert",
                                   "INSERT INTO kv (k, v) VALUES ($1, $2) RETURNING k, length(v) AS n"};
const storage::statement count_kv{"test_pipe_count", "SELECT count(*) AS n FROM kv"};
const storage::statement commit{"test_pipe_commit", "COMMIT"};

std::vector<pipeline_call> calls_of(const std::vector<std::vector<storage::param>>& params,
                                    const storage::statement& stmt) {
  std::vector<pipeline_call> calls;
  for (const auto& p : params)
    calls.push_back({&stmt, &p});
  return calls;
}

std::string count(pg_connection& c) { return c.exec(count_kv).at(0, "n").value_or("?"); }
} // namespace

TEST_CASE("a pipeline returns one result per statement, in order, and commits with its COMMIT") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  c.exec_script("CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL)");
  std::vector<std::vector<storage::param>> params;
  for (int i = 0; i < 50; ++i)
    params.push_back({"k" + std::to_string(i), std::string(static_cast<size_t>(i), 'x')});
  auto calls = calls_of(params, insert_kv);
  calls.push_back({&commit, nullptr});
  c.exec_script("BEGIN");
  auto out = c.exec_pipeline(calls);
  REQUIRE_FALSE(out.error.has_value());
  REQUIRE(out.results.size() == 51);
  for (int i = 0; i < 50; ++i) {
    CAPTURE(i);
    CHECK(out.results[static_cast<size_t>(i)].at(0, "k") == std::optional<std::string>("k" + std::to_string(i)));
    CHECK(out.results[static_cast<size_t>(i)].at(0, "n") == std::optional<std::string>(std::to_string(i)));
  }
  CHECK(out.results.back().rows.empty()); // COMMIT's own result
  CHECK(c.ok());
  c.exec_script("ROLLBACK"); // only a warning: the COMMIT above ended the transaction
  CHECK(count(c) == "50");
  CHECK(c.exec_pipeline({}).results.empty());
}

TEST_CASE("a failing statement stops the pipeline and aborts the transaction") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  c.exec_script("CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL)");
  std::vector<std::vector<storage::param>> params = {
      {"a", "1"}, {"b", "2"}, {"a", "dup"}, {"c", "3"}};
  auto calls = calls_of(params, insert_kv);
  calls.push_back({&commit, nullptr});
  c.exec_script("BEGIN");
  auto out = c.exec_pipeline(calls);
  REQUIRE(out.error.has_value());
  CHECK(out.error->code() == storage_errc::unique_violation);
  CHECK(std::string(out.error->what()).find("test_pipe_insert") != std::string::npos);
  CHECK(out.results.size() == 2); // a and b ran; the duplicate failed; c and COMMIT did not run
  CHECK(c.ok());
  // The block is aborted: nothing runs until ROLLBACK, and nothing committed.
  CHECK_THROWS_AS(c.exec(count_kv), storage::storage_error);
  c.exec_script("ROLLBACK");
  CHECK(count(c) == "0");
  // The session is back to normal (and out of pipeline mode).
  CHECK(c.exec(insert_kv, {"z", "9"}).affected == 1);
}

TEST_CASE("a pipeline far larger than the socket buffers neither deadlocks nor loses a result") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  c.exec_script("CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL)");
  // 4000 × 8 KiB in, 4000 rows out: megabytes each way, written while the
  // server is already answering.
  const std::string big(8192, 'v');
  std::vector<std::vector<storage::param>> params;
  for (int i = 0; i < 4000; ++i)
    params.push_back({"k" + std::to_string(i), big});
  const storage::statement echo_back{"test_pipe_echo",
                                     "INSERT INTO kv (k, v) VALUES ($1, $2) RETURNING k, v"};
  auto calls = calls_of(params, echo_back);
  calls.push_back({&commit, nullptr});
  c.exec_script("BEGIN");
  auto out = c.exec_pipeline(calls);
  REQUIRE_FALSE(out.error.has_value());
  REQUIRE(out.results.size() == calls.size());
  CHECK(out.results[3999].at(0, "k") == std::optional<std::string>("k3999"));
  CHECK(out.results[3999].at(0, "v") == std::optional<std::string>(big));
  CHECK(count(c) == "4000");
}

TEST_CASE("a pipeline on a terminated session reports connection_lost and the session as gone") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  auto admin = pg_connection::connect(db.url(), connect_timeout_ms);
  c.exec_script("CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL)");
  const storage::statement pid{"test_pipe_pid", "SELECT pg_backend_pid() AS pid"};
  const storage::statement kill{"test_pipe_kill", "SELECT pg_terminate_backend($1::int)"};
  c.exec(insert_kv, {"warm", "prepared"}); // prepared before the kill, so the pipeline is the first to notice
  admin.exec(kill, {c.exec(pid).at(0, "pid").value()});
  std::vector<std::vector<storage::param>> params = {{"a", "1"}, {"b", "2"}};
  auto out = c.exec_pipeline(calls_of(params, insert_kv));
  REQUIRE(out.error.has_value());
  CHECK(out.error->code() == storage_errc::connection_lost);
  CHECK_FALSE(c.ok());
}
