// tool_table: every MCP tool of the bridge — name, a description written for
// a model (what it does, when to use it, what it returns), its JSON Schema
// `inputSchema`, and the function that maps it onto one mesh_backend call.
// Arguments are checked against the same schema before the function runs
// (json_schema.hpp), so a handler reads only valid arguments.
//
// The table is built once and immutable: safe to share between threads.
#pragma once

#include "mcp/mesh_backend.hpp"

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::mcp {

/// What `tools/call` returns: `content` text and `isError`.
struct tool_result {
  std::string text;
  bool is_error = false;
};

/// What a handler may use besides its arguments.
struct tool_context {
  mesh_backend& backend;
  /// Takes (and forgets) every message kept for check_messages, oldest first.
  std::function<std::vector<inbound_message>()> take_inbox;
  /// Unix milliseconds now (reminders given as a delay).
  std::function<int64_t()> now_ms;
};

using tool_handler = tool_result (*)(const rapidjson::Value& args, tool_context& ctx);

struct tool_spec {
  const char* name;
  const char* description;
  const char* input_schema; ///< JSON Schema text (type object)
  tool_handler run;
};

/// Every tool in `tools/list` order. Each group lives in its own file.
std::vector<tool_spec> messaging_tools(); // tools_messaging.cpp
std::vector<tool_spec> collab_tools();    // tools_collab.cpp
std::vector<tool_spec> mesh_tools();      // tools_mesh.cpp

class tool_table {
public:
  /// Parses every schema; throws std::logic_error naming a malformed one
  /// (a programming error, caught by the unit tests).
  tool_table();

  /// {"tools":[{name, description, inputSchema}, ...]} for tools/list.
  const std::string& list_json() const { return list_json_; }

  bool has(std::string_view name) const;

  /// Validates `args` (a JSON object, or null for none) and runs the tool.
  /// Never throws: a backend error or bad arguments become is_error.
  /// REQUIRES: has(name).
  tool_result call(std::string_view name, const rapidjson::Value& args, tool_context& ctx) const;

  size_t size() const { return tools_.size(); }

private:
  struct entry {
    tool_spec spec;
    rapidjson::Document schema;
  };
  std::vector<entry> tools_;
  std::string list_json_;
};

} // namespace nexus::mcp
