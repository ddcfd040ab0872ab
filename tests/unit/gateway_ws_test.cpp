// The gateway's WebSocket side end to end (spec §1.1–§1.8): frames to the
// connection actor and back, size and depth bounds, invalid frames,
// keepalive, slow consumers, closes in both directions and shutdown. A real
// listener on 127.0.0.1 port 0, a real actor system and the raw client of
// tests/support, which shows exactly what crosses the wire (close codes,
// dropped sockets, unanswered pings). Every wait has a deadline.
#include "tests/support/gateway_fixture.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/support/wait.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace nexus;
using namespace nexus::test;
using namespace std::chrono_literals;

namespace {

/// A frame {"type":"t","pad":"xxx…"} of exactly `size` bytes.
std::string frame_of_size(size_t size) {
  std::string head = R"({"type":"t","pad":")";
  std::string tail = R"("})";
  REQUIRE(size >= head.size() + tail.size());
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

/// What a probe reported for one connection: its frame_written tokens in
/// arrival order, up to its connection_closed (nullopt: none within 5 s).
struct reported {
  std::vector<uint64_t> written;
  std::optional<transport::connection_closed> closed;
};

reported collect_until_closed(gateway_fixture& f) {
  reported r;
  bool timed_out = false;
  while (!r.closed && !timed_out)
    f.observer->receive([&](const transport::frame_written& w) { r.written.push_back(w.token); },
                        [&](const transport::connection_closed& c) { r.closed = c; },
                        caf::after(std::chrono::seconds(5)) >> [&] { timed_out = true; });
  return r;
}

} // namespace

TEST_SUITE("gateway ws") {

TEST_CASE("before hello every frame gets no_hello, text or binary, always as text") {
  gateway_fixture f;
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"send","_reqId":"r1"})");
  auto reply = c.next();
  REQUIRE(reply);
  CHECK(reply->opcode == 1);
  CHECK(reply->payload == no_hello_frame); // no _reqId on no_hello (§1.5)
  c.send_binary(R"({"type":"list_peers"})");
  reply = c.next();
  REQUIRE(reply);
  CHECK(reply->opcode == 1);
  CHECK(reply->payload == no_hello_frame);
}

TEST_CASE("a frame of exactly frame_bytes_max is accepted; one byte more closes with 1009") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe);
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(frame_of_size(1024));
  CHECK(c.next_text() == no_hello_frame);
  c.send_text(frame_of_size(1025));
  auto closing = c.next();
  REQUIRE(closing);
  CHECK(closing->opcode == 8);
  CHECK(closing->close_code() == 1009);
  c.close(); // as a client does after a close frame; Beast waits for our FIN
  auto closed = f.next_closed();
  REQUIRE(closed);
  CHECK(closed->code == 1009);
  CHECK(f.errors("frame_too_big") == 1);
}

TEST_CASE("invalid JSON is dropped silently and the connection stays open") {
  gateway_fixture f;
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text("{not json");
  c.send_binary("{\"type\":\"\xC0\xAF\"}"); // invalid UTF-8
  c.send_text(R"({"type":"after"})");
  // Frames are handled in order: had either bad frame been answered, its
  // reply would come first.
  CHECK(c.next_text() == no_hello_frame);
  CHECK(f.errors("parse_error") == 2);
}

TEST_CASE("too deep, non-object or untyped frames get invalid_frame") {
  gateway_fixture f; // json_depth_max = 8
  ws_client c;
  REQUIRE(c.connect(f.port));
  auto expect_invalid = [&](const std::string& frame) {
    CAPTURE(frame);
    c.send_text(frame);
    auto reply = c.next_text();
    REQUIRE(reply);
    auto doc = json_object(*reply);
    CHECK(json_string(doc, "type") == "error");
    CHECK(json_string(doc, "code") == "invalid_frame");
    CHECK(doc.HasMember("message"));
  };
  expect_invalid(R"({"type":"x","a":[[[[[[[[]]]]]]]]})"); // depth 9
  expect_invalid(R"(["type"])");
  expect_invalid(R"({"kind":"x"})");
  c.send_text(R"({"type":"x","a":[[[[[[[]]]]]]]})"); // depth 8: fine
  CHECK(c.next_text() == no_hello_frame);
  CHECK(f.errors("invalid_frame_too_deep") == 1);
  CHECK(f.errors("invalid_frame_not_object") == 1);
  CHECK(f.errors("invalid_frame_missing_type") == 1);
}

TEST_CASE("stop() closes every open WebSocket with 1001 and tells its actor") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe);
  ws_client a, b;
  REQUIRE(a.connect(f.port));
  REQUIRE(b.connect(f.port));
  a.send_text(R"({"type":"x"})"); // both sessions surely accepted
  b.send_text(R"({"type":"x"})");
  REQUIRE(a.next_text() == no_hello_frame);
  REQUIRE(b.next_text() == no_hello_frame);
  std::thread stopper([&] { f.gw->stop(5s); });
  for (ws_client* c : {&a, &b}) {
    auto frame = c->next();
    REQUIRE(frame);
    CHECK(frame->opcode == 8);
    CHECK(frame->close_code() == 1001);
    CHECK(frame->payload.substr(2) == "shutting down");
    c->send_frame(8, frame->payload); // finish the close handshake
  }
  stopper.join();
  for (int i = 0; i < 2; ++i) {
    auto closed = f.next_closed();
    REQUIRE(closed);
    CHECK(closed->code == 1001);
  }
  ws_client late;
  CHECK_FALSE(late.connect(f.port, "/ws", 1s));
}

