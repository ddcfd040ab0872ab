// connection_table: the live connections of one mesh and the routing
// decisions made over them (spec §2.6, §3.5, §4.1, §4.6). Owned by the mesh
// actor; plain value code with time passed in, so every rule is unit-tested
// without sockets. Not thread-safe (one owner).
//
// An entry is one presence: online while its socket is open, offline during
// the grace window after the socket closed (it still counts for capacity,
// is listed, and accepts direct messages), then evicted.
#pragma once

#include "actors/grants.hpp"
#include "actors/status_engine.hpp"
#include "transport/frames.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nexus {

/// Everything the mesh knows about one presence.
struct connection_entry {
  std::string presence_id;
  std::string member_id;
  std::string member_pubkey;
  std::string session_pubkey;   ///< empty when the hello declared none
  std::string session_id;
  std::string display_name;     ///< effective (override or member name)
  std::string peer_role;        ///< "control-plane" | "session"
  bool via_session_hello = false;
  bool client_acks = false;     ///< sends client_ack (daemon sockets): delivery recorded by it
  int64_t pid = 0;
  std::string cwd;
  std::optional<std::string> hostname, peer_type, channel, model;
  std::vector<hello_group> groups;
  bool visible = true;
  peer_profile profile;
  std::optional<peer_stats> stats;
  peer_status status = peer_status::idle;
  std::optional<std::string> summary;
  int64_t connected_at_ms = 0;

  bool online = true;
  int64_t lease_until_ms = 0;   ///< offline: evicted at this time
  uint64_t epoch = 0;           ///< bumped on every attach/detach (stale timers ignore)

  /// Routing pubkey (§0.1): the session key if declared, else the member key.
  const std::string& routing_pubkey() const {
    return session_pubkey.empty() ? member_pubkey : session_pubkey;
  }
  std::vector<std::string> group_names() const;
};

/// Why a send is refused before anything is stored (§3.4 texts live in the caller).
enum class send_refusal { none, no_recipient, blocked_by_grants };

/// Where a direct message goes: live presences now, and/or the queue only.
struct direct_plan {
  send_refusal refusal = send_refusal::none;
  std::vector<std::string> presence_ids; ///< matching entries that are online now
  std::string recipient_member_id;       ///< the member whose grants were checked
};

class connection_table {
public:
  /// Entries, online and offline.
  size_t size() const { return entries_.size(); }
  bool at_capacity(size_t max) const { return entries_.size() >= max; }
  /// The entry by presence id. Its member and session pubkeys are indexed
  /// at insert and must not be changed through this pointer.
  connection_entry* find(const std::string& presence_id);
  const connection_entry* find(const std::string& presence_id) const;
  /// True when an entry (online or in grace) has `pubkey` as its member or
  /// session key. O(log n): asked on every direct send.
  bool knows_key(const std::string& pubkey) const { return by_key_.count(pubkey) > 0; }

  /// §2.6 (a): an entry a new hello may take over. hello: an entry of the
  /// same member (deviation 1) with the same session pubkey — offline, or
  /// still online because its close has not reached us yet (the caller then
  /// closes the old socket with session_replaced) — or, when neither
  /// declares a session key, an OFFLINE entry with the same sessionId.
  /// session_hello: any entry with that session pubkey.
  connection_entry* reattach_candidate(bool via_session_hello, const std::string& member_pubkey,
                                       const std::string& session_pubkey,
                                       const std::string& session_id);

  /// Deviation 1: a session pubkey held by an entry of ANOTHER member.
  bool session_pubkey_held_by_other(const std::string& session_pubkey,
                                    const std::string& member_pubkey) const;

  /// §2.6 (b) with deviation 2: entries of the same member with this
  /// sessionId (to be replaced). Never another member's.
  std::vector<std::string> same_session_id(const std::string& member_id,
                                           const std::string& session_id) const;

  void insert(connection_entry e);
  /// Marks an entry offline for `grace_ms`; returns its new epoch.
  uint64_t detach(const std::string& presence_id, int64_t now_ms, int64_t grace_ms);
  /// Marks an entry online again (reattach); returns its new epoch.
  uint64_t attach(const std::string& presence_id);
  /// Removes an entry; returns it if it existed.
  std::optional<connection_entry> evict(const std::string& presence_id);

  /// §4.1: peers visible to `caller` (hidden ones only of the caller's own
  /// member), ordered by connected_at then presence id.
  std::vector<const connection_entry*> peers_for(const connection_entry& caller) const;

  /// §3.5.1/§3.5.2 with deviation 39: online, visible entries of other
  /// members, in the group (or everyone for broadcast), whose grants allow
  /// `broadcast` from the sender. `dropped` counts grant refusals.
  std::vector<std::string> multicast_recipients(
      const connection_entry& sender, const std::optional<std::string>& group,
      const std::map<std::string, std::optional<grants_map>>& grants_by_member,
      size_t& dropped) const;

  /// §3.3 steps 3–4 and §3.5.3: entries other than the sending one whose
  /// member or session pubkey equals `target`. `target_member_id` is set when
  /// `target` is the pubkey of a non-revoked member: such a message is queued
  /// even when none of its sessions is connected (we keep what the reference
  /// refuses) — but a member's own key with no other session of its own is
  /// refused as in the reference. One allowed() decides (deviation 37).
  direct_plan plan_direct(const connection_entry& sender, const std::string& target,
                          const std::optional<std::string>& target_member_id,
                          const std::map<std::string, std::optional<grants_map>>& grants_by_member) const;

  /// Every entry, for system pushes and sweeps.
  const std::map<std::string, connection_entry>& entries() const { return entries_; }

private:
  void index(const connection_entry& e);
  void unindex(const connection_entry& e);

  std::map<std::string, connection_entry> entries_; // by presence id
  /// Member and session pubkey → presence ids (sorted, as entries_ iterates).
  std::map<std::string, std::set<std::string>> by_key_;
};

} // namespace nexus
