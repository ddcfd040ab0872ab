// http_client: one blocking HTTP/1.1 request to a node (the routes a client
// needs: /health, /api/meshes, /invites/<code>[/claim]). Beast; the call
// runs its own short-lived I/O context on the calling thread, so it belongs
// on a program's main thread or in a detached actor, never in a cooperative
// one.
//
// Thread-safety: independent calls may run on different threads.
#pragma once

#include "client/broker_url.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace nexus::client {

struct http_response {
  int status = 0;
  std::string body;
};

/// `method` "GET" | "POST"; `body` is sent as application/json when
/// non-empty. nullopt (and `error`) when no HTTP answer came within
/// `timeout_ms` (refused, reset, timed out).
std::optional<http_response> http_call(const broker_url& url, const std::string& method,
                                       const std::string& target, const std::string& body,
                                       int64_t timeout_ms, std::string* error);

} // namespace nexus::client
