// broker_url: where a node is — parsed from `ws://host:port/ws` (or the
// http:// base), with the HTTP base derived as §1.1 says (ws: → http:, same
// host and port).
//
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::client {

struct broker_url {
  std::string host;       ///< name or numeric address; IPv6 without brackets
  uint16_t port = 0;
  std::string ws_path = "/ws";

  std::string ws_url() const;   ///< ws://host:port/ws
  std::string http_base() const; ///< http://host:port
  std::string host_port() const; ///< host:port (IPv6 in brackets), for Host headers
};

/// Accepts ws://, http:// (path replaced by /ws) and a bare host:port. wss://
/// and https:// are refused with a hint: this build speaks plain TCP only
/// (put a TLS proxy on loopback in front of a remote node). nullopt and
/// `error` set on failure.
std::optional<broker_url> parse_broker_url(std::string_view text, std::string* error);

} // namespace nexus::client