TEST_CASE("stop() aborts a peer that does not answer the close") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe);
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"x"})");
  REQUIRE(c.next_text() == no_hello_frame);
  auto begin = std::chrono::steady_clock::now();
  f.gw->stop(1s); // the client reads nothing meanwhile
  // Bounded by its deadline, not hanging (slack for a loaded machine).
  CHECK(std::chrono::steady_clock::now() - begin < 3s);
  auto closed = f.next_closed();
  REQUIRE(closed);
  CHECK(closed->code == 1006); // no close completed: the TCP connection was aborted
  auto frame = c.next(); // the 1001 close frame was sent before the abort
  REQUIRE(frame);
  CHECK(frame->close_code() == 1001);
  CHECK_FALSE(c.next(2s));
  CHECK(c.dropped());
}

TEST_CASE("keepalive: a peer that never answers pings is aborted without a close frame") {
  gateway_fixture f(
      [](config::node_config& c) {
        c.ws_ping_interval_ms = 100;
        c.ws_pong_timeout_ms = 300;
      },
      gateway_fixture::actors::probe);
  ws_client silent;
  silent.set_auto_pong(false);
  // Taken before the connect: the server's silence clock starts at its
  // accept, which a loaded machine can run well before connect() returns
  // here (CI-like load once saw the abort < 300 ms after a later start).
  auto begin = std::chrono::steady_clock::now();
  REQUIRE(silent.connect(f.port));
  // next() skips pings; a close frame would be returned. Nothing is.
  CHECK_FALSE(silent.next(5s));
  CHECK(silent.dropped());
  CHECK(std::chrono::steady_clock::now() - begin >= 300ms);
  auto closed = f.next_closed();
  REQUIRE(closed);
  CHECK(closed->code == 1006);
  CHECK(f.errors("keepalive_timeout") == 1);
}

TEST_CASE("keepalive: a peer that answers pings stays connected") {
  gateway_fixture f([](config::node_config& c) {
    c.ws_ping_interval_ms = 100;
    c.ws_pong_timeout_ms = 300;
  });
  ws_client c; // answers pings while it reads
  REQUIRE(c.connect(f.port));
  CHECK_FALSE(c.next(1s)); // three pong timeouts pass without traffic of ours
  CHECK_FALSE(c.dropped());
  c.send_text(R"({"type":"x"})");
  CHECK(c.next_text() == no_hello_frame);
  CHECK(f.errors("keepalive_timeout") == 0);
}

TEST_CASE("an outbound queue beyond ws_outbound_queue_frames_max closes with 1008") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe); // queue bound 4
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"burst"})"); // 40 × 512 KiB; we read none of it yet
  REQUIRE(test::wait_until([&] { return f.errors("slow_consumer") == 1; }, 5s));
  std::optional<ws_client::frame> frame;
  int data_frames = 0;
  while ((frame = c.next()) && frame->opcode != 8)
    ++data_frames;
  REQUIRE(frame);
  CHECK(frame->close_code() == 1008);
  CHECK(frame->payload.substr(2) == "slow consumer");
  CHECK(data_frames < 40);
  c.send_frame(8, frame->payload);
  auto closed = f.next_closed();
  REQUIRE(closed);
  CHECK(closed->code == 1008);
}

TEST_CASE("an actor's close goes out after its queued reply") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe);
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"kick"})");
  auto reply = c.next_text();
  REQUIRE(reply);
  CHECK(json_string(json_object(*reply), "code") == "forbidden");
  auto frame = c.next();
  REQUIRE(frame);
  CHECK(frame->opcode == 8);
  CHECK(frame->close_code() == 4001);
  CHECK(frame->payload.substr(2) == "kicked");
}

TEST_CASE("a connection whose actor dies is closed with 1011") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe);
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"die"})");
  auto frame = c.next();
  REQUIRE(frame);
  CHECK(frame->opcode == 8);
  CHECK(frame->close_code() == 1011);
}

TEST_CASE("frames sent with a token are reported as frame_written once written, in order") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe);
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"tracked"})");
  for (int n = 1; n <= 3; ++n)
    CHECK(c.next_text() == R"({"type":"t","n":)" + std::to_string(n) + "}");
  c.send_text(R"({"type":"x"})"); // answered without a token: never reported
  CHECK(c.next_text() == no_hello_frame);
  c.close();
  auto r = collect_until_closed(f);
  REQUIRE(r.closed);
  CHECK(r.written == std::vector<uint64_t>{101, 102, 103});
}

TEST_CASE("frames dropped for a slow consumer are never reported; the close comes last") {
  gateway_fixture f(nullptr, gateway_fixture::actors::probe); // queue bound 4
  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"burst_tracked"})"); // 40 × 512 KiB, tokens 0–39, unread
  REQUIRE(test::wait_until([&] { return f.errors("slow_consumer") == 1; }, 5s));
  std::optional<ws_client::frame> frame;
  size_t data_frames = 0;
  while ((frame = c.next()) && frame->opcode != 8)
    ++data_frames;
  REQUIRE(frame);
  c.send_frame(8, frame->payload);
  auto r = collect_until_closed(f);
  REQUIRE(r.closed);
  CHECK(r.closed->code == 1008);
  // Exactly the frames that reached the client were reported, in order.
  CHECK(data_frames < 40);
  REQUIRE(r.written.size() == data_frames);
  for (size_t i = 0; i < r.written.size(); ++i)
    CHECK(r.written[i] == i);
}

} // TEST_SUITE
