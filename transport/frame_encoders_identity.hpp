// frame_encoders_identity: broker → client frames of identity and membership
// (docs/identity.md; §5.19 for the moderation replies) as JSON text, one
// function per frame type from transport/frames_identity.hpp. `_reqId` is
// echoed when the request had one.
//
// REQUIRES: strings are valid UTF-8 (see json_writer.hpp).
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames_identity.hpp"

#include <string>

namespace nexus::wire {

std::string encode_mesh_created(const mesh_created_frame& f);
std::string encode_invite_created(const invite_created_frame& f);
std::string encode_invite_list_result(const invite_list_result_frame& f);
std::string encode_invite_revoked(const invite_revoked_frame& f);
std::string encode_member_list_result(const member_list_result_frame& f);
std::string encode_member_updated(const member_updated_frame& f);
std::string encode_mesh_policy_result(const mesh_policy_result_frame& f);
std::string encode_grants_result(const grants_result_frame& f);
/// `kick_ack` or `disconnect_ack` by f.soft (§12.3 example shape).
std::string encode_kick_ack(const kick_ack_frame& f);
std::string encode_ban_ack(const ban_ack_frame& f);
std::string encode_unban_ack(const unban_ack_frame& f);
std::string encode_list_bans_result(const list_bans_result_frame& f);
/// The §4.7 `profile_updated` system push (§3.7.3 envelope).
std::string encode_profile_updated(const profile_updated_push& f);

} // namespace nexus::wire
