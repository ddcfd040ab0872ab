// http_transport: MCP's Streamable HTTP transport for `nexus-mcp --http
// HOST:PORT`. The only Beast translation unit of the bridge. Each connection
// is served by its own thread with blocking reads (a tool call blocks on the
// mesh backend, so a connection waits for its own answer and no one
// else's); what to answer is decided by http_endpoint.hpp.
//
// Bounds: connections served at once (beyond it a new connection gets 503
// and is closed), one request must arrive within the idle timeout, header
// and body sizes (413 for a larger body). An event stream (GET) carries the
// channel notifications of the hub as SSE `data:` lines plus a keepalive
// comment when idle.
//
// start/stop from one controlling thread. Thread-safety of the rest: internal.
#pragma once

#include "mcp/http_endpoint.hpp"
#include "mcp/server.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace nexus::mcp {

struct http_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0; ///< 0: any free port (tests)
  endpoint_policy policy;
  int64_t connections_max = 16;     ///< mcp_http_connections_max
  int64_t idle_timeout_ms = 30000;  ///< mcp_http_idle_timeout_ms
  int64_t body_bytes_max = 1 << 20; ///< mcp_line_bytes_max
  int64_t header_bytes_max = 16384; ///< http_header_bytes_max
  int64_t sse_keepalive_ms = 15000; ///< mcp_sse_keepalive_ms
};

/// Why the transport could not start (bind refused or failed); one line.
struct http_start_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class http_transport {
public:
  /// `srv`, `sys` and `hub` must outlive the transport.
  http_transport(server& srv, caf::actor_system& sys, caf::actor hub, http_options opts);
  ~http_transport();
  http_transport(const http_transport&) = delete;
  http_transport& operator=(const http_transport&) = delete;

  /// Binds and starts accepting; returns the bound port. Throws
  /// http_start_error for a non-loopback host without policy.allow_remote,
  /// an unparsable host, or a failed bind.
  uint16_t start();

  /// Stops accepting, ends open connections and waits for their threads.
  void stop();

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace nexus::mcp
