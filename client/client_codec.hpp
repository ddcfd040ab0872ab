// client_codec: the client half of the wire codec — client frames to JSON
// text, broker frames to typed values. The node's codec (transport/
// wire_codec.hpp) does the opposite directions; both share the frame structs,
// and this file pair is the only client code that knows field names.
//
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "client/link_protocol.hpp"
#include "transport/frames.hpp"
#include "transport/frames_out.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nexus::client {

/// A request frame other than hello and send: everything that correlates by
/// `_reqId` (or gets no reply at all).
using request_frame = std::variant<presence_op, collab_request, mesh_op, schedule_op, identity_op>;

std::string encode_hello(const hello_frame& f);
std::string encode_send(const send_frame& f);
/// `req_id` is written as `_reqId` on every request (harmless where the
/// broker does not echo it).
std::string encode_request(const request_frame& f, const std::string& req_id);

/// The reply frame types `f` waits for; empty when the broker sends none
/// (set_state, set_status, publish, ...).
std::vector<std::string> reply_types(const request_frame& f);

// --- broker → client ----------------------------------------------------------

/// Every `ack` shape (§3.4): a send's ack (id = send id), the generic done
/// ack of set_visible/set_profile (id = _reqId) and forget's (id = memoryId).
struct ack_frame {
  std::string id;
  std::string messageId;
  bool queued = false;
  std::optional<std::string> error;
};

/// `error` (§1.7); `id` is a send's id (deviation 25), `_reqId` is in the envelope.
struct error_frame {
  std::string code;
  std::string message;
  std::optional<std::string> id;
};

/// A frame the client has no use for (or a type it does not know).
struct unknown_frame {};

using server_payload =
    std::variant<unknown_frame, hello_ack_frame, error_frame, ack_frame, message_push,
                 inbound_event, peers_list_frame, message_status_result_frame,
                 state_result_frame, state_list_frame, memory_stored_frame, memory_results_frame,
                 task_created_frame, task_list_frame, context_shared_frame, context_list_frame,
                 stream_created_frame, subscribed_frame, stream_list_frame,
                 mesh_info_result_frame, clock_status_frame, scheduled_ack_frame,
                 scheduled_list_frame, cancel_scheduled_ack_frame, invite_created_frame>;

struct server_frame {
  std::string type;
  std::optional<std::string> req_id; ///< `_reqId` when present
  server_payload payload;
};

/// nullopt: not JSON, too deep, not an object, or no string `type` — the
/// client drops such a frame, as the broker drops bad client frames (§1.2).
/// A known type with missing fields decodes with defaults: the client is
/// lenient in what it accepts.
std::optional<server_frame> decode_server_frame(std::string_view text, int64_t json_depth_max);

/// "2026-04-15T12:00:00.123Z" → Unix ms; nullopt for any other shape.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

} // namespace nexus::client
