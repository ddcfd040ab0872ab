// bridge_args: the command line of nexus-mcp. Its own flags are taken out
// first; everything else goes to the node's config loader (config keys such
// as --home, --log-level and the mcp_* bounds, with their environment
// variables and config file).
//
//   nexus-mcp [--http HOST:PORT [--allow-remote]] IDENTITY [KEYS]
//
// (`nexus install`, `nexus uninstall` and `nexus hook` put it into Claude Code.)
//
//   IDENTITY: [--mesh NAME|ID] [--broker URL] [--name NAME]   a mesh joined with `nexus`
//             (the CLI's home, --home / $NEXUS_HOME), or explicitly:
//             --broker URL --mesh-id ID --member-id ID --member-key-file PATH [--name NAME]
//
// Pure parsing; throws usage_error (exit 2).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nexus::mcp_app {

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct bridge_identity_args {
  std::string mesh; ///< a mesh of the CLI home (name, id or prefix); "" = its default
  std::string broker, mesh_id, member_id, member_key_file, name;
  /// Explicit keys rather than the CLI home.
  bool explicit_keys() const { return !member_key_file.empty(); }
};

struct bridge_args {
  std::optional<std::string> http;
  bool allow_remote = false;
  bridge_identity_args identity;
  std::vector<std::string> config_args; ///< for config::load
};

bridge_args parse_bridge_args(const std::vector<std::string>& args);

/// Explicit mode: throws usage_error naming the first missing flag.
void require_identity(const bridge_identity_args& id);

std::string usage_text();

} // namespace nexus::mcp_app
