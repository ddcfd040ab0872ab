// gateway_fixture: one real gateway on a free 127.0.0.1 port with a real
// actor system, small limits from node_config, and helpers to look at what
// it answered. For tests of the gateway and, later, of whatever the core
// broker plugs into it (routes, connection actors).
//
// Use from one test thread. Destruction stops the gateway, then the system.
#pragma once

#include "config/node_config.hpp"
#include "tests/support/raw_client.hpp"
#include "transport/frame_sink.hpp"
#include "transport/gateway.hpp"
#include "transport/health.hpp"
#include "transport/metrics.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace nexus::test {

/// node_config defaults with small wire limits: frame and body 1024 bytes,
/// head 1024, depth 8, HTTP deadline 400 ms, outbound queue 4 frames, two
/// I/O threads, keepalive slow enough not to interfere (tests lower it).
config::node_config small_gateway_config();

struct gateway_fixture {
  enum class actors {
    real,  ///< actors/connection_actor: no_hello for everything
    probe, ///< probe_actor below: reports frame_written and connection_closed to `observer`
  };

  /// `tweak` edits the config before start; `routes` adds routes.
  explicit gateway_fixture(std::function<void(config::node_config&)> tweak = {},
                           actors kind = actors::real,
                           std::function<void(transport::gateway&)> routes = {});
  ~gateway_fixture();

  /// The next connection_closed a probe actor reported, within 5 s.
  std::optional<transport::connection_closed> next_closed();
  /// nexus_errors_total{reason=...} so far.
  uint64_t errors(const std::string& reason);

  struct system_config : caf::actor_system_config {
    system_config();
  };
  system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  caf::scoped_actor observer{sys};
  metrics::registry registry;
  metrics::node_metrics metrics{registry};
  node_health health;
  config::node_config cfg;
  std::unique_ptr<transport::gateway> gw;
  uint16_t port = 0;
};

/// The probe's reaction to a frame's type: "burst" sends 40 frames of
/// 512 KiB at once; "burst_tracked" the same with written tokens 0–39;
/// "tracked" sends {"type":"t","n":1..3} with tokens 101–103; "die" quits
/// with the socket open; "kick" replies with an error frame, then closes
/// 4001 "kicked"; anything else gets no_hello. Every frame_written and
/// connection_closed goes to `observer`; after the latter the probe quits.
caf::behavior probe_actor(caf::event_based_actor* self,
                          std::shared_ptr<transport::frame_sink> sink, caf::actor observer);

/// The spec's pre-hello error frame, byte for byte.
extern const std::string no_hello_frame;

/// Parses a JSON object body; fails the test if it is not one.
rapidjson::Document json_object(const std::string& body);
/// doc[key] as a string; fails the test if absent or not a string.
std::string json_string(const rapidjson::Value& doc, const char* key);
/// The CORS fields of spec §6.1 are present.
void check_cors(const http_reply& r);

/// A bare TCP connection for what no client library sends, such as a request
/// that never completes.
class raw_socket {
public:
  explicit raw_socket(uint16_t port);
  ~raw_socket();
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;
  void write(const std::string& data);
  /// Reads until the peer closes (→ true) or `deadline` passes (→ false).
  bool read_until_closed(std::chrono::milliseconds deadline, std::string& received);

private:
  int fd_ = -1;
};

} // namespace nexus::test
