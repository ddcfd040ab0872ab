// http_endpoint: what the Streamable HTTP transport answers, decided
// without sockets (the Beast code in http_transport.cpp only moves bytes).
// One endpoint, /mcp, stateless (no Mcp-Session-Id):
//
//   any request without "Authorization: Bearer <token>"  → 401 (+ WWW-Authenticate)
//   Origin naming a non-loopback host (no --allow-remote) → 403 (DNS rebinding)
//   another path                                         → 404
//   MCP-Protocol-Version we do not speak                 → 400
//   POST /mcp  JSON-RPC body → 200 application/json, or 202 when it held no request
//   GET  /mcp  Accept: text/event-stream → 200, an event stream of channel notifications
//   GET without that Accept, DELETE, others → 405 (Allow: GET, POST)
//
// Pure apart from the server call; thread-safe when the server is.
#pragma once

#include "mcp/server.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nexus::mcp {

/// The parts of an HTTP request the endpoint looks at.
struct http_request_in {
  std::string method; ///< "POST", "GET", ...
  std::string target; ///< path and query
  std::string authorization, origin, accept, content_type, protocol_version;
  std::string body;
};

struct http_answer {
  int status = 200;
  std::string content_type; ///< empty: no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool open_event_stream = false; ///< the transport streams notifications after the head
};

struct endpoint_policy {
  std::string token;
  bool allow_remote = false;
};

/// The path the endpoint serves.
constexpr std::string_view mcp_path = "/mcp";

/// Authentication only (answered before a body is read): 401 or nullopt.
std::optional<http_answer> refuse_unauthenticated(const http_request_in& req,
                                                  const endpoint_policy& policy);

/// The full answer. REQUIRES: the request passed refuse_unauthenticated.
http_answer answer(const http_request_in& req, const endpoint_policy& policy, server& srv);

/// A JSON error body {"error":<message>} with `status` (413, 503, ...).
http_answer json_error(int status, std::string_view message);

/// "127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost".
bool is_loopback_host(std::string_view host);

} // namespace nexus::mcp
