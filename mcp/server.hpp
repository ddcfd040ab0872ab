// server: the MCP protocol core, independent of the transport. One call
// takes one stdio line or one HTTP body (a JSON-RPC message or a batch) and
// returns the text to answer with, if any:
//
//   initialize            → version negotiation, serverInfo, capabilities
//                           {tools, experimental: {"claude/channel": {}}}
//   ping                  → {}
//   tools/list            → the tool table
//   tools/call            → content + isError (tool_table.hpp)
//   notifications/*       → nothing
//   anything else         → -32601; malformed input → -32700 / -32600 / -32602
//
// Stateless between calls (the negotiated version only shapes the
// initialize reply), so one server may serve several transports and
// threads at once. Never throws on input.
#pragma once

#include "mcp/jsonrpc.hpp"
#include "mcp/tool_table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::mcp {

struct server_info {
  std::string name = "nexus-mcp";
  std::string version;
  /// Shown to the model by clients that support it (initialize result).
  std::string instructions;
};

class server {
public:
  /// `tools` must outlive the server; `ctx`'s backend and functions must be
  /// callable from every thread that calls handle().
  server(const tool_table& tools, tool_context ctx, server_info info, int64_t json_depth_max);

  /// The response line/body, or nullopt when the input held only
  /// notifications or responses (nothing to answer).
  std::optional<std::string> handle(std::string_view text);

private:
  std::optional<std::string> handle_one(const rpc::message& m);

  const tool_table& tools_;
  tool_context ctx_;
  server_info info_;
  int64_t json_depth_max_;
};

} // namespace nexus::mcp
