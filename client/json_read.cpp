#include "client/json_read.hpp"

#include "client/client_codec.hpp"
#include "transport/json_fields.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nexus::client::json {

const value* field(const value& obj, std::string_view name) {
  return obj.IsObject() ? wire::find_last(obj, name) : nullptr;
}

std::string str(const value& obj, std::string_view name) {
  return opt_str(obj, name).value_or(std::string());
}

std::optional<std::string> opt_str(const value& obj, std::string_view name) {
  const value* v = field(obj, name);
  if (!v || !v->IsString())
    return std::nullopt;
  return wire::string_of(*v);
}

std::optional<int64_t> opt_integer(const value& obj, std::string_view name) {
  const value* v = field(obj, name);
  if (!v || !v->IsNumber())
    return std::nullopt;
  return wire::clamp_to_int64(*v);
}

int64_t integer(const value& obj, std::string_view name) {
  return opt_integer(obj, name).value_or(0);
}

double number(const value& obj, std::string_view name) {
  const value* v = field(obj, name);
  return v && v->IsNumber() ? v->GetDouble() : 0.0;
}

bool boolean(const value& obj, std::string_view name) {
  const value* v = field(obj, name);
  return v && v->IsBool() && v->GetBool();
}

int64_t time_ms(const value& obj, std::string_view name) {
  const value* v = field(obj, name);
  if (!v)
    return 0;
  if (v->IsNumber())
    return wire::clamp_to_int64(*v);
  if (v->IsString())
    return parse_iso8601_ms(wire::string_of(*v)).value_or(0);
  return 0;
}

std::vector<std::string> strings(const value& obj, std::string_view name) {
  std::vector<std::string> out;
  const value* a = field(obj, name);
  if (a && a->IsArray())
    for (const auto& e : a->GetArray())
      if (e.IsString())
        out.push_back(wire::string_of(e));
  return out;
}

std::vector<hello_group> groups(const value& obj, std::string_view name) {
  std::vector<hello_group> out;
  each_object(obj, name, [&](const value& g) {
    if (auto n = opt_str(g, "name"))
      out.push_back({*n, opt_str(g, "role")});
  });
  return out;
}

std::string text_of(const value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string text(const value& obj, std::string_view name) {
  const value* v = field(obj, name);
  return v ? text_of(*v) : "null";
}

} // namespace nexus::client::json
