// frame_decode: the typed payload of one client frame, by its "type"
// (transport/frames.hpp). Called by wire::decode after the envelope checks;
// exposed for the codec's tests and for nothing else.
//
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames.hpp"

#include <rapidjson/document.h>

#include <optional>
#include <string_view>

namespace nexus::wire {

/// `frame` must be a JSON object. Unknown types → other_frame; a known type
/// with a bad field → frame_error naming it.
frame_payload decode_payload(std::string_view type, const rapidjson::Value& frame);

/// Never fail: wrong or missing fields map as described in frames.hpp so the
/// handshake checks produce the reference's rejection codes.
hello_frame decode_hello(const rapidjson::Value& frame);
/// §5.1–§5.4 (frame_decode_collab.cpp): a collab_frame or frame_error, or
/// nullopt when `type` is not a collaboration type.
std::optional<frame_payload> decode_collab(std::string_view type, const rapidjson::Value& frame);
/// §5.5, §5.7, §5.8 (frame_decode_mesh_ops.cpp): a mesh_op_frame or
/// frame_error, or nullopt when `type` is not one of those areas' types.
std::optional<frame_payload> decode_mesh_op(std::string_view type, const rapidjson::Value& frame);
/// §5.20 (frame_decode_audit.cpp): an audit_frame or frame_error, or nullopt
/// when `type` is not audit_query / audit_verify.
std::optional<frame_payload> decode_audit(std::string_view type, const rapidjson::Value& frame);
/// §5.6 (frame_decode_schedule.cpp): a schedule_frame or frame_error, or
/// nullopt when `type` is not schedule / list_scheduled / cancel_scheduled.
std::optional<frame_payload> decode_schedule(std::string_view type, const rapidjson::Value& frame);
/// Identity and membership (frame_decode_identity.cpp, docs/identity.md): an
/// identity_frame or frame_error, or nullopt when `type` is not one of them.
std::optional<frame_payload> decode_identity(std::string_view type, const rapidjson::Value& frame);
session_hello_frame decode_session_hello(const rapidjson::Value& frame);

} // namespace nexus::wire
