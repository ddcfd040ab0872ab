// storage_fixture: what a storage test needs — a migrated test database with
// a table kv(k text primary key, v text not null), an actor system with the
// storage error category, and node metrics. One per test case.
//
// Use from the test thread only.
#pragma once

#include "actors/storage_actor.hpp"
#include "tests/support/storage_calls.hpp"
#include "tests/support/test_db.hpp"
#include "transport/metrics.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <string>

namespace nexus::test {

struct storage_fixture {
  test_database db;
  config::node_config cfg = db.config();
  storage_system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  metrics::registry registry;
  metrics::node_metrics metrics{registry};

  storage_fixture();

  /// Spawns one storage actor on the test database (settings from cfg).
  caf::actor spawn(int64_t batch_max);
  caf::actor spawn(const storage_settings& s);
  storage_settings settings() const;

  /// Rows in kv, and whether key `k` is there (fresh connection each time).
  int64_t rows();
  bool has(const std::string& k);

  /// Sends storage_stop_atom and checks that the actor terminates in time.
  void stop(const caf::actor& a, std::chrono::milliseconds deadline = std::chrono::seconds(10));
};

} // namespace nexus::test
