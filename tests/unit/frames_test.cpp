// Decoding of the core broker's client frames into the typed payloads of
// transport/frames.hpp (spec §2.1, §2.5, §3.1, §3.8, §3.10, §4.1–§4.4):
// every frame type, wrong JSON types and missing fields (→ frame_error
// naming the field), the handshake's lenient mapping that keeps the
// reference's rejection codes, unknown fields and unknown types.
#include "actors/handshake.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

using namespace nexus;
using namespace nexus::wire;

namespace {

constexpr int64_t depth_max = 32;

inbound decoded(const std::string& text) {
  auto r = decode(text, depth_max);
  REQUIRE(std::holds_alternative<inbound>(r));
  return std::get<inbound>(r);
}

/// The payload of `text`, which must be a `Frame`.
template <class Frame>
Frame payload_of(const std::string& text) {
  inbound in = decoded(text);
  if (auto* e = std::get_if<frame_error>(&in.payload))
    FAIL_CHECK("unexpected frame_error: " << e->message);
  REQUIRE(std::holds_alternative<Frame>(in.payload));
  return std::get<Frame>(in.payload);
}

frame_error error_of(const std::string& text) {
  inbound in = decoded(text);
  REQUIRE(std::holds_alternative<frame_error>(in.payload));
  frame_error e = std::get<frame_error>(in.payload);
  CHECK(e.code == "invalid_frame");
  return e;
}

const std::string member_pk = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
const std::string session_pk = "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1";

} // namespace

TEST_SUITE("frames decode") {

TEST_CASE("hello as the SDK sends it: no cwd, groups, hostname or model") {
  auto f = payload_of<hello_frame>(
      R"({"type":"hello","meshId":"M1","memberId":"Qe81p","pubkey":")" + member_pk +
      R"(","sessionPubkey":")" + session_pk +
      R"(","displayName":"My Bot","sessionId":"sdk-4242-1717459199991","pid":4242,)"
      R"("peerType":"connector","channel":"sdk","timestamp":1717459200000,"signature":"a289"})");
  CHECK(f.meshId == "M1");
  CHECK(f.memberId == "Qe81p");
  CHECK(f.pubkey == member_pk);
  CHECK(f.sessionPubkey == session_pk);
  CHECK(f.displayName == "My Bot");
  CHECK(f.sessionId == "sdk-4242-1717459199991");
  CHECK(f.pid == 4242);
  CHECK(f.peerType == "connector");
  CHECK(f.channel == "sdk");
  CHECK(f.timestamp == 1717459200000.0);
  CHECK(f.signature == "a289");
  CHECK(f.cwd == "");
  CHECK_FALSE(f.hostname);
  CHECK_FALSE(f.model);
  CHECK_FALSE(f.groups);
}

TEST_CASE("hello with every presence field, groups and unknown fields") {
  auto f = payload_of<hello_frame>(
      R"({"type":"hello","cwd":"/home/a","hostname":"h","model":"opus","protocolVersion":2,)"
      R"("capabilities":["x"],"future":{"a":[1]},"groups":[{"name":"backend","role":"lead"},)"
      R"({"name":"ops"},{"name":"r","role":""},{"role":"x"},{"name":7},"junk"]})");
  CHECK(f.cwd == "/home/a");
  CHECK(f.hostname == "h");
  CHECK(f.model == "opus");
  REQUIRE(f.groups);
  REQUIRE(f.groups->size() == 3); // entries without a string name are skipped
  CHECK((*f.groups)[0].name == "backend");
  CHECK((*f.groups)[0].role == "lead");
  CHECK((*f.groups)[1].name == "ops");
  CHECK_FALSE((*f.groups)[1].role);
  CHECK_FALSE((*f.groups)[2].role); // "" is "no role"
  // An empty array is present (session_hello uses it even when empty).
  auto empty = payload_of<hello_frame>(R"({"type":"hello","groups":[]})");
  REQUIRE(empty.groups);
  CHECK(empty.groups->empty());
}

