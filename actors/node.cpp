#include "actors/node.hpp"

#include "actors/hook_route.hpp"
#include "actors/identity_ops.hpp"
#include "actors/identity_router.hpp"
#include "actors/mesh_registry.hpp"
#include "actors/metrics_sampler.hpp"
#include "actors/presence_actor.hpp"
#include "actors/pg_supervisor.hpp"
#include "actors/readiness_probe.hpp"
#include "actors/scheduler.hpp"
#include "actors/storage_messages.hpp"
#include "actors/storage_pool.hpp"
#include "config/log.hpp"
#include "storage/broker_sql.hpp"
#include "storage/migrations.hpp"
#include "storage/node_key.hpp"
#include "storage/pg_connection.hpp"
#include "transport/gateway.hpp"
#include "transport/health.hpp"
#include "transport/metrics.hpp"
#include "transport/version.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <iostream>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace nexus::node {
namespace {

using std::chrono::milliseconds;

/// Blocks the stop signals in every thread (they inherit the mask), so that
/// only wait_for_stop() / interruptible_wait() ever receive them.
sigset_t block_stop_signals() {
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

/// Waits up to `d`; true if a stop signal arrived meanwhile.
bool interruptible_wait(const sigset_t& set, milliseconds d) {
  timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>(d.count() % 1000) * 1000000L};
  for (;;) {
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) {
      log::info("node") << "received " << strsignal(sig) << ", stopping";
      return true;
    }
    if (errno != EINTR)
      return false; // EAGAIN: the time is up
  }
}

bool ensure_home(const std::string& home) {
  std::string partial;
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = home.find('/', pos + 1);
    partial = home.substr(0, pos);
    if (mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      log::error("node") << "cannot create home " << home << ": " << std::strerror(errno);
      return false;
    }
  }
  struct stat st {};
  if (stat(home.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    log::error("node") << "home " << home << " is not a directory";
    return false;
  }
  return true;
}

/// Ends the process if a clean stop takes longer than allowed. Embedded
/// PostgreSQL has a parent-death signal and stops by itself.
class shutdown_watchdog {
public:
  explicit shutdown_watchdog(milliseconds limit)
      : thread_([this, limit] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            log::error("node") << "clean stop exceeded shutdown_timeout_ms=" << limit.count()
                               << ", exiting now";
            _exit(1);
          }
        }) {}
  ~shutdown_watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

enum class migrate_outcome { applied, stop_requested, failed };

/// Applies migrations, retrying while the database cannot be reached. A
/// migration that fails on a reachable database is fatal.
migrate_outcome migrate(const config::node_config& cfg, const std::string& dsn,
                        const sigset_t& stop_set) {
  milliseconds backoff{cfg.storage_reconnect_min_ms};
  for (;;) {
    try {
      auto conn = storage::pg_connection::connect(dsn, cfg.db_connect_timeout_ms);
      storage::apply_migrations(conn);
      return migrate_outcome::applied;
    } catch (const storage::storage_error& e) {
      if (e.code() != storage::storage_errc::connect_failed &&
          e.code() != storage::storage_errc::connection_lost) {
        log::error("node") << "migrations failed: " << e.what();
        return migrate_outcome::failed;
      }
      log::warn("node") << "database not reachable for migrations (" << e.what() << "), retrying in "
                        << backoff.count() << " ms";
    } catch (const std::exception& e) {
      log::error("node") << "migrations failed: " << e.what();
      return migrate_outcome::failed;
    }
    if (interruptible_wait(stop_set, backoff))
      return migrate_outcome::stop_requested;
    backoff = std::min(backoff * 2, milliseconds{cfg.storage_reconnect_max_ms});
  }
}

/// Deviation 34: presences a crash left "connected" are closed at start-up.
void reset_presences(caf::scoped_actor& self, const storage_pool& pool,
                     const config::node_config& cfg) {
  self->request(pool.route("presences"), milliseconds{cfg.storage_request_timeout_ms},
                db_request{{db_call{&storage::broker_sql::reset_presences, {}}}})
      .receive(
          [](db_reply& r) {
            auto n = r.results.at(0).at(0, "reset").value_or("0");
            if (n != "0")
              log::info("node") << "marked " << n << " presences left connected by a crash as disconnected";
          },
          [](caf::error& err) { log::warn("node") << "presence reset failed: " << to_string(err); });
}

/// The node data key (storage/node_key.hpp), created on first start. Without
/// it the node still routes messages; mesh creation and invite claims answer
/// 503 and say why in the log.
std::shared_ptr<const storage::node_key> load_node_key(const config::node_config& cfg) {
  try {
    return std::make_shared<const storage::node_key>(storage::node_key::load_or_create(cfg.home));
  } catch (const storage::node_key_error& e) {
    log::error("node") << e.what() << " (mesh creation and invite claims are unavailable)";
    return nullptr;
  }
}

void print_urls(const config::node_config& cfg, uint16_t port) {
  std::string host = cfg.listen.host;
  if (host == "0.0.0.0")
    host = "127.0.0.1";
  if (host.find(':') != std::string::npos)
    host = host == "::" ? "[::1]" : "[" + host + "]";
  std::string base = host + ":" + std::to_string(port);
  std::cout << "nexusd: WebSocket ws://" << base << "/ws\n"
            << "nexusd: health    http://" << base
            << "/health  (readiness: /health/ready, metrics: /metrics)" << std::endl;
}

} // namespace

const char* version() { return nexus::version; }

