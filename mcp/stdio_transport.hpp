// stdio_transport: MCP over a pair of file descriptors — newline-delimited
// JSON-RPC in on `in_fd`, out on `out_fd` (stdin/stdout in nexus-mcp); logs
// never go there. Requests are answered in order on the calling thread;
// channel notifications from the hub are interleaved between whole lines by
// a writer actor, the only code that writes `out_fd`.
//
// Blank lines are ignored; an over-long line is answered with a -32700
// error (id null) and skipped. Returns at end of input, after everything
// queued for output is written.
//
// REQUIRES: called from a plain thread (it blocks), SIGPIPE ignored.
#pragma once

#include "mcp/server.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <cstdint>

namespace nexus::mcp {

struct stdio_options {
  int in_fd = 0;
  int out_fd = 1;
  int64_t line_bytes_max = 1 << 20; ///< config key mcp_line_bytes_max
};

void run_stdio(server& srv, caf::actor_system& sys, const caf::actor& hub,
               const stdio_options& opts);

} // namespace nexus::mcp
