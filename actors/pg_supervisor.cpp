#include "actors/pg_supervisor.hpp"

#include "actors/child_process.hpp"
#include "actors/pg_runner.hpp"
#include "config/log.hpp"
#include "storage/pg_connection.hpp"

#include <caf/all.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

namespace nexus {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

enum class phase { idle, initdb, starting, running, backoff, stopped };

struct pg_supervisor_state {
  static inline const char* name = "pg_supervisor";

  /// Empty when the embedded configuration is unusable (see config_error).
  std::optional<pg_runner> runner;
  std::string config_error;
  child_process initdb;
  child_process postmaster;
  phase ph = phase::idle;
  /// Reached ready since the last pg_start: a death now means restart
  /// instead of failing the start.
  bool supervising = false;
  clock_type::time_point attempt_deadline; ///< current initdb/start attempt gives up
  clock_type::time_point restart_at;       ///< in backoff: when to try again
  clock_type::time_point up_since;         ///< running: when it became ready
  milliseconds next_backoff{0};
  milliseconds backoff_min{0};
  milliseconds backoff_max{0};
  uint64_t restarts = 0;
  bool tick_pending = false; ///< one timer chain at a time

  struct waiting_start {
    caf::response_promise rp;
    clock_type::time_point deadline;
  };
  std::vector<waiting_start> waiting;

  node_health* health = nullptr;
  metrics::counter* restarts_total = nullptr;
  uint64_t handled = 0;
  int64_t last_activity_ms = 0;

