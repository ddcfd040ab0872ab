#include "actors/scheduler.hpp"

#include "actors/broker_messages.hpp"
#include "actors/cron.hpp"
#include "actors/mesh_registry.hpp"
#include "actors/schedule_messages.hpp"
#include "actors/status.hpp"
#include "actors/storage_messages.hpp"
#include "config/log.hpp"

#include <caf/all.hpp>

#include <map>
#include <set>

namespace nexus {
namespace {

namespace sql = storage::schedules_sql;

/// Internal timers: the periodic read, and the wake-up for the earliest
/// held entry (a stale generation is ignored: delayed_send cannot be
/// cancelled, so a newer arm retires the older timer).
using sched_poll_atom = caf::atom_constant<caf::atom("sch_poll")>;
using sched_wake_atom = caf::atom_constant<caf::atom("sch_wake")>;

struct scheduler_state {
  static inline const char* name = "scheduler";

  config::node_config cfg;
  metrics::node_metrics* metrics = nullptr;
  caf::actor registry;
  caf::actor storage;                               ///< where the polls run (any pool member)

  std::map<std::string, storage::schedule_row> held; ///< by id: due within the window
  std::set<std::pair<int64_t, std::string>> by_due;  ///< (deliver ms, id) of `held`
  std::set<std::string> in_flight;                   ///< fires not answered yet
  bool polling = false;
  bool more_due = false;            ///< the last poll was full: read again once drained
  uint64_t generation = 0;          ///< of the live wake timer
  std::optional<int64_t> armed_for; ///< due ms the live wake timer aims at

  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
  std::map<fire_result, int64_t> outcomes;
};

using scheduler_actor_t = caf::stateful_actor<scheduler_state>;

std::chrono::milliseconds request_timeout(const scheduler_state& st) {
  return std::chrono::milliseconds(st.cfg.storage_request_timeout_ms * 3);
}

int64_t window_ms(const scheduler_state& st) { return 2 * st.cfg.scheduler_poll_interval_ms; }

void forget(scheduler_state& st, const std::string& id) {
  if (auto it = st.held.find(id); it != st.held.end()) {
    st.by_due.erase({it->second.deliver_ms, id});
    st.held.erase(it);
  }
}

/// Holds `row` (replacing what was held for its id) if it is due within the
/// window and not being fired; beyond scheduler_batch_max the latest held
/// entries are let go (a later poll reads them again).
void hold(scheduler_state& st, storage::schedule_row row, int64_t now) {
  if (st.in_flight.count(row.id) != 0)
    return;
  forget(st, row.id);
  if (row.deliver_ms > now + window_ms(st))
    return;
  st.by_due.emplace(row.deliver_ms, row.id);
  st.held.emplace(row.id, std::move(row));
  while (static_cast<int64_t>(st.held.size()) > st.cfg.scheduler_batch_max) {
    auto last = std::prev(st.by_due.end());
    st.held.erase(last->second);
    st.by_due.erase(last);
    st.more_due = true;
  }
}

void arm(scheduler_actor_t* self) {
  auto& st = self->state;
  if (st.by_due.empty())
    return;
  int64_t earliest = st.by_due.begin()->first;
  if (st.armed_for && *st.armed_for <= earliest)
    return;
  st.armed_for = earliest;
  auto delay = std::max<int64_t>(0, earliest - unix_now_ms());
  self->delayed_send(self, std::chrono::milliseconds(delay), sched_wake_atom::value, ++st.generation);
}

void poll(scheduler_actor_t* self) {
  auto& st = self->state;
  if (st.polling || !st.storage)
    return;
  st.polling = true;
  int64_t until = unix_now_ms() + window_ms(st);
  db_request q{{db_call{&sql::due_schedules,
                        {std::to_string(until), std::to_string(st.cfg.scheduler_batch_max)}}}};
  self->request(st.storage, std::chrono::milliseconds(st.cfg.storage_request_timeout_ms), std::move(q))
      .then(
          [=](db_reply& r) {
            auto& st = self->state;
            st.polling = false;
            const auto& rs = r.results.at(0);
            st.more_due = static_cast<int64_t>(rs.rows.size()) >= st.cfg.scheduler_batch_max;
            int64_t now = unix_now_ms();
            for (size_t i = 0; i < rs.rows.size(); ++i)
              hold(st, storage::schedule_from(rs, i), now);
            arm(self);
          },
          [=](caf::error& err) {
            self->state.polling = false;
            log::warn("scheduler") << "reading due schedules failed: " << to_string(err);
          });
}

void count(scheduler_state& st, fire_result r) {
  static const char* names[] = {"sent", "refused", "lost", "retired"};
  ++st.outcomes[r];
  st.metrics->reg
      .get_counter("nexus_schedule_fires_total", "scheduled entries fired, by result",
                   {{"result", names[static_cast<int>(r)]}})
      .inc();
}

/// Asks the entry's mesh to fire it; a cron entry is held again at its next
/// fire (from now, §5.6) once the mesh has answered.
void fire(scheduler_actor_t* self, storage::schedule_row row) {
  auto& st = self->state;
  st.in_flight.insert(row.id);
  std::optional<int64_t> next;
  if (row.cron)
    next = cron::first_fire(*row.cron, unix_now_ms()); // none: it ends like a one-shot
  auto failed = [self, id = row.id](const caf::error& err) {
    self->state.in_flight.erase(id); // the next poll reads the row again
    log::warn("scheduler") << "firing scheduled entry " << id << " failed, retried at the next poll: "
                           << to_string(err);
  };
  auto timeout = request_timeout(st);
  self->request(st.registry, timeout, get_mesh_atom::value, row.mesh_id)
      .then(
          [=](caf::actor mesh) {
            self->request(mesh, timeout, schedule_fire{row, next})
                .then(
                    [=](fire_outcome& out) {
                      auto& st = self->state;
                      st.in_flight.erase(row.id);
                      count(st, out.result);
                      bool claimed = out.result == fire_result::sent || out.result == fire_result::refused;
                      if (claimed && next) {
                        auto again = row;
                        again.deliver_ms = *next;
                        ++again.fired_count;
                        hold(st, std::move(again), unix_now_ms());
                        arm(self);
                      }
                    },
                    failed);
          },
          failed);
}

void wake(scheduler_actor_t* self, uint64_t generation) {
  auto& st = self->state;
  if (generation != st.generation)
    return;
  st.armed_for.reset();
  int64_t now = unix_now_ms();
  while (!st.by_due.empty() && st.by_due.begin()->first <= now) {
    auto entry = st.held.extract(st.by_due.begin()->second);
    st.by_due.erase(st.by_due.begin());
    fire(self, std::move(entry.mapped()));
  }
  arm(self);
  if (st.held.empty() && st.more_due)
    poll(self);
}

caf::behavior scheduler(scheduler_actor_t* self, config::node_config cfg, caf::actor registry,
                        metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.registry = std::move(registry);
  st.metrics = metrics;
  auto touch = [self] {
    ++self->state.handled;
    self->state.last_activity_ms = unix_now_ms();
  };
  return {
      [=](storage_ready_atom, const std::vector<caf::actor>& pool) {
        touch();
        auto& st = self->state;
        if (pool.empty() || st.storage)
          return;
        st.storage = pool[route_index("schedules", pool.size())];
        poll(self);
        self->delayed_send(self, std::chrono::milliseconds(st.cfg.scheduler_poll_interval_ms),
                           sched_poll_atom::value);
      },
      [=](sched_poll_atom) {
        touch();
        poll(self);
        self->delayed_send(self, std::chrono::milliseconds(self->state.cfg.scheduler_poll_interval_ms),
                           sched_poll_atom::value);
      },
      [=](sched_wake_atom, uint64_t generation) {
        touch();
        wake(self, generation);
      },
      [=](schedule_armed& a) {
        touch();
        hold(self->state, std::move(a.row), unix_now_ms());
        arm(self);
      },
      [=](const schedule_disarmed& d) {
        touch();
        forget(self->state, d.id);
      },
      [=](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "scheduler";
        s.id = "scheduler";
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"held", static_cast<int64_t>(st.held.size())},
                     {"in_flight", static_cast<int64_t>(st.in_flight.size())},
                     {"sent", st.outcomes[fire_result::sent]},
                     {"refused", st.outcomes[fire_result::refused]},
                     {"lost", st.outcomes[fire_result::lost]},
                     {"retired", st.outcomes[fire_result::retired]}};
        return s;
      },
  };
}

} // namespace

caf::actor spawn_scheduler(caf::actor_system& sys, const config::node_config& cfg,
                           caf::actor registry, metrics::node_metrics& metrics) {
  return sys.spawn(scheduler, cfg, std::move(registry), &metrics);
}

} // namespace nexus
