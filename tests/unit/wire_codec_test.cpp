// The JSON wire codec: envelope decoding under the depth bound, UTF-8
// validation, and error-frame encoding (spec §1.2, §1.5, §1.7).
#include "transport/json_bounded.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <string>

using namespace nexus::wire;

namespace {

/// `depth` nested arrays inside the frame object: total depth is depth + 1.
std::string frame_with_depth(int total_depth) {
  std::string inner;
  for (int i = 1; i < total_depth; ++i)
    inner += '[';
  for (int i = 1; i < total_depth; ++i)
    inner += ']';
  if (inner.empty())
    return R"({"type":"x"})";
  return R"({"type":"x","deep":)" + inner + "}";
}

decode_errc failure_of(const decode_result& r) {
  REQUIRE(std::holds_alternative<decode_failure>(r));
  return std::get<decode_failure>(r).code;
}

inbound success_of(const decode_result& r) {
  REQUIRE(std::holds_alternative<inbound>(r));
  return std::get<inbound>(r);
}

} // namespace

TEST_CASE("decode: a frame with a string type") {
  auto in = success_of(decode(R"({"type":"send","targetSpec":"*"})", 32));
  CHECK(in.type == "send");
  CHECK_FALSE(in.req_id.has_value());
}

TEST_CASE("decode: depth exactly json_depth_max is accepted, one more is refused") {
  for (int max : {2, 8, 32}) {
    CAPTURE(max);
    CHECK(success_of(decode(frame_with_depth(max), max)).type == "x");
    auto r = decode(frame_with_depth(max + 1), max);
    CHECK(failure_of(r) == decode_errc::too_deep);
    CHECK(std::get<decode_failure>(r).detail.find(std::to_string(max)) != std::string::npos);
  }
}

TEST_CASE("decode: a hostile depth is refused without recursing") {
  // 1 MB of '[' would overflow a recursive parser's stack.
  std::string hostile = R"({"type":"x","a":)" + std::string(1 << 20, '[');
  CHECK(failure_of(decode(hostile, 32)) == decode_errc::too_deep);
}

TEST_CASE("decode: objects inside arrays count too") {
  // depth: object(1) → array(2) → object(3)
  CHECK(success_of(decode(R"({"type":"x","a":[{"b":1}]})", 3)).type == "x");
  CHECK(failure_of(decode(R"({"type":"x","a":[{"b":1}]})", 2)) == decode_errc::too_deep);
}

TEST_CASE("decode: not JSON") {
  CHECK(failure_of(decode("", 32)) == decode_errc::not_json);
  CHECK(failure_of(decode("{", 32)) == decode_errc::not_json);
  CHECK(failure_of(decode("hello", 32)) == decode_errc::not_json);
  CHECK(failure_of(decode(R"({"type":"x"} trailing)", 32)) == decode_errc::not_json);
  CHECK(failure_of(decode(R"({"type":"x"}{"type":"y"})", 32)) == decode_errc::not_json);
}

TEST_CASE("decode: invalid UTF-8 is not JSON") {
  // A lone continuation byte, an overlong encoding, and a truncated sequence.
  CHECK(failure_of(decode("{\"type\":\"\x80\"}", 32)) == decode_errc::not_json);
  CHECK(failure_of(decode("{\"type\":\"\xC0\xAF\"}", 32)) == decode_errc::not_json);
  CHECK(failure_of(decode("{\"type\":\"\xE2\x82\"}", 32)) == decode_errc::not_json);
  // Valid multi-byte UTF-8 passes.
  CHECK(success_of(decode("{\"type\":\"\xE2\x82\xAC\"}", 32)).type == "\xE2\x82\xAC");
}

TEST_CASE("decode: an embedded NUL is not JSON") {
  std::string text = R"({"type":"x"})";
  text += '\0';
  text += "garbage";
  CHECK(failure_of(decode(text, 32)) == decode_errc::not_json);
}

TEST_CASE("decode: valid JSON that is not an object") {
  for (const char* text : {"[]", R"(["type"])", "\"type\"", "42", "null", "true"}) {
    CAPTURE(text);
    CHECK(failure_of(decode(text, 32)) == decode_errc::not_object);
  }
}

TEST_CASE("decode: missing or non-string type") {
  for (const char* text : {"{}", R"({"kind":"send"})", R"({"type":1})", R"({"type":null})",
                           R"({"type":["send"]})", R"({"type":{"a":1}})", R"({"a":{"type":"x"}})"}) {
    CAPTURE(text);
    CHECK(failure_of(decode(text, 32)) == decode_errc::missing_type);
  }
}

TEST_CASE("decode: _reqId is picked up only when it is a string") {
  CHECK(success_of(decode(R"({"type":"get_state","_reqId":"r-17"})", 32)).req_id == "r-17");
  CHECK_FALSE(success_of(decode(R"({"type":"get_state","_reqId":17})", 32)).req_id.has_value());
  CHECK_FALSE(success_of(decode(R"({"type":"get_state","_reqId":null})", 32)).req_id.has_value());
  CHECK(success_of(decode(R"({"_reqId":"","type":"t"})", 32)).req_id == "");
}

TEST_CASE("decode: with duplicate keys the last one wins, as with JSON.parse") {
  auto in = success_of(decode(R"({"type":"a","_reqId":"1","type":"b","_reqId":"2"})", 32));
  CHECK(in.type == "b");
  CHECK(in.req_id == "2");
}

TEST_CASE("parse_bounded leaves a usable document for routes") {
  rapidjson::Document doc;
  REQUIRE(parse_bounded(R"({"cwd":"/tmp","pid":12})", 4, doc) == json_parse_status::ok);
  CHECK(doc["pid"].GetInt() == 12);
  CHECK(parse_bounded("[[1]]", 1, doc) == json_parse_status::too_deep);
  CHECK(doc.IsNull());
}

TEST_CASE("encode_error: the §1.7 shape, optional fields omitted") {
  CHECK(encode_error("no_hello", "must send hello first") ==
        R"({"type":"error","code":"no_hello","message":"must send hello first"})");
  CHECK(encode_error("invalid_args", "bad", std::string("r1")) ==
        R"({"type":"error","code":"invalid_args","message":"bad","_reqId":"r1"})");
  CHECK(encode_error("topic_not_found", "no topic", std::nullopt, std::string("r2")) ==
        R"({"type":"error","code":"topic_not_found","message":"no topic","id":"r2"})");
}

TEST_CASE("encode_error: strings are escaped and the output parses back") {
  std::string nasty = "quote \" backslash \\ newline \n tab \t ctl \x01 euro \xE2\x82\xAC";
  std::string out = encode_error("c\"ode", nasty, std::string("req\"\\id"));
  CHECK(out.find('\n') == std::string::npos);
  rapidjson::Document doc;
  REQUIRE(parse_bounded(out, 4, doc) == json_parse_status::ok);
  CHECK(std::string(doc["type"].GetString()) == "error");
  CHECK(std::string(doc["code"].GetString()) == "c\"ode");
  CHECK(std::string(doc["message"].GetString()) == nasty);
  CHECK(std::string(doc["_reqId"].GetString()) == "req\"\\id");
  CHECK_FALSE(doc.HasMember("id"));
}
