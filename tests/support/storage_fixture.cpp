#include "tests/support/storage_fixture.hpp"

#include "actors/storage_messages.hpp"
#include "storage/migrations.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

namespace nexus::test {

namespace {
constexpr int64_t connect_timeout_ms = 10000;
const storage::statement count_kv{"test_fixture_count", "SELECT count(*) AS n FROM kv"};
const storage::statement has_key{"test_fixture_has", "SELECT count(*) AS n FROM kv WHERE k = $1"};
} // namespace

storage_fixture::storage_fixture() {
  auto c = storage::pg_connection::connect(db.url(), connect_timeout_ms);
  storage::apply_migrations(c);
  c.exec_script("CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL)");
}

storage_settings storage_fixture::settings() const {
  return storage_settings::from(cfg, db.url(), 0);
}

caf::actor storage_fixture::spawn(int64_t batch_max) {
  auto s = settings();
  s.batch_max = batch_max;
  return spawn(s);
}

caf::actor storage_fixture::spawn(const storage_settings& s) {
  return spawn_storage_actor(sys, s, metrics);
}

int64_t storage_fixture::rows() {
  auto c = storage::pg_connection::connect(db.url(), connect_timeout_ms);
  return std::stoll(c.exec(count_kv).at(0, "n").value());
}

bool storage_fixture::has(const std::string& k) {
  auto c = storage::pg_connection::connect(db.url(), connect_timeout_ms);
  return c.exec(has_key, {k}).at(0, "n") == std::optional<std::string>("1");
}

void storage_fixture::stop(const caf::actor& a, std::chrono::milliseconds deadline) {
  caf::scoped_actor self{sys};
  self->monitor(a);
  self->send(a, storage_stop_atom::value);
  bool down = false;
  self->receive([&](const caf::down_msg&) { down = true; }, caf::after(deadline) >> [] {});
  CHECK_MESSAGE(down, "storage actor did not stop in time");
}

} // namespace nexus::test
