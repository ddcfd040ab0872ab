// http_router: maps (method, raw target) to a handler, and decides the
// answers that need no handler: OPTIONS → 204 (spec §6.1), unknown path →
// 404, known path with another method → 405. Also the single list of the
// CORS fields every response carries.
//
// Filled before the gateway starts, then only read: safe to share read-only
// between I/O threads once start() has been called.
#pragma once

#include "transport/http_types.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace nexus::transport {

/// Spec §6.1: on every HTTP response, whatever the route or status.
const std::vector<std::pair<std::string, std::string>>& cors_headers();

/// {"ok":false,"error":<message>} — the body of every gateway-made error
/// response (same shape as the §6.4 hook errors).
std::string json_error_body(std::string_view message);

class http_router {
public:
  /// REQUIRES: not yet routing (the gateway has not started). A later route
  /// with the same method and path replaces the earlier one.
  void add(std::string method, std::string path, route_match match, http_handler handler);

  /// Either the handler to run or a finished response. First match wins, in
  /// registration order; exact routes are tried before prefix routes.
  std::variant<const http_handler*, http_response> route(std::string_view method,
                                                         std::string_view target) const;

private:
  struct entry {
    std::string method;
    std::string path;
    route_match match;
    http_handler handler;
    bool matches(std::string_view target) const;
  };
  std::vector<entry> routes_;
};

} // namespace nexus::transport
