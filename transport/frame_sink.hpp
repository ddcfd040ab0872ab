// frame_sink: how an actor writes to its WebSocket connection.
//
// The gateway hands one to the connection factory for every accepted
// WebSocket. Every member is thread-safe: calls only post onto the
// connection's strand. Calls after the connection closed are ignored. The
// sink holds the connection weakly, so an actor keeping its sink does not
// keep a dead socket alive.
//
// Write completion: a frame sent with a token is reported to the
// connection's actor as frame_written{token} once it is completely written
// to the socket (the core broker records a delivery only then). Frames that
// are never written (socket gone first, dropped for a slow consumer) are
// never reported; the actor learns of those from connection_closed, which
// always arrives after the last frame_written of its connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

namespace nexus::transport {

class frame_sink {
public:
  virtual ~frame_sink() = default;
  /// Queues one text frame. A connection whose queue exceeds
  /// ws_outbound_queue_frames_max is closed (1008 "slow consumer").
  virtual void send(std::string frame) = 0;
  /// Like send(frame); once the frame has been written completely, the
  /// connection's actor receives frame_written{written_token}. Tokens are
  /// the caller's: the sink neither checks nor orders them beyond frame
  /// order. The default (for test fakes that do not model the socket)
  /// sends without ever reporting; the gateway's sink overrides it.
  virtual void send(std::string frame, uint64_t written_token) {
    (void)written_token;
    send(std::move(frame));
  }
  /// Sends a close frame with `code` and `reason`, then drops the socket.
  virtual void close(uint16_t code, std::string reason) = 0;
  /// Aborts the TCP connection without a close frame (keepalive failure).
  virtual void abort() = 0;
  /// The actor has taken up `n` inbound frames. The connection stops reading
  /// its socket while ws_inbound_frames_pending_max frames are handed over
  /// and not yet taken up (TCP backpressure), so a client pipelining
  /// requests cannot grow the node's memory without bound. Actors call it
  /// once per wire::inbound they dequeue.
  virtual void consumed(std::size_t /*n*/) {}
};

/// What the gateway knows about a connection when it is accepted.
struct connection_info {
  uint64_t id = 0;            ///< unique per process
  std::string remote_address; ///< peer IP as text
  uint16_t remote_port = 0;
};

/// Called on an I/O thread for every accepted WebSocket; returns the actor
/// that will receive the connection's frames (as wire::inbound),
/// frame_written for written frames sent with a token, and a
/// `connection_closed` when the socket goes away.
using connection_factory =
    std::function<caf::actor(std::shared_ptr<frame_sink>, const connection_info&)>;

/// Sent to the connection's actor when its socket is gone, for any reason.
struct connection_closed {
  uint16_t code = 0;   ///< close code received or sent; 1006 for an abort
  std::string reason;
};

/// Sent to the connection's actor when a frame queued with
/// frame_sink::send(frame, token) has been written to the socket.
struct frame_written {
  uint64_t token = 0;
};

} // namespace nexus::transport

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::transport::connection_closed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::transport::frame_written)
