#include "mcp/http_endpoint.hpp"

#include "mcp/bearer_token.hpp"
#include "mcp/protocol_version.hpp"
#include "transport/json_writer.hpp"

#include <cctype>

namespace nexus::mcp {
namespace {

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size())
    return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() &&
           std::tolower(static_cast<unsigned char>(haystack[i + j])) == needle[j])
      ++j;
    if (j == needle.size())
      return true;
  }
  return false;
}

/// "http://127.0.0.1:8080" → "127.0.0.1"; "http://[::1]:80" → "::1".
std::string origin_host(std::string_view origin) {
  auto scheme = origin.find("://");
  if (scheme != std::string_view::npos)
    origin.remove_prefix(scheme + 3);
  if (!origin.empty() && origin.front() == '[') {
    auto close = origin.find(']');
    return std::string(origin.substr(1, close == std::string_view::npos ? origin.npos : close - 1));
  }
  return std::string(origin.substr(0, origin.find_first_of(":/")));
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

} // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]")
    return true;
  if (host.substr(0, 4) != "127.")
    return false;
  int dots = 0, digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0)
        return false;
      ++dots;
      digits = 0;
    } else if (!std::isdigit(static_cast<unsigned char>(c)) || ++digits > 3) {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

http_answer json_error(int status, std::string_view message) {
  wire::json_writer w;
  w.begin_object();
  w.str_field("error", message);
  w.end_object();
  return {status, "application/json", w.take(), {}, false};
}

std::optional<http_answer> refuse_unauthenticated(const http_request_in& req,
                                                  const endpoint_policy& policy) {
  if (bearer_matches(req.authorization, policy.token))
    return std::nullopt;
  auto a = json_error(401, "missing or wrong bearer token (Authorization: Bearer <token from "
                           "$NEXUS_HOME/mcp-http.token>)");
  a.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"nexus-mcp\"");
  return a;
}

http_answer answer(const http_request_in& req, const endpoint_policy& policy, server& srv) {
  if (!req.origin.empty() && !policy.allow_remote && !is_loopback_host(origin_host(req.origin)))
    return json_error(403, "origin not allowed: " + req.origin);
  if (path_of(req.target) != mcp_path)
    return json_error(404, "not found; the MCP endpoint is /mcp");
  if (!req.protocol_version.empty() && !supports_protocol_version(req.protocol_version))
    return json_error(400, "unsupported MCP-Protocol-Version " + req.protocol_version);

  if (req.method == "POST") {
    if (!contains_ci(req.content_type, "application/json"))
      return json_error(415, "Content-Type must be application/json");
    auto reply = srv.handle(req.body);
    if (!reply)
      return {202, "", "", {}, false};
    return {200, "application/json", std::move(*reply), {}, false};
  }
  if (req.method == "GET" && contains_ci(req.accept, "text/event-stream"))
    return {200, "text/event-stream", "", {{"Cache-Control", "no-cache"}}, true};
  auto a = json_error(405, "use POST for JSON-RPC messages or GET with Accept: "
                           "text/event-stream for notifications");
  a.headers.emplace_back("Allow", "GET, POST");
  return a;
}

} // namespace nexus::mcp
