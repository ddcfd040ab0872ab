// Migrations against a real PostgreSQL: idempotence, two nodes racing,
// checksum protection, rollback of a failing file.
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace nexus;
using storage::migration;
using storage::pg_connection;

namespace {

constexpr int64_t connect_timeout_ms = 10000;

const storage::statement count_rows{"test_mig_count",
                                    "SELECT count(*) AS n, count(DISTINCT version) AS d "
                                    "FROM nexus.schema_migrations"};
const storage::statement table_exists{"test_mig_table_exists",
                                      "SELECT to_regclass($1) IS NOT NULL AS present"};

int64_t recorded_count(pg_connection& c) {
  return std::stoll(c.exec(count_rows).at(0, "n").value());
}

bool exists(pg_connection& c, const std::string& relation) {
  return c.exec(table_exists, {relation}).at(0, "present") == std::optional<std::string>("t");
}

// A list whose second file is slow and not idempotent: without the advisory
// lock two concurrent runs would both try to create the table, and one would
// fail (or both would record version 2).
const std::vector<migration> racing_list = {
    storage::embedded_migrations().front(),
    {2, "0002_slow.sql", "SELECT pg_sleep(0.3);\nCREATE TABLE nexus.raced (id int);"},
};

} // namespace

TEST_CASE("a fresh database is not current until migrations run") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  CHECK_FALSE(storage::migrations_current(c));
  CHECK(storage::recorded_migrations(c).empty());
  storage::apply_migrations(c);
  CHECK(storage::migrations_current(c));
  CHECK(exists(c, "nexus.schema_migrations"));
}

TEST_CASE("applying migrations twice is a no-op the second time") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  storage::apply_migrations(c);
  const auto first = storage::recorded_migrations(c);
  REQUIRE(first.size() == storage::embedded_migrations().size());
  storage::apply_migrations(c);
  auto again = pg_connection::connect(db.url(), connect_timeout_ms); // and from a new session
  storage::apply_migrations(again);
  const auto second = storage::recorded_migrations(c);
  REQUIRE(second.size() == first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    CHECK(second[i].version == first[i].version);
    CHECK(second[i].name == first[i].name);
    CHECK(second[i].checksum == storage::migration_checksum(storage::embedded_migrations()[i].sql));
  }
  CHECK(storage::migrations_current(c));
}

TEST_CASE("nodes starting together both come up and each migration is recorded once") {
  test::test_database db;
  constexpr int nodes = 4;
  std::vector<pg_connection> conns;
  for (int i = 0; i < nodes; ++i)
    conns.push_back(pg_connection::connect(db.url(), connect_timeout_ms));

  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::string> errors(nodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < nodes; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (!go.load()) // start line: all threads apply at the same moment
        std::this_thread::yield();
      try {
        storage::apply_migrations(conns[i], racing_list);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  while (ready.load() < nodes)
    std::this_thread::yield();
  go = true;
  for (auto& t : threads)
    t.join();

  for (int i = 0; i < nodes; ++i) {
    CAPTURE(i);
    CHECK(errors[i] == "");
  }
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  auto rs = c.exec(count_rows);
  CHECK(rs.at(0, "n").value() == std::to_string(racing_list.size()));
  CHECK(rs.at(0, "d").value() == std::to_string(racing_list.size()));
  CHECK(exists(c, "nexus.raced"));
  CHECK(storage::migrations_current(c, racing_list));
}

TEST_CASE("a migration changed after it was applied is refused, naming the file") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  const std::vector<migration> v1 = {{1, "0001_a.sql", "CREATE SCHEMA IF NOT EXISTS nexus;"}};
  storage::apply_migrations(c, v1);
  const std::vector<migration> edited = {
      {1, "0001_a.sql", "CREATE SCHEMA IF NOT EXISTS nexus; -- edited"}};
  try {
    storage::apply_migrations(c, edited);
    FAIL("an edited migration was accepted");
  } catch (const storage::storage_error& e) {
    CHECK(std::string(e.what()).find("0001_a.sql") != std::string::npos);
  }
  CHECK_FALSE(storage::migrations_current(c, edited));
  CHECK(storage::migrations_current(c, v1));
}

TEST_CASE("a version recorded by a newer binary is refused") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  const std::vector<migration> newer = {{1, "0001_a.sql", "CREATE SCHEMA IF NOT EXISTS nexus;"},
                                        {2, "0002_b.sql", "CREATE TABLE nexus.b (x int);"}};
  storage::apply_migrations(c, newer);
  const std::vector<migration> older(newer.begin(), newer.begin() + 1);
  CHECK_THROWS_AS(storage::apply_migrations(c, older), storage::storage_error);
  CHECK_FALSE(storage::migrations_current(c, older));
}

TEST_CASE("a failing migration is rolled back and not recorded; earlier ones stay") {
  test::test_database db;
  auto c = pg_connection::connect(db.url(), connect_timeout_ms);
  const std::vector<migration> list = {
      {1, "0001_a.sql", "CREATE SCHEMA IF NOT EXISTS nexus;"},
      {2, "0002_broken.sql", "CREATE TABLE nexus.half (x int);\nSELECT no_such_function();"},
  };
  try {
    storage::apply_migrations(c, list);
    FAIL("a broken migration was accepted");
  } catch (const storage::storage_error& e) {
    CHECK(std::string(e.what()).find("0002_broken.sql") != std::string::npos);
  }
  CHECK(recorded_count(c) == 1);
  CHECK_FALSE(exists(c, "nexus.half"));
  // The advisory lock was released: another session can run migrations now.
  auto other = pg_connection::connect(db.url(), connect_timeout_ms);
  storage::apply_migrations(other, std::vector<migration>(list.begin(), list.begin() + 1));
}
