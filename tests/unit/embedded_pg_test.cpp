// The pure parts of the embedded PostgreSQL: layout, DSN, postmaster.pid,
// version order, bin dir choice, argument lists. No server needed.
#include "storage/embedded_pg.hpp"
#include "tests/support/child.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace epg = nexus::storage::embedded_pg;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "#!/bin/sh\n";
}

void install_fake(const fs::path& root, const std::string& version, bool with_initdb = true) {
  touch(root / version / "bin" / "postgres");
  if (with_initdb)
    touch(root / version / "bin" / "initdb");
}

} // namespace

TEST_CASE("layout and DSN of the embedded server") {
  auto l = epg::layout_for("/var/lib/nexus/");
  CHECK(l.home == "/var/lib/nexus");
  CHECK(l.pg_dir == "/var/lib/nexus/pg");
  CHECK(l.data_dir == "/var/lib/nexus/pg/data");
  CHECK(l.run_dir == "/var/lib/nexus/pg/run");
  CHECK(l.log_file == "/var/lib/nexus/pg/postgres.log");
  CHECK(epg::socket_path(l) == "/var/lib/nexus/pg/run/.s.PGSQL.5432");
  CHECK(epg::dsn(l) == "host=/var/lib/nexus/pg/run port=5432 dbname=nexus user=nexus");
  CHECK(epg::dsn(l, "postgres") == "host=/var/lib/nexus/pg/run port=5432 dbname=postgres user=nexus");

  auto spaced = epg::layout_for("/home/a b/it's");
  CHECK(epg::dsn(spaced) ==
        "host='/home/a b/it\\'s/pg/run' port=5432 dbname=nexus user=nexus");
  CHECK(epg::quote_dsn_value("") == "''");
  CHECK(epg::quote_dsn_value("plain") == "plain");
  CHECK(epg::quote_dsn_value("a\\b") == "'a\\\\b'");
}

TEST_CASE("a home too long for a unix socket path is refused with a clear message") {
  CHECK_NOTHROW(epg::check_socket_path(epg::layout_for("/root/.nexus")));
  auto l = epg::layout_for("/" + std::string(100, 'h'));
  CHECK_THROWS_WITH_AS(epg::check_socket_path(l),
                       doctest::Contains("longer than the 107 a unix socket allows"),
                       std::runtime_error);
}

TEST_CASE("postmaster.pid parsing") {
  // As PostgreSQL 15 writes it: pid, data dir, start time, port, socket dir,
  // listen address, shmem key, status padded to 8 characters.
  const std::string ready = "4242\n/h/pg/data\n1700000000\n5432\n/h/pg/run\n\n"
                            "  5432001     32768\nready   \n";
  auto p = epg::parse_postmaster_pid(ready);
  REQUIRE(p);
  CHECK(p->pid == 4242);
  CHECK(p->data_dir == "/h/pg/data");
  CHECK(p->start_time == 1700000000);
  CHECK(p->port == 5432);
  CHECK(p->socket_dir == "/h/pg/run");
  CHECK(p->listen_address.empty());
  CHECK(p->status == "ready");
  CHECK(p->ready());

  auto starting = epg::parse_postmaster_pid("4242\n/d\n1\n5432\n/r\n\n  1  2\nstarting\n");
  REQUIRE(starting);
  CHECK_FALSE(starting->ready());

  // Before the status line is written (or while the file is rewritten).
  auto partial = epg::parse_postmaster_pid("4242\n/d\n1\n5432\n");
  REQUIRE(partial);
  CHECK(partial->status.empty());
  CHECK_FALSE(partial->ready());

  // A single-user backend writes its pid negated: never "ready" for us.
  auto single = epg::parse_postmaster_pid("-77\n/d\n1\n5432\n/r\n\n k\nready   \n");
  REQUIRE(single);
  CHECK_FALSE(single->ready());

  CHECK_FALSE(epg::parse_postmaster_pid(""));
  CHECK_FALSE(epg::parse_postmaster_pid("\n/d\n"));
  CHECK_FALSE(epg::parse_postmaster_pid("12ab\n"));
  CHECK_FALSE(epg::parse_postmaster_pid("0\n"));
}

TEST_CASE("PostgreSQL versions order numerically") {
  CHECK(epg::version_less("9.6", "10"));
  CHECK(epg::version_less("10", "15"));
  CHECK(epg::version_less("15", "16"));
  CHECK_FALSE(epg::version_less("16", "9.6"));
  CHECK_FALSE(epg::version_less("15", "15"));
  CHECK(epg::version_less("notaversion", "9.6"));
}

