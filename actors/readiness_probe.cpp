#include "actors/readiness_probe.hpp"

#include "actors/status.hpp"
#include "actors/storage_messages.hpp"
#include "config/log.hpp"
#include "storage/migrations.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace nexus {

namespace {

using tick_atom = caf::atom_constant<caf::atom("probe_tick")>;

struct probe_state {
  static inline const char* name = "readiness_probe";

  std::vector<caf::actor> storage;
  node_health* health = nullptr;
  metrics::node_metrics* metrics = nullptr;
  std::chrono::milliseconds interval{0};

  // The round in flight.
  uint64_t round = 0;
  size_t outstanding = 0;
  bool round_db_up = true;
  bool round_migrations_ok = true;
  bool rerun = false; ///< probe_now came while a round was out: run another after it

  // Last published values; transitions are logged against these.
  std::optional<bool> db_up;
  std::optional<bool> migrations_ok;

  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
  int64_t rounds = 0;
};

using probe_actor_t = caf::stateful_actor<probe_state>;

void publish(probe_actor_t* self) {
  auto& st = self->state;
  const bool up = st.round_db_up;
  const bool current = up && st.round_migrations_ok;
  ++st.rounds;
  st.health->db_up = up;
  st.health->migrations_applied = current;
  st.metrics->db_up.set(up ? 1 : 0);
  if (st.db_up != up) {
    if (up)
      log::info("readiness") << "database is up" << (st.db_up ? " again" : "");
    else
      log::warn("readiness") << "database is down";
  }
  if (up && st.migrations_ok != current) {
    if (!current && !st.migrations_ok) // first look, before the node's migration run
      log::info("readiness") << "waiting for migrations to be applied";
    else if (!current)
      log::warn("readiness") << "database schema is not at this binary's migrations";
    else if (st.migrations_ok)
      log::info("readiness") << "database schema is current now";
  }
  st.db_up = up;
  if (up)
    st.migrations_ok = current;
}

void start_round(probe_actor_t* self);

void answer(probe_actor_t* self, uint64_t round, bool reached, bool migrations_ok) {
  auto& st = self->state;
  if (round != st.round || st.outstanding == 0)
    return;
  st.round_db_up = st.round_db_up && reached;
  st.round_migrations_ok = st.round_migrations_ok && migrations_ok;
  if (--st.outstanding == 0) {
    publish(self);
    if (st.rerun)
      start_round(self);
  }
}

void start_round(probe_actor_t* self) {
  auto& st = self->state;
  if (st.outstanding > 0)
    return; // the previous round is still out; its requests time out within one interval
  st.rerun = false;
  ++st.round;
  st.outstanding = st.storage.size();
  st.round_db_up = true;
  st.round_migrations_ok = true;
  const uint64_t round = st.round;
  db_request probe{{db_call{&storage::select_schema_migrations, {}}}};
  for (const auto& a : st.storage) {
    self->request(a, st.interval, probe)
        .then(
            [=](db_reply& reply) {
              std::vector<storage::applied_migration> recorded;
              const auto& rs = reply.results.at(0);
              for (size_t i = 0; i < rs.rows.size(); ++i)
                recorded.push_back({std::stoi(rs.at(i, "version").value_or("0")),
                                    rs.at(i, "name").value_or(""),
                                    rs.at(i, "checksum").value_or("")});
              const bool ok =
                  storage::migration_mismatch(recorded, storage::embedded_migrations()).empty();
              answer(self, round, true, ok);
            },
            [=](caf::error& err) { answer(self, round, !probe_error_means_db_down(err), false); });
  }
}

caf::behavior readiness_probe(probe_actor_t* self, std::vector<caf::actor> storage,
                              node_health* health, metrics::node_metrics* metrics,
                              int64_t interval_ms) {
  auto& st = self->state;
  st.storage = std::move(storage);
  st.health = health;
  st.metrics = metrics;
  st.interval = std::chrono::milliseconds(interval_ms);
  if (st.storage.empty() || interval_ms < 1) {
    log::error("readiness") << "no storage actors or no interval; probe not started";
    self->quit(caf::make_error(caf::sec::invalid_argument, "readiness probe settings"));
    return {};
  }
  self->send(self, tick_atom::value);
  return {
      // Period: start a round, schedule the next tick.
      [=](tick_atom) {
        auto& st = self->state;
        ++st.handled;
        st.last_activity_ms = unix_now_ms();
        start_round(self);
        self->delayed_send(self, st.interval, tick_atom::value);
      },
      // Out of turn (e.g. right after migrations ran), so readiness does not
      // lag a whole interval behind a change the node already knows of.
      [=](probe_now_atom) {
        ++self->state.handled;
        if (self->state.outstanding > 0)
          self->state.rerun = true; // its answers may predate the change
        else
          start_round(self);
      },
      [=](status_atom) {
        auto& st = self->state;
        ++st.handled;
        st.last_activity_ms = unix_now_ms();
        actor_status s;
        s.kind = "readiness_probe";
        s.id = "readiness_probe";
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"rounds", st.rounds},
                     {"db_up", st.db_up.value_or(false) ? 1 : 0},
                     {"migrations_applied", st.migrations_ok.value_or(false) ? 1 : 0}};
        return s;
      },
  };
}

} // namespace

bool probe_error_means_db_down(const caf::error& err) {
  switch (storage_errc_of(err)) {
    case storage::storage_errc::none: // not a storage error: timeout, actor gone
    case storage::storage_errc::connect_failed:
    case storage::storage_errc::connection_lost:
    case storage::storage_errc::unavailable:
    case storage::storage_errc::timeout:
    case storage::storage_errc::shutting_down:
      return true;
    default:
      return false;
  }
}

caf::actor spawn_readiness_probe(caf::actor_system& sys, const config::node_config& cfg,
                                 std::vector<caf::actor> storage_actors, node_health& health,
                                 metrics::node_metrics& metrics) {
  return sys.spawn(readiness_probe, std::move(storage_actors), &health, &metrics,
                   cfg.health_check_interval_ms);
}

caf::actor spawn_readiness_probe(caf::actor_system& sys, const config::node_config& cfg,
                                 const storage_pool& pool, node_health& health,
                                 metrics::node_metrics& metrics) {
  return spawn_readiness_probe(sys, cfg, pool.all(), health, metrics);
}

} // namespace nexus
