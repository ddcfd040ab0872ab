// peer_target: send_message's `to` → a targetSpec (§3.2); the broker never
// resolves names. `*`, `@group`, `#topic` and 64 hex pass through; a
// display name (any case) or a key prefix (4+ hex) must match exactly one
// live peer other than ourselves, else the error lists the candidates (a
// model can then pick one) or says nobody matched.
//
// Pure; thread-safe.
#pragma once

#include "mcp/mesh_backend.hpp"

#include <string>
#include <variant>
#include <vector>

namespace nexus::mcp {

/// Whether `to` needs the peer list.
bool target_needs_peers(const std::string& to);

/// The targetSpec, or why there is none.
std::variant<std::string, backend_error> resolve_peer_target(const std::string& to,
                                                              const std::vector<peer_entry>& peers,
                                                              const std::string& self_pubkey);

} // namespace nexus::mcp
