// identity_ops: the actor protocol of identity and membership over WS
// (issue 4; docs/identity.md). The presence forwards each identity frame of
// an online connection, with the connection's presence id — never an
// identity taken from the frame (deviation 3) — and writes the reply:
//
//   presence ──identity_request (mesh ops)──▶ mesh ─▶ identity_reply
//   presence ──identity_request (create_mesh)▶ identity router ─▶ identity_reply
//   mesh     ──permissions_changed──────────▶ the member's online presences
//   mesh     ──profile_updated_push─────────▶ the member's online presences (§4.7)
//   mesh     ──(kick_atom, code, reason)────▶ presences closed by kick/ban (§5.19)
//
// The mesh side is split by area: invites.cpp (§7.2 invite_*),
// membership.cpp (member_*, mesh_policy, grants), moderation.cpp (§5.19).
// Every handler resolves the caller from the connection table, checks its
// permissions (actors/permissions.hpp) before anything is read or written,
// and answers after COMMIT.
//
// Internal to actors/. Functions run on their actor's thread only.
#pragma once

#include "actors/mesh_state.hpp"
#include "actors/permissions.hpp"
#include "actors/presence_state.hpp"
#include "storage/json_columns.hpp"
#include "transport/frames_identity.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace nexus {

/// The identity router's name in the actor system's registry (the presence
/// finds it there for create_mesh; node.cpp registers it).
using identity_router_atom = caf::atom_constant<caf::atom("identity")>;

/// presence → mesh or router: one identity frame of an online presence.
struct identity_request {
  std::string presence_id;
  identity_op op;
  std::optional<std::string> req_id;
};

/// An error frame for the requester: forbidden, invalid, not_found,
/// bad_signature, conflict, timestamp_skew, malformed, unavailable.
struct identity_error {
  std::string code, message;
};

struct identity_reply {
  std::variant<std::monostate, mesh_created_frame, invite_created_frame, invite_list_result_frame,
               invite_revoked_frame, member_list_result_frame, member_updated_frame,
               mesh_policy_result_frame, grants_result_frame, kick_ack_frame, ban_ack_frame,
               unban_ack_frame, list_bans_result_frame, identity_error>
      frame;
};

/// mesh → presence: the member's effective permissions changed.
struct permissions_changed {
  permission_set permissions;
};

// --- presence side (identity_presence.cpp) ---

/// Forwards `frame` and writes its reply; calls `done` exactly once,
/// asynchronously, after that (the caller holds later frames).
void handle_identity(presence_actor_t* self, const identity_frame& frame,
                     const std::optional<std::string>& req_id, std::function<void()> done);

// --- mesh side ---

/// The caller of a request as the mesh sees it. `entry` and `member` point
/// into the mesh state: use them synchronously only; asynchronous steps
/// capture the copies below.
struct caller_info {
  const connection_entry* entry = nullptr;
  const member_info* member = nullptr;
  std::string member_id, display_name; ///< copies, safe to capture
  member_role role = member_role::member;
  permission_set permissions;
};

/// The online caller, or nullopt when its presence or member is unknown.
std::optional<caller_info> caller_of(const mesh_state& st, const std::string& presence_id);
/// Effective role and permissions of a cached member.
member_role role_of(const mesh_state& st, const member_info& m);
permission_set permissions_of(const mesh_state& st, const member_info& m);
/// identity_error{forbidden, "forbidden: <what> needs the <permission> permission (your role: <role>)"}.
identity_reply forbidden(const caller_info& c, permission p, std::string_view what);
identity_reply error_reply(std::string code, std::string message);

/// Runs `req` on the mesh's storage actor and delivers `then(self, rows)`;
/// a storage failure becomes `on_error(err)`, by default error{unavailable}.
using rows_handler = std::function<identity_reply(mesh_actor_t*, db_reply&)>;
using storage_error_handler = std::function<identity_reply(const caf::error&)>;
using identity_promise = caf::typed_response_promise<identity_reply>;
caf::result<identity_reply> identity_rows(mesh_actor_t* self, db_request req, rows_handler then,
                                          storage_error_handler on_error = nullptr);
/// The same, answering an existing promise (from inside an earlier step's callback).
void identity_rows_into(mesh_actor_t* self, db_request req, rows_handler then, identity_promise rp,
                        storage_error_handler on_error = nullptr);

/// The mesh's dispatch (identity_mesh.cpp) and each area's handler.
caf::result<identity_reply> handle_identity(mesh_actor_t* self, identity_request& req);
caf::result<identity_reply> handle_invite_op(mesh_actor_t* self, const identity_request& req,
                                             const caller_info& caller);
caf::result<identity_reply> handle_member_op(mesh_actor_t* self, const identity_request& req,
                                             const caller_info& caller);
caf::result<identity_reply> handle_moderation_op(mesh_actor_t* self, const identity_request& req,
                                                 const caller_info& caller);

// --- value checks and conversions shared by the identity files ---

/// The problem with a display-name-like value (storage::validate_name's
/// rule: 1–256 printable UTF-8 characters), or nullopt when it is fine.
std::optional<std::string> name_problem(const std::string& value, const char* what);
/// A 64-hex ed25519 key lowercased, or nullopt.
std::optional<std::string> lower_pubkey(const std::string& hex);
/// "push", "inbox" or "off" (§2.7 messageMode).
bool valid_message_mode(const std::string& mode);
storage::group_list group_list_of(const std::vector<group_ref>& groups);
std::vector<group_ref> group_refs_of(const storage::group_list& groups);

/// Tells every online presence of `member_id` its effective permissions.
void announce_permissions(mesh_actor_t* self, const member_info& m);

/// hello_ack's meshPolicy (§2.7): present only when the mesh has a policy set.
std::optional<mesh_policy> mesh_policy_of(const mesh_state& st);

/// mesh.self_editable as stored (nullopt when unset or not an object).
std::optional<self_editable_policy> policy_from_row(const std::optional<std::string>& json);

/// §3.5.5 for a recipient member of this mesh and a sender connection, with
/// the one allowed() of actors/grants.hpp (deviation 37).
bool mesh_allows(const mesh_state& st, const std::string& recipient_member_id, capability cap,
                 const connection_entry& sender);
/// Counts one recipient skipped by its grants (broker_messages_dropped_by_grant_total{cap}).
void count_grant_drop(mesh_state& st, capability cap, int64_t n = 1);

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::identity_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::identity_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::permissions_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::profile_updated_push)
