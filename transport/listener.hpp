// listener: accepts TCP connections on the gateway's one port and hands
// each to a new http_session (which may upgrade it to a ws_session).
//
// Created and started by the gateway; stop() may be called from any thread
// (it posts onto the acceptor's strand).
#pragma once

#include "transport/gateway_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>

namespace nexus::transport {

class listener : public std::enable_shared_from_this<listener> {
public:
  /// Opens, binds and listens. Throws std::runtime_error naming the address
  /// when that fails (port in use, address not local, ...).
  listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           std::shared_ptr<gateway_state> state);

  /// The bound port (the real one when the endpoint asked for port 0).
  uint16_t port() const { return port_; }
  /// Starts accepting. Call once.
  void run();
  /// Stops accepting; established connections are not touched.
  void stop();

private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<gateway_state> state_;
  uint16_t port_ = 0;
};

} // namespace nexus::transport