TEST_CASE("hello: missing or wrongly typed fields map onto the reference's rejections") {
  auto bare = payload_of<hello_frame>(R"({"type":"hello"})");
  CHECK(bare.meshId == "");
  CHECK(bare.pubkey == ""); // → malformed
  CHECK(bare.signature == "");
  CHECK_FALSE(bare.timestamp); // → timestamp_skew
  CHECK_FALSE(bare.sessionPubkey);
  CHECK_FALSE(bare.sessionId); // caller generates one
  CHECK(bare.pid == 0);
  CHECK(bare.displayName == "");

  auto typed = payload_of<hello_frame>(
      R"({"type":"hello","meshId":1,"pubkey":null,"timestamp":"1717459200000",)"
      R"("signature":[],"pid":"12","cwd":5,"sessionId":3,"groups":{"name":"x"},"displayName":true})");
  CHECK(typed.meshId == "");
  CHECK(typed.pubkey == "");
  CHECK_FALSE(typed.timestamp); // a string timestamp fails the skew check
  CHECK(typed.signature == "");
  CHECK(typed.pid == 0);
  CHECK(typed.cwd == "");
  CHECK_FALSE(typed.sessionId);
  CHECK_FALSE(typed.groups);
  CHECK(typed.displayName == "");

  // The handshake checks then refuse with the reference's codes.
  auto string_ts = check_hello(typed, 1717459200000, false);
  REQUIRE(string_ts);
  CHECK(string_ts->code == "timestamp_skew");
  auto no_pubkey = payload_of<hello_frame>(R"({"type":"hello","timestamp":1717459200000})");
  auto malformed = check_hello(no_pubkey, 1717459200000, false);
  REQUIRE(malformed);
  CHECK(malformed->code == "malformed");
}

TEST_CASE("hello: sessionPubkey falsy means none, a truthy non-string is refused") {
  for (const char* v : {R"("")", "null", "false", "0"}) {
    CAPTURE(v);
    auto f = payload_of<hello_frame>(std::string(R"({"type":"hello","sessionPubkey":)") + v + "}");
    CHECK_FALSE(f.sessionPubkey);
  }
  for (const char* v : {"1", "true", "{}", "[]"}) {
    CAPTURE(v);
    auto f = payload_of<hello_frame>(std::string(R"({"type":"hello","sessionPubkey":)") + v + "}");
    REQUIRE(f.sessionPubkey);
    auto rejection = check_hello(f, 0, false);
    REQUIRE(rejection);
    CHECK(rejection->code == "bad_session_pubkey");
  }
}

TEST_CASE("hello: pid is truncated and clamped, never refused") {
  CHECK(payload_of<hello_frame>(R"({"type":"hello","pid":12.9})").pid == 12);
  CHECK(payload_of<hello_frame>(R"({"type":"hello","pid":-3.5})").pid == -3);
  CHECK(payload_of<hello_frame>(R"({"type":"hello","pid":1e300})").pid ==
        std::numeric_limits<int64_t>::max());
  CHECK(payload_of<hello_frame>(R"({"type":"hello","pid":18446744073709551615})").pid ==
        std::numeric_limits<int64_t>::max());
  CHECK(payload_of<hello_frame>(R"({"type":"hello","pid":-1e300})").pid ==
        std::numeric_limits<int64_t>::min());
}

TEST_CASE("session_hello with attestation") {
  auto f = payload_of<session_hello_frame>(
      R"({"type":"session_hello","meshId":"M1","parentMemberId":"P1","parentMemberPubkey":")" +
      member_pk + R"(","sessionPubkey":")" + session_pk +
      R"(","parentAttestation":{"sessionPubkey":")" + session_pk +
      R"(","parentMemberPubkey":")" + member_pk +
      R"(","expiresAt":1717502400000,"signature":"f429"},"role":"x","groups":[],)"
      R"("displayName":"s","sessionId":"sid","pid":7,"cwd":"/w","channel":"claudemesh-session",)"
      R"("peerType":"ai","timestamp":1717459200000,"signature":"1766"})");
  CHECK(f.meshId == "M1");
  CHECK(f.parentMemberId == "P1");
  CHECK(f.parentMemberPubkey == member_pk);
  CHECK(f.sessionPubkey == session_pk);
  REQUIRE(f.parentAttestation);
  CHECK(f.parentAttestation->sessionPubkey == session_pk);
  CHECK(f.parentAttestation->parentMemberPubkey == member_pk);
  CHECK(f.parentAttestation->expiresAt == 1717502400000.0);
  CHECK(f.parentAttestation->signature == "f429");
  CHECK(f.timestamp == 1717459200000.0);
  CHECK(f.signature == "1766");
  REQUIRE(f.groups);
  CHECK(f.groups->empty());
  CHECK(f.cwd == "/w");
  CHECK(f.pid == 7);
  CHECK(f.channel == "claudemesh-session");
}

