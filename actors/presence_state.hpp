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
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace nexus {

enum class presence_phase { awaiting_hello, joining, online, closed };

struct presence_state {
  static inline const char* name = "presence";

  std::shared_ptr<transport::frame_sink> sink;
  transport::connection_info conn;
  std::shared_ptr<const config::node_config> cfg;
  caf::actor registry;
  caf::actor scheduler;            ///< told about new and cancelled schedules (§5.6)
  metrics::node_metrics* metrics = nullptr;

  presence_phase phase = presence_phase::awaiting_hello;
  std::deque<wire::inbound> queue; ///< frames waiting for their turn
  bool busy = false;               ///< the frame in hand waits for another actor

  /// A send handed to the mesh, acked in arrival order once answered.
  struct send_in_flight {
    uint64_t seq = 0;
    std::string id;                ///< the client's frame id, for a timeout ack
    int64_t deadline_ms = 0;       ///< answered "broker busy" by the sweep after this
    std::optional<send_ack> ack;   ///< set when the mesh answered
  };
  /// Up to send_pipeline_max sends in flight (contiguous seqs, oldest first);
  /// any other frame waits until they are all acked.
  std::deque<send_in_flight> sends;
  uint64_t next_send_seq = 1;
  bool send_sweep_queued = false;  ///< a send_sweep_atom timer is pending (at most one)

  // Known once joined.
  caf::actor mesh, storage;
  std::string mesh_id;
  connection_entry me;             ///< this session's peer fields (authoritative)
  presence_status status;
  permission_set permissions;      ///< the member's, from the join; updated by the mesh

  // Delivery.
  std::vector<deliver> early;      ///< arrived while joining; pushed after hello_ack
  std::deque<deliver> held;        ///< gated by status (§3.6)
  bool held_overflow = false;      ///< some gated rows were left in the database
  std::unordered_set<std::string> seen; ///< message ids pushed or held (dedup)
  std::deque<std::string> seen_order;
  std::map<uint64_t, std::string> written_tokens;
  uint64_t next_token = 1;
  std::vector<std::string> to_mark;
  bool mark_queued = false;
  bool mark_in_flight = false;     ///< a mark_delivered UPDATE is out
  bool drain_more = false;
  bool recheck_queued = false;
  bool ttl_queued = false;         ///< a status_ttl_atom timer is pending (at most one)

  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
};

using presence_actor_t = caf::stateful_actor<presence_state>;

/// Internal timer: the oldest send in flight may have passed its deadline.
using send_sweep_atom = caf::atom_constant<caf::atom("send_sweep")>;
using mark_flush_atom = caf::atom_constant<caf::atom("mark_flush")>;
using recheck_atom = caf::atom_constant<caf::atom("recheck")>;
/// Internal timer: a `working` status may have outlived status_ttl_ms (§4.2).
using status_ttl_atom = caf::atom_constant<caf::atom("status_ttl")>;

// presence_actor.cpp
/// Handles queued frames while nothing blocks them (a request frame waiting
/// for its answer, the send pipeline full, or sends in flight before a
/// frame of another type).
void process_frames(presence_actor_t* self);

// presence_sends.cpp
/// True when `frame` may start now, given the sends in flight.
bool send_order_allows(const presence_state& st, const wire::inbound& frame);
/// Hands a send to the mesh; its ack is written in order when answered.
void start_send(presence_actor_t* self, send_frame frame);
/// The sweep timer fired: overdue sends are answered "broker busy".
void on_send_sweep(presence_actor_t* self);

// presence_delivery.cpp
void on_deliver(presence_actor_t* self, deliver d);
void on_written(presence_actor_t* self, uint64_t token);
void flush_marks(presence_actor_t* self, bool closing = false);
void release_held(presence_actor_t* self);
void drain_queue(presence_actor_t* self);
/// Tells the mesh the peer-visible fields changed.
void publish_me(presence_actor_t* self);
/// After st.status was written: mirror it into `me`, tell the mesh, store
/// status/source/updated_at on the presence row, arm the TTL timer.
void status_written(presence_actor_t* self);
/// Stores st.status on the presence row (update_presence_status).
void persist_status(presence_actor_t* self);
/// Arms the working-status TTL timer when the status is `working` and no
/// timer is pending; it fires just after updated_at + status_ttl_ms.
void schedule_status_ttl(presence_actor_t* self);
/// The TTL timer fired: working older than status_ttl_ms → idle via jsonl
/// (sweep_working_ttl), then held messages are looked at again.
void on_status_ttl(presence_actor_t* self);

inline std::chrono::milliseconds storage_timeout(const presence_state& st) {
  return std::chrono::milliseconds(st.cfg->storage_request_timeout_ms);
}

} // namespace nexus
