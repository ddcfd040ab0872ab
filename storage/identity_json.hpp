// identity_json: the jsonb columns of identity and membership (migration
// 0007, mesh.self_editable, member.peer_grants) to and from plain values —
// permission overrides, the self-editable policy, grants, invite presets and
// the §7.2 capability_v2 object. Row mapping, not wire protocol.
// Pure functions. Malformed stored JSON maps to the empty value (never
// throws), except capability_from_json, whose caller must tell "malformed".
#pragma once

#include "storage/json_columns.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nexus::storage {

using bool_map = std::map<std::string, bool>;

/// `{"invite":true,"send":false}`; non-boolean members are skipped.
bool_map bools_from_json(const std::optional<std::string>& json);
std::string bools_to_json(const bool_map& values);

/// The inverse of grants_from_json (json_columns.hpp); `{}` when empty.
std::string grants_to_json(const std::map<std::string, std::vector<std::string>>& grants);

/// invite.preset: `{displayName?, roleTag?, groups?, messageMode?}`.
struct invite_preset {
  std::optional<std::string> display_name, role_tag, message_mode;
  std::optional<group_list> groups;
  bool empty() const { return !display_name && !role_tag && !message_mode && !groups; }
};
invite_preset preset_from_json(const std::optional<std::string>& json);
std::string preset_to_json(const invite_preset& preset);

/// invite.capability_v2: `{"canonical":"v=2|…","signature":"<128 hex>"}`.
struct capability_v2 {
  std::string canonical, signature;
};
/// nullopt when not an object with both strings (§7.2 step 5: malformed).
std::optional<capability_v2> capability_from_json(const std::string& json);
std::string capability_to_json(const capability_v2& capability);

} // namespace nexus::storage