TEST_CASE("bin dir choice: newest complete install, the data dir's major, or the configured one") {
  nexus::test::temp_dir tmp;
  fs::path root = tmp.path();
  std::string r = root.string();

  CHECK_THROWS_WITH_AS(epg::find_bin_dir("", "", r), doctest::Contains("no PostgreSQL server found"),
                       std::runtime_error);

  install_fake(root, "9.6");
  install_fake(root, "13");
  install_fake(root, "15");
  install_fake(root, "16", /*with_initdb=*/false); // server package half installed
  fs::create_directories(root / "17");              // no bin at all

  CHECK(epg::find_bin_dir("", "", r) == r + "/15/bin");
  CHECK(epg::find_bin_dir("", "13", r) == r + "/13/bin");
  CHECK(epg::find_bin_dir("", "9.6", r) == r + "/9.6/bin");
  CHECK_THROWS_WITH_AS(epg::find_bin_dir("", "14", r),
                       doctest::Contains("made by PostgreSQL 14"), std::runtime_error);

  CHECK(epg::find_bin_dir(r + "/13/bin", "15", r) == r + "/13/bin"); // configured wins
  CHECK_THROWS_WITH_AS(epg::find_bin_dir(r + "/16/bin", "", r),
                       doctest::Contains("has no postgres and initdb"), std::runtime_error);
}

TEST_CASE("data_version reads PG_VERSION; no file means initdb is needed") {
  nexus::test::temp_dir tmp;
  auto l = epg::layout_for(tmp.path());
  CHECK(epg::data_version(l).empty());
  fs::create_directories(l.data_dir);
  std::ofstream(l.data_dir + "/PG_VERSION") << "15\n";
  CHECK(epg::data_version(l) == "15");
}

TEST_CASE("initdb and postgres argument lists") {
  auto l = epg::layout_for("/h");
  auto init = epg::initdb_args(l, "C.UTF-8");
  CHECK(init == std::vector<std::string>{"-D", "/h/pg/data", "-U", "nexus", "-A", "trust", "-E",
                                         "UTF8", "--locale=C.UTF-8", "--no-sync"});
  auto pg = epg::postgres_args(l);
  CHECK(pg == std::vector<std::string>{"-D", "/h/pg/data", "-k", "/h/pg/run", "-c",
                                       "listen_addresses=", "-p", "5432", "-c",
                                       "unix_socket_permissions=0700"});
  auto loc = epg::initdb_locale();
  CHECK((loc == "C.UTF-8" || loc == "C"));
}

TEST_CASE("ancestors lists every directory to search, root first") {
  CHECK(epg::ancestors("/") == std::vector<std::string>{"/"});
  CHECK(epg::ancestors("/a/b/") == std::vector<std::string>{"/", "/a", "/a/b"});
  CHECK(epg::ancestors("//a/./b") == std::vector<std::string>{"/", "/a", "/a/b"});
  CHECK_THROWS_AS(epg::ancestors("relative/x"), std::runtime_error);
}

TEST_CASE("log_tail returns the last lines") {
  nexus::test::temp_dir tmp;
  auto path = tmp.path() + "/log";
  CHECK(epg::log_tail(path, 3).empty());
  std::ofstream(path) << "one\ntwo\nthree\nfour\n";
  CHECK(epg::log_tail(path, 2) == "three\nfour");
  CHECK(epg::log_tail(path, 10) == "one\ntwo\nthree\nfour");
}

TEST_CASE("prepare_directories makes a private layout for the current user") {
  nexus::test::temp_dir tmp;
  auto l = epg::layout_for(tmp.path() + "/deep/home");
  epg::prepare_directories(l, nullptr);
  struct stat st {};
  REQUIRE(stat(l.run_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(stat(l.home.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(stat(l.log_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(epg::running_dsn(l.home)); // nothing runs there
}

TEST_CASE("owner_lock: one holder per home, released on destruction") {
  nexus::test::temp_dir tmp;
  auto l = epg::layout_for(tmp.path());
  epg::prepare_directories(l, nullptr);
  {
    auto first = epg::owner_lock::acquire(l);
    CHECK(first.held());
    // flock conflicts between two opens even within one process.
    auto expected = "is run by another process (pid " + std::to_string(getpid()) + ":";
    CHECK_THROWS_WITH_AS(epg::owner_lock::acquire(l), doctest::Contains(expected.c_str()),
                         std::runtime_error);
    auto moved = std::move(first);
    CHECK_FALSE(first.held());
    CHECK(moved.held());
  }
  auto again = epg::owner_lock::acquire(l);
  CHECK(again.held());
  again.release();
  CHECK_FALSE(again.held());
  CHECK_NOTHROW(epg::owner_lock::acquire(l));
}
