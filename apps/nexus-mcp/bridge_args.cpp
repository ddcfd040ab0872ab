#include "apps/nexus-mcp/bridge_args.hpp"

namespace nexus::mcp_app {

bridge_args parse_bridge_args(const std::vector<std::string>& args) {
  bridge_args out;
  size_t i = 0;
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
    else if (a == "--mesh")
      out.identity.mesh = value(a);
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
    else
      out.config_args.push_back(a);
  }
  if (out.allow_remote && !out.http)
    throw usage_error("--allow-remote only applies with --http");
  return out;
}

void require_identity(const bridge_identity_args& id) {
  if (!id.explicit_keys()) {
    if (!id.mesh_id.empty() || !id.member_id.empty())
      throw usage_error("--mesh-id and --member-id need --member-key-file (or use --mesh)");
    return;
  }
  if (!id.mesh.empty())
    throw usage_error("--mesh selects a mesh of the CLI home; it cannot be combined with "
                      "--member-key-file");
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
  (`nexus install [--hooks]` adds it to Claude Code, `nexus uninstall` removes it)

IDENTITY (default: the default mesh of the CLI home, see `nexus list`):
  --mesh NAME|ID           a mesh joined with `nexus join` / `nexus mesh create`
  --broker URL             the node, e.g. ws://127.0.0.1:7900/ws (default: the mesh's)
  --name NAME              display name of this session (default: the member's)
or without a CLI home:
  --broker URL --mesh-id ID --member-id ID
  --member-key-file PATH   the member's ed25519 secret key, 128 hex characters, mode 0600

OPTIONS: any node config key (nexusd --help), e.g. --home, --log-level,
  --mcp-inbox-messages-max; logs go to stderr only.
)";
}

} // namespace nexus::mcp_app
