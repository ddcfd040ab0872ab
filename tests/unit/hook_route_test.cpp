// POST /hook/set-status, the pure parts: the loopback rule (hook_allow_remote
// = "false") and the body decoder / reply encoders of transport/hook_body.
#include "actors/hook_route.hpp"
#include "transport/hook_body.hpp"

#include <doctest/doctest.h>

using nexus::is_loopback_address;
using nexus::wire::decode_hook_body;

TEST_CASE("hook: loopback addresses are accepted") {
  CHECK(is_loopback_address("127.0.0.1"));
  CHECK(is_loopback_address("127.5.6.7"));
  CHECK(is_loopback_address("127.255.255.255"));
  CHECK(is_loopback_address("::1"));
  CHECK(is_loopback_address("0:0:0:0:0:0:0:1"));
  CHECK(is_loopback_address("::ffff:127.0.0.1"));
  CHECK(is_loopback_address("::ffff:127.9.8.7"));
}

TEST_CASE("hook: every other address is refused") {
  CHECK_FALSE(is_loopback_address("10.0.0.1"));
  CHECK_FALSE(is_loopback_address("192.168.1.1"));
  CHECK_FALSE(is_loopback_address("128.0.0.1"));
  CHECK_FALSE(is_loopback_address("0.0.0.0"));
  CHECK_FALSE(is_loopback_address("::2"));
  CHECK_FALSE(is_loopback_address("::"));
  CHECK_FALSE(is_loopback_address("::ffff:10.0.0.1"));
  CHECK_FALSE(is_loopback_address("::127.0.0.1")); // IPv4-compatible, not mapped
  CHECK_FALSE(is_loopback_address("fe80::1"));
  CHECK_FALSE(is_loopback_address(""));
  CHECK_FALSE(is_loopback_address("localhost"));
  CHECK_FALSE(is_loopback_address("127.0.0.1 "));
}

TEST_CASE("hook body: fields, types and missing values") {
  auto r = decode_hook_body(R"({"cwd":"/w","pid":4242,"status":"working","session_id":"s"})", 32);
  REQUIRE(r.body);
  CHECK(r.body->cwd == std::optional<std::string>("/w"));
  CHECK(r.body->status == std::optional<std::string>("working"));
  CHECK(r.body->pid == std::optional<int64_t>(4242));

  r = decode_hook_body(R"({"cwd":"","status":7,"pid":1.5})", 32);
  REQUIRE(r.body);
  CHECK_FALSE(r.body->cwd);    // "" counts as missing (reference: !cwd)
  CHECK_FALSE(r.body->status); // not a string
  CHECK_FALSE(r.body->pid);    // a fraction is no pid

  r = decode_hook_body(R"({"cwd":"/a","cwd":"/b","pid":4294967296})", 32);
  REQUIRE(r.body);
  CHECK(r.body->cwd == std::optional<std::string>("/b")); // last duplicate wins
  CHECK_FALSE(r.body->pid);                               // beyond the int32 column

  r = decode_hook_body("[1,2]", 32); // JSON, not an object: every field missing
  REQUIRE(r.body);
  CHECK_FALSE(r.body->cwd);
  CHECK_FALSE(r.body->status);
}

TEST_CASE("hook body: invalid JSON gives the parser's message") {
  auto r = decode_hook_body("{not json", 32);
  CHECK_FALSE(r.body);
  CHECK(r.error == "Invalid JSON in request body");
  r = decode_hook_body("", 32);
  CHECK_FALSE(r.body);
  CHECK(r.error == "Unexpected end of JSON input");
  r = decode_hook_body(R"({"a":{"b":{"c":1}}})", 2);
  CHECK_FALSE(r.body);
  CHECK(r.error == "JSON nested deeper than 2 levels");
}

TEST_CASE("hook replies are JSON with escaping") {
  CHECK(nexus::wire::encode_hook_error("rate limited") == R"({"ok":false,"error":"rate limited"})");
  CHECK(nexus::wire::encode_hook_error("a \"q\"") == R"({"ok":false,"error":"a \"q\""})");
  CHECK(nexus::wire::encode_hook_pending() == R"({"ok":true,"pending":true})");
  CHECK(nexus::wire::encode_hook_applied("P1") == R"({"ok":true,"presence_id":"P1"})");
}
