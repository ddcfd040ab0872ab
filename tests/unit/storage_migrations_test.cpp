// Pure logic of migrations and of the test database helper: the embedded
// list, checksums, history comparison, URL rewriting.
#include "storage/migrations.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <regex>

using namespace nexus;
using storage::applied_migration;
using storage::migration;

TEST_CASE("embedded migrations are numbered, named and ascending") {
  const auto& all = storage::embedded_migrations();
  REQUIRE(!all.empty());
  CHECK(all.front().version == 1);
  CHECK(all.front().name == "0001_schema.sql");
  CHECK(all.front().sql.find("CREATE SCHEMA IF NOT EXISTS nexus") != std::string_view::npos);
  const std::regex name_re("([0-9]{4})_[a-z0-9_]+\\.sql");
  int previous = 0;
  for (const auto& m : all) {
    CAPTURE(std::string(m.name));
    std::cmatch match;
    REQUIRE(std::regex_match(m.name.data(), m.name.data() + m.name.size(), match, name_re));
    CHECK(std::stoi(match[1].str()) == m.version);
    CHECK(m.version > previous);
    CHECK(!m.sql.empty());
    previous = m.version;
  }
}

TEST_CASE("migration checksum is SHA-256 hex") {
  CHECK(storage::migration_checksum("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(storage::migration_checksum("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("migration_mismatch compares recorded history with the binary") {
  const std::vector<migration> embedded = {{1, "0001_a.sql", "SELECT 1;"},
                                           {2, "0002_b.sql", "SELECT 2;"}};
  const auto c1 = storage::migration_checksum("SELECT 1;");
  const auto c2 = storage::migration_checksum("SELECT 2;");

  CHECK(storage::migration_mismatch({{1, "0001_a.sql", c1}, {2, "0002_b.sql", c2}}, embedded)
            .empty());

  auto pending = storage::migration_mismatch({{1, "0001_a.sql", c1}}, embedded);
  CHECK(pending.find("0002_b.sql is not applied") != std::string::npos);
  CHECK(storage::history_conflict({{1, "0001_a.sql", c1}}, embedded).empty());

  auto changed = storage::migration_mismatch({{1, "0001_a.sql", "deadbeef"}}, embedded);
  CHECK(changed.find("0001_a.sql") != std::string::npos);
  CHECK(changed.find("checksum") != std::string::npos);

  auto unknown = storage::history_conflict(
      {{1, "0001_a.sql", c1}, {2, "0002_b.sql", c2}, {3, "0003_c.sql", "x"}}, embedded);
  CHECK(unknown.find("0003_c.sql") != std::string::npos);

  CHECK(storage::migration_mismatch({}, {}).empty());
}

TEST_CASE("with_database points a URL or DSN at another database") {
  using test::with_database;
  CHECK(with_database("postgresql://postgres@127.0.0.1:5432/postgres", "t1") ==
        "postgresql://postgres@127.0.0.1:5432/t1");
  CHECK(with_database("postgresql://u:p@h:1/postgres?sslmode=disable", "t1") ==
        "postgresql://u:p@h:1/t1?sslmode=disable");
  CHECK(with_database("postgresql://u@h:1", "t1") == "postgresql://u@h:1/t1");
  CHECK(with_database("postgresql://u@h:1?x=y", "t1") == "postgresql://u@h:1/t1?x=y");
  CHECK(with_database("host=/tmp port=5 dbname=postgres", "t1") ==
        "host=/tmp port=5 dbname=postgres dbname=t1");
}
