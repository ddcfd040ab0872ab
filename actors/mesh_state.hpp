// mesh_state: the state of one mesh actor and the helpers its handler files
// share (mesh_actor.cpp, mesh_join.cpp, mesh_send.cpp, mesh_streams.cpp,
// mesh_clock.cpp). Internal to actors/.
#pragma once

#include "actors/mesh_actor.hpp"
#include "actors/replay_guard.hpp"
#include "actors/sim_clock.hpp"
#include "actors/status.hpp"
#include "actors/storage_messages.hpp"
#include "actors/token_bucket.hpp"

#include <caf/stateful_actor.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace nexus {

struct member_info {
  std::string id, pubkey, display_name, role;
  std::optional<std::string> role_tag;
  std::vector<hello_group> default_groups;
  std::string message_mode = "push";
  std::optional<grants_map> grants;
  std::map<std::string, bool> permission_overrides; ///< member.permissions (actors/permissions.hpp)
  int64_t created_ms = 0;
};

member_info member_info_from(const storage::member_row& row);

struct mesh_state {
  static inline const char* name = "mesh";

  config::node_config cfg;
  metrics::node_metrics* metrics = nullptr;
  std::string mesh_id, mesh_name;
  std::string owner_pubkey;                                    ///< the owner member's key
  std::optional<self_editable_policy> policy;                  ///< mesh.self_editable; none = default
  caf::actor storage;

  connection_table table;
  std::map<std::string, caf::actor> presences;                 ///< online presence id → actor
  std::map<std::string, cumulative_stats> base_stats;          ///< presence id → restored totals
  std::map<std::string, member_info> members;                  ///< active members by id
  std::map<std::string, std::string> member_by_pubkey;         ///< pubkey → member id
  std::map<std::string, std::optional<grants_map>> grants;     ///< member id → peer_grants
  std::map<std::string, token_bucket> send_buckets;            ///< member id → bucket
  std::optional<replay_guard> replay;

  // Streams and the simulation clock (actors/mesh_ops.hpp), in memory.
  std::map<std::string, std::set<std::string>> stream_subscribers; ///< stream → presence ids
  std::optional<sim_clock> clock;                              ///< none until set_clock
  uint64_t clock_generation = 0;                               ///< the live timer's
  std::chrono::steady_clock::time_point clock_next_due;        ///< of the live timer

  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
  int64_t joins = 0, sends = 0;
};

using mesh_actor_t = caf::stateful_actor<mesh_state>;

/// Caches (or refreshes) a member row; revoked rows drop it.
void remember_member(mesh_state& st, const storage::member_row& row);

/// Sends a system push (§3.7.3) for `subject` to every entry `include` accepts.
template <class Predicate>
void system_push_to(mesh_actor_t* self, const std::string& event, const connection_entry& subject,
                    system_event_data data, Predicate include);

/// Removes a presence for good: peer_left to the others (except its own
/// member), presence row marked disconnected (§4.6 eviction).
void evict_presence(mesh_actor_t* self, const std::string& presence_id);

/// Handlers, one file per concern.
caf::result<join_reply> handle_join(mesh_actor_t* self, join_request& req);
caf::result<send_ack> handle_send(mesh_actor_t* self, send_request& req);

/// A fresh UUID v4 for broker-generated pushes (§0.3).
std::string uuid_v4();

/// Storage request timeout of this node.
inline std::chrono::milliseconds storage_timeout(const mesh_state& st) {
  return std::chrono::milliseconds(st.cfg.storage_request_timeout_ms);
}

// --- template definitions ---------------------------------------------------

template <class Predicate>
void system_push_to(mesh_actor_t* self, const std::string& event, const connection_entry& subject,
                    system_event_data data, Predicate include) {
  auto& st = self->state;
  system_push push;
  push.event = event;
  push.eventData = std::move(data);
  push.meshId = st.mesh_id;
  push.createdAt_ms = unix_now_ms();
  for (const auto& [id, e] : st.table.entries()) {
    if (id == subject.presence_id || !e.online || !include(e))
      continue;
    auto it = st.presences.find(id);
    if (it == st.presences.end())
      continue;
    push.messageId = uuid_v4();
    deliver d;
    d.push = push;
    self->send(it->second, std::move(d));
  }
}

} // namespace nexus
