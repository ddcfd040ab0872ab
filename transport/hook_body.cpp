#include "transport/hook_body.hpp"

#include "transport/json_bounded.hpp"
#include "transport/json_fields.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <limits>

namespace nexus::wire {
namespace {

std::optional<std::string> nonempty_string(const rapidjson::Value& object, std::string_view name) {
  const auto* v = find_last(object, name);
  if (v == nullptr || !v->IsString() || v->GetStringLength() == 0)
    return std::nullopt;
  return string_of(*v);
}

/// pid is stored as an integer column: fractions and out-of-range values
/// are treated as "no pid" rather than failing the whole request.
std::optional<int64_t> pid_of(const rapidjson::Value& object) {
  const auto* v = find_last(object, "pid");
  if (v == nullptr || !v->IsNumber())
    return std::nullopt;
  if (v->IsInt64()) {
    auto n = v->GetInt64();
    if (n >= std::numeric_limits<int32_t>::min() && n <= std::numeric_limits<int32_t>::max())
      return n;
    return std::nullopt;
  }
  return std::nullopt; // a fraction, or beyond int64
}

template <class Write>
std::string write_object(Write&& body) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  body(w);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

void str(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

} // namespace

hook_body_result decode_hook_body(std::string_view text, int64_t json_depth_max) {
  hook_body_result out;
  rapidjson::Document doc;
  switch (parse_bounded(text, json_depth_max, doc)) {
    case json_parse_status::ok:
      break;
    case json_parse_status::not_json:
      out.error = text.empty() ? "Unexpected end of JSON input" : "Invalid JSON in request body";
      return out;
    case json_parse_status::too_deep:
      out.error = "JSON nested deeper than " + std::to_string(json_depth_max) + " levels";
      return out;
  }
  hook_body body;
  if (doc.IsObject()) {
    body.cwd = nonempty_string(doc, "cwd");
    body.status = nonempty_string(doc, "status");
    body.pid = pid_of(doc);
  }
  out.body = std::move(body);
  return out;
}

std::string encode_hook_error(std::string_view message) {
  return write_object([&](auto& w) {
    w.Key("ok");
    w.Bool(false);
    w.Key("error");
    str(w, message);
  });
}

std::string encode_hook_pending() {
  return write_object([](auto& w) {
    w.Key("ok");
    w.Bool(true);
    w.Key("pending");
    w.Bool(true);
  });
}

std::string encode_hook_applied(std::string_view presence_id) {
  return write_object([&](auto& w) {
    w.Key("ok");
    w.Bool(true);
    w.Key("presence_id");
    str(w, presence_id);
  });
}

} // namespace nexus::wire
