// peer_target: send_message's `to` → a targetSpec (§3.2) by the resolver the
// CLI shares (client/target_resolve), against the live peers only: the
// bridge remembers no offline ones. What this file owns is the wording of
// the failures — a model reads them and acts: several matches list the
// candidates (it can pick one), none says where to look.
//
// Pure; thread-safe.
#pragma once

#include "mcp/mesh_backend.hpp"

#include <string>
#include <variant>
#include <vector>

namespace nexus::mcp {

/// The targetSpec, or why there is none. Fetch `peers` only when
/// client::needs_peer_list(to); otherwise they are not consulted.
std::variant<std::string, backend_error> resolve_peer_target(const std::string& to,
                                                              const std::vector<peer_entry>& peers,
                                                              const std::string& self_pubkey);

} // namespace nexus::mcp
