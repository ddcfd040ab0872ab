#include "transport/json_fields.hpp"

#include <cmath>
#include <limits>

namespace nexus::wire {

const rapidjson::Value* find_last(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* found = nullptr;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it)
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == name)
      found = &it->value;
  return found;
}

std::string string_of(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

int64_t clamp_to_int64(const rapidjson::Value& number) {
  if (number.IsInt64())
    return number.GetInt64();
  if (number.IsUint64()) // above INT64_MAX
    return std::numeric_limits<int64_t>::max();
  const double d = std::trunc(number.GetDouble()); // finite: the parser refuses inf/nan
  // 2^63 is exactly representable; anything at or above it does not fit.
  constexpr double two_63 = 9223372036854775808.0;
  if (d >= two_63)
    return std::numeric_limits<int64_t>::max();
  if (d < -two_63)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

bool js_truthy(const rapidjson::Value& v) {
  if (v.IsNull())
    return false;
  if (v.IsBool())
    return v.GetBool();
  if (v.IsString())
    return v.GetStringLength() > 0;
  if (v.IsNumber())
    return v.GetDouble() != 0.0;
  return true; // objects and arrays, even empty ones
}

field_reader::field_reader(const rapidjson::Value& object, std::string context,
                           std::string field_prefix)
    : object_(object), context_(std::move(context)), field_prefix_(std::move(field_prefix)) {}

void field_reader::fail(const char* name, const char* what) {
  if (error_)
    return;
  frame_error e;
  e.message = context_ + ": " + field_prefix_ + name + " " + what;
  error_ = std::move(e);
}

std::string field_reader::required_string(const char* name) {
  const rapidjson::Value* v = get(name);
  if (v == nullptr || !v->IsString()) {
    fail(name, "must be a string");
    return {};
  }
  return string_of(*v);
}

bool field_reader::required_bool(const char* name) {
  const rapidjson::Value* v = get(name);
  if (v == nullptr || !v->IsBool()) {
    fail(name, "must be a boolean");
    return false;
  }
  return v->GetBool();
}

std::optional<bool> field_reader::optional_bool(const char* name) {
  const rapidjson::Value* v = get(name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  if (!v->IsBool()) {
    fail(name, "must be a boolean");
    return std::nullopt;
  }
  return v->GetBool();
}

std::string field_reader::string_or_empty(const char* name) {
  return optional_string(name).value_or(std::string());
}

std::optional<std::string> field_reader::optional_string(const char* name) {
  const rapidjson::Value* v = get(name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  if (!v->IsString()) {
    fail(name, "must be a string");
    return std::nullopt;
  }
  return string_of(*v);
}

std::optional<std::string> field_reader::optional_nonempty_string(const char* name) {
  auto s = optional_string(name);
  if (s && s->empty())
    return std::nullopt;
  return s;
}

std::optional<std::vector<std::string>> field_reader::optional_string_array(const char* name) {
  const rapidjson::Value* v = get(name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  if (!v->IsArray()) {
    fail(name, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(v->Size());
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) {
      fail(name, "must be an array of strings");
      return std::nullopt;
    }
    out.push_back(string_of(item));
  }
  return out;
}

std::optional<int64_t> field_reader::optional_integer(const char* name) {
  const rapidjson::Value* v = get(name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  if (!v->IsNumber()) {
    fail(name, "must be a number");
    return std::nullopt;
  }
  return clamp_to_int64(*v);
}

} // namespace nexus::wire
