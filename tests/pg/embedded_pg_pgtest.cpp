// The embedded PostgreSQL lifecycle, for real: the supervisor starts a fresh
// cluster in a temp home, restarts it after kill -9 of the postmaster (node
// not ready meanwhile), stops it cleanly (no process of its data dir left),
// and a second start reuses the data. The blocking pg_instance used by admin
// subcommands is exercised on the same home.
//
// Needs no shared test server (NEXUS_TEST_PG_URL is not used): it runs its
// own PostgreSQL from the system's binaries on a private unix socket. As
// root, PostgreSQL runs as pg_user (postgres) and the temp home is made
// traversable for it, which exercises the ACL path too.
#include "actors/child_process.hpp"
#include "actors/pg_instance.hpp"
#include "actors/pg_runner.hpp"
#include "actors/pg_supervisor.hpp"
#include "actors/status.hpp"
#include "config/node_config.hpp"
#include "storage/embedded_pg.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/child.hpp"
#include "tests/support/wait.hpp"
#include "transport/health.hpp"
#include "transport/metrics.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <string>

using namespace std::chrono_literals;
namespace epg = nexus::storage::embedded_pg;
using nexus::storage::pg_connection;

namespace {

const nexus::storage::statement create_table{
    "t_create", "CREATE TABLE IF NOT EXISTS lifecycle (id int PRIMARY KEY, note text)"};
const nexus::storage::statement insert_row{
    "t_insert", "INSERT INTO lifecycle (id, note) VALUES ($1, $2)"}; // $1 id, $2 note
const nexus::storage::statement select_note{
    "t_select", "SELECT note FROM lifecycle WHERE id = $1"}; // $1 id

constexpr int64_t connect_timeout_ms = 10000;

nexus::config::node_config test_config(const std::string& home) {
  auto cfg = nexus::config::load({}, {{"HOME", "/tmp"}}).config;
  cfg.home = home;
  cfg.pg_start_timeout_ms = 60000;
  cfg.pg_stop_timeout_ms = 5000;
  // Long enough that the not-ready window after a kill is easy to observe.
  cfg.pg_restart_min_ms = 500;
  cfg.pg_restart_max_ms = 4000;
  return cfg;
}

std::optional<std::string> read_note(const std::string& dsn) {
  auto conn = pg_connection::connect(dsn, connect_timeout_ms);
  auto rows = conn.exec(select_note, {std::string("1")});
  if (rows.rows.empty())
    return std::nullopt;
  return rows.at(0, "note");
}

struct supervisor_fixture {
  explicit supervisor_fixture(const nexus::config::node_config& cfg)
      : metrics(registry), sys(sys_cfg), self(sys) {
    sup = nexus::spawn_pg_supervisor(sys, cfg, health, metrics);
  }
  ~supervisor_fixture() { self->send_exit(sup, caf::exit_reason::user_shutdown); }

  std::string start() {
    std::string dsn;
    self->request(sup, 120s, nexus::pg_start_atom::value)
        .receive([&](const std::string& d) { dsn = d; },
                 [&](const caf::error& e) { FAIL("pg_start failed: " << sys.render(e)); });
    return dsn;
  }

  void stop() {
    bool stopped = false;
    // The reply is empty: in CAF 0.17 only a handler without arguments
    // matches it (a caf::unit_t parameter gets unexpected_response).
    self->request(sup, 60s, nexus::pg_stop_atom::value)
        .receive([&]() { stopped = true; },
                 [&](const caf::error& e) { FAIL("pg_stop failed: " << sys.render(e)); });
    CHECK(stopped);
  }

  nexus::actor_status status() {
    nexus::actor_status s;
    self->request(sup, 10s, nexus::status_atom::value)
        .receive([&](const nexus::actor_status& st) { s = st; },
                 [&](const caf::error& e) { FAIL("status failed: " << sys.render(e)); });
    return s;
  }

