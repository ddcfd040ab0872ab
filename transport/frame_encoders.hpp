// frame_encoders: broker → client frames of the core broker as JSON text,
// one function per frame type, each from its typed struct
// (transport/frames_out.hpp). Field order follows the spec's examples;
// optional fields are omitted when unset (§0.4). Error frames:
// wire::encode_error in transport/wire_codec.hpp.
//
// REQUIRES: strings in the structs are valid UTF-8 (see json_writer.hpp).
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames_out.hpp"
#include "transport/iso8601.hpp"

#include <string>

namespace nexus::wire {

/// `hello_ack` (§2.7).
std::string encode_hello_ack(const hello_ack_frame& f);

/// `ack` for a `send` (§3.4): {"type":"ack","id","messageId","queued"[,"error"]}.
std::string encode_send_ack(const send_ack& f);

/// `ack` as the generic "done" of set_visible / set_profile (§4.3).
std::string encode_done_ack(const done_ack& f);

/// A message `push`, live (§3.7.1) or drained (§3.7.2 + deviation 20).
std::string encode_push(const message_push& f);

/// A system `push` (§3.7.3, §4.7) with eventData name and displayName.
std::string encode_system_push(const system_push& f);

/// `peers_list` (§4.1).
std::string encode_peers_list(const peers_list_frame& f);

/// `message_status_result` (§3.10).
std::string encode_message_status_result(const message_status_result_frame& f);

} // namespace nexus::wire
