#include "mcp/peer_target.hpp"

#include "client/target_resolve.hpp"

namespace nexus::mcp {

std::variant<std::string, backend_error> resolve_peer_target(const std::string& to,
                                                              const std::vector<peer_entry>& peers,
                                                              const std::string& self_pubkey) {
  using outcome = client::target_resolution::outcome;
  auto r = client::resolve_target(to, peers, {}, self_pubkey);
  if (r.result == outcome::resolved)
    return r.target;
  if (r.result == outcome::not_found)
    return backend_error{"no connected peer matches \"" + to +
                         "\"; use list_peers for names, or @group / * / a public key"};
  std::string list;
  for (const auto& c : r.candidates)
    list += (list.empty() ? "" : ", ") + c.name + " (" + c.pubkey.substr(0, 12) + ")";
  return backend_error{"\"" + to + "\" matches several peers: " + list +
                       "; send to one of their public keys"};
}

} // namespace nexus::mcp