TEST_CASE("session_hello: missing or wrongly typed fields keep the reference's codes") {
  auto bare = payload_of<session_hello_frame>(R"({"type":"session_hello"})");
  CHECK(bare.sessionPubkey == "");
  CHECK(bare.parentMemberPubkey == "");
  CHECK_FALSE(bare.parentAttestation);
  CHECK_FALSE(bare.parentMemberId);
  CHECK_FALSE(bare.groups);
  auto r = check_session_hello(bare, 0, false);
  REQUIRE(r);
  CHECK(r->code == "bad_session_pubkey");

  // A non-object attestation is missing → attestation_mismatch.
  auto no_att = payload_of<session_hello_frame>(
      R"({"type":"session_hello","sessionPubkey":")" + session_pk +
      R"(","parentMemberPubkey":")" + member_pk + R"(","parentAttestation":"x"})");
  CHECK_FALSE(no_att.parentAttestation);
  r = check_session_hello(no_att, 0, false);
  REQUIRE(r);
  CHECK(r->code == "attestation_mismatch");

  // A string expiresAt is malformed; non-string keys are "".
  auto bad_att = payload_of<session_hello_frame>(
      R"({"type":"session_hello","parentAttestation":{"sessionPubkey":1,"expiresAt":"9"}})");
  REQUIRE(bad_att.parentAttestation);
  CHECK(bad_att.parentAttestation->sessionPubkey == "");
  CHECK_FALSE(bad_att.parentAttestation->expiresAt);

  // parentMemberId: falsy → not compared; truthy non-string → never equal.
  CHECK_FALSE(payload_of<session_hello_frame>(R"({"type":"session_hello","parentMemberId":""})")
                  .parentMemberId);
  CHECK(payload_of<session_hello_frame>(R"({"type":"session_hello","parentMemberId":5})")
            .parentMemberId == std::string(non_string_marker));
}

TEST_CASE("send: every field") {
  auto f = payload_of<send_frame>(
      R"({"type":"send","id":"3f9c","targetSpec":"#T1","priority":"now","nonce":"CQ==",)"
      R"("ciphertext":"XG==","client_message_id":"c1","request_fingerprint":"ab",)"
      R"("mentions":["bob","eve"],"replyToId":"R1","bodyVersion":2,"extra":1})");
  CHECK(f.id == "3f9c");
  CHECK(f.targetSpec == "#T1");
  CHECK(f.priority == "now");
  CHECK(f.nonce == "CQ==");
  CHECK(f.ciphertext == "XG==");
  CHECK(f.client_message_id == "c1");
  CHECK(f.request_fingerprint == "ab");
  REQUIRE(f.mentions);
  CHECK(*f.mentions == std::vector<std::string>{"bob", "eve"});
  CHECK(f.replyToId == "R1");
  CHECK(f.bodyVersion == 2);
}

TEST_CASE("send: the SDK's minimal frame; empty nonce is fine; null optionals are absent") {
  auto f = payload_of<send_frame>(
      R"({"type":"send","targetSpec":"*","priority":"next","nonce":"","ciphertext":"x",)"
      R"("client_message_id":null,"mentions":null})");
  CHECK_FALSE(f.id);
  CHECK(f.nonce == "");
  CHECK_FALSE(f.client_message_id);
  CHECK_FALSE(f.mentions);
  CHECK_FALSE(f.bodyVersion);
}

