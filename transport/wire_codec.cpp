#include "transport/wire_codec.hpp"

#include "transport/frame_decode.hpp"
#include "transport/json_bounded.hpp"
#include "transport/json_fields.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nexus::wire {

decode_result decode(std::string_view text, int64_t json_depth_max) {
  rapidjson::Document doc;
  switch (parse_bounded(text, json_depth_max, doc)) {
    case json_parse_status::ok:
      break;
    case json_parse_status::not_json:
      return decode_failure{decode_errc::not_json, "not valid UTF-8 JSON"};
    case json_parse_status::too_deep:
      return decode_failure{decode_errc::too_deep,
                            "JSON nested deeper than " + std::to_string(json_depth_max)};
  }
  if (!doc.IsObject())
    return decode_failure{decode_errc::not_object, "frame is not a JSON object"};
  const rapidjson::Value* type = find_last(doc, "type");
  if (type == nullptr || !type->IsString())
    return decode_failure{decode_errc::missing_type, "frame has no string \"type\""};
  inbound out;
  out.type.assign(type->GetString(), type->GetStringLength());
  // §1.5: _reqId is opaque and only echoed when it is a string.
  const rapidjson::Value* req_id = find_last(doc, "_reqId");
  if (req_id != nullptr && req_id->IsString())
    out.req_id = std::string(req_id->GetString(), req_id->GetStringLength());
  out.payload = decode_payload(out.type, doc);
  return out;
}

std::string encode_error(std::string_view code, std::string_view message,
                         const std::optional<std::string>& req_id,
                         const std::optional<std::string>& id) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("type");
  w.String("error");
  w.Key("code");
  str(code);
  w.Key("message");
  str(message);
  if (id) {
    w.Key("id");
    str(*id);
  }
  if (req_id) {
    w.Key("_reqId");
    str(*req_id);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string encode_error(const frame_error& error, const std::optional<std::string>& req_id) {
  return encode_error(error.code, error.message, req_id, error.id);
}

} // namespace nexus::wire
