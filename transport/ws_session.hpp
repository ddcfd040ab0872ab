// ws_session: one WebSocket connection after the upgrade (spec §1).
//
// Owns the socket and its strand; the connection's actor (from the
// gateway's connection_factory, created once the handshake succeeded) gets
// every frame as wire::inbound, a frame_written for each frame it sent with a
// token once that frame is on the socket, and, at the end, one
// connection_closed (after every frame_written). The actor writes back
// through a frame_sink, which posts onto the strand.
//
//   * inbound: text and binary frames; larger than frame_bytes_max → close
//     1009; not JSON → dropped (metric parse_error); too deep / not an object
//     / no type → error frame invalid_frame.
//   * outbound: always text; one write at a time from a queue bounded by
//     ws_outbound_queue_frames_max; overflow → close 1008 "slow consumer".
//   * keepalive (§1.8): a ping every ws_ping_interval_ms; when nothing (pong
//     or frame) arrived for ws_pong_timeout_ms the TCP connection is aborted
//     without a close frame.
//   * a close we start (sink, slow consumer, shutdown) that the peer does
//     not finish in time ends in an abort, so every session ends.
#pragma once

#include "transport/gateway_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>

namespace nexus::transport {

/// Completes the upgrade `request` (already read by the http_session) on
/// `socket` and runs the connection until it closes.
void start_ws_session(boost::asio::ip::tcp::socket socket,
                      boost::beast::http::request<boost::beast::http::string_body> request,
                      std::shared_ptr<gateway_state> state);

} // namespace nexus::transport
