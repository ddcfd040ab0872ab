// The readiness probe against a real PostgreSQL: db_up and
// migrations_applied follow what the storage actors can reach.
#include "actors/readiness_probe.hpp"
#include "actors/storage_pool.hpp"
#include "storage/migrations.hpp"
#include "tests/support/storage_calls.hpp"
#include "tests/support/test_db.hpp"
#include "tests/support/wait.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

using namespace nexus;
using namespace std::chrono_literals;

namespace {

struct probe_fixture {
  test::test_database db;
  config::node_config cfg = db.config();
  test::storage_system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  metrics::registry registry;
  metrics::node_metrics metrics{registry};
  node_health health;

  probe_fixture() {
    cfg.storage_pool_size = 2;
    cfg.health_check_interval_ms = 50;
    cfg.storage_reconnect_min_ms = 20;
    cfg.storage_reconnect_max_ms = 100;
  }

  void migrate() {
    auto c = storage::pg_connection::connect(db.url(), 10000);
    storage::apply_migrations(c);
  }

  /// Waits until the probe has published at least `n` more rounds.
  bool rounds_pass(const caf::actor& probe, int64_t n) {
    const auto start = test::status_of(sys, probe).figures.at("rounds");
    return test::wait_until(
        [&] { return test::status_of(sys, probe).figures.at("rounds") >= start + n; }, 10s);
  }

  void stop(const caf::actor& probe, storage_pool& pool) {
    caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
    CHECK(pool.shutdown(10s));
  }
};

} // namespace

TEST_CASE("a migrated, reachable database makes the node ready") {
  probe_fixture f;
  f.migrate();
  storage_pool pool(f.sys, f.cfg, f.db.url(), f.metrics);
  auto probe = spawn_readiness_probe(f.sys, f.cfg, pool.all(), f.health, f.metrics);
  CHECK(test::wait_until([&] { return f.health.db_up && f.health.migrations_applied; }, 10s));
  CHECK(f.metrics.db_up.value() == 1);
  CHECK(f.health.not_ready_reason() == "");
  f.stop(probe, pool);
}

TEST_CASE("a reachable database without the schema is up but not migrated") {
  probe_fixture f;
  storage_pool pool(f.sys, f.cfg, f.db.url(), f.metrics);
  auto probe = spawn_readiness_probe(f.sys, f.cfg, pool.all(), f.health, f.metrics);
  REQUIRE(test::wait_until([&] { return f.health.db_up.load(); }, 10s));
  REQUIRE(f.rounds_pass(probe, 2));
  CHECK_FALSE(f.health.migrations_applied);
  CHECK(f.health.not_ready_reason() == "migrations_pending");

  // Migrating later is noticed on a following round.
  f.migrate();
  CHECK(test::wait_until([&] { return f.health.migrations_applied.load(); }, 10s));
  f.stop(probe, pool);
}

TEST_CASE("an unreachable database is reported down") {
  probe_fixture f;
  f.health.db_up = true; // must be overwritten by the probe
  f.metrics.db_up.set(1);
  storage_pool pool(f.sys, f.cfg, "postgresql://nexus@127.0.0.1:1/nexus", f.metrics);
  auto probe = spawn_readiness_probe(f.sys, f.cfg, pool.all(), f.health, f.metrics);
  REQUIRE(f.rounds_pass(probe, 2));
  CHECK_FALSE(f.health.db_up);
  CHECK_FALSE(f.health.migrations_applied);
  CHECK(f.metrics.db_up.value() == 0);
  CHECK(f.health.not_ready_reason() == "db_down");
  f.stop(probe, pool);
}
