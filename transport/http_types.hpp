// http_types: the plain request/response values HTTP route handlers see.
//
// No Beast here: handlers (built-in routes, and the core broker's
// /hook/set-status, /join, /invites/...) are written against these structs,
// and only the gateway's session code converts to and from Beast messages.
//
// Values; an http_reply may be called from any thread (see below).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nexus::transport {

struct http_request {
  std::string method;         ///< as sent, e.g. "GET", "POST"
  std::string target;         ///< raw request target, query string included
  std::string body;           ///< at most http_body_bytes_max bytes
  std::string remote_address; ///< peer IP as text
  uint16_t remote_port = 0;
  /// Header fields in arrival order, names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;

  /// The first field named `name` (give it lower-case), or nullptr.
  const std::string* header(std::string_view name) const {
    for (auto& [k, v] : headers)
      if (k == name)
        return &v;
    return nullptr;
  }
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// Extra fields; the gateway adds Content-Type, Content-Length, Server and
  /// the CORS fields of spec §6.1 itself.
  std::vector<std::pair<std::string, std::string>> headers;

  static http_response json(unsigned status, std::string body) {
    http_response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
};

/// Completes one request. Thread-safe: call it once, from any thread, now or
/// later (e.g. when an actor answered); the session posts the response onto
/// its own strand. Calls after the first, or after the connection went away,
/// are ignored. If every copy is destroyed without a call, the client gets
/// 500; if no call comes within http_idle_timeout_ms, the client gets 504.
using http_reply = std::function<void(http_response)>;

/// Runs on an I/O thread: must not block (hand slow work to an actor and
/// reply from there). An exception escaping it becomes a 500.
using http_handler = std::function<void(http_request, http_reply)>;

/// How a route's path is compared with the raw request target (spec §6.1).
enum class route_match {
  exact,  ///< target == path; "/health?x" does not match "/health"
  prefix, ///< target starts with path, e.g. "/invites/" for "/invites/<code>"
};

} // namespace nexus::transport
