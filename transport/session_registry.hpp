// session_registry: the gateway's list of live connections (HTTP and
// WebSocket), so that stop() can close every one of them.
//
// All state lives on the registry's own strand; every member function only
// posts onto it and is safe to call from any thread. Sessions are held
// weakly: the registry never keeps a connection alive.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace nexus::transport {

/// What the registry needs from a connection.
class session_base {
public:
  virtual ~session_base() = default;
  /// Close for shutdown: WebSockets send 1001 "shutting down" and abort the
  /// TCP connection if the peer has not finished the close by `abort_at`;
  /// HTTP connections close at once. Thread-safe (posts onto the session).
  virtual void shutdown(std::chrono::steady_clock::time_point abort_at) = 0;
};

class session_registry {
public:
  explicit session_registry(boost::asio::io_context& ioc);

  /// Adds a live session. After close_all() a newcomer is shut down at once
  /// (it was accepted just before the listener closed).
  void remember(uint64_t id, std::weak_ptr<session_base> session);
  /// Removes a session that ended.
  void forget(uint64_t id);
  /// Shuts every live and future session down (see session_base::shutdown).
  void close_all(std::chrono::steady_clock::time_point abort_at);

private:
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  // --- only touched on strand_ ---
  std::unordered_map<uint64_t, std::weak_ptr<session_base>> sessions_;
  bool closing_ = false;
  std::chrono::steady_clock::time_point abort_at_;
};

} // namespace nexus::transport
