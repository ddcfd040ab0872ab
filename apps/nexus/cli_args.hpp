// cli_args: the `nexus` command line → a context (global options, the
// command from the table, its options and arguments, the effective client
// settings), and the --help texts generated from the table.
#pragma once

#include "apps/nexus/commands.hpp"

#include <map>
#include <string>
#include <vector>

namespace nexus::cli {

/// Parses `args` (without argv[0]). Throws cli_error (exit 2) for an unknown
/// command or option, a missing option value or a wrong argument count.
/// With --help or --version, cmd may be null. Settings are not loaded here.
context parse_command_line(const std::vector<std::string>& args);

/// Applies config.json settings, then NEXUS_* environment, then flags to
/// ctx.settings. Throws cli_error (exit 2) naming the key and its source.
void load_settings(context& ctx, const std::map<std::string, std::string>& env);

std::string top_help();
std::string command_help(const command& c);

} // namespace nexus::cli