TEST_CASE("send: a missing or non-string priority decodes as \"\" (answered by an ack)") {
  CHECK(payload_of<send_frame>(R"({"type":"send","targetSpec":"*","nonce":"","ciphertext":""})")
            .priority == "");
  CHECK(payload_of<send_frame>(
            R"({"type":"send","targetSpec":"*","priority":3,"nonce":"","ciphertext":""})")
            .priority == "");
  CHECK(payload_of<send_frame>(
            R"({"type":"send","targetSpec":"*","priority":"urgent","nonce":"","ciphertext":""})")
            .priority == "urgent");
}

TEST_CASE("send: field problems become frame_error naming the field, with the send's id") {
  auto e = error_of(R"({"type":"send","id":"s1","targetSpec":5,"nonce":"","ciphertext":""})");
  CHECK(e.message == "send: targetSpec must be a string");
  CHECK(e.id == "s1");
  e = error_of(R"({"type":"send","id":"s2","targetSpec":"*","ciphertext":""})");
  CHECK(e.message == "send: nonce must be a string");
  e = error_of(R"({"type":"send","targetSpec":"*","nonce":"","ciphertext":null})");
  CHECK(e.message == "send: ciphertext must be a string");
  CHECK_FALSE(e.id);
  e = error_of(R"({"type":"send","id":7,"targetSpec":"*","nonce":"","ciphertext":""})");
  CHECK(e.message == "send: id must be a string");
  CHECK_FALSE(e.id);
  e = error_of(R"({"type":"send","targetSpec":"*","nonce":"","ciphertext":"","mentions":["a",1]})");
  CHECK(e.message == "send: mentions must be an array of strings");
  e = error_of(R"({"type":"send","targetSpec":"*","nonce":"","ciphertext":"","bodyVersion":"2"})");
  CHECK(e.message == "send: bodyVersion must be a number");
  e = error_of(R"({"type":"send","targetSpec":"*","nonce":"","ciphertext":"","replyToId":{}})");
  CHECK(e.message == "send: replyToId must be a string");
}

TEST_CASE("the error frame for a frame_error carries _reqId and, for send, id") {
  inbound in = decoded(R"({"type":"send","id":"s1","_reqId":"r1","targetSpec":[]})");
  REQUIRE(std::holds_alternative<frame_error>(in.payload));
  CHECK(encode_error(std::get<frame_error>(in.payload), in.req_id) ==
        R"({"type":"error","code":"invalid_frame","message":"send: targetSpec must be a string",)"
        R"("id":"s1","_reqId":"r1"})");
}

TEST_CASE("client_ack") {
  auto f = payload_of<client_ack_frame>(
      R"({"type":"client_ack","clientMessageId":"c1","brokerMessageId":"b1"})");
  CHECK(f.clientMessageId == "c1");
  CHECK(f.brokerMessageId == "b1");
  auto none = payload_of<client_ack_frame>(R"({"type":"client_ack"})");
  CHECK_FALSE(none.clientMessageId);
  CHECK_FALSE(none.brokerMessageId);
  CHECK(error_of(R"({"type":"client_ack","brokerMessageId":1})").message ==
        "client_ack: brokerMessageId must be a string");
}

TEST_CASE("message_status: absent messageId is \"\" so the shape check answers it") {
  CHECK(payload_of<message_status_frame>(R"({"type":"message_status","messageId":"b7QkR2xx"})")
            .messageId == "b7QkR2xx");
  CHECK(payload_of<message_status_frame>(R"({"type":"message_status"})").messageId == "");
  CHECK(error_of(R"({"type":"message_status","messageId":12345678})").message ==
        "message_status: messageId must be a string");
}

TEST_CASE("set_status, set_summary, set_visible") {
  CHECK(payload_of<set_status_frame>(R"({"type":"set_status","status":"dnd"})").status == "dnd");
  CHECK(error_of(R"({"type":"set_status"})").message == "set_status: status must be a string");
  CHECK(payload_of<set_summary_frame>(R"({"type":"set_summary","summary":"fixing"})").summary ==
        "fixing");
  CHECK(payload_of<set_summary_frame>(R"({"type":"set_summary"})").summary == "");
  CHECK(payload_of<set_summary_frame>(R"({"type":"set_summary","summary":null})").summary == "");
  CHECK(error_of(R"({"type":"set_summary","summary":1})").message ==
        "set_summary: summary must be a string");
  CHECK(payload_of<set_visible_frame>(R"({"type":"set_visible","visible":false})").visible ==
        false);
  CHECK(payload_of<set_visible_frame>(R"({"type":"set_visible","visible":true})").visible == true);
  CHECK(error_of(R"({"type":"set_visible"})").message == "set_visible: visible must be a boolean");
  CHECK(error_of(R"({"type":"set_visible","visible":"false"})").message ==
        "set_visible: visible must be a boolean");
}