int run(const config::node_config& cfg) {
  sigset_t stop_set = block_stop_signals();
  if (!ensure_home(cfg.home))
    return 1;
  log::info("node") << "nexusd " << version() << " starting; home " << cfg.home << ", database "
                    << (cfg.embedded_database() ? std::string("embedded")
                                                : config::redact_dsn(cfg.database_url));

  metrics::registry registry;
  metrics::node_metrics node_metrics(registry);
  node_health health;
  health.starting = true;

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", static_cast<size_t>(cfg.actor_threads));
  // An idle worker first polls its queue 50 us apart (CAF's default: 500
  // times) and only then blocks on a condition variable that an enqueue
  // signals. On a small machine shared with PostgreSQL those sleeps and
  // wake-ups cost more CPU than the actors' work (bench/RESULTS.md round 3).
  caf_cfg.set("work-stealing.moderate-poll-attempts", static_cast<size_t>(cfg.actor_idle_polls_max));
  register_storage_errors(caf_cfg);
  caf::actor_system sys{caf_cfg};
  caf::scoped_actor self{sys};

  auto shared_cfg = std::make_shared<const config::node_config>(cfg);
  auto meshes = spawn_mesh_registry(sys, cfg, node_metrics);
  auto scheduler = spawn_scheduler(sys, cfg, meshes, node_metrics);
  transport::gateway gateway(cfg, node_metrics, health,
                             make_presence_factory(sys, shared_cfg, meshes, scheduler, node_metrics));
  auto hooks = spawn_hook_router(sys, cfg, meshes, node_metrics);
  auto identity = spawn_identity_router(sys, cfg, load_node_key(cfg), node_metrics);
  sys.registry().put(identity_router_atom::value, caf::actor_cast<caf::strong_actor_ptr>(identity));
  auto sampler = spawn_metrics_sampler(sys, cfg, node_metrics);
  gateway.add_route("POST", "/hook/set-status", transport::route_match::exact,
                    make_hook_handler(cfg, hooks));
  // Identity and membership (docs/identity.md).
  gateway.add_route("POST", "/api/meshes", transport::route_match::exact,
                    make_mesh_create_handler(cfg, identity));
  gateway.add_route("GET", "/invites/", transport::route_match::prefix,
                    make_invite_preview_handler(identity));
  gateway.add_route("POST", "/invites/", transport::route_match::prefix,
                    make_invite_claim_handler(cfg, identity));
  // Every actor spawned here is stopped below, or ~actor_system would wait.
  auto stop_actors = [&] {
    self->send_exit(hooks, caf::exit_reason::user_shutdown);
    sys.registry().erase(identity_router_atom::value);
    self->send_exit(identity, caf::exit_reason::user_shutdown);
    self->send_exit(sampler, caf::exit_reason::user_shutdown);
    self->send_exit(meshes, caf::exit_reason::user_shutdown);
    self->send_exit(scheduler, caf::exit_reason::user_shutdown);
  };
  uint16_t port = 0;
  try {
    port = gateway.start();
  } catch (const std::exception& e) {
    log::error("node") << e.what();
    stop_actors();
    return 1;
  }
  print_urls(cfg, port);

  int exit_code = 0;
  bool stop_requested = false;
  caf::actor pg_supervisor;
  std::string dsn = cfg.database_url;
  if (cfg.embedded_database()) {
    pg_supervisor = spawn_pg_supervisor(sys, cfg, health, node_metrics);
    self->request(pg_supervisor, caf::infinite, pg_start_atom::value)
        .receive([&](const std::string& embedded_dsn) { dsn = embedded_dsn; },
                 [&](const caf::error& err) {
                   log::error("node") << "embedded PostgreSQL did not start: "
                                      << sys.render(err);
                   exit_code = 1;
                 });
  }

  std::optional<storage_pool> pool;
  caf::actor probe;
  if (exit_code == 0) {
    pool.emplace(sys, cfg, dsn, node_metrics);
    probe = spawn_readiness_probe(sys, cfg, *pool, health, node_metrics);
    switch (migrate(cfg, dsn, stop_set)) {
      case migrate_outcome::applied:
        log::info("node") << "migrations applied";
        reset_presences(self, *pool, cfg);
        self->send(meshes, storage_ready_atom::value, pool->all());
        self->send(hooks, storage_ready_atom::value, pool->all());
        self->send(identity, storage_ready_atom::value, pool->all());
        self->send(sampler, storage_ready_atom::value, pool->all());
        self->send(scheduler, storage_ready_atom::value, pool->all());
        health.starting = false; // after storage_ready is in every mailbox
        self->send(probe, probe_now_atom::value);
        break;
      case migrate_outcome::stop_requested:
        stop_requested = true;
        break;
      case migrate_outcome::failed:
        exit_code = 1;
        break;
    }
  }

  if (exit_code == 0 && !stop_requested) {
    while (!interruptible_wait(stop_set, milliseconds{3600 * 1000})) {
    }
  }

  // --- clean stop ---
  shutdown_watchdog watchdog{milliseconds{cfg.shutdown_timeout_ms}};
  health.shutting_down = true;
  auto share = milliseconds{cfg.shutdown_timeout_ms / 4};
  gateway.stop(share); // no hook request arrives after this
  stop_actors();
  if (probe)
    self->send_exit(probe, caf::exit_reason::user_shutdown);
  if (pool)
    pool->shutdown(share);
  if (pg_supervisor) {
    self->request(pg_supervisor, milliseconds{cfg.pg_stop_timeout_ms * 3}, pg_stop_atom::value)
        .receive([]() {},
                 [&](const caf::error& err) {
                   log::error("node") << "embedded PostgreSQL did not stop cleanly: "
                                      << sys.render(err);
                   exit_code = 1;
                 });
    self->send_exit(pg_supervisor, caf::exit_reason::user_shutdown);
  }
  log::info("node") << "stopped";
  return exit_code;
}

} // namespace nexus::node
