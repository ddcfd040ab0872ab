// target_resolve: the CLI's side of `nexus send TO`, `nexus verify WHO` and
// `nexus remind --to`. The resolving itself is the shared, pure
// client/target_resolve (the MCP bridge uses it too); this feeds it the
// session's peers and the remembered ones, and turns its failures into the
// CLI's messages and exit codes (scripts depend on both).
//
// Not thread-safe: one mesh_session per command thread.
#pragma once

#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/home.hpp"
#include "client/target_resolve.hpp"

#include <string>

namespace nexus::cli {

class mesh_session;

/// `to` against the session's live peer list (fetched only when the answer
/// depends on it), then the peers remembered in the mesh's peers.json.
client::target_resolution resolve_in_session(mesh_session& s, const home& h, const std::string& to);

/// How `nexus send` and `nexus verify` report an unresolved `to`: several
/// peers → exit 2 listing them; nobody → exit 4. REQUIRES: `r` not resolved.
cli_error send_target_error(const std::string& to, const client::target_resolution& r,
                            const std::string& mesh_name);

/// How `nexus remind --to` reports it: the same exit codes, one line.
/// REQUIRES: `r` not resolved.
cli_error remind_target_error(const std::string& to, const client::target_resolution& r);

} // namespace nexus::cli
