#include "apps/nexus/target_resolve.hpp"

#include "apps/nexus/inbox_store.hpp"
#include "apps/nexus/mesh_session.hpp"

#include <cassert>

namespace nexus::cli {

using client::target_resolution;

target_resolution resolve_in_session(mesh_session& s, const home& h, const std::string& to) {
  std::vector<peer_entry> live;
  if (client::needs_peer_list(to))
    live = s.peers();
  return client::resolve_target(to, live, peers_known(h, s.mesh().mesh_id), s.routing_pubkey());
}

cli_error send_target_error(const std::string& to, const target_resolution& r, const std::string& mesh_name) {
  assert(r.result != target_resolution::outcome::resolved);
  if (r.result == target_resolution::outcome::ambiguous) {
    std::string list;
    for (const auto& c : r.candidates)
      list += (list.empty() ? "" : ", ") + c.name + " (" + c.pubkey.substr(0, 12) + ")";
    return cli_error(exit_usage, "\"" + to + "\" matches " + std::to_string(r.candidates.size()) +
                                     " peers: " + list,
                     "use a longer key prefix (nexus peers shows the keys)");
  }
  return cli_error(exit_not_found, "no peer \"" + to + "\" in mesh " + mesh_name,
                   "nexus peers lists who is online; a 64-hex key reaches offline members");
}

cli_error remind_target_error(const std::string& to, const target_resolution& r) {
  assert(r.result != target_resolution::outcome::resolved);
  return cli_error(r.result == target_resolution::outcome::ambiguous ? exit_usage : exit_not_found,
                   "--to \"" + to + "\" does not name exactly one peer", "nexus peers lists them");
}

} // namespace nexus::cli
