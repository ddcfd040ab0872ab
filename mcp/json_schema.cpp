#include "mcp/json_schema.hpp"

#include "transport/json_fields.hpp"

#include <cmath>
#include <string_view>

namespace nexus::mcp {
namespace {

using rapidjson::Value;

std::string describe(const std::string& path) {
  return path.empty() ? std::string("arguments") : "argument '" + path + "'";
}

size_t utf8_length(const Value& s) {
  size_t n = 0;
  const char* p = s.GetString();
  for (rapidjson::SizeType i = 0; i < s.GetStringLength(); ++i)
    if ((static_cast<unsigned char>(p[i]) & 0xC0) != 0x80)
      ++n;
  return n;
}

bool is_integer(const Value& v) {
  if (v.IsInt64() || v.IsUint64())
    return true;
  return v.IsDouble() && std::trunc(v.GetDouble()) == v.GetDouble();
}

std::string number_text(const Value& n) {
  if (n.IsInt64())
    return std::to_string(n.GetInt64());
  return std::to_string(n.GetDouble());
}

std::optional<std::string> check(const Value& schema, const Value& v, const std::string& path);

std::optional<std::string> check_type(const std::string& type, const Value& schema, const Value& v,
                                      const std::string& path) {
  if (type == "object") {
    if (!v.IsObject())
      return describe(path) + " must be an object";
    if (const auto* required = wire::find_last(schema, "required"))
      for (const auto& name : required->GetArray())
        if (wire::find_last(v, std::string_view(name.GetString(), name.GetStringLength())) ==
            nullptr)
          return "missing required argument '" + (path.empty() ? "" : path + ".") +
                 wire::string_of(name) + "'";
    const auto* props = wire::find_last(schema, "properties");
    const auto* extra = wire::find_last(schema, "additionalProperties");
    bool closed = extra != nullptr && extra->IsBool() && !extra->GetBool();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string name = wire::string_of(it->name);
      std::string sub = path.empty() ? name : path + "." + name;
      const Value* prop = props != nullptr ? wire::find_last(*props, name) : nullptr;
      if (prop == nullptr) {
        if (closed)
          return "unknown argument '" + sub + "'";
        continue;
      }
      if (auto e = check(*prop, it->value, sub))
        return e;
    }
    return std::nullopt;
  }
  if (type == "string") {
    if (!v.IsString())
      return describe(path) + " must be a string";
    auto n = utf8_length(v);
    if (const auto* min = wire::find_last(schema, "minLength"); min && n < min->GetUint64())
      return describe(path) + " must not be shorter than " + std::to_string(min->GetUint64()) +
             " characters";
    if (const auto* max = wire::find_last(schema, "maxLength"); max && n > max->GetUint64())
      return describe(path) + " must not be longer than " + std::to_string(max->GetUint64()) +
             " characters";
    return std::nullopt;
  }
  if (type == "integer" || type == "number") {
    if (!v.IsNumber() || (type == "integer" && !is_integer(v)))
      return describe(path) + " must be " + (type == "integer" ? "an integer" : "a number");
    if (const auto* min = wire::find_last(schema, "minimum"); min && v.GetDouble() < min->GetDouble())
      return describe(path) + " must be at least " + number_text(*min);
    if (const auto* max = wire::find_last(schema, "maximum"); max && v.GetDouble() > max->GetDouble())
      return describe(path) + " must be at most " + number_text(*max);
    return std::nullopt;
  }
  if (type == "boolean")
    return v.IsBool() ? std::nullopt : std::optional<std::string>(describe(path) + " must be true or false");
  if (type == "array") {
    if (!v.IsArray())
      return describe(path) + " must be an array";
    if (const auto* max = wire::find_last(schema, "maxItems"); max && v.Size() > max->GetUint64())
      return describe(path) + " must not have more than " + std::to_string(max->GetUint64()) +
             " items";
    if (const auto* items = wire::find_last(schema, "items"))
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        if (auto e = check(*items, v[i], path + "[" + std::to_string(i) + "]"))
          return e;
    return std::nullopt;
  }
  return std::nullopt; // a type our schemas do not use: nothing to check
}

std::optional<std::string> check(const Value& schema, const Value& v, const std::string& path) {
  if (const auto* type = wire::find_last(schema, "type"); type && type->IsString())
    if (auto e = check_type(wire::string_of(*type), schema, v, path))
      return e;
  if (const auto* allowed = wire::find_last(schema, "enum")) {
    for (const auto& option : allowed->GetArray())
      if (option == v)
        return std::nullopt;
    std::string list;
    for (const auto& option : allowed->GetArray())
      if (option.IsString())
        list += (list.empty() ? "" : ", ") + wire::string_of(option);
    return describe(path) + " must be one of: " + list;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> schema_violation(const Value& schema, const Value& instance) {
  return check(schema, instance, "");
}

} // namespace nexus::mcp
