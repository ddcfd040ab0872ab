#include "transport/gateway.hpp"

#include "config/log.hpp"
#include "transport/gateway_state.hpp"
#include "transport/http_routes.hpp"
#include "transport/listener.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace nexus::transport {

namespace net = boost::asio;

struct gateway::impl {
  impl(const config::node_config& cfg, metrics::node_metrics& m, node_health& h,
       connection_factory f)
      : ioc(static_cast<int>(cfg.io_threads)),
        state(std::make_shared<gateway_state>(*ioc, cfg, m, h, std::move(f))) {
    add_builtin_routes(state->router, h, m.reg);
  }

  void run_io() {
    for (;;) {
      try {
        ioc->run();
        break;
      } catch (const std::exception& e) {
        // Handlers are written not to throw; keep serving if one does.
        log::error("gateway") << "I/O handler threw: " << e.what();
      }
    }
    if (running.fetch_sub(1) == 1)
      all_returned.set_value();
  }

  // Declaration order is destruction order in reverse: everything holding a
  // strand of `ioc` (state, listener) must go before it.
  std::optional<net::io_context> ioc;
  std::shared_ptr<gateway_state> state;
  std::shared_ptr<listener> acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<int> running{0};
  std::promise<void> all_returned; ///< set when the last I/O thread left run()
  bool started = false;
  bool stopped = false;
};

gateway::gateway(const config::node_config& cfg, metrics::node_metrics& m, node_health& health,
                 connection_factory factory)
    : impl_(std::make_unique<impl>(cfg, m, health, std::move(factory))) {}

gateway::~gateway() {
  if (impl_->started && !impl_->stopped)
    stop(std::chrono::milliseconds(impl_->state->cfg.shutdown_timeout_ms));
}

void gateway::add_route(std::string method, std::string path, route_match match,
                        http_handler handler) {
  if (impl_->started)
    throw std::logic_error("gateway::add_route after start()");
  impl_->state->router.add(std::move(method), std::move(path), match, std::move(handler));
}

uint16_t gateway::start() {
  if (impl_->started)
    throw std::logic_error("gateway::start called twice");
  const auto& listen = impl_->state->cfg.listen;
  boost::system::error_code ec;
  auto address = net::ip::make_address(listen.host == "localhost" ? "127.0.0.1" : listen.host, ec);
  if (ec)
    throw std::runtime_error("gateway cannot listen on " + listen.to_string() +
                             ": not a numeric address");
  impl_->acceptor = std::make_shared<listener>(
      *impl_->ioc, net::ip::tcp::endpoint(address, listen.port), impl_->state);
  uint16_t port = impl_->acceptor->port();
  impl_->started = true;
  impl_->work.emplace(impl_->ioc->get_executor());
  impl_->acceptor->run();
  auto n = static_cast<int>(impl_->state->cfg.io_threads);
  impl_->running = n;
  for (int i = 0; i < n; ++i)
    impl_->threads.emplace_back([this] { impl_->run_io(); });
  log::info("gateway") << "listening on " << address.to_string() << ":" << port;
  return port;
}

void gateway::stop(std::chrono::milliseconds deadline) {
  auto& d = *impl_;
  if (!d.started || d.stopped)
    return;
  d.stopped = true;
  auto begin = std::chrono::steady_clock::now();
  d.acceptor->stop();
  // Half the deadline for peers to finish their close handshakes; the rest
  // for the aborts that follow and for the threads to drain.
  d.state->registry.close_all(begin + deadline / 2);
  d.work.reset(); // run() returns once every connection is gone
  if (d.all_returned.get_future().wait_until(begin + deadline) == std::future_status::timeout) {
    log::warn("gateway") << "connections still open after " << deadline.count()
                         << " ms, stopping I/O";
    d.ioc->stop();
  }
  for (auto& t : d.threads)
    t.join();
  d.threads.clear();
  // No actor-side call may reach a session once the io_context goes away.
  d.state->gate->close();
  // Destroying the io_context destroys whatever handlers are left, and with
  // them any session still alive, which tells its actor connection_closed.
  d.acceptor.reset();
  d.state.reset();
  d.ioc.reset();
  log::info("gateway") << "stopped";
}

} // namespace nexus::transport
