#include "actors/permissions.hpp"

namespace nexus {

std::string_view to_string(permission p) {
  switch (p) {
    case permission::invite: return "invite";
    case permission::manage_members: return "manage_members";
    case permission::write_state: return "write_state";
    case permission::send: return "send";
    case permission::moderate: return "moderate";
    case permission::manage_services: return "manage_services";
  }
  return "invite";
}

std::optional<permission> parse_permission(std::string_view s) {
  for (permission p : all_permissions)
    if (s == to_string(p))
      return p;
  return std::nullopt;
}

std::string_view to_string(member_role r) {
  switch (r) {
    case member_role::owner: return "owner";
    case member_role::admin: return "admin";
    case member_role::member: return "member";
  }
  return "member";
}

member_role role_of(std::string_view stored_role, bool is_owner) {
  if (is_owner)
    return member_role::owner;
  return stored_role == "admin" ? member_role::admin : member_role::member;
}

permission_set default_permissions(member_role r) {
  permission_set s;
  for (permission p : all_permissions)
    s.set(p, r != member_role::member || p == permission::write_state || p == permission::send);
  return s;
}

permission_set effective_permissions(member_role r, const std::map<std::string, bool>& overrides) {
  permission_set s = default_permissions(r);
  if (r == member_role::owner)
    return s;
  for (const auto& [name, granted] : overrides)
    if (auto p = parse_permission(name))
      s.set(*p, granted);
  return s;
}

} // namespace nexus
