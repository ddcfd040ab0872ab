// nexus-mcp: the MCP bridge — the mesh as tools for coding agents, inbound
// messages as channel notifications. Wiring only; the bridge is mcp/.
#include "apps/nexus-mcp/bridge_args.hpp"
#include "apps/nexus-mcp/bridge_commands.hpp"
#include "config/config_keys.hpp"
#include "config/log.hpp"
#include "transport/version.hpp"

#include <iostream>

using namespace nexus;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << mcp_app::usage_text();
      return 0;
    }
  try {
    auto parsed = mcp_app::parse_bridge_args(args);
    auto loaded = config::load(parsed.config_args, config::process_environment());
    if (loaded.what == config::load_result::action::version) {
      std::cout << "nexus-mcp " << NEXUS_VERSION << "\n";
      return 0;
    }
    if (!loaded.positional.empty())
      throw mcp_app::usage_error("unexpected argument " + loaded.positional.front() +
                                 " (see nexus-mcp --help)");
    log::set_level(loaded.config.log_level);
    return mcp_app::run_bridge(parsed, loaded.config);
  } catch (const mcp_app::usage_error& e) {
    std::cerr << "nexus-mcp: " << e.what() << "\n";
    return 2;
  } catch (const config::config_error& e) {
    std::cerr << "nexus-mcp: " << e.what() << "\n";
    return 2;
  }
}
