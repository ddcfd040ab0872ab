// bridge_args: the command line of nexus-mcp. Its own flags are taken out
// first; everything else goes to the node's config loader (config keys such
// as --home, --log-level and the mcp_* bounds, with their environment
// variables and config file).
//
//   nexus-mcp [--http HOST:PORT [--allow-remote]] IDENTITY [KEYS]   run the bridge
//   nexus-mcp install [--hooks] [--claude-home DIR] IDENTITY [KEYS]  add it to Claude Code
//   nexus-mcp uninstall [--claude-home DIR] [KEYS]                   remove what install added
//   nexus-mcp hook idle|working|dnd --broker URL                     a Claude Code status hook
//
//   IDENTITY: --broker URL --mesh-id ID --member-id ID --member-key-file PATH [--name NAME]
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
  std::string broker, mesh_id, member_id, member_key_file, name;
  /// The same flags again, for the command line install writes.
  std::vector<std::string> as_flags() const;
};

struct bridge_args {
  std::string command = "run"; ///< run | install | uninstall | hook
  std::optional<std::string> http;
  bool allow_remote = false;
  bool hooks = false;
  std::optional<std::string> claude_home;
  std::string hook_status;
  bridge_identity_args identity;
  std::vector<std::string> config_args; ///< for config::load
};

bridge_args parse_bridge_args(const std::vector<std::string>& args);

/// Throws usage_error naming the first missing identity flag.
void require_identity(const bridge_identity_args& id);

std::string usage_text();

} // namespace nexus::mcp_app
