// bridge_commands: what nexus-mcp does once its arguments are parsed
// (bridge_args.hpp). Returns the process exit code: 0 ok, 1 failure; usage
// problems throw usage_error (exit 2).
#pragma once

#include "apps/nexus-mcp/bridge_args.hpp"
#include "config/node_config.hpp"

namespace nexus::mcp_app {

/// The bridge: stdio until end of input, or HTTP until SIGINT/SIGTERM.
int run_bridge(const bridge_args& args, const config::node_config& cfg);

} // namespace nexus::mcp_app
