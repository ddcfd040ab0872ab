// json_bounded: parse untrusted JSON text into a RapidJSON DOM with the
// nesting depth checked *while* parsing and UTF-8 validated.
//
// Used by the wire codec for WebSocket frames and by HTTP routes for request
// bodies, so both share one notion of "too deep" (config key json_depth_max).
// The parser is iterative (no recursion on hostile input) and stops at the
// first container that would exceed the bound, so a deep frame costs at most
// depth_max levels of DOM.
//
// Pure function, no shared state: safe from any thread.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string_view>

namespace nexus::wire {

enum class json_parse_status {
  ok,
  not_json, ///< syntax error, invalid UTF-8, embedded NUL, trailing garbage
  too_deep, ///< a container nested deeper than depth_max
};

/// Parses `text` into `doc`. Depth counts containers: `{}` is depth 1,
/// `{"a":[1]}` depth 2; a document of depth `depth_max` is accepted,
/// `depth_max + 1` refused. On failure `doc` is left null.
json_parse_status parse_bounded(std::string_view text, int64_t depth_max,
                                rapidjson::Document& doc);

} // namespace nexus::wire
