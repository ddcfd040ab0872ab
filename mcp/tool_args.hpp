// tool_args: reading tool arguments that json_schema has already checked
// against the tool's inputSchema, and turning a backend outcome into a
// tool_result. Internal to the tools_*.cpp files.
//
// REQUIRES: `args` is a validated JSON object (types match the schema), so
// accessors only decide between present and absent.
#pragma once

#include "mcp/jsonrpc.hpp"
#include "mcp/tool_table.hpp"
#include "transport/json_fields.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nexus::mcp::args {

inline std::optional<std::string> opt_str(const rapidjson::Value& a, const char* name) {
  const auto* v = wire::find_last(a, name);
  if (v == nullptr || !v->IsString())
    return std::nullopt;
  return wire::string_of(*v);
}
inline std::string str(const rapidjson::Value& a, const char* name) {
  return opt_str(a, name).value_or(std::string());
}
inline std::optional<int64_t> opt_int(const rapidjson::Value& a, const char* name) {
  const auto* v = wire::find_last(a, name);
  if (v == nullptr || !v->IsNumber())
    return std::nullopt;
  return wire::clamp_to_int64(*v);
}
inline std::optional<bool> opt_bool(const rapidjson::Value& a, const char* name) {
  const auto* v = wire::find_last(a, name);
  if (v == nullptr || !v->IsBool())
    return std::nullopt;
  return v->GetBool();
}
inline std::optional<std::vector<std::string>> opt_strings(const rapidjson::Value& a,
                                                           const char* name) {
  const auto* v = wire::find_last(a, name);
  if (v == nullptr || !v->IsArray())
    return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : v->GetArray())
    out.push_back(wire::string_of(item));
  return out;
}
inline std::vector<std::string> strings(const rapidjson::Value& a, const char* name) {
  return opt_strings(a, name).value_or(std::vector<std::string>{});
}
/// Any JSON value as text; nullopt when absent.
inline std::optional<std::string> opt_json(const rapidjson::Value& a, const char* name) {
  const auto* v = wire::find_last(a, name);
  if (v == nullptr)
    return std::nullopt;
  return rpc::to_json(*v);
}

} // namespace nexus::mcp::args

namespace nexus::mcp {

inline tool_result tool_error(std::string text) { return {std::move(text), true}; }
inline tool_result tool_ok(std::string text) { return {std::move(text), false}; }

/// `format(value)` on success, the backend's message as an error otherwise.
template <class T, class Format>
tool_result from_outcome(outcome<T>&& o, Format&& format) {
  if (auto* err = std::get_if<backend_error>(&o))
    return tool_error(std::move(err->message));
  return tool_ok(format(std::get<T>(o)));
}

} // namespace nexus::mcp
