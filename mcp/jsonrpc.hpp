// jsonrpc: the JSON-RPC 2.0 envelope as MCP uses it (one message, or a
// batch of them, per stdio line or HTTP body). Classifies an untrusted
// message and writes responses; knows nothing about MCP methods.
//
// Pure functions, no shared state: safe from any thread.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::mcp::rpc {

/// JSON-RPC 2.0 error codes (spec §5.1) that the bridge sends.
enum class errc : int {
  parse_error = -32700,      ///< not JSON
  invalid_request = -32600,  ///< JSON, but not a valid request object
  method_not_found = -32601, ///< unknown method
  invalid_params = -32602,   ///< params of the wrong shape, unknown tool
  internal_error = -32603,   ///< the bridge failed (never for bad input)
};

/// One decoded message of a line or body.
struct message {
  enum class kind {
    request,      ///< has method and id: gets exactly one response
    notification, ///< has method, no id: never answered
    response,     ///< has result or error: answers a request we never send; ignored
    invalid,      ///< answered with `error` (id echoed when it was readable)
  } what = kind::invalid;
  std::string method;
  /// The id exactly as the peer wrote it (a JSON string or number), or
  /// "null" when absent or unreadable, to echo in the response.
  std::string id_json = "null";
  /// `params` as JSON text; "{}" when absent (MCP params are objects).
  std::string params_json = "{}";
  std::optional<std::pair<errc, std::string>> error; ///< kind::invalid only
};

/// One line or body: a single message, or a batch (JSON array, 2025-03-26).
struct envelope {
  bool batch = false;
  std::vector<message> messages;
  /// Set when the text as a whole was refused (not JSON, too deep, an empty
  /// batch): answer it with one error response with id null.
  std::optional<std::pair<errc, std::string>> error;
};

/// Parses untrusted text (bounded depth); never throws on bad input.
envelope parse(std::string_view text, int64_t json_depth_max);

/// Classifies one already-parsed JSON value (an element of a batch, say).
message classify(const rapidjson::Value& v);

/// {"jsonrpc":"2.0","id":<id_json>,"result":<result_json>}
std::string encode_result(std::string_view id_json, std::string_view result_json);
/// {"jsonrpc":"2.0","id":<id_json>,"error":{"code":<code>,"message":<message>}}
std::string encode_error(std::string_view id_json, errc code, std::string_view message);
/// {"jsonrpc":"2.0","method":<method>,"params":<params_json>}
std::string encode_notification(std::string_view method, std::string_view params_json);
/// `[a,b,...]` of already encoded responses.
std::string encode_batch(const std::vector<std::string>& responses);

/// Serializes a RapidJSON value back to compact JSON text.
std::string to_json(const rapidjson::Value& v);

} // namespace nexus::mcp::rpc
