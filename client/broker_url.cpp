#include "client/broker_url.hpp"

#include <charconv>

namespace nexus::client {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

} // namespace

std::string broker_url::host_port() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string broker_url::ws_url() const { return "ws://" + host_port() + ws_path; }
std::string broker_url::http_base() const { return "http://" + host_port(); }

std::optional<broker_url> parse_broker_url(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<broker_url> {
    if (error)
      *error = why;
    return std::nullopt;
  };
  std::string_view rest = text;
  bool http = false;
  if (starts_with(rest, "wss://") || starts_with(rest, "https://"))
    return fail("\"" + std::string(text) +
                "\": TLS is not built in; run a TLS proxy on loopback and use its ws:// URL");
  if (starts_with(rest, "ws://")) {
    rest.remove_prefix(5);
  } else if (starts_with(rest, "http://")) {
    rest.remove_prefix(7);
    http = true;
  } else if (rest.find("://") != std::string_view::npos) {
    return fail("\"" + std::string(text) + "\": expected ws://HOST:PORT/ws");
  }
  broker_url u;
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && !http)
    u.ws_path = std::string(rest.substr(slash));
  std::string_view port_text;
  if (starts_with(authority, "[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail("\"" + std::string(text) + "\": unterminated IPv6 address");
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port_text = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos)
      port_text = authority.substr(colon + 1);
  }
  if (u.host.empty())
    return fail("\"" + std::string(text) + "\": no host");
  if (port_text.empty()) {
    u.port = 80;
  } else {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
      return fail("\"" + std::string(text) + "\": bad port \"" + std::string(port_text) + "\"");
    u.port = static_cast<uint16_t>(v);
  }
  return u;
}

} // namespace nexus::client
