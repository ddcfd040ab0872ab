// hook_body: the JSON of POST /hook/set-status (spec §6.4) — decoding the
// request body into plain values and encoding the route's JSON replies. The
// route logic (loopback rule, rate limit, presence lookup) lives in
// actors/hook_route.*; JSON stays here in transport.
//
// Pure functions, no shared state: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::wire {

/// The fields of a hook body the broker reads (`session_id` is unused, §6.4).
/// A field that is absent, null or of the wrong type is nullopt (the route
/// then answers "cwd and status required" for cwd/status); an empty string
/// counts as missing, like the reference's `!cwd` check.
struct hook_body {
  std::optional<std::string> cwd;
  std::optional<std::string> status; ///< not validated here ("invalid status" is the route's)
  std::optional<int64_t> pid;        ///< only an integer in the int32 range (the DB column)
};

/// Decoded body, or the parser's message for the 500 of §6.4 step 2.
struct hook_body_result {
  std::optional<hook_body> body;
  std::string error; ///< set when !body
};

/// Parses `text` with parse_bounded (depth `json_depth_max`). Valid JSON
/// that is not an object decodes to an empty hook_body (every field
/// missing), as the reference's `body.cwd` of a non-object is undefined.
hook_body_result decode_hook_body(std::string_view text, int64_t json_depth_max);

/// {"ok":false,"error":<message>}
std::string encode_hook_error(std::string_view message);
/// {"ok":true,"pending":true}
std::string encode_hook_pending();
/// {"ok":true,"presence_id":<id>}
std::string encode_hook_applied(std::string_view presence_id);

} // namespace nexus::wire
