#include "actors/metrics_sampler.hpp"

#include "actors/mesh_registry.hpp"
#include "actors/status.hpp"
#include "actors/storage_messages.hpp"
#include "config/log.hpp"
#include "storage/broker_sql.hpp"

#include <caf/all.hpp>

#include <string>
#include <vector>

namespace nexus {
namespace {

using std::chrono::milliseconds;

struct sampler_state {
  static inline const char* name = "metrics_sampler";

  config::node_config cfg;
  std::vector<caf::actor> storage; ///< empty until the database is ready
  metrics::gauge* queue_depth = nullptr;
  bool timer_armed = false;        ///< one sample loop, however often storage_ready comes
  uint64_t handled = 0, samples = 0, failures = 0;
  int64_t last_activity_ms = 0;
};

using sampler_t = caf::stateful_actor<sampler_state>;

void sample(sampler_t* self) {
  auto& st = self->state;
  if (st.storage.empty())
    return;
  db_request req{{db_call{&storage::broker_sql::queue_depth, {}}}};
  // Any storage actor will do: the count spans every mesh.
  self->request(st.storage.front(), milliseconds(st.cfg.storage_request_timeout_ms), std::move(req))
      .then(
          [=](db_reply& rows) {
            auto& st = self->state;
            ++st.samples;
            auto depth = rows.results.at(0).at(0, "depth").value_or("0");
            st.queue_depth->set(std::stoll(depth));
          },
          [=](caf::error& err) {
            ++self->state.failures;
            log::debug("metrics") << "queue depth sample failed: " << to_string(err);
          });
}

caf::behavior sampler(sampler_t* self, config::node_config cfg, metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.queue_depth = &metrics->reg.get_gauge(
      "broker_queue_depth", "undelivered queued messages of every mesh (refreshed every 30 s)");
  return {
      [=](storage_ready_atom, std::vector<caf::actor> storage) {
        auto& st = self->state;
        ++st.handled;
        st.last_activity_ms = unix_now_ms();
        st.storage = std::move(storage);
        sample(self);
        if (!st.timer_armed) {
          st.timer_armed = true;
          self->delayed_send(self, milliseconds(queue_depth_interval_ms), sample_atom::value);
        }
      },
      [=](sample_atom) {
        auto& st = self->state;
        ++st.handled;
        st.last_activity_ms = unix_now_ms();
        sample(self);
        self->delayed_send(self, milliseconds(queue_depth_interval_ms), sample_atom::value);
      },
      [=](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "metrics_sampler";
        s.id = "metrics_sampler";
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"samples", static_cast<int64_t>(st.samples)},
                     {"failures", static_cast<int64_t>(st.failures)},
                     {"queue_depth", st.queue_depth->value()}};
        return s;
      },
  };
}

} // namespace

caf::actor spawn_metrics_sampler(caf::actor_system& sys, const config::node_config& cfg,
                                 metrics::node_metrics& metrics) {
  return sys.spawn(sampler, cfg, &metrics);
}

} // namespace nexus
