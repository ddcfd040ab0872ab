// target_resolve: a user's recipient (`to`) → a targetSpec (§3.2). The
// broker never resolves names (§3.2), so its clients do; the CLI (`nexus
// send`, `nexus remind --to`) and the MCP bridge (send_message) share this
// one resolver so a name means the same peer in both. A name or key prefix
// that fits several peers is ambiguous, never a silent pick of the first.
//
//   *, @group, #topic        → as given
//   64 hex (any case)        → that key, lowercased
//   display name (any case)  → the matching peer's routing key
//   4+ hex                   → the peer whose routing or member key starts so
//
// Exact names are tried before prefixes: a peer named "beef" is meant by
// "beef" even when some key starts with beef. Live peers are searched first;
// only when none matches are the known (remembered, possibly offline) peers
// that route by their member key searched, the same way — those queue
// messages while offline, as CLI users do.
//
// Pure functions, no CAF or Beast: safe from any thread.
#pragma once

#include "transport/frames_out.hpp"

#include <string>
#include <vector>

namespace nexus::client {

/// A peer as remembered from an earlier peer list (the CLI keeps these in
/// peers.json; the MCP bridge remembers none).
struct known_peer {
  std::string name;
  std::string pubkey;
  std::string member_pubkey;
};

struct target_candidate {
  std::string name;
  std::string pubkey; ///< routing key
};

struct target_resolution {
  enum class outcome { resolved, ambiguous, not_found } result = outcome::not_found;
  std::string target;                       ///< resolved: the targetSpec
  std::string name;                         ///< resolved: who it is ("" for @group / * / a raw key)
  std::vector<target_candidate> candidates; ///< ambiguous: every match, one per routing key
};

/// Whether the answer for `to` depends on the peer lists (a name or a key
/// prefix); callers fetch the live list only then.
bool needs_peer_list(const std::string& to);

/// `self_pubkey` is never a candidate, whether it is a peer's routing or
/// member key (a DM to oneself needs another session). An empty `to` names
/// nobody.
target_resolution resolve_target(const std::string& to, const std::vector<peer_entry>& live,
                                  const std::vector<known_peer>& known,
                                  const std::string& self_pubkey);

} // namespace nexus::client
