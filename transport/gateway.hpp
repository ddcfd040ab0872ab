// gateway: the node's one HTTP + WebSocket port (spec §1.1, §6).
//
//   GET /health, GET /health/ready, GET /metrics   built in (http_routes)
//   add_route(...)                                 the core broker's routes
//   GET /ws (Upgrade)                              a WebSocket whose frames go
//                                                  to an actor from the
//                                                  connection_factory
//   OPTIONS anything → 204; other paths → 404 JSON; every response has CORS.
//
// Runs Boost.Beast on its own io_context with io_threads threads; no Beast
// type appears here. Listens on `listen` (default 127.0.0.1:7900): nothing
// beyond loopback unless configured.
//
// Thread-safety: construct, add_route, start, stop and destroy from one
// owning thread. When stop() returns no connection is left and every
// connection actor has been sent connection_closed; frame_sink calls after
// that are ignored. (A sink call racing with stop()'s final teardown is not
// supported: connection actors stop using their sink on connection_closed.)
#pragma once

#include "config/node_config.hpp"
#include "transport/frame_sink.hpp"
#include "transport/health.hpp"
#include "transport/http_types.hpp"
#include "transport/metrics.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace nexus::transport {

class gateway {
public:
  /// `m` and `health` must outlive the gateway. Validates nothing yet.
  gateway(const config::node_config& cfg, metrics::node_metrics& m, node_health& health,
          connection_factory factory);
  /// Stops (with shutdown_timeout_ms) if still running.
  ~gateway();
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  /// Registers an HTTP route. REQUIRES: start() not called yet. The handler
  /// runs on an I/O thread and must not block; it answers through its
  /// http_reply, from any thread, at any later time (see http_types.hpp).
  /// Routing compares the raw target (query string included, spec §6.1);
  /// a known path with another method gets 405.
  void add_route(std::string method, std::string path, route_match match, http_handler handler);

  /// Binds `listen`, starts io_threads threads and returns the bound port
  /// (the real one when `listen` asked for port 0). Throws
  /// std::runtime_error naming the address when the bind fails.
  /// REQUIRES: called at most once.
  uint16_t start();

  /// Stops accepting, closes every WebSocket with 1001 "shutting down" and
  /// every HTTP connection, waits for them up to `deadline` (a peer that does
  /// not finish its close is aborted after half of it), then joins the I/O
  /// threads. Every connection actor has been sent connection_closed when
  /// this returns. Idempotent; a no-op before start().
  void stop(std::chrono::milliseconds deadline);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace nexus::transport
