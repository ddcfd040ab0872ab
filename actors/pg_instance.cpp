#include "actors/pg_instance.hpp"

#include "config/log.hpp"
#include "storage/embedded_pg.hpp"

#include <signal.h>

#include <algorithm>
#include <stdexcept>

namespace nexus {

namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

// How often readiness is re-read while waiting; the wait itself returns at
// once if the postmaster exits.
constexpr milliseconds ready_poll{50};

milliseconds left_until(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
  return std::max(left, milliseconds(0));
}

} // namespace

pg_instance::pg_instance(pg_runner runner, child_process postmaster)
    : runner_(std::move(runner)), postmaster_(std::move(postmaster)) {}

pg_instance::~pg_instance() { stop(); }

void pg_instance::stop() {
  if (postmaster_.running())
    runner_.stop(postmaster_);
  runner_.release();
}

std::unique_ptr<pg_instance> pg_instance::start(const config::node_config& cfg) {
  pg_runner runner(cfg);
  runner.prepare();
  auto deadline = clock_type::now() + runner.start_timeout();
  if (runner.needs_initdb()) {
    log::info("embedded_pg") << "creating the database cluster in " << runner.paths().data_dir;
    auto initdb = runner.spawn_initdb();
    auto st = initdb.wait_for(left_until(deadline));
    if (!st) {
      initdb.terminate({SIGTERM}, runner.stop_timeout());
      throw std::runtime_error(runner.failure("initdb did not finish within pg_start_timeout_ms"));
    }
    if (!st->clean())
      throw std::runtime_error(runner.failure("initdb failed (" + st->describe() + ")"));
  }
  auto pm = runner.spawn_postgres();
  while (!runner.ready(pm)) {
    if (auto st = pm.wait_for(std::min(ready_poll, left_until(deadline))))
      throw std::runtime_error(
          runner.failure("postgres exited while starting (" + st->describe() + ")"));
    if (clock_type::now() >= deadline) {
      runner.stop(pm);
      throw std::runtime_error(runner.failure("postgres was not ready within pg_start_timeout_ms"));
    }
  }
  try {
    runner.ensure_database();
  } catch (...) {
    runner.stop(pm);
    throw;
  }
  log::info("embedded_pg") << "PostgreSQL ready (pid " << pm.pid() << ") in "
                           << runner.paths().data_dir;
  return std::unique_ptr<pg_instance>(new pg_instance(std::move(runner), std::move(pm)));
}

pg_attachment attach_or_start(const config::node_config& cfg) {
  if (!cfg.embedded_database())
    return {cfg.database_url, nullptr};
  if (auto dsn = storage::embedded_pg::running_dsn(cfg.home))
    return {*dsn, nullptr};
  auto owned = pg_instance::start(cfg);
  auto dsn = owned->dsn();
  return {dsn, std::move(owned)};
}

} // namespace nexus
