#include "transport/listener.hpp"

#include "config/log.hpp"
#include "transport/http_session.hpp"

#include <boost/asio/post.hpp>

#include <sstream>
#include <stdexcept>

namespace nexus::transport {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// After a failed accept (typically EMFILE: out of file descriptors) the
/// next attempt waits this long, so the loop does not spin while the
/// condition lasts. A pacing delay, not a limit, hence not a config key.
constexpr std::chrono::milliseconds accept_retry_delay{50};

} // namespace

listener::listener(net::io_context& ioc, const tcp::endpoint& endpoint,
                   std::shared_ptr<gateway_state> state)
    : ioc_(ioc), strand_(net::make_strand(ioc)), acceptor_(strand_), retry_timer_(strand_),
      state_(std::move(state)) {
  boost::system::error_code ec;
  auto check = [&](const char* step) {
    if (ec) {
      std::ostringstream where;
      where << endpoint;
      throw std::runtime_error("gateway cannot listen on " + where.str() + ": " + step + ": " +
                               ec.message());
    }
  };
  acceptor_.open(endpoint.protocol(), ec);
  check("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  check("set reuse_address");
  acceptor_.bind(endpoint, ec);
  check("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  check("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  check("local_endpoint");
}

void listener::run() {
  net::post(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void listener::do_accept() {
  if (!acceptor_.is_open())
    return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_),
                         [self = shared_from_this()](const boost::system::error_code& ec,
                                                     tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec) {
    if (!acceptor_.is_open())
      return; // stop()
    fail(ec, "accept");
    state_->metrics.error("accept_failed");
    retry_timer_.expires_after(accept_retry_delay);
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
      if (!wait_ec)
        self->do_accept();
    });
    return;
  }
  // Frames are small and written as soon as they are ready: without
  // TCP_NODELAY, Nagle holds a push behind the peer's delayed ACK (~40 ms on
  // Linux), which was the tail of the paced benchmark's send→push latency.
  boost::system::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  start_http_session(std::move(socket), state_);
  do_accept();
}

} // namespace nexus::transport
