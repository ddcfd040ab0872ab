// connection_actor: the per-WebSocket actor a node hands out until the core
// broker's presence actor exists. It speaks only the pre-hello part of the
// protocol (spec §1.3): every frame is answered with
//   {"type":"error","code":"no_hello","message":"must send hello first"}
// and the socket stays open.
//
//   wire::inbound                → error frame no_hello through the sink
//   transport::connection_closed → quit (normal exit)
//   status_atom                  → actor_status{kind "connection", id =
//                                  connection id, figures: frames_in, port}
//
// Event-based, cooperatively scheduled: it never blocks (the sink only posts).
#pragma once

#include "actors/status.hpp"
#include "transport/frame_sink.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>

#include <memory>

namespace nexus {

struct connection_state {
  std::shared_ptr<transport::frame_sink> sink; ///< our way back to the socket
  transport::connection_info info;
  uint64_t handled = 0;          ///< messages processed
  uint64_t frames_in = 0;        ///< wire::inbound received
  int64_t last_activity_ms = 0;  ///< Unix ms of the last handled message
  static inline const char* name = "connection";
};

caf::behavior connection_actor(caf::stateful_actor<connection_state>* self,
                               std::shared_ptr<transport::frame_sink> sink,
                               transport::connection_info info);

/// A factory for transport::gateway that spawns one connection_actor per
/// accepted WebSocket in `sys` (which must outlive the gateway's use of it).
transport::connection_factory make_connection_factory(caf::actor_system& sys);

} // namespace nexus
