// frame_decode_identity: the pieces of identity decoding shared by the WS
// frames (frame_decode_identity.cpp) and the HTTP bodies
// (identity_http_body.cpp). Internal to the wire codec.
//
// Pure functions: safe from any thread.
#pragma once

#include "transport/frames_identity.hpp"
#include "transport/json_fields.hpp"

#include <optional>
#include <vector>

namespace nexus::wire {

/// `[{name, role?}]` (name a non-empty string, role absent/null/"" → none);
/// absent or null → nullopt; any other shape fails `r` naming the field.
std::optional<std::vector<group_ref>> optional_groups(field_reader& r, const char* name);

/// An invite preset object; absent or null → nullopt; a wrong shape fails `r`.
std::optional<invite_preset_value> optional_preset(field_reader& r, const char* name);

} // namespace nexus::wire
