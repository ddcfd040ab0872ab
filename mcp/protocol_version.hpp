// protocol_version: the MCP protocol revisions the bridge speaks and the
// negotiation rule of the lifecycle spec ("if the server supports the
// requested version, it MUST respond with the same version; otherwise it
// MUST respond with another version it supports", the latest).
//
// Pure; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace nexus::mcp {

/// Newest first.
constexpr std::array<std::string_view, 3> supported_protocol_versions = {
    "2025-06-18", "2025-03-26", "2024-11-05"};

inline bool supports_protocol_version(std::string_view v) {
  for (auto s : supported_protocol_versions)
    if (s == v)
      return true;
  return false;
}

/// The version to answer `initialize` with.
inline std::string_view negotiate_protocol_version(std::string_view requested) {
  return supports_protocol_version(requested) ? requested : supported_protocol_versions.front();
}

} // namespace nexus::mcp
