#include "mcp/peer_target.hpp"

#include "crypto/sodium.hpp"

#include <cctype>

namespace nexus::mcp {
namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_hex(const std::string& s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return false;
  return !s.empty();
}

} // namespace

bool target_needs_peers(const std::string& to) {
  if (to.empty() || to == "*" || to[0] == '@' || to[0] == '#')
    return false;
  return !crypto::is_lower_hex(lower(to), 64);
}

std::variant<std::string, backend_error> resolve_peer_target(const std::string& to,
                                                              const std::vector<peer_entry>& peers,
                                                              const std::string& self_pubkey) {
  if (!target_needs_peers(to))
    return crypto::is_lower_hex(lower(to), 64) ? lower(to) : to;
  const std::string want = lower(to);
  std::vector<const peer_entry*> by_name, by_prefix;
  for (const auto& p : peers) {
    if (p.pubkey == self_pubkey)
      continue;
    if (lower(p.displayName) == want)
      by_name.push_back(&p);
    else if (want.size() >= 4 && is_hex(want) &&
             (p.pubkey.rfind(want, 0) == 0 || p.memberPubkey.rfind(want, 0) == 0))
      by_prefix.push_back(&p);
  }
  const auto& matches = by_name.empty() ? by_prefix : by_name;
  if (matches.size() == 1)
    return matches.front()->pubkey;
  if (matches.empty())
    return backend_error{"no connected peer matches \"" + to +
                         "\"; use list_peers for names, or @group / * / a public key"};
  std::string list;
  for (const auto* p : matches)
    list += (list.empty() ? "" : ", ") + p->displayName + " (" + p->pubkey.substr(0, 12) + ")";
  return backend_error{"\"" + to + "\" matches several peers: " + list +
                       "; send to one of their public keys"};
}

} // namespace nexus::mcp
