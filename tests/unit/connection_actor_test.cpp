// The pre-hello connection actor on its own, with a fake frame_sink: it
// answers no_hello through the sink, reports status, and quits when its
// connection is gone.
#include "actors/connection_actor.hpp"
#include "tests/support/storage_calls.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

#include <caf/all.hpp>

#include <atomic>
#include <chrono>

using namespace nexus;
using namespace std::chrono_literals;

namespace {

/// Hands each frame to a scoped_actor as a plain string message, so the
/// test waits for frames with a deadline instead of sharing a container.
class recording_sink : public transport::frame_sink {
public:
  explicit recording_sink(caf::actor observer) : observer_(std::move(observer)) {}
  void send(std::string frame) override { caf::anon_send(observer_, std::move(frame)); }
  void close(uint16_t, std::string) override { ++closes; }
  void abort() override { ++aborts; }
  std::atomic<int> closes{0};
  std::atomic<int> aborts{0};

private:
  caf::actor observer_;
};

} // namespace

TEST_CASE("connection_actor answers every frame with no_hello and quits on close") {
  test::storage_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto sink = std::make_shared<recording_sink>(caf::actor_cast<caf::actor>(self));
  transport::connection_info info;
  info.id = 42;
  info.remote_address = "127.0.0.1";
  info.remote_port = 5555;
  auto factory = make_connection_factory(sys);
  caf::actor conn = factory(sink, info);
  REQUIRE(conn);
  self->monitor(conn);

  for (int i = 0; i < 2; ++i) {
    wire::inbound in;
    in.type = i == 0 ? "send" : "hello_later";
    in.req_id = "r" + std::to_string(i);
    caf::anon_send(conn, in);
    std::string frame;
    self->receive([&](std::string& f) { frame = std::move(f); },
                  caf::after(std::chrono::seconds(5)) >> [] {});
    CHECK(frame == wire::encode_error("no_hello", "must send hello first"));
  }

  auto status = test::status_of(sys, conn, 5s);
  CHECK(status.kind == "connection");
  CHECK(status.id == "42");
  CHECK(status.handled == 2); // status requests are not counted
  CHECK(status.figures["frames_in"] == 2);
  CHECK(status.figures["remote_port"] == 5555);
  CHECK(status.last_activity_ms > 0);

  caf::anon_send(conn, transport::connection_closed{1000, "bye"});
  bool down = false;
  self->receive([&](const caf::down_msg& d) { down = d.source == conn.address(); },
                caf::after(std::chrono::seconds(5)) >> [] {});
  CHECK(down);
  CHECK(sink->closes == 0);
  CHECK(sink->aborts == 0);
}
