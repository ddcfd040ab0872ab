#include "mcp/server.hpp"

#include "config/log.hpp"
#include "mcp/protocol_version.hpp"
#include "transport/json_fields.hpp"
#include "transport/json_writer.hpp"

#include <vector>

namespace nexus::mcp {
namespace {

using rpc::errc;

std::string initialize_result(std::string_view version, const server_info& info) {
  wire::json_writer w;
  w.begin_object();
  w.str_field("protocolVersion", version);
  w.raw_field("capabilities",
              R"({"tools":{"listChanged":false},"experimental":{"claude/channel":{}}})");
  w.key("serverInfo");
  w.begin_object();
  w.str_field("name", info.name);
  w.str_field("version", info.version);
  w.end_object();
  if (!info.instructions.empty())
    w.str_field("instructions", info.instructions);
  w.end_object();
  return w.take();
}

std::string call_result(const tool_result& r) {
  wire::json_writer w;
  w.begin_object();
  w.key("content");
  w.begin_array();
  w.begin_object();
  w.str_field("type", "text");
  w.str_field("text", r.text);
  w.end_object();
  w.end_array();
  w.bool_field("isError", r.is_error);
  w.end_object();
  return w.take();
}

} // namespace

server::server(const tool_table& tools, tool_context ctx, server_info info, int64_t json_depth_max)
    : tools_(tools), ctx_(std::move(ctx)), info_(std::move(info)), json_depth_max_(json_depth_max) {}

std::optional<std::string> server::handle(std::string_view text) {
  rpc::envelope env = rpc::parse(text, json_depth_max_);
  if (env.error) {
    log::debug("mcp") << "refused input: " << env.error->second;
    return rpc::encode_error("null", env.error->first, env.error->second);
  }
  std::vector<std::string> replies;
  for (const auto& m : env.messages)
    if (auto r = handle_one(m))
      replies.push_back(std::move(*r));
  if (replies.empty())
    return std::nullopt;
  if (!env.batch)
    return std::move(replies.front());
  return rpc::encode_batch(replies);
}

std::optional<std::string> server::handle_one(const rpc::message& m) {
  using kind = rpc::message::kind;
  switch (m.what) {
  case kind::invalid:
    return rpc::encode_error(m.id_json, m.error->first, m.error->second);
  case kind::response:
    return std::nullopt; // we send no requests, so there is nothing to match
  case kind::notification:
    // notifications/initialized, notifications/cancelled, ...: nothing to
    // do for a server whose requests complete before the next is read.
    log::debug("mcp") << "notification " << m.method;
    return std::nullopt;
  case kind::request:
    break;
  }

  rapidjson::Document params;
  params.Parse(m.params_json.data(), m.params_json.size()); // our own re-serialization: valid
  auto invalid_params = [&](const std::string& why) {
    return rpc::encode_error(m.id_json, errc::invalid_params, "Invalid params: " + why);
  };

  if (m.method == "ping")
    return rpc::encode_result(m.id_json, "{}");

  if (m.method == "initialize") {
    if (!params.IsObject())
      return invalid_params("params must be an object");
    const auto* v = wire::find_last(params, "protocolVersion");
    if (v == nullptr || !v->IsString())
      return invalid_params("protocolVersion must be a string");
    auto requested = wire::string_of(*v);
    auto chosen = negotiate_protocol_version(requested);
    log::info("mcp") << "initialize: client asked for " << requested << ", answering " << chosen;
    return rpc::encode_result(m.id_json, initialize_result(chosen, info_));
  }

  if (m.method == "tools/list")
    return rpc::encode_result(m.id_json, tools_.list_json());

  if (m.method == "tools/call") {
    if (!params.IsObject())
      return invalid_params("params must be an object");
    const auto* name = wire::find_last(params, "name");
    if (name == nullptr || !name->IsString())
      return invalid_params("name must be a string");
    std::string tool = wire::string_of(*name);
    if (!tools_.has(tool))
      return invalid_params("unknown tool " + tool);
    const auto* args = wire::find_last(params, "arguments");
    static const rapidjson::Value none;
    if (args != nullptr && !args->IsObject() && !args->IsNull())
      return invalid_params("arguments must be an object");
    tool_result r = tools_.call(tool, args != nullptr ? *args : none, ctx_);
    if (r.is_error)
      log::info("mcp") << "tool " << tool << " failed: " << r.text;
    return rpc::encode_result(m.id_json, call_result(r));
  }

  return rpc::encode_error(m.id_json, errc::method_not_found, "Method not found: " + m.method);
}

} // namespace nexus::mcp
