#include "actors/grants.hpp"

#include <algorithm>

namespace nexus {

bool is_default_capability(capability cap) { return cap != capability::state_write; }

namespace {

bool contains(const std::vector<std::string>& caps, capability cap) {
  const std::string_view name = to_string(cap);
  return std::find(caps.begin(), caps.end(), name) != caps.end();
}

} // namespace

bool allowed(const std::optional<grants_map>& recipient_grants, capability cap,
             std::string_view sender_member_pubkey,
             std::optional<std::string_view> sender_session_pubkey) {
  if (!recipient_grants) return is_default_capability(cap); // step 1
  const grants_map& grants = *recipient_grants;
  // std::map<std::string, ...> has no heterogeneous lookup: build the key once.
  if (auto it = grants.find(std::string(sender_member_pubkey)); it != grants.end())
    return contains(it->second, cap); // step 2: member key wins over session key
  if (sender_session_pubkey && !sender_session_pubkey->empty()) {
    if (auto it = grants.find(std::string(*sender_session_pubkey)); it != grants.end())
      return contains(it->second, cap); // step 3
  }
  return is_default_capability(cap); // step 4
}

std::string_view to_string(capability cap) {
  switch (cap) {
    case capability::read: return "read";
    case capability::dm: return "dm";
    case capability::broadcast: return "broadcast";
    case capability::state_read: return "state-read";
    case capability::state_write: return "state-write";
  }
  return "read";
}

std::optional<capability> parse_capability(std::string_view s) {
  for (capability c : {capability::read, capability::dm, capability::broadcast,
                       capability::state_read, capability::state_write})
    if (s == to_string(c)) return c;
  return std::nullopt;
}

} // namespace nexus
