#include "mcp/tool_table.hpp"

#include "mcp/json_schema.hpp"
#include "mcp/jsonrpc.hpp"
#include "transport/json_writer.hpp"

#include <exception>
#include <stdexcept>

namespace nexus::mcp {

tool_table::tool_table() {
  std::vector<tool_spec> specs;
  for (auto group : {messaging_tools(), collab_tools(), mesh_tools()})
    specs.insert(specs.end(), group.begin(), group.end());

  wire::json_writer w;
  w.begin_object();
  w.key("tools");
  w.begin_array();
  for (const auto& spec : specs) {
    entry e{spec, rapidjson::Document()};
    e.schema.Parse(spec.input_schema);
    if (e.schema.HasParseError() || !e.schema.IsObject())
      throw std::logic_error(std::string("tool ") + spec.name + ": inputSchema is not a JSON object");
    w.begin_object();
    w.str_field("name", spec.name);
    w.str_field("description", spec.description);
    w.raw_field("inputSchema", rpc::to_json(e.schema));
    w.end_object();
    tools_.push_back(std::move(e));
  }
  w.end_array();
  w.end_object();
  list_json_ = w.take();
}

bool tool_table::has(std::string_view name) const {
  for (const auto& t : tools_)
    if (name == t.spec.name)
      return true;
  return false;
}

tool_result tool_table::call(std::string_view name, const rapidjson::Value& args,
                             tool_context& ctx) const {
  for (const auto& t : tools_) {
    if (name != t.spec.name)
      continue;
    // `arguments` may be omitted for a tool without parameters.
    static const rapidjson::Value empty_object(rapidjson::kObjectType);
    const rapidjson::Value& a = args.IsNull() ? empty_object : args;
    if (auto violation = schema_violation(t.schema, a))
      return {std::string(t.spec.name) + ": " + *violation, true};
    try {
      return t.spec.run(a, ctx);
    } catch (const std::exception& e) {
      // A backend implementation that throws is a bug, but one tool call
      // failing must not take the session down with it.
      return {std::string(t.spec.name) + " failed: " + e.what(), true};
    }
  }
  return {"unknown tool " + std::string(name), true};
}

} // namespace nexus::mcp
