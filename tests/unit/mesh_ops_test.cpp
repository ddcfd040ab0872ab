// Streams, mesh_info and the simulation clock (§5.5, §5.7, §5.8): decoding
// into mesh_op_frame (set_clock's Number(speed) reading, publish data kept as
// compact JSON text, bad fields named), the exact JSON of every reply and of
// the §4.7 tick push, and the pure clock rules (speed clamp, period, tick).
#include "actors/sim_clock.hpp"
#include "transport/frame_encoders_mesh_ops.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace nexus;
using namespace nexus::wire;

namespace {

constexpr int64_t depth_max = 8;
constexpr int64_t t0 = 1776254400123; // 2026-04-15T12:00:00.123Z

inbound decoded(const std::string& text) {
  auto r = decode(text, depth_max);
  REQUIRE(std::holds_alternative<inbound>(r));
  return std::get<inbound>(r);
}

template <class Frame>
Frame op_of(const std::string& text) {
  inbound in = decoded(text);
  if (auto* e = std::get_if<frame_error>(&in.payload))
    FAIL_CHECK("unexpected frame_error: " << e->message);
  REQUIRE(std::holds_alternative<mesh_op_frame>(in.payload));
  const auto& op = std::get<mesh_op_frame>(in.payload).request;
  REQUIRE(std::holds_alternative<Frame>(op));
  return std::get<Frame>(op);
}

std::string error_of(const std::string& text) {
  inbound in = decoded(text);
  REQUIRE(std::holds_alternative<frame_error>(in.payload));
  return std::get<frame_error>(in.payload).message;
}

std::optional<double> speed_of(const std::string& speed_json) {
  return op_of<set_clock_frame>(R"({"type":"set_clock","speed":)" + speed_json + "}").speed;
}

} // namespace

TEST_SUITE("mesh ops frames") {

TEST_CASE("stream requests decode; names are required strings without NUL") {
  CHECK(op_of<create_stream_frame>(R"({"type":"create_stream","name":"logs","_reqId":"r"})").name == "logs");
  CHECK(op_of<subscribe_frame>(R"({"type":"subscribe","stream":"logs"})").stream == "logs");
  CHECK(op_of<unsubscribe_frame>(R"({"type":"unsubscribe","stream":"logs"})").stream == "logs");
  op_of<list_streams_frame>(R"({"type":"list_streams"})");
  op_of<mesh_info_frame>(R"({"type":"mesh_info"})");
  CHECK(error_of(R"({"type":"create_stream"})") == "create_stream: name must be a string");
  CHECK(error_of(R"({"type":"subscribe","stream":5})") == "subscribe: stream must be a string");
  CHECK(error_of(R"({"type":"publish","data":1})") == "publish: stream must be a string");
  CHECK(error_of(R"({"type":"create_stream","name":"a\u0000b"})") ==
        "create_stream: name must not contain a NUL character");
}

TEST_CASE("publish keeps data as compact JSON text; absent data stays absent") {
  auto f = op_of<publish_frame>(R"({"type":"publish","stream":"s","data": {"b" : [1, 2.5], "a":null}})");
  CHECK(f.stream == "s");
  REQUIRE(f.data_json);
  CHECK(*f.data_json == R"({"b":[1,2.5],"a":null})");
  CHECK(*op_of<publish_frame>(R"({"type":"publish","stream":"s","data":null})").data_json == "null");
  CHECK(*op_of<publish_frame>(R"({"type":"publish","stream":"s","data":"x"})").data_json == R"("x")");
  CHECK_FALSE(op_of<publish_frame>(R"({"type":"publish","stream":"s"})").data_json);
}

TEST_CASE("set_clock reads speed as JavaScript's Number() would, never an error") {
  CHECK(*speed_of("5") == 5);
  CHECK(*speed_of("2.5") == 2.5);
  CHECK(*speed_of(R"(" 7 ")") == 7);
  CHECK(*speed_of(R"("")") == 0);
  CHECK(*speed_of("true") == 1);
  CHECK_FALSE(speed_of(R"("fast")"));
  CHECK_FALSE(speed_of("null"));
  CHECK_FALSE(speed_of("false"));
  CHECK_FALSE(speed_of("{}"));
  CHECK_FALSE(op_of<set_clock_frame>(R"({"type":"set_clock"})").speed);
  op_of<pause_clock_frame>(R"({"type":"pause_clock"})");
  op_of<resume_clock_frame>(R"({"type":"resume_clock"})");
  op_of<get_clock_frame>(R"({"type":"get_clock"})");
}

TEST_CASE("stream replies and stream_data, _reqId echoed where §12 says") {
  CHECK(encode_stream_created({"id1", "logs", std::string("r1")}) ==
        R"({"type":"stream_created","id":"id1","name":"logs","_reqId":"r1"})");
  CHECK(encode_subscribed({"logs", std::nullopt}) == R"({"type":"subscribed","stream":"logs"})");
  CHECK(encode_stream_data({"logs", std::string(R"({"n":1})"), "alice"}) ==
        R"({"type":"stream_data","stream":"logs","data":{"n":1},"publishedBy":"alice"})");
  CHECK(encode_stream_data({"logs", std::nullopt, "peer"}) ==
        R"({"type":"stream_data","stream":"logs","publishedBy":"peer"})");
  stream_list_frame list;
  list.streams.push_back({"id1", "logs", "alice", t0, 2});
  list.req_id = "r2";
  CHECK(encode_stream_list(list) ==
        R"({"type":"stream_list","streams":[{"id":"id1","name":"logs","createdBy":"alice",)"
        R"("createdAt":"2026-04-15T12:00:00.123Z","subscriberCount":2}],"_reqId":"r2"})");
}

TEST_CASE("mesh_info_result has every §5.7 field") {
  mesh_info_result_frame f;
  f.mesh = "m1";
  f.peers = 3;
  f.groups = {"@backend"};
  f.stateKeys = {"build"};
  f.memoryCount = 12;
  f.tasks = {1, 0, 4};
  f.streams = {"logs"};
  f.yourName = "My Bot";
  f.yourGroups = {{"backend", std::nullopt}, {"ops", std::string("lead")}};
  f.req_id = "r";
  CHECK(encode_mesh_info_result(f) ==
        R"({"type":"mesh_info_result","mesh":"m1","peers":3,"groups":["@backend"],"stateKeys":["build"],)"
        R"("memoryCount":12,"fileCount":0,"tasks":{"open":1,"claimed":0,"done":4},"streams":["logs"],)"
        R"("tables":[],"collections":[],"yourName":"My Bot",)"
        R"("yourGroups":[{"name":"backend"},{"name":"ops","role":"lead"}],"_reqId":"r"})");
}

TEST_CASE("clock_status and the tick push; whole speeds are integers") {
  clock_status_frame s{5, false, 3, t0 + 180000, t0, std::string("c1")};
  CHECK(encode_clock_status(s) ==
        R"({"type":"clock_status","speed":5,"paused":false,"tick":3,"simTime":"2026-04-15T12:03:00.123Z",)"
        R"("startedAt":"2026-04-15T12:00:00.123Z","_reqId":"c1"})");
  s.speed = 2.5;
  s.req_id.reset();
  CHECK(encode_clock_status(s).find(R"("speed":2.5,)") != std::string::npos);
  CHECK(encode_clock_status(s).find("_reqId") == std::string::npos);

  tick_push_frame t{7, t0 + 420000, 100, "uuid-1", "m1", t0};
  CHECK(encode_tick_push(t) ==
        R"({"type":"push","subtype":"system","event":"tick","eventData":{"tick":7,)"
        R"("simTime":"2026-04-15T12:07:00.123Z","speed":100},"messageId":"uuid-1","meshId":"m1",)"
        R"("senderPubkey":"system","priority":"low","nonce":"","ciphertext":"",)"
        R"("createdAt":"2026-04-15T12:00:00.123Z"})");
}

} // TEST_SUITE

