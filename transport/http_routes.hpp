// http_routes: the gateway's built-in HTTP routes (spec §6.2, §6.3).
//
//   GET /health        liveness: always 200 while the process runs
//   GET /health/ready  200 when the database answers and migrations are
//                      applied, else 503 with node_health::not_ready_reason()
//   GET /metrics       Prometheus text exposition of the node's registry
//
// The handlers answer at once from atomics and the registry (no actor round
// trip), so probes work even when the actors are busy.
#pragma once

#include "transport/health.hpp"
#include "transport/http_router.hpp"
#include "transport/metrics.hpp"

namespace nexus::transport {

/// Registers the built-in routes. `health` and `reg` must outlive `router`.
void add_builtin_routes(http_router& router, const node_health& health,
                        const metrics::registry& reg);

} // namespace nexus::transport
