// nexus: the CLI. Wiring only — parse the command line (cli_args), load the
// settings, run the command from the table, and turn a cli_error into one
// stderr line and its exit code (0 ok, 1 failure, 2 usage, 3 not connected,
// 4 not found or denied).
#include "apps/nexus/cli_args.hpp"
#include "apps/nexus/cli_error.hpp"
#include "config/node_config.hpp"
#include "config/log.hpp"

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
  using namespace nexus::cli;
  nexus::log::set_level("warn"); // the link logs reconnects; commands print their own results
  try {
    context ctx = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    if (ctx.global.version) {
      std::cout << "nexus " << NEXUS_VERSION << "\n";
      return exit_ok;
    }
    if (ctx.global.help || !ctx.cmd) {
      std::cout << (ctx.cmd ? command_help(*ctx.cmd) : top_help());
      return ctx.cmd || ctx.global.help ? exit_ok : exit_usage;
    }
    ctx.home = home(resolve_home(ctx.global.home));
    load_settings(ctx, nexus::config::process_environment());
    return ctx.cmd->run(ctx);
  } catch (const cli_error& e) {
    std::fprintf(stderr, "nexus: %s%s%s\n", e.what(), e.hint.empty() ? "" : " — ", e.hint.c_str());
    return e.exit;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nexus: %s\n", e.what());
    return exit_failure;
  }
}
