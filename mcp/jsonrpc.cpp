#include "mcp/jsonrpc.hpp"

#include "transport/json_bounded.hpp"
#include "transport/json_fields.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nexus::mcp::rpc {

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

message classify(const rapidjson::Value& v) {
  message m;
  auto invalid = [&](std::string why) {
    m.what = message::kind::invalid;
    m.error = {errc::invalid_request, std::move(why)};
    return m;
  };
  if (!v.IsObject())
    return invalid("Invalid Request: a message must be a JSON object");

  // The id first, so that every later refusal can still echo it.
  const auto* id = wire::find_last(v, "id");
  bool id_usable = id != nullptr && (id->IsString() || (id->IsNumber()));
  if (id_usable)
    m.id_json = to_json(*id);

  const auto* version = wire::find_last(v, "jsonrpc");
  if (version == nullptr || !version->IsString() || wire::string_of(*version) != "2.0")
    return invalid("Invalid Request: jsonrpc must be \"2.0\"");

  const auto* method = wire::find_last(v, "method");
  if (method == nullptr) {
    if (wire::find_last(v, "result") != nullptr || wire::find_last(v, "error") != nullptr) {
      m.what = message::kind::response;
      return m;
    }
    return invalid("Invalid Request: method is missing");
  }
  if (!method->IsString())
    return invalid("Invalid Request: method must be a string");
  m.method = wire::string_of(*method);

  // MCP: "the ID MUST NOT be null"; JSON-RPC: an id is a string or number.
  if (id != nullptr && !id_usable)
    return invalid("Invalid Request: id must be a string or a number");

  if (const auto* params = wire::find_last(v, "params")) {
    if (!params->IsObject() && !params->IsArray())
      return invalid("Invalid Request: params must be an object or an array");
    m.params_json = to_json(*params);
  }
  m.what = id != nullptr ? message::kind::request : message::kind::notification;
  return m;
}

envelope parse(std::string_view text, int64_t json_depth_max) {
  envelope env;
  rapidjson::Document doc;
  switch (wire::parse_bounded(text, json_depth_max, doc)) {
  case wire::json_parse_status::ok:
    break;
  case wire::json_parse_status::too_deep:
    env.error = {errc::parse_error, "Parse error: JSON nested deeper than " +
                                        std::to_string(json_depth_max) + " levels"};
    return env;
  case wire::json_parse_status::not_json:
    env.error = {errc::parse_error, "Parse error: not valid JSON"};
    return env;
  }
  if (doc.IsArray()) {
    if (doc.Empty()) {
      env.error = {errc::invalid_request, "Invalid Request: empty batch"};
      return env;
    }
    env.batch = true;
    for (const auto& item : doc.GetArray())
      env.messages.push_back(classify(item));
    return env;
  }
  env.messages.push_back(classify(doc));
  return env;
}

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_raw(writer& w, std::string_view json) {
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

/// Opens a response object: {"jsonrpc":"2.0","id":<id_json>, ...
void open_response(writer& w, std::string_view id_json) {
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("id");
  write_raw(w, id_json);
}

} // namespace

std::string encode_result(std::string_view id_json, std::string_view result_json) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  open_response(w, id_json);
  w.Key("result");
  write_raw(w, result_json);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string encode_error(std::string_view id_json, errc code, std::string_view message) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  open_response(w, id_json);
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.Int(static_cast<int>(code));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string encode_notification(std::string_view method, std::string_view params_json) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("method");
  w.String(method.data(), static_cast<rapidjson::SizeType>(method.size()));
  w.Key("params");
  write_raw(w, params_json);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string encode_batch(const std::vector<std::string>& responses) {
  std::string out = "[";
  for (size_t i = 0; i < responses.size(); ++i) {
    if (i > 0)
      out += ',';
    out += responses[i];
  }
  out += ']';
  return out;
}

} // namespace nexus::mcp::rpc
