// json_read: lenient typed reads of a broker frame's fields for the client
// decoders. The broker is trusted to speak the protocol, so a missing or
// mistyped field reads as its default instead of failing the frame; the
// client shows what it got rather than dropping a reply it waits for.
//
// Internal to the client codec. Pure functions over a RapidJSON value.
#pragma once

#include "transport/frames.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::client::json {

using value = rapidjson::Value;

const value* field(const value& obj, std::string_view name);
std::string str(const value& obj, std::string_view name);
/// nullopt when absent, null or not a string.
std::optional<std::string> opt_str(const value& obj, std::string_view name);
int64_t integer(const value& obj, std::string_view name);
std::optional<int64_t> opt_integer(const value& obj, std::string_view name);
double number(const value& obj, std::string_view name);
bool boolean(const value& obj, std::string_view name);
/// ISO-8601 string or ms number → Unix ms; 0 when absent or unreadable.
int64_t time_ms(const value& obj, std::string_view name);
std::vector<std::string> strings(const value& obj, std::string_view name);
std::vector<hello_group> groups(const value& obj, std::string_view name);
/// Compact JSON text of a field's value; "null" when absent.
std::string text(const value& obj, std::string_view name);
std::string text_of(const value& v);
/// Calls `f(element)` for each object in array field `name`.
template <class F>
void each_object(const value& obj, std::string_view name, F&& f) {
  const value* a = field(obj, name);
  if (!a || !a->IsArray())
    return;
  for (const auto& e : a->GetArray())
    if (e.IsObject())
      f(e);
}

} // namespace nexus::client::json
