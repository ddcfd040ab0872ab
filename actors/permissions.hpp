// permissions: roles and what each may do in a mesh (issue 4; docs/identity.md).
//
//   owner  — the member whose pubkey is the mesh's owner pubkey: everything,
//            and no override can take anything away;
//   admin  — every permission by default;
//   member — write_state and send by default.
//
// A member's stored overrides (member.permissions, e.g. {"invite":true,
// "send":false}) replace its role's default one permission at a time;
// unknown names are ignored.
//
// Pure functions over values: safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nexus {

enum class member_role : uint8_t { owner, admin, member };

enum class permission : uint8_t {
  invite,          ///< create, list and revoke invites
  manage_members,  ///< edit other members, roles, permissions, the self-editable policy
  write_state,     ///< set_state
  send,            ///< send messages
  moderate,        ///< kick, disconnect, ban, unban
  manage_services, ///< reserved for managed services
};

inline constexpr std::array<permission, 6> all_permissions = {
    permission::invite, permission::manage_members, permission::write_state,
    permission::send,   permission::moderate,       permission::manage_services};

/// Wire and storage names: "invite", "manage_members", ...
std::string_view to_string(permission p);
std::optional<permission> parse_permission(std::string_view s);

/// "owner", "admin", "member".
std::string_view to_string(member_role r);
/// The role of a member row: owner when it holds the owner key, else its
/// stored role ("admin" → admin, anything else → member).
member_role role_of(std::string_view stored_role, bool is_owner);

/// A set of permissions (one bit each).
class permission_set {
public:
  bool has(permission p) const { return (bits_ & bit(p)) != 0; }
  void set(permission p, bool on) { bits_ = on ? (bits_ | bit(p)) : (bits_ & ~bit(p)); }
  bool operator==(const permission_set& o) const { return bits_ == o.bits_; }

private:
  static uint8_t bit(permission p) { return static_cast<uint8_t>(1u << static_cast<unsigned>(p)); }
  uint8_t bits_ = 0;
};

permission_set default_permissions(member_role r);

/// The role's defaults with `overrides` (name → granted) applied; the owner
/// ignores overrides.
permission_set effective_permissions(member_role r, const std::map<std::string, bool>& overrides);

} // namespace nexus
