// frames_identity: typed frames and HTTP bodies of identity and membership
// (issue 4; docs/identity.md is the wire contract): mesh creation, invites
// v2, member management, grants, moderation (PROTOCOL.md §5.19, §6.6, §7.2).
// Decoded by frame_decode_identity.cpp (WS) and identity_http_body.cpp
// (HTTP) with frames.hpp's rule set (unknown fields ignored, absent/null
// optional → nullopt, another wrong type or a missing required field → an
// error naming the field); encoded by frame_encoders_identity.cpp and
// identity_http_body.cpp. Values are carried as sent; the actors validate
// their meaning (key shapes, bounds, permissions).
//
// Thread-safety: plain values; copy freely between threads and actors.
#pragma once

#include "transport/frames_mesh_ops.hpp" // group_ref

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus {

// --- shared values -----------------------------------------------------------

/// A mesh creation request (HTTP POST /api/meshes and WS create_mesh).
struct mesh_create_request {
  std::string name;
  std::string pubkey;                 ///< creator's ed25519 key, 64 hex
  std::string display_name;           ///< creator's member name
  std::string recipient_x25519;       ///< base64url 32 bytes: the sealed root key's recipient
  int64_t timestamp_ms = 0;
  std::string signature;              ///< 128 hex over mesh_create_canonical
  std::optional<std::string> operator_token; ///< body field, or HTTP Authorization: Bearer
};

/// {displayName?, roleTag?, groups?, messageMode?} of an invite.
struct invite_preset_value {
  std::optional<std::string> displayName, roleTag, messageMode;
  std::optional<std::vector<group_ref>> groups;
};

/// The self-editable policy (§2.7 meshPolicy.selfEditable).
struct self_editable_policy {
  bool displayName = true;
  bool roleTag = false;
  bool groups = false;
  bool messageMode = true;
};

/// A field that may be absent, explicitly null (clear it), or set.
template <class T>
struct nullable_field {
  bool present = false;
  std::optional<T> value; ///< nullopt with present = JSON null
};

// --- client → broker (WS) ----------------------------------------------------

struct create_mesh_frame {
  mesh_create_request request;
};

struct invite_create_frame {
  std::string inviteId;
  int64_t expiresAt = 0;              ///< Unix seconds
  std::string role = "member";        ///< absent → member
  int64_t maxUses = 1;                ///< absent → 1
  std::string signature;
  std::optional<invite_preset_value> preset;
};
struct invite_list_frame {};
struct invite_revoke_frame {
  std::string code;
};

struct member_list_frame {};
/// Fields absent stay; roleTag null clears it.
struct member_update_frame {
  std::optional<std::string> memberId; ///< absent → the caller's own member
  std::optional<std::string> displayName;
  nullable_field<std::string> roleTag;
  std::optional<std::vector<group_ref>> groups;
  std::optional<std::string> messageMode;
};
struct member_set_role_frame {
  std::string memberId, role;
};
/// name → true/false, or nullopt (JSON null: back to the role default).
struct member_set_permissions_frame {
  std::string memberId;
  std::map<std::string, std::optional<bool>> permissions;
};
struct mesh_policy_frame {
  std::optional<self_editable_policy> selfEditable; ///< absent → read only
};

struct grant_frame {
  std::string peer;
  std::vector<std::string> capabilities;
};
struct block_frame {
  std::string peer;
};
struct unblock_frame {
  std::string peer;
};
struct list_grants_frame {};

/// `kick` / `disconnect` (§5.19): first applicable of all, stale, target.
struct kick_frame {
  bool soft = false;                  ///< disconnect (1000) rather than kick (4001)
  std::optional<std::string> target;
  std::optional<int64_t> stale_ms;
  bool all = false;
};
struct ban_frame {
  std::string target;                 ///< "" when absent (→ invalid "target required")
  std::optional<std::string> reason;
};
struct unban_frame {
  std::string target;
};
struct list_bans_frame {};

using identity_op =
    std::variant<create_mesh_frame, invite_create_frame, invite_list_frame, invite_revoke_frame,
                 member_list_frame, member_update_frame, member_set_role_frame,
                 member_set_permissions_frame, mesh_policy_frame, grant_frame, block_frame,
                 unblock_frame, list_grants_frame, kick_frame, ban_frame, unban_frame,
                 list_bans_frame>;

/// One identity request; a single alternative of frame_payload (frames.hpp).
struct identity_frame {
  identity_op request;
};

// --- broker → client (WS) ----------------------------------------------------

struct mesh_created_frame {
  std::string meshId, name;
  std::optional<std::string> slug;
  std::string ownerPubkey, memberId, role = "admin", sealedRootKey;
  std::optional<std::string> req_id;
};

struct invite_entry {
  std::string code, inviteId, meshId, role;
  int64_t maxUses = 0, usedCount = 0;
  int64_t expiresAt_s = 0;
  int64_t createdAt_ms = 0;
  std::string createdBy, createdByPubkey;
  std::optional<int64_t> revokedAt_ms;
  std::optional<invite_preset_value> preset;
};

struct invite_created_frame {
  invite_entry invite;
  std::string canonical;
  std::optional<std::string> req_id;
};
struct invite_list_result_frame {
  std::vector<invite_entry> invites;
  std::optional<std::string> req_id;
};
struct invite_revoked_frame {
  invite_entry invite;
  std::optional<std::string> req_id;
};

struct member_entry {
  std::string memberId, pubkey, displayName, role; ///< role: owner|admin|member
  std::optional<std::string> roleTag;              ///< sent as null when unset
  std::vector<group_ref> groups;
  std::string messageMode;
  std::vector<std::pair<std::string, bool>> permissions; ///< every permission, in a fixed order
  bool online = false;
  int64_t sessions = 0;
  int64_t createdAt_ms = 0;
};

struct member_list_result_frame {
  std::vector<member_entry> members;
  std::optional<std::string> req_id;
};
struct member_updated_frame {
  member_entry member;
  std::optional<std::string> req_id;
};
struct mesh_policy_result_frame {
  self_editable_policy selfEditable;
  std::optional<std::string> req_id;
};
struct grants_result_frame {
  std::map<std::string, std::vector<std::string>> grants;
  std::optional<std::string> req_id;
};

/// `kick_ack` / `disconnect_ack` (§5.19, §12.3).
struct kick_ack_frame {
  bool soft = false;
  std::vector<std::string> kicked, affected;
  std::optional<std::vector<std::string>> skipped_control_plane;
  std::optional<std::string> req_id;
};
struct ban_ack_frame {
  std::string banned;
  std::optional<std::string> req_id;
};
struct unban_ack_frame {
  std::string unbanned;
  std::optional<std::string> req_id;
};
struct ban_entry {
  std::string name, pubkey;
  int64_t revokedAt_ms = 0;
};
struct list_bans_result_frame {
  std::vector<ban_entry> bans;
  std::optional<std::string> req_id;
};

/// The §4.7 `profile_updated` system push to the edited member's
/// connections: eventData holds only the changed fields.
struct profile_updated_push {
  std::optional<std::string> displayName;
  nullable_field<std::string> roleTag;
  std::optional<std::vector<group_ref>> groups;
  std::optional<std::string> messageMode;
  std::string messageId, meshId;
  int64_t createdAt_ms = 0;
};

// --- HTTP bodies -------------------------------------------------------------

/// POST /invites/<code>/claim (§6.6 plus deviation 32's identity).
struct invite_claim_request {
  std::string recipient_x25519;       ///< recipient_x25519_pubkey
  std::string peer_pubkey;
  std::string display_name;           ///< "" when absent
  std::string signature;
};

struct invite_claim_response {
  std::string sealed_root_key, mesh_id, member_id, owner_pubkey, canonical_v2, role, display_name;
  bool already_member = false;
};

struct invite_preview_response {
  std::string code, mesh_id, mesh_name, inviter, role, owner_pubkey;
  int64_t expires_at_s = 0, member_count = 0, max_uses = 0, used_count = 0;
};

} // namespace nexus
