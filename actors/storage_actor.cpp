#include "actors/storage_actor.hpp"

#include "actors/status.hpp"
#include "actors/storage_batch.hpp"
#include "actors/storage_messages.hpp"
#include "config/log.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <optional>

namespace nexus {

namespace {

using flush_atom = caf::atom_constant<caf::atom("db_flush")>;
using reconnect_atom = caf::atom_constant<caf::atom("db_reconn")>;
using clock = std::chrono::steady_clock;

struct storage_state {
  static inline const char* name = "storage";

  /// A request waiting for its batch to commit.
  struct pending {
    db_request request;
    caf::response_promise promise;
    clock::time_point enqueued;
  };

  storage_settings settings;
  metrics::node_metrics* metrics = nullptr;

  std::optional<storage::pg_connection> conn; ///< empty while disconnected
  std::vector<pending> batch;                 ///< requests of the batch being collected
  bool flush_queued = false;                  ///< a flush message is in our mailbox
  bool reconnect_queued = false;              ///< a reconnect message is scheduled
  int64_t reconnect_delay_ms = 0;             ///< delay of the next reconnect

  // status figures
  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
  int64_t batches = 0;
  int64_t requests = 0;
  int64_t last_batch_size = 0;
  int64_t max_batch_size = 0;
  int64_t failures = 0;
  int64_t reconnects = 0;
};

using storage_actor_t = caf::stateful_actor<storage_state>;

void touch(storage_state& st) {
  ++st.handled;
  st.last_activity_ms = unix_now_ms();
}

/// Tries to open the connection once; true on success.
bool try_connect(storage_actor_t* self) {
  auto& st = self->state;
  try {
    st.conn.emplace(
        storage::pg_connection::connect(st.settings.dsn, st.settings.connect_timeout_ms));
    st.reconnect_delay_ms = st.settings.reconnect_min_ms;
    return true;
  } catch (const storage::storage_error& e) {
    st.conn.reset();
    log::debug("storage") << st.settings.id << ": connect failed: " << e.what();
    return false;
  }
}

void schedule_reconnect(storage_actor_t* self) {
  auto& st = self->state;
  if (st.reconnect_queued)
    return;
  st.reconnect_queued = true;
  self->delayed_send(self, std::chrono::milliseconds(st.reconnect_delay_ms),
                     reconnect_atom::value);
  st.reconnect_delay_ms = next_reconnect_delay_ms(st.reconnect_delay_ms, st.settings.reconnect_min_ms,
                                                  st.settings.reconnect_max_ms);
}

void on_connection_lost(storage_actor_t* self, const std::string& why) {
  auto& st = self->state;
  st.conn.reset();
  st.reconnect_delay_ms = st.settings.reconnect_min_ms;
  log::warn("storage") << st.settings.id << ": connection lost (" << why << "); reconnecting";
  schedule_reconnect(self);
}

/// Runs the collected batch as one transaction and answers every request,
/// only after the transaction has ended.
void flush(storage_actor_t* self) {
  auto& st = self->state;
  if (st.batch.empty())
    return;
  std::vector<storage_state::pending> batch;
  batch.swap(st.batch);

  batch_outcome out;
  if (!st.conn) {
    // Lost between collecting and flushing (an earlier batch broke it).
    out.requests.resize(batch.size());
    for (auto& r : out.requests) {
      r.error = storage::storage_errc::unavailable;
      r.message = "not connected";
    }
  } else {
    std::vector<const db_request*> requests;
    requests.reserve(batch.size());
    for (const auto& p : batch)
      requests.push_back(&p.request);
    out = execute_batch(*st.conn, requests);
    if (out.nothing_attempted) {
      // The session died while idle (server restart, terminated backend):
      // nothing ran, so one immediate reconnect and retry is safe.
      const std::string why = out.requests.front().message;
      if (try_connect(self)) {
        log::info("storage") << st.settings.id << ": reconnected after idle connection loss ("
                             << why << ")";
        ++st.reconnects;
        out = execute_batch(*st.conn, requests);
      } else {
        out.connection_lost = true;
      }
    }
    if (out.connection_lost)
      on_connection_lost(self, out.requests.front().message);
  }

  const auto now = clock::now();
  ++st.batches;
  st.last_batch_size = static_cast<int64_t>(batch.size());
  st.max_batch_size = std::max(st.max_batch_size, st.last_batch_size);
  st.requests += st.last_batch_size;
  st.metrics->storage_batches.inc();
  st.metrics->storage_batch_size.observe(static_cast<double>(batch.size()));
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& result = out.requests[i];
    st.metrics->storage_latency.observe(
        std::chrono::duration<double>(now - batch[i].enqueued).count());
    if (result.error == storage::storage_errc::none) {
      batch[i].promise.deliver(std::move(result.reply));
    } else {
      ++st.failures;
      st.metrics->storage_failures.inc();
      batch[i].promise.deliver(storage::make_error(result.error, std::move(result.message)));
    }
  }
}

actor_status make_status(storage_actor_t* self) {
  auto& st = self->state;
  actor_status s;
  s.kind = "storage";
  s.id = st.settings.id;
  s.mailbox = self->mailbox().size();
  s.handled = st.handled;
  s.last_activity_ms = st.last_activity_ms;
  s.figures = {{"batches", st.batches},
               {"requests", st.requests},
               {"last_batch_size", st.last_batch_size},
               {"max_batch_size", st.max_batch_size},
               {"connected", st.conn ? 1 : 0},
               {"failures", st.failures},
               {"reconnects", st.reconnects},
               {"pending", static_cast<int64_t>(st.batch.size())}};
  return s;
}

std::string invalid_settings(const storage_settings& s) {
  if (s.dsn.empty())
    return "empty DSN";
  if (s.batch_max < 1)
    return "storage_batch_max must be at least 1";
  if (s.connect_timeout_ms < 1)
    return "db_connect_timeout_ms must be positive";
  if (s.reconnect_min_ms < 1 || s.reconnect_max_ms < s.reconnect_min_ms)
    return "storage_reconnect_min_ms must be positive and not above storage_reconnect_max_ms";
  return {};
}

caf::behavior storage_actor(storage_actor_t* self, storage_settings settings,
                            metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.metrics = metrics;
  if (auto why = invalid_settings(st.settings); !why.empty()) {
    log::error("storage") << st.settings.id << ": invalid settings: " << why;
    self->quit(caf::make_error(caf::sec::invalid_argument, why));
    return {};
  }
  st.reconnect_delay_ms = st.settings.reconnect_min_ms;
  // Blocking is fine here: this actor has its own thread.
  if (try_connect(self)) {
    log::info("storage") << st.settings.id << ": connected to "
                         << config::redact_dsn(st.settings.dsn);
  } else {
    log::warn("storage") << st.settings.id << ": cannot reach "
                         << config::redact_dsn(st.settings.dsn) << "; retrying with backoff";
    schedule_reconnect(self);
  }

  return {
      // A unit of work; answered after its batch commits.
      [=](db_request& req) -> caf::result<db_reply> {
        auto& st = self->state;
        touch(st);
        if (!st.conn) {
          ++st.failures;
          st.metrics->storage_failures.inc();
          return storage::make_error(storage::storage_errc::unavailable,
                                     st.settings.id + " is reconnecting");
        }
        auto promise = self->make_response_promise();
        st.batch.push_back({std::move(req), promise, clock::now()});
        if (static_cast<int64_t>(st.batch.size()) >= st.settings.batch_max) {
          flush(self); // full: the queued flush will find the next batch
        } else if (!st.flush_queued) {
          // Everything already in the mailbox is ahead of this flush.
          st.flush_queued = true;
          self->send(self, flush_atom::value);
        }
        return promise;
      },
      // End of a batch: run it.
      [=](flush_atom) {
        auto& st = self->state;
        touch(st);
        st.flush_queued = false;
        flush(self);
      },
      // Backoff timer: one connection attempt.
      [=](reconnect_atom) {
        auto& st = self->state;
        touch(st);
        st.reconnect_queued = false;
        if (st.conn)
          return;
        if (try_connect(self)) {
          ++st.reconnects;
          log::info("storage") << st.settings.id << ": reconnected to "
                               << config::redact_dsn(st.settings.dsn);
        } else {
          schedule_reconnect(self);
        }
      },
      // Graceful stop: commit what was queued before this message, then quit.
      [=](storage_stop_atom) {
        touch(self->state);
        flush(self);
        self->quit();
      },
      [=](status_atom) {
        touch(self->state);
        return make_status(self);
      },
  };
}

} // namespace

storage_settings storage_settings::from(const config::node_config& cfg, std::string dsn,
                                        size_t index) {
  storage_settings s;
  s.dsn = std::move(dsn);
  s.id = "storage-" + std::to_string(index);
  s.batch_max = cfg.storage_batch_max;
  s.connect_timeout_ms = cfg.db_connect_timeout_ms;
  s.reconnect_min_ms = cfg.storage_reconnect_min_ms;
  s.reconnect_max_ms = cfg.storage_reconnect_max_ms;
  return s;
}

caf::actor spawn_storage_actor(caf::actor_system& sys, storage_settings settings,
                               metrics::node_metrics& metrics) {
  return sys.spawn<caf::detached>(storage_actor, std::move(settings), &metrics);
}

} // namespace nexus
