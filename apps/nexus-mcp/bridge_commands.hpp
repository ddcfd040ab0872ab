// bridge_commands: what each nexus-mcp command does once its arguments are
// parsed (bridge_args.hpp). Each returns the process exit code: 0 ok,
// 1 failure, 2 usage.
#pragma once

#include "apps/nexus-mcp/bridge_args.hpp"
#include "config/node_config.hpp"

namespace nexus::mcp_app {

/// The bridge: stdio until end of input, or HTTP until SIGINT/SIGTERM.
int run_bridge(const bridge_args& args, const config::node_config& cfg);

/// `install` / `uninstall` into Claude Code's config.
int run_install(const bridge_args& args, const config::node_config& cfg);

/// `hook STATUS`: always 0, a hook must not break the session it reports on.
int run_hook(const bridge_args& args);

} // namespace nexus::mcp_app