  nexus::metrics::registry registry;
  nexus::metrics::node_metrics metrics;
  nexus::node_health health;
  caf::actor_system_config sys_cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  caf::actor sup;
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void require_no_process_left(const std::string& data_dir) {
  auto left = epg::processes_in_data_dir(data_dir);
  CHECK_MESSAGE(left.empty(), left.size() << " process(es) still use " << data_dir
                                          << ", first pid " << (left.empty() ? 0 : left[0]));
}

} // namespace

TEST_CASE("embedded PostgreSQL: start, restart after kill -9, clean stop, data reused") {
  nexus::test::temp_dir tmp;
  auto cfg = test_config(tmp.path() + "/home");
  auto paths = epg::layout_for(cfg.home);

  // --- first start: initdb, database created, node ready ---
  {
    supervisor_fixture f(cfg);
    CHECK_FALSE(f.health.db_up);
    auto dsn = f.start();
    CHECK(dsn == epg::dsn(paths));
    CHECK(f.health.db_up);
    CHECK_FALSE(f.health.db_restarting);
    CHECK(epg::data_version(paths) == std::to_string(
                                          pg_connection::connect(dsn, connect_timeout_ms)
                                                  .server_version() /
                                          10000));
    struct stat st {};
    REQUIRE(stat(paths.run_dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    {
      auto conn = pg_connection::connect(dsn, connect_timeout_ms);
      conn.exec(create_table);
      conn.exec(insert_row, {std::string("1"), std::string("survives")});
    }
    CHECK(epg::running_dsn(cfg.home) == dsn);

    auto before = f.status();
    CHECK(before.kind == "pg_supervisor");
    CHECK(before.figures["up"] == 1);
    CHECK(before.figures["restarts"] == 0);
    auto old_pid = static_cast<pid_t>(before.figures["pid"]);
    REQUIRE(old_pid > 0);
    CHECK(epg::is_postgres_of(old_pid, paths.data_dir));

    // --- kill -9 of the postmaster: not ready, then restarted ---
    REQUIRE(kill(old_pid, SIGKILL) == 0);
    REQUIRE(nexus::test::wait_until([&] { return f.health.db_restarting.load(); }, 10s));
    CHECK_FALSE(f.health.db_up);
    CHECK(f.health.not_ready_reason() == "db_restarting");
    REQUIRE(nexus::test::wait_until(
        [&] { return !f.health.db_restarting.load() && f.health.db_up.load(); }, 90s));
    auto after = f.status();
    CHECK(after.figures["up"] == 1);
    CHECK(after.figures["restarts"] >= 1);
    auto new_pid = static_cast<pid_t>(after.figures["pid"]);
    CHECK(new_pid > 0);
    CHECK(new_pid != old_pid);
    CHECK_FALSE(nexus::storage::process_exists(old_pid));
    CHECK(f.registry.get_counter("nexus_embedded_pg_restarts_total", "").value() ==
          static_cast<uint64_t>(after.figures["restarts"]));
    CHECK(read_note(dsn) == std::optional<std::string>("survives"));
    CHECK(f.start() == dsn); // a start while running answers at once

    // --- clean stop: postmaster reaped, nothing of the data dir left ---
    f.stop();
    CHECK(f.status().figures["pid"] == 0);
    CHECK(f.status().figures["up"] == 0);
    CHECK_FALSE(f.health.db_up);
    CHECK_FALSE(nexus::storage::process_exists(new_pid));
    require_no_process_left(paths.data_dir);
    CHECK_FALSE(epg::running_dsn(cfg.home));
  }

  // --- admin subcommands: a temporary instance on the same data ---
  {
    auto db = nexus::attach_or_start(cfg);
    REQUIRE(db.owned);
    CHECK(db.dsn == epg::dsn(paths));
    CHECK(read_note(db.dsn) == std::optional<std::string>("survives"));
    auto attached = nexus::attach_or_start(cfg); // while it runs: attach, don't start
    CHECK_FALSE(attached.owned);
    CHECK(attached.dsn == db.dsn);
    auto pid = db.owned->pid();
    db.owned.reset();
    CHECK_FALSE(nexus::storage::process_exists(pid));
    require_no_process_left(paths.data_dir);
  }

  // --- second supervised start reuses the data (no new initdb) ---
  {
    struct stat before {};
    REQUIRE(stat((paths.data_dir + "/PG_VERSION").c_str(), &before) == 0);
    supervisor_fixture f(cfg);
    auto dsn = f.start();
    CHECK(read_note(dsn) == std::optional<std::string>("survives"));
    struct stat after {};
    REQUIRE(stat((paths.data_dir + "/PG_VERSION").c_str(), &after) == 0);
    CHECK(before.st_ino == after.st_ino);
    CHECK(f.status().figures["restarts"] == 0);
    f.stop();
    require_no_process_left(paths.data_dir);
  }
}

TEST_CASE("the supervisor exiting without pg_stop still stops PostgreSQL") {
  nexus::test::temp_dir tmp;
  auto cfg = test_config(tmp.path() + "/home");
  auto paths = epg::layout_for(cfg.home);
  pid_t pid = 0;
  {
    supervisor_fixture f(cfg);
    f.start();
    pid = static_cast<pid_t>(f.status().figures["pid"]);
    REQUIRE(pid > 0);
  } // exit message, then ~actor_system waits for the supervisor's cleanup
  CHECK_FALSE(nexus::storage::process_exists(pid));
  require_no_process_left(paths.data_dir);
}

TEST_CASE("a start that cannot work fails with the reason instead of hanging") {
  nexus::test::temp_dir tmp;
  auto cfg = test_config(tmp.path() + "/home");
  cfg.pg_bin_dir = tmp.path() + "/no-such-bin";
  supervisor_fixture f(cfg);
  std::string error;
  f.self->request(f.sup, 30s, nexus::pg_start_atom::value)
      .receive([&](const std::string&) { error = "started?"; },
               [&](const caf::error& e) { error = f.sys.render(e); });
  CHECK(error.find("has no postgres and initdb") != std::string::npos);
  CHECK_FALSE(f.health.db_up);
}

TEST_CASE("a postmaster left running by a dead owner is stopped before starting ours") {
  nexus::test::temp_dir tmp;
  auto cfg = test_config(tmp.path() + "/home");
  auto paths = epg::layout_for(cfg.home);
  {
    supervisor_fixture f(cfg); // makes the cluster
    f.start();
    f.stop();
  }
  // A postmaster nobody here supervises: started through a shell that exits
  // at once, so it is nobody's child and holds no owner lock — as after a
  // nexusd crash that its parent-death signal did not cover.
  nexus::pg_runner runner(cfg);
  std::string cmd = shell_quote(runner.bin_dir() + "/postgres");
  for (const auto& a : epg::postgres_args(paths))
    cmd += " " + shell_quote(a);
  nexus::process_spec spec;
  spec.program = "/bin/sh";
  spec.args = {"-c", cmd + " &"};
  spec.log_file = paths.log_file;
  spec.user = runner.run_as();
  auto sh = nexus::child_process::spawn(spec);
  REQUIRE(sh.wait_for(10s));
  REQUIRE(nexus::test::wait_until([&] { return epg::running_dsn(cfg.home).has_value(); }, 60s));
  auto stale = epg::read_postmaster_pid(paths);
  REQUIRE(stale);
  auto stale_pid = static_cast<pid_t>(stale->pid);

  supervisor_fixture f(cfg);
  auto dsn = f.start();
  auto pid = static_cast<pid_t>(f.status().figures["pid"]);
  CHECK(pid != stale_pid);
  CHECK_FALSE(epg::is_postgres_of(stale_pid, paths.data_dir));
  CHECK(pg_connection::connect(dsn, connect_timeout_ms).ok());
  f.stop();
  require_no_process_left(paths.data_dir);
}

TEST_CASE("a second owner of a home is refused and leaves the running server alone") {
  nexus::test::temp_dir tmp;
  auto cfg = test_config(tmp.path() + "/home");
  supervisor_fixture first(cfg);
  auto dsn = first.start();
  auto pid = first.status().figures["pid"];
  {
    supervisor_fixture second(cfg);
    std::string error;
    second.self->request(second.sup, 60s, nexus::pg_start_atom::value)
        .receive([&](const std::string&) { error = "started a second server"; },
                 [&](const caf::error& e) { error = second.sys.render(e); });
    CHECK(error.find("is run by another process") != std::string::npos);
    CHECK_FALSE(second.health.db_up);
  }
  auto now = first.status();
  CHECK(now.figures["pid"] == pid);
  CHECK(now.figures["up"] == 1);
  CHECK(now.figures["restarts"] == 0);
  auto attached = nexus::attach_or_start(cfg); // an admin command attaches
  CHECK_FALSE(attached.owned);
  CHECK(attached.dsn == dsn);
  first.stop();
}
