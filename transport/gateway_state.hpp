// gateway_state: what every connection of one gateway shares — the config
// (copied), the metrics and health it reports, the connection factory, the
// route table and the session registry. Internal to the gateway TUs.
//
// Thread-safety: the config, factory and router are read-only once the
// gateway started; metrics and health are atomics; the registry posts onto
// its own strand; next_id is atomic. Sessions hold it by shared_ptr.
#pragma once

#include "config/node_config.hpp"
#include "transport/frame_sink.hpp"
#include "transport/health.hpp"
#include "transport/http_router.hpp"
#include "transport/metrics.hpp"
#include "transport/session_gate.hpp"
#include "transport/session_registry.hpp"

#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace nexus::transport {

struct gateway_state {
  gateway_state(boost::asio::io_context& ioc, const config::node_config& c,
                metrics::node_metrics& m, node_health& h, connection_factory f)
      : cfg(c), metrics(m), health(h), factory(std::move(f)), registry(ioc) {}

  const config::node_config cfg;
  metrics::node_metrics& metrics;
  node_health& health;
  const connection_factory factory;
  http_router router; ///< filled before start(), read-only afterwards
  session_registry registry;
  std::atomic<uint64_t> next_id{1}; ///< connection ids, unique per process
  /// Shared with every ws_sink, which may outlive this state.
  std::shared_ptr<session_gate> gate = std::make_shared<session_gate>();

  std::chrono::milliseconds http_idle_timeout() const {
    return std::chrono::milliseconds(cfg.http_idle_timeout_ms);
  }
};

/// The one place async errors are reported: quiet (debug) for the codes a
/// normal close or shutdown produces, a warning otherwise.
void fail(const boost::system::error_code& ec, const char* what);

} // namespace nexus::transport
