#include "tests/support/gateway_fixture.hpp"

#include "actors/connection_actor.hpp"
#include "transport/wire_codec.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nexus::test {

using namespace std::chrono_literals;

const std::string no_hello_frame =
    R"({"type":"error","code":"no_hello","message":"must send hello first"})";

config::node_config small_gateway_config() {
  auto cfg = config::load({}, {{"HOME", "/tmp"}}).config;
  cfg.listen = {"127.0.0.1", 0};
  cfg.io_threads = 2;
  cfg.frame_bytes_max = 1024;
  cfg.json_depth_max = 8;
  cfg.http_body_bytes_max = 1024;
  cfg.http_header_bytes_max = 1024;
  cfg.http_idle_timeout_ms = 400;
  cfg.ws_outbound_queue_frames_max = 4;
  cfg.ws_ping_interval_ms = 10000;
  cfg.ws_pong_timeout_ms = 20000;
  return cfg;
}

gateway_fixture::system_config::system_config() { set("scheduler.max-threads", 2); }

caf::behavior probe_actor(caf::event_based_actor* self,
                          std::shared_ptr<transport::frame_sink> sink, caf::actor observer) {
  return {
      [=](const wire::inbound& in) {
        if (in.type == "burst") {
          for (int i = 0; i < 40; ++i)
            sink->send(std::string(512 * 1024, 'x'));
        } else if (in.type == "burst_tracked") {
          for (uint64_t i = 0; i < 40; ++i)
            sink->send(std::string(512 * 1024, 'x'), i);
        } else if (in.type == "tracked") {
          for (uint64_t i = 1; i <= 3; ++i)
            sink->send(R"({"type":"t","n":)" + std::to_string(i) + "}", 100 + i);
        } else if (in.type == "die") {
          self->quit(caf::exit_reason::user_shutdown);
        } else if (in.type == "kick") {
          sink->send(wire::encode_error("forbidden", "bye"));
          sink->close(4001, "kicked");
        } else {
          sink->send(wire::encode_error("no_hello", "must send hello first"));
        }
      },
      [=](const transport::frame_written& w) { self->send(observer, w); },
      [=](const transport::connection_closed& c) {
        self->send(observer, c);
        self->quit();
      },
  };
}

gateway_fixture::gateway_fixture(std::function<void(config::node_config&)> tweak, actors kind,
                                 std::function<void(transport::gateway&)> routes) {
  cfg = small_gateway_config();
  if (tweak)
    tweak(cfg);
  transport::connection_factory factory = make_connection_factory(sys);
  if (kind == actors::probe) {
    auto obs = caf::actor_cast<caf::actor>(observer);
    factory = [this, obs](std::shared_ptr<transport::frame_sink> sink,
                          const transport::connection_info&) {
      return sys.spawn(probe_actor, std::move(sink), obs);
    };
  }
  gw = std::make_unique<transport::gateway>(cfg, metrics, health, factory);
  if (routes)
    routes(*gw);
  port = gw->start();
}

gateway_fixture::~gateway_fixture() { gw->stop(5s); }

std::optional<transport::connection_closed> gateway_fixture::next_closed() {
  std::optional<transport::connection_closed> got;
  observer->receive([&](const transport::connection_closed& c) { got = c; },
                    caf::after(std::chrono::seconds(5)) >> [] {});
  return got;
}

uint64_t gateway_fixture::errors(const std::string& reason) {
  return registry.get_counter("nexus_errors_total", "", {{"reason", reason}}).value();
}

rapidjson::Document json_object(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  return doc;
}

std::string json_string(const rapidjson::Value& doc, const char* key) {
  REQUIRE(doc.HasMember(key));
  REQUIRE(doc[key].IsString());
  return doc[key].GetString();
}

void check_cors(const http_reply& r) {
  auto field = [&](const char* name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string("<missing>") : it->second;
  };
  CHECK(field("access-control-allow-origin") == "*");
  CHECK(field("access-control-allow-methods") == "POST, GET, OPTIONS");
  CHECK(field("access-control-allow-headers") ==
        "Content-Type, X-Mesh-Id, X-Member-Id, X-File-Name, X-Tags, X-Persistent, X-Target-Spec");
}

raw_socket::raw_socket(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
}

raw_socket::~raw_socket() {
  if (fd_ >= 0)
    ::close(fd_);
}

void raw_socket::write(const std::string& data) {
  REQUIRE(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(data.size()));
}

bool raw_socket::read_until_closed(std::chrono::milliseconds deadline, std::string& received) {
  auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0)
      return true;
    received.append(buf, static_cast<size_t>(n));
  }
}

} // namespace nexus::test
