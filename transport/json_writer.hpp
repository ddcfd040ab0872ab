// json_writer: the small vocabulary the frame encoders write JSON with —
// RapidJSON's Writer (correct escaping) plus the protocol's conventions:
// optional fields omitted when unset (§0.4), times as ISO-8601 (§0.2),
// groups as [{name, role?}].
//
// Internal to the wire codec. One writer per frame, one thread at a time.
// REQUIRES: strings are valid UTF-8 (they come from validated frames or from
// the UTF-8 database); integers only, so no NaN can be written.
#pragma once

#include "transport/frames.hpp"
#include "transport/iso8601.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::wire {

class json_writer {
public:
  void begin_object() { w_.StartObject(); }
  void end_object() { w_.EndObject(); }
  void begin_array() { w_.StartArray(); }
  void end_array() { w_.EndArray(); }
  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(std::string_view s) { w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

  // Distinct names, not overloads: a string literal would silently pick a
  // bool overload over a string_view one.
  void str_field(std::string_view k, std::string_view v) {
    key(k);
    str(v);
  }
  void opt_str_field(std::string_view k, const std::optional<std::string>& v) {
    if (v)
      str_field(k, *v);
  }
  /// The value, or null when nullopt (for fields the spec sends as null).
  void str_or_null_field(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    if (v)
      str(*v);
    else
      w_.Null();
  }
  void bool_field(std::string_view k, bool v) {
    key(k);
    w_.Bool(v);
  }
  void int_field(std::string_view k, int64_t v) {
    key(k);
    w_.Int64(v);
  }
  void opt_int_field(std::string_view k, const std::optional<int64_t>& v) {
    if (v)
      int_field(k, *v);
  }
  void time_field(std::string_view k, int64_t unix_ms) { str_field(k, iso8601_ms(unix_ms)); }
  void strings_field(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    begin_array();
    for (const auto& s : v)
      str(s);
    end_array();
  }
  void groups_field(std::string_view k, const std::vector<hello_group>& groups) {
    key(k);
    begin_array();
    for (const auto& g : groups) {
      begin_object();
      str_field("name", g.name);
      opt_str_field("role", g.role);
      end_object();
    }
    end_array();
  }

  /// JSON text from a parser or writer (a state value, stream data),
  /// embedded verbatim. REQUIRES: `json` is valid JSON text.
  void raw_field(std::string_view k, std::string_view json) {
    key(k);
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
  /// A whole number goes out as an integer (5, not 5.0), as JavaScript prints it.
  void number_field(std::string_view k, double v) {
    key(k);
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15)
      w_.Int64(static_cast<int64_t>(v));
    else
      w_.Double(v);
  }

  std::string take() const { return std::string(buf_.GetString(), buf_.GetSize()); }

private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_{buf_};
};

} // namespace nexus::wire
