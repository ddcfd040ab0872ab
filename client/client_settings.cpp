#include "client/client_settings.hpp"

#include <charconv>

namespace nexus::client {

const std::vector<setting_spec>& all_settings() {
  using c = client_settings;
  static const client_settings d;
  static const std::vector<setting_spec> all = {
      {"request_timeout_ms", 100, 86400000, "a request waits this long for its reply, connected or not",
       &c::request_timeout_ms, d.request_timeout_ms},
      {"connect_timeout_ms", 100, 600000, "TCP connect and WebSocket upgrade",
       &c::connect_timeout_ms, d.connect_timeout_ms},
      {"hello_timeout_ms", 100, 600000, "hello to hello_ack", &c::hello_timeout_ms,
       d.hello_timeout_ms},
      {"reconnect_min_ms", 10, 3600000, "first reconnect delay (doubles per attempt, with jitter)",
       &c::reconnect_min_ms, d.reconnect_min_ms},
      {"reconnect_max_ms", 10, 3600000, "reconnect delay ceiling", &c::reconnect_max_ms,
       d.reconnect_max_ms},
      {"offline_send_buffer_max", 0, 100000, "requests buffered while not connected; more fail at once",
       &c::offline_send_buffer_max, d.offline_send_buffer_max},
      {"seen_message_ids_max", 1, 10000000, "message ids remembered to drop duplicate pushes",
       &c::seen_message_ids_max, d.seen_message_ids_max},
      {"inbound_frame_bytes_max", 1024, 16 * 1024 * 1024, "largest broker frame accepted",
       &c::inbound_frame_bytes_max, d.inbound_frame_bytes_max},
      {"json_depth_max", 2, 512, "deepest JSON nesting accepted from the broker", &c::json_depth_max,
       d.json_depth_max},
      {"ws_idle_timeout_ms", 1000, 3600000, "a connection silent this long is dropped",
       &c::ws_idle_timeout_ms, d.ws_idle_timeout_ms},
      {"inbox_messages_max", 1, 1000000, "messages kept in a mesh's local inbox (oldest dropped)",
       &c::inbox_messages_max, d.inbox_messages_max},
  };
  return all;
}

std::string setting_flag(const std::string& name) {
  std::string out = "--";
  for (char ch : name)
    out += ch == '_' ? '-' : ch;
  return out;
}

std::string setting_env(const std::string& name) {
  std::string out = "NEXUS_";
  for (char ch : name)
    out += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  return out;
}

std::optional<std::string> apply_setting(client_settings& s, const std::string& name,
                                         const std::string& value, const std::string& source) {
  for (const auto& k : all_settings()) {
    if (name != k.name)
      continue;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || p != value.data() + value.size())
      return "invalid value for " + name + " (from " + source + "): \"" + value + "\" is not an integer";
    if (v < k.min || v > k.max)
      return "invalid value for " + name + " (from " + source + "): " + value + " is outside [" +
             std::to_string(k.min) + ", " + std::to_string(k.max) + "]";
    s.*k.field = v;
    return std::nullopt;
  }
  return "unknown setting \"" + name + "\" (from " + source + ")";
}

std::optional<std::string> check_settings(const client_settings& s) {
  if (s.reconnect_min_ms > s.reconnect_max_ms)
    return "reconnect_min_ms (" + std::to_string(s.reconnect_min_ms) +
           ") must not exceed reconnect_max_ms (" + std::to_string(s.reconnect_max_ms) + ")";
  return std::nullopt;
}

} // namespace nexus::client
