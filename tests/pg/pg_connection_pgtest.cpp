// pg_connection against a real PostgreSQL: parameters, NULLs, error mapping,
// lazy preparation, secrets kept out of messages, connect timeout.
#include "storage/pg_connection.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>

using namespace nexus;
using storage::pg_connection;
using storage::storage_errc;

namespace {
constexpr int64_t connect_timeout_ms = 10000;

const storage::statement echo{"test_pgc_echo", "SELECT $1::text AS a, $2::int AS b"};
const storage::statement insert_kv{"test_pgc_insert",
                                   "INSERT INTO kv (k, v) VALUES ($1, $2) RETURNING k"};
const storage::statement update_all{"test_pgc_update", "UPDATE kv SET v = $1"};
const storage::statement bad_int{"test_pgc_bad_int", "SELECT $1::int AS x"};

storage_errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const storage::storage_error& e) {
    return e.code();
  }
  return storage_errc::none;
}
} // namespace

TEST_CASE("parameters, NULLs and column lookup by name") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  CHECK(c.ok());
  CHECK(c.server_version() >= 150000);

  auto rs = c.exec(echo, {std::string("it's; DROP TABLE x; --"), std::nullopt});
  REQUIRE(rs.rows.size() == 1);
  CHECK(rs.at(0, "a") == std::optional<std::string>("it's; DROP TABLE x; --"));
  CHECK_FALSE(rs.at(0, "b").has_value());
  CHECK(rs.column("b") == 1);
  CHECK_THROWS_AS(rs.column("nope"), storage::storage_error);
  CHECK_THROWS_AS(rs.at(1, "a"), storage::storage_error);

  // Prepared once, executed many times.
  for (int i = 0; i < 3; ++i)
    CHECK(c.exec(echo, {std::to_string(i), std::to_string(i)}).at(0, "b") ==
          std::optional<std::string>(std::to_string(i)));
}

TEST_CASE("affected rows and SQLSTATE mapping") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  c.exec_script("CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL)");
  CHECK(c.exec(insert_kv, {"a", "1"}).affected == 1);
  CHECK(c.exec(insert_kv, {"b", "2"}).affected == 1);
  CHECK(c.exec(update_all, {"x"}).affected == 2);

  CHECK(code_of([&] { c.exec(insert_kv, {"a", "dup"}); }) == storage_errc::unique_violation);
  CHECK(code_of([&] { c.exec(insert_kv, {"c", std::nullopt}); }) ==
        storage_errc::constraint_violation);
  CHECK(code_of([&] { c.exec(bad_int, {"not a number"}); }) == storage_errc::invalid_input);
  CHECK(code_of([&] { c.exec_script("SELECT * FROM no_such_table"); }) ==
        storage_errc::query_failed);
  try {
    c.exec(insert_kv, {"a", "dup"});
  } catch (const storage::storage_error& e) {
    CHECK(e.sqlstate() == "23505");
  }
  CHECK(c.ok()); // query errors leave the session usable
  CHECK(c.exec(echo, {"still", "1"}).rows.size() == 1);
}

TEST_CASE("a statement name reused for other SQL is refused") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  const storage::statement a{"test_pgc_dup_name", "SELECT 1 AS x"};
  const storage::statement b{"test_pgc_dup_name", "SELECT 2 AS x"};
  c.exec(a);
  CHECK(code_of([&] { c.exec(b); }) == storage_errc::query_failed);
}

TEST_CASE("prepared statements survive a rolled-back transaction") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  const storage::statement s{"test_pgc_in_txn", "SELECT $1::int + 1 AS y"};
  c.exec_script("BEGIN");
  CHECK(c.exec(s, {"1"}).at(0, "y") == std::optional<std::string>("2"));
  c.exec_script("ROLLBACK");
  CHECK(c.exec(s, {"2"}).at(0, "y") == std::optional<std::string>("3"));
}

TEST_CASE("a terminated session reports connection_lost") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  auto admin = pg_connection::connect(db.url(), connect_timeout_ms);
  const storage::statement pid{"test_pgc_pid", "SELECT pg_backend_pid() AS pid"};
  const storage::statement kill{"test_pgc_kill", "SELECT pg_terminate_backend($1::int)"};
  auto my_pid = c.exec(pid).at(0, "pid").value();
  admin.exec(kill, {my_pid});
  CHECK(code_of([&] { c.exec(pid); }) == storage_errc::connection_lost);
  CHECK_FALSE(c.ok());
  CHECK(code_of([&] { c.exec(pid); }) == storage_errc::connection_lost);
}

TEST_CASE("connect errors never contain the password") {
  const std::string secret = "hunter2-not-logged";
  for (const std::string& dsn :
       {"postgresql://nexus:" + secret + "@127.0.0.1:1/nexus",
        "host=127.0.0.1 port=1 user=nexus password=" + secret + " dbname=nexus"}) {
    try {
      pg_connection::connect(dsn, 2000);
      FAIL("connected to port 1");
    } catch (const storage::storage_error& e) {
      CHECK(e.code() == storage_errc::connect_failed);
      CHECK(std::string(e.what()).find(secret) == std::string::npos);
      CHECK(std::string(e.what()).find("127.0.0.1") != std::string::npos);
    }
  }
  CHECK_FALSE(storage::ping("postgresql://nexus@127.0.0.1:1/nexus", 1000));
}

TEST_CASE("ping and the connect timeout") {
  test::test_database db;
  CHECK(storage::ping(db.url(), 2000));
  // A listening socket that never answers the startup packet: the connect
  // must give up after our millisecond timeout, not libpq's 2 s minimum.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string dsn =
      "postgresql://nexus@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/nexus?sslmode=disable";
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(code_of([&] { pg_connection::connect(dsn, 300); }) == storage_errc::connect_failed);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
  CHECK(ms >= 250);
  // Under libpq's 2 s floor is the point; the rest is slack for a loaded box.
  CHECK(ms < 1950);
  ::close(fd);
}
