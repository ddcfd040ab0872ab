// raw_client: a minimal blocking HTTP/1.1 and WebSocket client over plain
// sockets, for tests that must see exactly what crosses the wire (close
// codes, dropped connections, malformed frames). Not thread-safe; one per
// test thread. Every read has a deadline; nothing blocks forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace nexus::test {

using namespace std::chrono_literals;

struct http_reply {
  int status = 0;                          ///< 0 = no response (connection dropped)
  std::map<std::string, std::string> headers; ///< names lower-cased
  std::string body;
};

/// One request on a fresh connection. `extra` is appended raw to the head.
http_reply http_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = {}, const std::string& extra_headers = {},
                        std::chrono::milliseconds timeout = 5s);

/// A WebSocket connection (client side, masked frames).
class ws_client {
public:
  struct frame {
    uint8_t opcode = 0;  ///< 1 text, 2 binary, 8 close, 9 ping, 10 pong
    std::string payload;
    uint16_t close_code() const; ///< for close frames; 1005 when absent
  };

  ws_client() = default;
  ws_client(const ws_client&) = delete;
  ws_client(ws_client&& other) noexcept;
  ~ws_client();

  /// Connects and upgrades at `target`; false if the server refused or
  /// dropped the connection (`last_http_status` tells which).
  bool connect(uint16_t port, const std::string& target = "/ws",
               std::chrono::milliseconds timeout = 5s);
  int last_http_status() const { return last_status_; }

  void send_text(const std::string& payload);
  void send_binary(const std::string& payload);
  void send_frame(uint8_t opcode, const std::string& payload, bool fin = true);

  /// Next data or close frame; pings are answered (unless auto_pong is
  /// off) and skipped. nullopt on timeout or when the connection ended
  /// without a close frame (`dropped()` then true).
  std::optional<frame> next(std::chrono::milliseconds timeout = 5s);
  /// Next text frame, skipping nothing else: close or timeout → nullopt.
  std::optional<std::string> next_text(std::chrono::milliseconds timeout = 5s);

  bool dropped() const { return dropped_; }
  void set_auto_pong(bool on) { auto_pong_ = on; }
  void close();

private:
  bool read_exact(std::string& out, size_t n, std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  int last_status_ = 0;
  bool dropped_ = false;
  bool auto_pong_ = true;
  std::string buffer_;
};

} // namespace nexus::test
