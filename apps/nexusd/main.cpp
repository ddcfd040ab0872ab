// nexusd: a Nexus broker node. Wiring only: parse the configuration, then
// hand over to actors/node, or to admin_cli for an operator subcommand
// (`nexusd mesh|member ...`). Exit codes: 0 clean stop, 1 runtime failure,
// 2 invalid configuration or usage, 4 not found (subcommands).
#include "actors/node.hpp"
#include "apps/nexusd/admin_cli.hpp"
#include "config/log.hpp"
#include "config/node_config.hpp"

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
  using namespace nexus;
  std::vector<std::string> args(argv + 1, argv + argc);
  config::load_result loaded;
  try {
    loaded = config::load(args, config::process_environment());
  } catch (const config::config_error& e) {
    std::fprintf(stderr, "nexusd: %s\n", e.what());
    return 2;
  }
  switch (loaded.what) {
    case config::load_result::action::help:
      std::cout << config::help_text("nexusd") << admin_cli::commands_help();
      return 0;
    case config::load_result::action::version:
      std::cout << "nexusd " << node::version() << "\n";
      return 0;
    case config::load_result::action::print_config:
      std::cout << config::print_config(loaded.config);
      return 0;
    case config::load_result::action::run:
      break;
  }
  if (!loaded.positional.empty() && admin_cli::handles(loaded.positional.front()))
    return admin_cli::run(loaded.config, loaded.positional);
  if (!loaded.positional.empty()) {
    std::fprintf(stderr, "nexusd: unknown command \"%s\" (see nexusd --help)\n",
                 loaded.positional.front().c_str());
    return 2;
  }
  log::set_level(loaded.config.log_level);
  return node::run(loaded.config);
}
