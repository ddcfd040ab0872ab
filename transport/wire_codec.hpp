// wire_codec: the only code that knows the JSON field names of the protocol
// (../shared/spec/PROTOCOL.md). Frames become typed values here, on the I/O
// thread, before anything crosses into an actor; replies are serialized here.
//
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace nexus::wire {

/// Why a frame could not be decoded.
enum class decode_errc {
  not_json,     ///< not valid UTF-8 JSON → spec §1.2: dropped silently
  too_deep,     ///< nesting beyond json_depth_max → error frame invalid_frame
  not_object,   ///< valid JSON but not an object → error frame invalid_frame
  missing_type, ///< no string "type" field → error frame invalid_frame
};

/// A decoded client frame: the envelope and, by type, its typed payload
/// (transport/frames.hpp). A frame of a known type with a bad field carries
/// a frame_error; an unknown type carries other_frame.
struct inbound {
  std::string type;                  ///< the frame's "type"
  std::optional<std::string> req_id; ///< "_reqId" when it is a string
  frame_payload payload;             ///< other_frame when default-constructed
};

struct decode_failure {
  decode_errc code;
  std::string detail; ///< human text for logs and the error frame
};

using decode_result = std::variant<inbound, decode_failure>;

/// Parses one WebSocket message. Depth is checked while parsing (SAX), so a
/// hostile frame cannot make the parser recurse or allocate past the bound.
decode_result decode(std::string_view text, int64_t json_depth_max);

/// {"type":"error","code":...,"message":...[,"id":...][,"_reqId":...]} (§1.7)
std::string encode_error(std::string_view code, std::string_view message,
                         const std::optional<std::string>& req_id = std::nullopt,
                         const std::optional<std::string>& id = std::nullopt);

/// The error frame answering a frame_error payload: its code, message and
/// id (send), and the frame's _reqId.
std::string encode_error(const frame_error& error, const std::optional<std::string>& req_id);

} // namespace nexus::wire

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::wire::inbound)