TEST_SUITE("sim clock") {

TEST_CASE("speed: 1 unless a positive number, clamped to [1, 100]") {
  CHECK(clock_speed(std::nullopt) == 1);
  CHECK(clock_speed(0.0) == 1);
  CHECK(clock_speed(-5.0) == 1);
  CHECK(clock_speed(std::numeric_limits<double>::quiet_NaN()) == 1);
  CHECK(clock_speed(0.5) == 1);
  CHECK(clock_speed(2.5) == 2.5);
  CHECK(clock_speed(100.0) == 100);
  CHECK(clock_speed(1000.0) == 100);
  CHECK(clock_speed(std::numeric_limits<double>::infinity()) == 100);
}

TEST_CASE("a tick every 60 000 / speed real ms") {
  using std::chrono::microseconds;
  CHECK(tick_period(1) == microseconds(60'000'000));
  CHECK(tick_period(100) == microseconds(600'000));
  CHECK(tick_period(7) == microseconds(8'571'429));
  CHECK(tick_period(0) == microseconds(60'000'000)); // never a division by zero
}

TEST_CASE("a fresh clock runs from now; each tick adds one simulated minute") {
  auto c = make_clock(10, t0);
  CHECK(c.speed == 10);
  CHECK_FALSE(c.paused);
  CHECK(c.tick == 0);
  CHECK(c.sim_time_ms == t0);
  advance(c);
  advance(c);
  CHECK(c.tick == 2);
  CHECK(c.sim_time_ms == t0 + 2 * sim_minute_ms);
  CHECK(c.started_at_ms == t0);
  auto s = clock_status_of(c, t0 + 5);
  CHECK(s.speed == 10);
  CHECK(s.tick == 2);
  CHECK(s.simTime_ms == t0 + 120000);
  CHECK(s.startedAt_ms == t0);
}

TEST_CASE("get_clock without a clock: speed 0, paused, tick 0, times now") {
  auto s = clock_status_of(std::nullopt, t0);
  CHECK(s.speed == 0);
  CHECK(s.paused);
  CHECK(s.tick == 0);
  CHECK(s.simTime_ms == t0);
  CHECK(s.startedAt_ms == t0);
}

} // TEST_SUITE
