// presence_state: the state of one presence actor and the helpers its two
// files share (presence_actor.cpp: frames and the hello; presence_delivery.cpp:
// gating, writes, delivery records, drains). Internal to actors/.
#pragma once

#include "actors/broker_messages.hpp"
#include "actors/presence_actor.hpp"
#include "actors/status_engine.hpp"
#include "transport/wire_codec.hpp"

#include <caf/stateful_actor.hpp>

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace nexus {

enum class presence_phase { awaiting_hello, joining, online, closed };

struct presence_state {
  static inline const char* name = "presence";

  std::shared_ptr<transport::frame_sink> sink;
  transport::connection_info conn;
  std::shared_ptr<const config::node_config> cfg;
  caf::actor registry;
  metrics::node_metrics* metrics = nullptr;

  presence_phase phase = presence_phase::awaiting_hello;
  std::deque<wire::inbound> queue; ///< frames waiting for their turn
  bool busy = false;               ///< the frame in hand waits for another actor

  // Known once joined.
  caf::actor mesh, storage;
  std::string mesh_id;
  connection_entry me;             ///< this session's peer fields (authoritative)
  presence_status status;

  // Delivery.
  std::vector<deliver> early;      ///< arrived while joining; pushed after hello_ack
  std::deque<deliver> held;        ///< gated by status (§3.6)
  bool held_overflow = false;      ///< some gated rows were left in the database
  std::set<std::string> seen;      ///< message ids pushed or held (dedup)
  std::deque<std::string> seen_order;
  std::map<uint64_t, std::string> written_tokens;
  uint64_t next_token = 1;
  std::vector<std::string> to_mark;
  bool mark_queued = false;
  bool drain_more = false;
  bool recheck_queued = false;

  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
};

using presence_actor_t = caf::stateful_actor<presence_state>;

using mark_flush_atom = caf::atom_constant<caf::atom("mark_flush")>;
using recheck_atom = caf::atom_constant<caf::atom("recheck")>;

// presence_delivery.cpp
void on_deliver(presence_actor_t* self, deliver d);
void on_written(presence_actor_t* self, uint64_t token);
void flush_marks(presence_actor_t* self);
void release_held(presence_actor_t* self);
void drain_queue(presence_actor_t* self);
/// Tells the mesh the peer-visible fields changed.
void publish_me(presence_actor_t* self);

inline std::chrono::milliseconds storage_timeout(const presence_state& st) {
  return std::chrono::milliseconds(st.cfg->storage_request_timeout_ms);
}

} // namespace nexus
