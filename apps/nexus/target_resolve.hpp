// target_resolve: `nexus send TO` → a targetSpec (§3.2). The broker never
// resolves names (§3.2), so the CLI does, as the SDK and the reference CLI
// do, with one difference: a name or key prefix that fits several peers is
// an error listing them, never a silent pick of the first.
//
//   *, @group, #topic        → as given
//   64 hex                   → that key (lowercased)
//   display name (any case)  → the matching peer's routing key
//   4+ hex                   → the peer whose routing or member key starts so
//
// Online peers are searched first; when none matches, peers seen in an
// earlier peer list that route by their member key (they queue messages
// while offline, as CLI users do) are searched.
//
// Pure functions: safe from any thread.
#pragma once

#include "apps/nexus/inbox_store.hpp"
#include "transport/frames_out.hpp"

#include <string>
#include <vector>

namespace nexus::cli {

struct target_candidate {
  std::string name;
  std::string pubkey; ///< routing key
};

struct target_resolution {
  enum class outcome { resolved, ambiguous, not_found } result = outcome::not_found;
  std::string target;                       ///< resolved: the targetSpec
  std::string name;                         ///< resolved: who it is ("" for @group / * / a raw key)
  std::vector<target_candidate> candidates; ///< ambiguous: every match
};

/// `self_pubkey` is never a candidate (a DM to oneself needs another session).
target_resolution resolve_target(const std::string& to, const std::vector<peer_entry>& live,
                                 const std::vector<known_peer>& known,
                                 const std::string& self_pubkey);

/// Whether `to` needs a peer list to resolve (a name or a key prefix).
bool needs_peer_list(const std::string& to);

} // namespace nexus::cli
