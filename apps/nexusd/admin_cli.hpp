// admin_cli: the operator subcommands of nexusd that bootstrap meshes
// without invites — `mesh create`, `member add|list|revoke` — for operators,
// tests and benchmarks.
//
// They work against the node database as nexus::attach_or_start finds it:
// --database-url, else the embedded PostgreSQL of --home (a running node's
// server, or one started for the command), and apply pending migrations
// first. Config keys (--home, --database-url, …) are already applied by the
// config loader; the subcommand's own options arrive in `words`.
//
// Output: aligned text on stdout, or one JSON object with --json; errors are
// one line on stderr, `nexusd: …`, with a hint. Secrets (the owner secret
// key, the root key) are never printed or logged.
//
// Blocking; call from main's thread only.
#pragma once

#include "config/node_config.hpp"

#include <string>
#include <vector>

namespace nexus::admin_cli {

/// Exit statuses of the subcommands.
enum exit_status : int {
  exit_ok = 0,
  exit_failure = 1,   ///< database, file or state problem (e.g. duplicate member)
  exit_usage = 2,     ///< bad arguments or values
  exit_not_found = 4, ///< the mesh or member does not exist
};

/// True if `word` (the first positional word) is a command this module runs.
bool handles(const std::string& word);

/// The "Commands:" section appended to `nexusd --help`.
std::string commands_help();

/// Runs `words` (load_result::positional, e.g. {"member","add","--mesh",…})
/// and returns the exit status. REQUIRES: handles(words.front()).
int run(const config::node_config& cfg, const std::vector<std::string>& words);

} // namespace nexus::admin_cli
