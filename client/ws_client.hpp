// ws_client: one client WebSocket connection to a node (Boost.Beast over
// asio), with its own I/O thread. Beast is included by this file's .cpp and
// http_client.cpp only.
//
// The owner (broker_link) gets three callbacks on the I/O thread — opened,
// frame, closed — and must not block in them (it forwards each as an actor
// message). `closed` is called exactly once per connection, whether it
// failed to open or was open; after the destructor returns no callback runs.
//
// Thread-safety: send() and close() may be called from any thread (they post
// onto the I/O thread). Destroy from a thread other than the I/O thread
// (never from inside a callback).
#pragma once

#include "client/broker_url.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace nexus::client {

struct boost_io_context_holder; // the asio::io_context, defined in ws_client.cpp

class ws_client {
public:
  struct options {
    int64_t connect_timeout_ms = 5000;   ///< resolve + TCP connect + upgrade
    int64_t frame_bytes_max = 1 << 20;   ///< largest inbound message
    int64_t idle_timeout_ms = 75000;     ///< silent this long (pings unanswered) → closed
    int64_t outbound_frames_max = 4096;  ///< queued writes before the connection is dropped
  };
  struct handlers {
    std::function<void()> opened;
    std::function<void(std::string text)> frame;
    /// close_code: the peer's close code (1000, 1008, 4002, ...), or 0 when
    /// the connection failed or broke without a close frame; reason: the
    /// close reason, or the error text.
    std::function<void(int close_code, std::string reason)> closed;
  };

  /// Starts connecting at once; outcomes arrive through `h`.
  static std::unique_ptr<ws_client> connect(const broker_url& url, const options& opts, handlers h);

  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// Queues one text frame. Ignored once closing or closed.
  void send(std::string text);
  /// Flushes queued frames, then closes with 1000.
  void close();

  struct impl;

private:
  ws_client();
  // Destroyed in this order: the I/O context outlives every object its
  // pending handlers own (asio destroys those handlers in its destructor).
  std::unique_ptr<boost_io_context_holder> io_;
  std::shared_ptr<impl> impl_;
  std::thread thread_;
};

} // namespace nexus::client