TEST_CASE("set_profile: only the fields present") {
  auto f = payload_of<set_profile_frame>(
      R"({"type":"set_profile","avatar":"🦊","bio":"reads diffs","capabilities":["review"]})");
  CHECK(f.avatar == "🦊");
  CHECK_FALSE(f.title);
  CHECK(f.bio == "reads diffs");
  REQUIRE(f.capabilities);
  CHECK(*f.capabilities == std::vector<std::string>{"review"});
  CHECK(error_of(R"({"type":"set_profile","title":false})").message ==
        "set_profile: title must be a string");
  CHECK(error_of(R"({"type":"set_profile","capabilities":"review"})").message ==
        "set_profile: capabilities must be an array of strings");
}

TEST_CASE("set_stats: counters inside stats; truncated and clamped") {
  auto f = payload_of<set_stats_frame>(
      R"({"type":"set_stats","stats":{"messagesIn":4,"messagesOut":2,"toolCalls":17,)"
      R"("uptime":600.75,"errors":1e30}})");
  CHECK(f.messagesIn == 4);
  CHECK(f.messagesOut == 2);
  CHECK(f.toolCalls == 17);
  CHECK(f.uptime == 600);
  CHECK(f.errors == std::numeric_limits<int64_t>::max());
  auto some = payload_of<set_stats_frame>(R"({"type":"set_stats","stats":{"uptime":3}})");
  CHECK_FALSE(some.messagesIn);
  CHECK(some.uptime == 3);
  CHECK(error_of(R"({"type":"set_stats"})").message == "set_stats: stats must be an object");
  CHECK(error_of(R"({"type":"set_stats","stats":[1]})").message ==
        "set_stats: stats must be an object");
  CHECK(error_of(R"({"type":"set_stats","stats":{"uptime":"600"}})").message ==
        "set_stats: stats.uptime must be a number");
}

TEST_CASE("list_peers, join_group, leave_group") {
  inbound lp = decoded(R"({"type":"list_peers","_reqId":"r9"})");
  CHECK(std::holds_alternative<list_peers_frame>(lp.payload));
  CHECK(lp.req_id == "r9");
  auto j = payload_of<join_group_frame>(R"({"type":"join_group","name":"a/b","role":"lead"})");
  CHECK(j.name == "a/b");
  CHECK(j.role == "lead");
  CHECK_FALSE(payload_of<join_group_frame>(R"({"type":"join_group","name":"x","role":""})").role);
  CHECK_FALSE(payload_of<join_group_frame>(R"({"type":"join_group","name":"x"})").role);
  CHECK(error_of(R"({"type":"join_group"})").message == "join_group: name must be a string");
  CHECK(error_of(R"({"type":"join_group","name":"x","role":3})").message ==
        "join_group: role must be a string");
  CHECK(payload_of<leave_group_frame>(R"({"type":"leave_group","name":"x"})").name == "x");
  CHECK(error_of(R"({"type":"leave_group","name":null})").message ==
        "leave_group: name must be a string");
}

TEST_CASE("unknown and not-yet-handled types are other_frame; default payload is too") {
  for (const char* t : {"nope", "topic_create", "mcp_call", "HELLO"}) {
    CAPTURE(t);
    inbound in = decoded(std::string(R"({"type":")") + t + R"(","x":1})");
    CHECK(in.type == t);
    CHECK(std::holds_alternative<other_frame>(in.payload));
  }
  CHECK(std::holds_alternative<other_frame>(inbound{}.payload));
}

TEST_CASE("with duplicate keys the last one wins for payload fields too") {
  auto f = payload_of<set_status_frame>(R"({"type":"set_status","status":"dnd","status":"idle"})");
  CHECK(f.status == "idle");
}

} // TEST_SUITE
