// channel: an inbound mesh message as the MCP notification Claude Code reads
// from an MCP server that declares the experimental capability
// `claude/channel`:
//
//   {"jsonrpc":"2.0","method":"notifications/claude/channel",
//    "params":{"content":"<sender>: <text>",
//              "meta":{"from_id","from_name","priority","sent_at","mesh_id","kind","message_id"}}}
//
// meta keys match ^[a-zA-Z_][a-zA-Z0-9_]*$ and every value is a string
// (sent_at as ISO-8601), which is what the client accepts.
//
// Pure functions; thread-safe.
#pragma once

#include "mcp/mesh_backend.hpp"

#include <string>
#include <string_view>

namespace nexus::mcp {

constexpr std::string_view channel_method = "notifications/claude/channel";

/// The full JSON-RPC notification, one line, no trailing newline.
std::string encode_channel_notification(const inbound_message& m);

/// True iff `key` is acceptable as a meta key.
bool valid_meta_key(std::string_view key);

} // namespace nexus::mcp
