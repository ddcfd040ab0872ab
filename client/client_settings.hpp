// client_settings: the bounds and timeouts of a client program (the CLI, the
// MCP bridge). Like the node's keys (config/config_keys.cpp) each is a named
// key with its unit in the name, declared once in client_settings.cpp's
// table, and settable — in rising precedence — by its default, the
// `settings` object of $NEXUS_HOME/config.json, the environment
// (NEXUS_<KEY>) and a flag (--key-with-dashes VALUE).
//
// A plain value: build once, copy freely between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nexus::client {

struct client_settings {
  int64_t request_timeout_ms = 10000;      ///< a request waits this long for its reply, connected or not
  int64_t connect_timeout_ms = 5000;       ///< TCP connect + WebSocket upgrade
  int64_t hello_timeout_ms = 5000;         ///< hello → hello_ack (the SDK's bound, §10.1)
  int64_t reconnect_min_ms = 1000;         ///< first backoff delay (§10.1: 1 s ...)
  int64_t reconnect_max_ms = 30000;        ///< backoff ceiling (... 30 s)
  int64_t offline_send_buffer_max = 100;   ///< requests buffered while not connected (§10.2: 100)
  int64_t seen_message_ids_max = 4096;     ///< message ids remembered to drop duplicate pushes
  int64_t inbound_frame_bytes_max = 1048576; ///< largest broker frame accepted
  int64_t json_depth_max = 32;             ///< deepest JSON accepted from the broker
  int64_t ws_idle_timeout_ms = 75000;      ///< silent connection (no pong) is dropped
  int64_t inbox_messages_max = 1000;       ///< messages kept in a mesh's local inbox file
};

struct setting_spec {
  const char* name;   ///< snake_case
  int64_t min, max;
  const char* help;
  int64_t client_settings::*field;
  int64_t default_value;
};

/// Every key, in --help order.
const std::vector<setting_spec>& all_settings();

/// Applies `value` (text) to key `name`; an error line naming the key and
/// `source` when it is unknown, not an integer or out of range.
std::optional<std::string> apply_setting(client_settings& s, const std::string& name,
                                         const std::string& value, const std::string& source);

/// "request_timeout_ms" → "--request-timeout-ms"; "NEXUS_REQUEST_TIMEOUT_MS".
std::string setting_flag(const std::string& name);
std::string setting_env(const std::string& name);

/// Checks relations between keys (reconnect_min_ms <= reconnect_max_ms).
std::optional<std::string> check_settings(const client_settings& s);

} // namespace nexus::client
