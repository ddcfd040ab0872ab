// metrics_sampler: gauges that have to be read from the database on a
// period rather than counted where events happen. Today: broker_queue_depth
// (spec §6.3: undelivered rows of every mesh, refreshed every 30 s).
//
//   (storage_ready_atom, std::vector<caf::actor>) → start sampling (first
//                                                   sample at once)
//   status_atom                                   → actor_status
//
// Event-based; the count runs on a storage actor. A failed sample leaves the
// previous value. Stop it with send_exit at shutdown. Thread-safety: actor.
#pragma once

#include "config/node_config.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <cstdint>

namespace nexus {

/// Period of the broker_queue_depth refresh (§6.3: every 30 s).
constexpr int64_t queue_depth_interval_ms = 30'000;

/// Internal timer of the sampler.
using sample_atom = caf::atom_constant<caf::atom("sample")>;

/// `metrics` must outlive the actor; the gauge is registered at spawn, so
/// /metrics lists it (as 0) before the first sample.
caf::actor spawn_metrics_sampler(caf::actor_system& sys, const config::node_config& cfg,
                                 metrics::node_metrics& metrics);

} // namespace nexus
