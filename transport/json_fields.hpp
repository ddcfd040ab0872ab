// json_fields: reading typed fields out of a decoded client frame (a
// RapidJSON object) for the frame decoders, with the codec's one rule set
// (transport/frames.hpp): last duplicate key wins, absent or null optional
// → nullopt, other wrong types → the first error, naming the field.
//
// Internal to the wire codec. Not thread-safe per object (use one reader per
// frame); the functions are pure.
#pragma once

#include "transport/frames.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::wire {

/// The last member named `name` of `object`, or nullptr. With duplicate keys
/// JSON.parse (the reference) keeps the last one, so we do too.
const rapidjson::Value* find_last(const rapidjson::Value& object, std::string_view name);

/// The string value of `v` (which must be a string).
std::string string_of(const rapidjson::Value& v);

/// A JSON number as int64: truncated toward zero, clamped to the int64
/// range (see frames.hpp for why we clamp rather than refuse).
int64_t clamp_to_int64(const rapidjson::Value& number);

/// JavaScript truthiness of a JSON value: false, 0, "" and null are falsy.
bool js_truthy(const rapidjson::Value& v);

/// Reads the fields of one frame object; remembers the first problem.
class field_reader {
public:
  /// `object` must be a JSON object that outlives the reader. `context`
  /// prefixes messages: "send" → "send: targetSpec must be a string";
  /// `field_prefix` names a nested object: "stats." → "stats.uptime".
  field_reader(const rapidjson::Value& object, std::string context,
               std::string field_prefix = {});

  /// nullptr when absent.
  const rapidjson::Value* get(std::string_view name) const { return find_last(object_, name); }

  std::string required_string(const char* name);
  bool required_bool(const char* name);
  /// Absent or null → nullopt; anything but a boolean is an error.
  std::optional<bool> optional_bool(const char* name);
  /// Absent or null → "".
  std::string string_or_empty(const char* name);
  std::optional<std::string> optional_string(const char* name);
  /// Absent, null or "" → nullopt (a JavaScript-falsy string is "not set").
  std::optional<std::string> optional_nonempty_string(const char* name);
  std::optional<std::vector<std::string>> optional_string_array(const char* name);
  std::optional<int64_t> optional_integer(const char* name);

  bool ok() const { return !error_; }
  /// The first problem, as a frame_error ("invalid_frame", message).
  const std::optional<frame_error>& error() const { return error_; }
  /// Records a problem with `name` unless one is already recorded.
  void fail(const char* name, const char* what);

private:
  const rapidjson::Value& object_;
  std::string context_;
  std::string field_prefix_;
  std::optional<frame_error> error_;
};

} // namespace nexus::wire
