// inbox_store: a mesh's received messages that `nexus inbox` has not shown
// yet (meshes/<id>/inbox.jsonl, one JSON object per line, 0600, rewritten
// atomically). Any command that happens to receive a push keeps it here, so
// a message delivered to `nexus peers` is not lost. De-duplicated by
// messageId; the oldest are dropped beyond inbox_messages_max. Also the
// last peer list (peers.json), so a name can still be resolved to a member
// key while that member is offline.
//
// Not thread-safe: one CLI process at a time per mesh (concurrent CLIs of
// one home may each rewrite the file; the last write wins).
#pragma once

#include "apps/nexus/home.hpp"
#include "client/link_protocol.hpp"
#include "client/target_resolve.hpp"
#include "transport/frames_out.hpp"

#include <string>
#include <vector>

namespace nexus::cli {

/// Appends `msgs` not already in the inbox (by messageId).
void inbox_append(const home& h, const std::string& mesh_id,
                  const std::vector<client::inbound_message>& msgs, int64_t max_messages);
/// Every unshown message, oldest first; the file is emptied.
std::vector<client::inbound_message> inbox_take(const home& h, const std::string& mesh_id);

/// A peer as remembered from the last peer list; the shared target resolver
/// searches these, so the struct lives with it.
using client::known_peer;
void peers_remember(const home& h, const std::string& mesh_id, const std::vector<peer_entry>& peers);
std::vector<known_peer> peers_known(const home& h, const std::string& mesh_id);

} // namespace nexus::cli
