// node: one broker process from start to clean stop.
//
//   start:  home dir → actor system → gateway (so /health answers at once)
//           → embedded PostgreSQL (unless database_url) → storage pool and
//           readiness probe → migrations (retried until they apply)
//   run:    until SIGTERM or SIGINT
//   stop:   not ready → gateway stops accepting and closes WebSockets (1001)
//           → storage actors flush what they hold → embedded PostgreSQL stops
//           → exit 0; a watchdog ends the process if this overruns
//           shutdown_timeout_ms.
//
// Called once from main(); owns every thread of the process.
#pragma once

#include "config/node_config.hpp"

namespace nexus::node {

/// Runs the node; returns the process exit code (0 clean stop, 1 failure).
int run(const config::node_config& cfg);

const char* version();

} // namespace nexus::node
