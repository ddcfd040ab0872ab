// The §5.6 frames: decoding of schedule / list_scheduled / cancel_scheduled
// (required fields, the one-shot time rule, subtype kept only when it is
// "reminder", empty cron = one-shot, NUL refused) and the exact JSON text
// of scheduled_ack, scheduled_list and cancel_scheduled_ack.
#include "transport/frame_encoders_schedule.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nexus;
using namespace nexus::wire;

namespace {

constexpr int64_t depth_max = 8;

frame_payload payload_of(const std::string& text) {
  auto r = decode(text, depth_max);
  REQUIRE(std::holds_alternative<inbound>(r));
  return std::get<inbound>(r).payload;
}

template <class Frame>
Frame request_of(const std::string& text) {
  auto p = payload_of(text);
  if (auto* e = std::get_if<frame_error>(&p))
    FAIL_CHECK("unexpected frame_error: " << e->message);
  REQUIRE(std::holds_alternative<schedule_frame>(p));
  const auto& req = std::get<schedule_frame>(p).request;
  REQUIRE(std::holds_alternative<Frame>(req));
  return std::get<Frame>(req);
}

std::string error_of(const std::string& text) {
  auto p = payload_of(text);
  REQUIRE(std::holds_alternative<frame_error>(p));
  CHECK(std::get<frame_error>(p).code == "invalid_frame");
  return std::get<frame_error>(p).message;
}

} // namespace

TEST_SUITE("schedule frames") {

TEST_CASE("schedule: every field, as the CLI sends it") {
  auto f = request_of<schedule_request_frame>(
      R"({"type":"schedule","to":"@eng","message":"Stand-up in 5","deliverAt":1717459200000,)"
      R"("subtype":"reminder","cron":"0 9 * * 1-5","recurring":true,"_reqId":"r"})");
  CHECK(f.to == "@eng");
  CHECK(f.message == "Stand-up in 5");
  CHECK(f.deliverAt == std::optional<int64_t>(1717459200000));
  CHECK(!f.delayMs);
  CHECK(f.subtype == std::optional<std::string>("reminder"));
  CHECK(f.cron == std::optional<std::string>("0 9 * * 1-5"));
}

TEST_CASE("schedule: a one-shot needs deliverAt or delayMs; an empty cron is none") {
  auto rel = request_of<schedule_request_frame>(R"({"type":"schedule","to":"*","message":"m","delayMs":5000})");
  CHECK(rel.delayMs == std::optional<int64_t>(5000));
  CHECK(!rel.deliverAt);
  CHECK(!rel.cron);
  auto cron = request_of<schedule_request_frame>(R"({"type":"schedule","to":"*","message":"m","cron":"* * * * *"})");
  CHECK(cron.cron);
  CHECK(request_of<schedule_request_frame>(R"({"type":"schedule","to":"*","message":"m","deliverAt":0})")
            .deliverAt == std::optional<int64_t>(0));
  CHECK(error_of(R"({"type":"schedule","to":"*","message":"m"})") ==
        "schedule: deliverAt is required for a one-shot entry (or give delayMs or cron)");
  CHECK(error_of(R"({"type":"schedule","to":"*","message":"m","cron":"","deliverAt":null})") ==
        "schedule: deliverAt is required for a one-shot entry (or give delayMs or cron)");
}

TEST_CASE("schedule: only subtype reminder is kept, so nothing can pose as a system push") {
  auto sub = [](const char* s) {
    return request_of<schedule_request_frame>(
               std::string(R"({"type":"schedule","to":"*","message":"m","deliverAt":0,"subtype":)") + s + "}")
        .subtype;
  };
  CHECK(sub(R"("reminder")") == std::optional<std::string>("reminder"));
  CHECK(!sub(R"("system")"));
  CHECK(!sub(R"("")"));
  CHECK(!sub("null"));
  CHECK(error_of(R"({"type":"schedule","to":"*","message":"m","deliverAt":0,"subtype":5})") ==
        "schedule: subtype must be a string");
}

TEST_CASE("schedule: wrong types and NUL are frame errors naming the field") {
  CHECK(error_of(R"({"type":"schedule","message":"m","deliverAt":0})") == "schedule: to must be a string");
  CHECK(error_of(R"({"type":"schedule","to":"*","deliverAt":0})") == "schedule: message must be a string");
  CHECK(error_of(R"({"type":"schedule","to":"*","message":"m","deliverAt":"1"})") ==
        "schedule: deliverAt must be a number");
  CHECK(error_of(R"({"type":"schedule","to":"*","message":"m","delayMs":true})") ==
        "schedule: delayMs must be a number");
  CHECK(error_of(R"({"type":"schedule","to":"*","message":"m","cron":7})") == "schedule: cron must be a string");
  CHECK(error_of(R"({"type":"schedule","to":"*","message":"a\u0000b","deliverAt":0})") ==
        "schedule: message must not contain a NUL character");
}

TEST_CASE("list_scheduled and cancel_scheduled") {
  request_of<list_scheduled_frame>(R"({"type":"list_scheduled","_reqId":"x"})");
  CHECK(request_of<cancel_scheduled_frame>(R"({"type":"cancel_scheduled","scheduledId":"abc"})").scheduledId ==
        "abc");
  CHECK(request_of<cancel_scheduled_frame>(R"({"type":"cancel_scheduled"})").scheduledId.empty());
}

TEST_CASE("encoders: the spec's shapes, times as numbers") {
  CHECK(encode_scheduled_ack({"u-1", 1717459200000, std::nullopt, std::string("r1")}) ==
        R"({"type":"scheduled_ack","scheduledId":"u-1","deliverAt":1717459200000,"_reqId":"r1"})");
  CHECK(encode_scheduled_ack({"u-2", 60000, std::string("*/5 * * * *"), std::nullopt}) ==
        R"({"type":"scheduled_ack","scheduledId":"u-2","deliverAt":60000,"cron":"*/5 * * * *"})");
  scheduled_list_frame list;
  list.messages.push_back({"a", "*", "one", 10, 5, std::nullopt, std::nullopt});
  list.messages.push_back({"b", "@x", "two \"q\"", 20, 6, std::string("0 9 * * *"), int64_t{3}});
  list.req_id = "r2";
  CHECK(encode_scheduled_list(list) ==
        R"({"type":"scheduled_list","messages":[)"
        R"({"id":"a","to":"*","message":"one","deliverAt":10,"createdAt":5},)"
        R"({"id":"b","to":"@x","message":"two \"q\"","deliverAt":20,"createdAt":6,"cron":"0 9 * * *","firedCount":3}],)"
        R"("_reqId":"r2"})");
  CHECK(encode_scheduled_list({}) == R"({"type":"scheduled_list","messages":[]})");
  CHECK(encode_cancel_scheduled_ack({"u-1", true, std::string("r3")}) ==
        R"({"type":"cancel_scheduled_ack","scheduledId":"u-1","ok":true,"_reqId":"r3"})");
  CHECK(encode_cancel_scheduled_ack({"nope", false, std::nullopt}) ==
        R"({"type":"cancel_scheduled_ack","scheduledId":"nope","ok":false})");
}

} // TEST_SUITE