  /// An exit (system shutdown, exit message) must not leave PostgreSQL
  /// running or a half-made cluster behind.
  ~pg_supervisor_state() {
    if (initdb.running() && runner)
      initdb.terminate({SIGTERM}, runner->stop_timeout());
    if (postmaster.running() && runner) {
      log::info("pg_supervisor") << "stopping PostgreSQL (pid " << postmaster.pid()
                                 << ") as the supervisor exits";
      runner->stop(postmaster);
    }
    if (health) {
      health->db_up = false;
      health->db_restarting = false;
    }
  }
};

using self_ptr = caf::stateful_actor<pg_supervisor_state>*;

void note_activity(self_ptr self) {
  ++self->state.handled;
  self->state.last_activity_ms = unix_now_ms();
}

bool active(phase p) {
  return p == phase::initdb || p == phase::starting || p == phase::running || p == phase::backoff;
}

void schedule_tick(self_ptr self) {
  auto& st = self->state;
  if (st.tick_pending || !active(st.ph))
    return;
  st.tick_pending = true;
  self->delayed_send(self, milliseconds(pg_poll_interval_ms), pg_tick_atom::value);
}

void deliver_error(self_ptr self, const std::string& why) {
  for (auto& w : self->state.waiting)
    w.rp.deliver(caf::make_error(caf::sec::runtime_error, why));
  self->state.waiting.clear();
}

// The first start failed: nothing to supervise; report it to the requesters.
void fail_start(self_ptr self, const std::string& why) {
  auto& st = self->state;
  log::error("pg_supervisor") << "embedded PostgreSQL did not start: " << why;
  if (st.postmaster.running())
    st.runner->stop(st.postmaster);
  st.runner->release();
  st.ph = phase::idle;
  st.health->db_up = false;
  deliver_error(self, why);
}

void become_ready(self_ptr self) {
  auto& st = self->state;
  st.ph = phase::running;
  st.supervising = true;
  st.up_since = clock_type::now();
  st.health->db_up = true;
  st.health->db_restarting = false;
  log::info("pg_supervisor") << "PostgreSQL ready (pid " << st.postmaster.pid() << ") in "
                             << st.runner->paths().data_dir;
  for (auto& w : st.waiting)
    w.rp.deliver(st.runner->dsn());
  st.waiting.clear();
}

// The postmaster died or an attempt failed after the server had been ready:
// mark the node not ready and try again after the backoff.
void schedule_restart(self_ptr self, const std::string& what) {
  auto& st = self->state;
  st.health->db_up = false;
  if (st.health->shutting_down) {
    log::info("pg_supervisor") << what << "; not restarting, the node is shutting down";
    st.ph = phase::stopped;
    st.runner->release();
    deliver_error(self, "the node is shutting down");
    return;
  }
  st.health->db_restarting = true;
  auto now = clock_type::now();
  // A server that stayed up a while earns a fresh, short backoff.
  if (st.ph == phase::running && now - st.up_since >= st.backoff_max)
    st.next_backoff = st.backoff_min;
  auto delay = st.next_backoff;
  st.next_backoff = std::min(st.next_backoff * 2, st.backoff_max);
  st.restart_at = now + delay;
  st.ph = phase::backoff;
  log::error("pg_supervisor") << what << "; restarting in " << delay.count() << " ms";
}

// `show_log`: PostgreSQL itself failed, so its log says why; errors of our
// own steps (directories, lock, exec) carry their reason already.
void attempt_failed(self_ptr self, const std::string& what, bool show_log = true) {
  if (self->state.supervising)
    schedule_restart(self, what);
  else
    fail_start(self, show_log ? self->state.runner->failure(what) : what);
}

void launch_postgres(self_ptr self) {
  auto& st = self->state;
  try {
    st.postmaster = st.runner->spawn_postgres();
    st.ph = phase::starting;
  } catch (const std::exception& e) {
    attempt_failed(self, std::string("cannot start postgres: ") + e.what(), false);
  }
}

// From idle/stopped (first start) or backoff (restart): one attempt.
void begin_attempt(self_ptr self) {
  auto& st = self->state;
  st.attempt_deadline = clock_type::now() + st.runner->start_timeout();
  try {
    st.runner->prepare();
    if (st.runner->needs_initdb()) {
      log::info("pg_supervisor") << "creating the database cluster in "
                                 << st.runner->paths().data_dir;
      st.initdb = st.runner->spawn_initdb();
      st.ph = phase::initdb;
      return;
    }
  } catch (const std::exception& e) {
    attempt_failed(self, e.what(), false);
    return;
  }
  launch_postgres(self);
}

void poll_initdb(self_ptr self) {
  auto& st = self->state;
  if (auto exit = st.initdb.poll()) {
    if (exit->clean())
      launch_postgres(self);
    else
      attempt_failed(self, "initdb failed (" + exit->describe() + ")");
  } else if (clock_type::now() >= st.attempt_deadline) {
    st.initdb.terminate({SIGTERM}, st.runner->stop_timeout());
    attempt_failed(self, "initdb did not finish within pg_start_timeout_ms");
  }
}

void poll_starting(self_ptr self) {
  auto& st = self->state;
  if (auto exit = st.postmaster.poll()) {
    attempt_failed(self, "postgres exited while starting (" + exit->describe() + ")");
    return;
  }
  bool timed_out = clock_type::now() >= st.attempt_deadline;
  if (st.runner->ready(st.postmaster)) {
    try {
      st.runner->ensure_database();
      become_ready(self);
      return;
    } catch (const storage::storage_error& e) {
      if (!timed_out)
        return; // ready a moment ago; try again on the next tick
      st.runner->stop(st.postmaster);
      attempt_failed(self, std::string("cannot create the node database: ") + e.what());
      return;
    }
  }
  if (timed_out) {
    st.runner->stop(st.postmaster);
    attempt_failed(self, "postgres was not ready within pg_start_timeout_ms");
  }
}

void on_tick(self_ptr self) {
  auto& st = self->state;
  st.tick_pending = false;
  auto now = clock_type::now();
  auto expired = std::partition(st.waiting.begin(), st.waiting.end(),
                                [&](const auto& w) { return w.deadline > now; });
  for (auto it = expired; it != st.waiting.end(); ++it)
    it->rp.deliver(caf::make_error(caf::sec::runtime_error,
                                   "embedded PostgreSQL not ready within pg_start_timeout_ms"));
  st.waiting.erase(expired, st.waiting.end());
  switch (st.ph) {
    case phase::initdb:
      poll_initdb(self);
      break;
    case phase::starting:
      poll_starting(self);
      break;
    case phase::running:
      if (auto exit = st.postmaster.poll())
        schedule_restart(self, "postgres exited unexpectedly (" + exit->describe() + ")");
      break;
    case phase::backoff:
      if (now >= st.restart_at) {
        ++st.restarts;
        st.restarts_total->inc();
        log::info("pg_supervisor") << "restarting PostgreSQL (restart " << st.restarts << ")";
        begin_attempt(self);
      }
      break;
    case phase::idle:
    case phase::stopped:
      break;
  }
  schedule_tick(self);
}

void stop(self_ptr self) {
  auto& st = self->state;
  st.ph = phase::stopped;
  st.supervising = false;
  if (st.initdb.running())
    st.initdb.terminate({SIGTERM}, st.runner->stop_timeout());
  if (st.postmaster.running()) {
    log::info("pg_supervisor") << "stopping PostgreSQL (pid " << st.postmaster.pid() << ")";
    auto exit = st.runner->stop(st.postmaster);
    log::info("pg_supervisor") << "PostgreSQL stopped (" << exit.describe() << ")";
  }
  st.runner->release();
  st.health->db_up = false;
  st.health->db_restarting = false;
  deliver_error(self, "the embedded PostgreSQL was stopped");
}

actor_status status(self_ptr self) {
  auto& st = self->state;
  actor_status s;
  s.kind = "pg_supervisor";
  s.id = "embedded";
  s.mailbox = self->mailbox().size();
  s.handled = st.handled;
  s.last_activity_ms = st.last_activity_ms;
  s.figures["pid"] = st.postmaster.pid();
  s.figures["restarts"] = static_cast<int64_t>(st.restarts);
  s.figures["up"] = st.ph == phase::running ? 1 : 0;
  return s;
}

caf::behavior pg_supervisor(self_ptr self, config::node_config cfg,
                                                 node_health* health,
                                                 metrics::counter* restarts_total) {
  auto& st = self->state;
  st.health = health;
  st.restarts_total = restarts_total;
  st.backoff_min = milliseconds(cfg.pg_restart_min_ms);
  st.backoff_max = milliseconds(std::max(cfg.pg_restart_max_ms, cfg.pg_restart_min_ms));
  st.next_backoff = st.backoff_min;
  try {
    st.runner.emplace(cfg);
  } catch (const std::exception& e) {
    st.config_error = e.what();
    log::error("pg_supervisor") << "embedded PostgreSQL unusable: " << st.config_error;
  }
  return {
      [=](pg_start_atom) -> caf::response_promise {
        note_activity(self);
        auto& st = self->state;
        auto rp = self->make_response_promise();
        if (!st.runner) {
          rp.deliver(caf::make_error(caf::sec::runtime_error, st.config_error));
          return rp;
        }
        if (st.ph == phase::running) {
          rp.deliver(st.runner->dsn());
          return rp;
        }
        st.waiting.push_back({rp, clock_type::now() + st.runner->start_timeout()});
        if (st.ph == phase::idle || st.ph == phase::stopped)
          begin_attempt(self);
        schedule_tick(self);
        return rp;
      },
      [=](pg_stop_atom) {
        note_activity(self);
        if (self->state.runner)
          stop(self);
      },
      [=](status_atom) -> actor_status {
        note_activity(self);
        return status(self);
      },
      [=](pg_tick_atom) { on_tick(self); },
  };
}

} // namespace

caf::actor spawn_pg_supervisor(caf::actor_system& sys, const config::node_config& cfg,
                               node_health& health, metrics::node_metrics& metrics) {
  auto& restarts_total = metrics.reg.get_counter(
      "nexus_embedded_pg_restarts_total", "restarts of the embedded PostgreSQL after it died");
  return sys.spawn<caf::detached>(pg_supervisor, cfg, &health, &restarts_total);
}

} // namespace nexus
