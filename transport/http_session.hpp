// http_session: one TCP connection while it speaks HTTP/1.1.
//
// Reads one request at a time under the limits of node_config (head ≤
// http_header_bytes_max → else 431, body ≤ http_body_bytes_max → else 413,
// whole request within http_idle_timeout_ms → else the connection is
// closed), routes it through the gateway's http_router, and writes the
// reply. A WebSocket upgrade for exactly "/ws" becomes a ws_session; an
// upgrade for any other target has its socket closed without a response
// (spec §1.1). Every response carries the CORS fields of spec §6.1.
//
// Lives on its socket's strand; started from the listener.
#pragma once

#include "transport/gateway_state.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace nexus::transport {

/// Takes over an accepted socket whose executor is a strand of its own.
void start_http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<gateway_state> state);

} // namespace nexus::transport
