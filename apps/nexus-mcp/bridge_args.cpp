#include "apps/nexus-mcp/bridge_args.hpp"

namespace nexus::mcp_app {

std::vector<std::string> bridge_identity_args::as_flags() const {
  std::vector<std::string> out = {"--broker",    broker,    "--mesh-id",         mesh_id,
                                  "--member-id", member_id, "--member-key-file", member_key_file};
  if (!name.empty()) {
    out.push_back("--name");
    out.push_back(name);
  }
  return out;
}

bridge_args parse_bridge_args(const std::vector<std::string>& args) {
  bridge_args out;
  size_t i = 0;
  if (!args.empty() && (args[0] == "install" || args[0] == "uninstall" || args[0] == "hook")) {
    out.command = args[0];
    i = 1;
  }
  auto value = [&](const std::string& flag) -> std::string {
    if (i + 1 >= args.size())
      throw usage_error("option " + flag + " needs a value");
    return args[++i];
  };
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--http")
      out.http = value(a);
    else if (a == "--allow-remote")
      out.allow_remote = true;
    else if (a == "--hooks")
      out.hooks = true;
    else if (a == "--claude-home")
      out.claude_home = value(a);
    else if (a == "--broker")
      out.identity.broker = value(a);
    else if (a == "--mesh-id")
      out.identity.mesh_id = value(a);
    else if (a == "--member-id")
      out.identity.member_id = value(a);
    else if (a == "--member-key-file")
      out.identity.member_key_file = value(a);
    else if (a == "--name")
      out.identity.name = value(a);
    else if (out.command == "hook" && out.hook_status.empty() &&
             (a == "idle" || a == "working" || a == "dnd"))
      out.hook_status = a; // install writes it last: "nexus-mcp hook --broker URL idle"
    else
      out.config_args.push_back(a);
  }
  if (out.command == "hook" && (out.hook_status.empty() || out.identity.broker.empty()))
    throw usage_error("usage: nexus-mcp hook idle|working|dnd --broker URL");
  if (out.allow_remote && !out.http)
    throw usage_error("--allow-remote only applies with --http");
  return out;
}

void require_identity(const bridge_identity_args& id) {
  const std::pair<const char*, const std::string*> needed[] = {
      {"--broker", &id.broker},
      {"--mesh-id", &id.mesh_id},
      {"--member-id", &id.member_id},
      {"--member-key-file", &id.member_key_file}};
  for (const auto& [flag, v] : needed)
    if (v->empty())
      throw usage_error(std::string("missing ") + flag + " (see nexus-mcp --help)");
}

std::string usage_text() {
  return R"(Usage:
  nexus-mcp [--http HOST:PORT [--allow-remote]] IDENTITY [OPTIONS]
      the MCP bridge: stdio (default) or Streamable HTTP at http://HOST:PORT/mcp
      (bearer token in $NEXUS_HOME/mcp-http.token, loopback only unless --allow-remote)
  nexus-mcp install [--hooks] [--claude-home DIR] IDENTITY [OPTIONS]
      add the bridge to Claude Code (~/.claude.json mcpServers.nexus); --hooks also
      adds status hooks to ~/.claude/settings.json
  nexus-mcp uninstall [--claude-home DIR] [OPTIONS]
      remove exactly what install added
  nexus-mcp hook idle|working|dnd --broker URL
      report a Claude Code status to the node (POST /hook/set-status); always exits 0

IDENTITY:
  --broker URL             the node, e.g. ws://127.0.0.1:7900/ws
  --mesh-id ID --member-id ID
  --member-key-file PATH   the member's ed25519 secret key, 128 hex characters, mode 0600
  --name NAME              display name of this session (default: the member's)

OPTIONS: any node config key (nexusd --help), e.g. --home, --log-level,
  --mcp-inbox-messages-max; logs go to stderr only.
)";
}

} // namespace nexus::mcp_app
