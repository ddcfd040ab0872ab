// Encoding of the core broker's reply and push frames (spec §2.7, §3.4,
// §3.7, §3.10, §4.1, §4.3, §12.3): exact JSON strings against the spec's
// examples, omitted optionals really absent, the _reqId echo rules, and the
// ISO-8601 timestamps of §0.2.
#include "transport/frame_encoders.hpp"
#include "transport/json_bounded.hpp"

#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <string>

using namespace nexus;
using namespace nexus::wire;

namespace {

constexpr int64_t t_123 = 1776254400123; // 2026-04-15T12:00:00.123Z
constexpr int64_t t_456 = 1776254400456; // 2026-04-15T12:00:00.456Z

rapidjson::Document parsed(const std::string& text) {
  rapidjson::Document doc;
  REQUIRE(parse_bounded(text, 16, doc) == json_parse_status::ok);
  REQUIRE(doc.IsObject());
  return doc;
}

} // namespace

TEST_SUITE("frame encoders") {

TEST_CASE("iso8601_ms prints exactly what Date.prototype.toISOString prints") {
  CHECK(iso8601_ms(t_123) == "2026-04-15T12:00:00.123Z");
  CHECK(iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(iso8601_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(iso8601_ms(951868799999) == "2000-02-29T23:59:59.999Z");
  CHECK(iso8601_ms(1717459200000) == "2024-06-04T00:00:00.000Z");
  CHECK(iso8601_ms(-62135596800000) == "0001-01-01T00:00:00.000Z");
  CHECK(iso8601_ms(-62167219200000) == "0000-01-01T00:00:00.000Z");
  CHECK(iso8601_ms(-62167219200001) == "-000001-12-31T23:59:59.999Z");
  CHECK(iso8601_ms(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(iso8601_ms(253402300800000) == "+010000-01-01T00:00:00.000Z");
  CHECK(iso8601_ms(8640000000000000) == "+275760-09-13T00:00:00.000Z"); // JS's max date
}

TEST_CASE("hello_ack: the §2.7 example") {
  hello_ack_frame f;
  f.presenceId = "k3J9...";
  f.memberDisplayName = "My Bot";
  f.memberProfile = member_profile{};
  f.meshPolicy = mesh_policy{true, true, true, true};
  restored_state r;
  r.lastSeenAt_ms = 1776254282411;
  r.restoredStats = cumulative_stats{3, 5, 0, 0};
  f.restored = r;
  CHECK(encode_hello_ack(f) ==
        R"({"type":"hello_ack","presenceId":"k3J9...","memberDisplayName":"My Bot",)"
        R"("memberProfile":{"roleTag":null,"groups":[],"messageMode":"push"},)"
        R"("meshPolicy":{"selfEditable":{"displayName":true,"roleTag":true,"groups":true,"messageMode":true}},)"
        R"("restored":true,"lastSeenAt":"2026-04-15T11:58:02.411Z",)"
        R"("restoredStats":{"messagesIn":3,"messagesOut":5,"toolCalls":0,"errors":0},)"
        R"("services":[]})");
}

TEST_CASE("hello_ack: every optional part, and none") {
  hello_ack_frame f;
  f.presenceId = "p";
  f.memberDisplayName = "n";
  f.memberProfile = member_profile{std::string("lead"), {{"a", std::string("x")}, {"b", {}}}, "inbox"};
  restored_state r;
  r.lastSummary = "was fixing";
  r.lastSeenAt_ms = t_123;
  r.restoredGroups = std::vector<hello_group>{{"g", {}}};
  f.restored = r;
  CHECK(encode_hello_ack(f) ==
        R"({"type":"hello_ack","presenceId":"p","memberDisplayName":"n",)"
        R"("memberProfile":{"roleTag":"lead","groups":[{"name":"a","role":"x"},{"name":"b"}],)"
        R"("messageMode":"inbox"},"restored":true,"lastSummary":"was fixing",)"
        R"("lastSeenAt":"2026-04-15T12:00:00.123Z","restoredGroups":[{"name":"g"}],)"
        R"("restoredStats":{"messagesIn":0,"messagesOut":0,"toolCalls":0,"errors":0},"services":[]})");
  // session_hello reattach: no profile, no services, nothing restored.
  hello_ack_frame bare;
  bare.presenceId = "p";
  bare.memberDisplayName = "n";
  bare.services = false;
  CHECK(encode_hello_ack(bare) ==
        R"({"type":"hello_ack","presenceId":"p","memberDisplayName":"n"})");
}

TEST_CASE("send ack: the §3.4 success and rejection shapes, never _reqId") {
  CHECK(encode_send_ack(send_ack{std::string("3f9c0a1b2c3d4e5f"), "b7Qk", true, std::nullopt}) ==
        R"({"type":"ack","id":"3f9c0a1b2c3d4e5f","messageId":"b7Qk","queued":true})");
  CHECK(encode_send_ack(send_ack{std::string("3f9c0a1b2c3d4e5f"), "", false,
                                 std::string("invalid priority")}) ==
        R"({"type":"ack","id":"3f9c0a1b2c3d4e5f","messageId":"","queued":false,"error":"invalid priority"})");
  // A send without id is acked with id "".
  CHECK(encode_send_ack(send_ack{std::nullopt, "m", true, std::nullopt}) ==
        R"({"type":"ack","id":"","messageId":"m","queued":true})");
  // Non-ASCII rejection text goes out as UTF-8 and parses back.
  std::string rate = "rate_limit: max 60 msg/min (burst 10) \xE2\x80\x94 slow down";
  auto doc = parsed(encode_send_ack(send_ack{std::string("i"), "", false, rate}));
  CHECK(std::string(doc["error"].GetString()) == rate);
  CHECK_FALSE(doc.HasMember("_reqId"));
}

TEST_CASE("done ack: id is the _reqId or \"\", _reqId echoed only when present") {
  CHECK(encode_done_ack(done_ack{std::string("r7")}) ==
        R"({"type":"ack","id":"r7","messageId":"","queued":false,"_reqId":"r7"})");
  CHECK(encode_done_ack(done_ack{}) ==
        R"({"type":"ack","id":"","messageId":"","queued":false})");
}

TEST_CASE("push: the §12.3 example with every field of a live push") {
  message_push p;
  p.messageId = "b7QkR2…";
  p.meshId = "Zt1c9K…";
  p.senderPubkey = "ed4928c6…37d1";
  p.senderMemberPubkey = "8a88e3dd…6f5c";
  p.senderMemberId = "Qe81p…";
  p.senderName = "alice";
  p.topic = "general";
  p.replyToId = "T0pic…";
  p.priority = "now";
  p.nonce = "q1w2…";
  p.ciphertext = "aGVsbG8gQGJvYg==";
  p.createdAt_ms = t_123;
  p.subtype = "reminder";
  CHECK(encode_push(p) ==
        R"({"type":"push","messageId":"b7QkR2…","meshId":"Zt1c9K…","senderPubkey":"ed4928c6…37d1",)"
        R"("senderMemberPubkey":"8a88e3dd…6f5c","senderMemberId":"Qe81p…","senderName":"alice","topic":"general",)"
        R"("replyToId":"T0pic…","priority":"now","nonce":"q1w2…","ciphertext":"aGVsbG8gQGJvYg==",)"
        R"("createdAt":"2026-04-15T12:00:00.123Z","subtype":"reminder"})");
}

TEST_CASE("push: a drained direct push, §3.7.2 plus the deviation-20 sender fields") {
  message_push p;
  p.messageId = "b7Qk";
  p.meshId = "Zt1c9K";
  p.senderPubkey = "ed4928c6";
  p.senderMemberPubkey = "8a88e3dd";
  p.senderMemberId = "Qe81p";
  p.senderName = "alice";
  p.priority = "next";
  p.nonce = "CQkJ";
  p.ciphertext = "XGz9";
  p.createdAt_ms = t_123;
  p.client_message_id = "cm1";
  p.request_fingerprint = "fp1";
  CHECK(encode_push(p) ==
        R"({"type":"push","messageId":"b7Qk","meshId":"Zt1c9K","senderPubkey":"ed4928c6",)"
        R"("senderMemberPubkey":"8a88e3dd","senderMemberId":"Qe81p","senderName":"alice",)"
        R"("priority":"next","nonce":"CQkJ","ciphertext":"XGz9","createdAt":"2026-04-15T12:00:00.123Z",)"
        R"("client_message_id":"cm1","request_fingerprint":"fp1"})");
  // A live broadcast push: none of the optional fields.
  p.client_message_id.reset();
  p.request_fingerprint.reset();
  auto doc = parsed(encode_push(p));
  for (const char* absent :
       {"topic", "replyToId", "subtype", "client_message_id", "request_fingerprint", "_reqId"}) {
    CAPTURE(absent);
    CHECK_FALSE(doc.HasMember(absent));
  }
  CHECK(doc.MemberCount() == 11); // type, 3 ids, 3 sender-member fields, priority, nonce, ciphertext, createdAt
}

TEST_CASE("system push: §3.7.3 with displayName beside name (deviation 24)") {
  system_push s;
  s.event = "peer_joined";
  s.eventData.name = "Alice";
  s.eventData.pubkey = "…";
  s.eventData.groups = std::vector<hello_group>{};
  s.messageId = "6f1c…uuid";
  s.meshId = "…";
  s.createdAt_ms = t_123;
  CHECK(encode_system_push(s) ==
        R"({"type":"push","subtype":"system","event":"peer_joined",)"
        R"("eventData":{"name":"Alice","pubkey":"…","groups":[],"displayName":"Alice"},)"
        R"("messageId":"6f1c…uuid","meshId":"…","senderPubkey":"system","priority":"low",)"
        R"("nonce":"","ciphertext":"","createdAt":"2026-04-15T12:00:00.123Z"})");
}

TEST_CASE("system push: peer_returned with lastSeenAt and summary; peer_left without groups") {
  system_push s;
  s.event = "peer_returned";
  s.eventData = system_event_data{"Bob", "ca93", std::vector<hello_group>{{"ops", std::string("lead")}},
                                  t_456, std::string("was here")};
  s.messageId = "u";
  s.meshId = "m";
  s.createdAt_ms = t_123;
  auto doc = parsed(encode_system_push(s));
  const auto& d = doc["eventData"];
  CHECK(std::string(d["name"].GetString()) == "Bob");
  CHECK(std::string(d["displayName"].GetString()) == "Bob");
  CHECK(std::string(d["groups"][0]["role"].GetString()) == "lead");
  CHECK(std::string(d["lastSeenAt"].GetString()) == "2026-04-15T12:00:00.456Z");
  CHECK(std::string(d["summary"].GetString()) == "was here");

  s.event = "peer_left";
  s.eventData = system_event_data{"Bob", "ca93", std::nullopt, std::nullopt, std::nullopt};
  CHECK(encode_system_push(s).find(
            R"("eventData":{"name":"Bob","pubkey":"ca93","displayName":"Bob"})") !=
        std::string::npos);
}

TEST_CASE("peers_list: the §12.3 example with every field") {
  peer_entry p;
  p.pubkey = "ca93ac1705187071d67b83c7ff0efe8108e8ec4530575d7726879333dbdabe7c";
  p.memberPubkey = "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";
  p.displayName = "bob";
  p.status = "working";
  p.summary = "refactoring scheduler";
  p.groups = {{"flexicar/core", std::string("lead")}};
  p.sessionId = "3b1f…";
  p.connectedAt_ms = t_123;
  p.cwd = "/home/bob/proj";
  p.peerRole = "session";
  p.hostname = "bob-mbp";
  p.peerType = "ai";
  p.channel = "claudemesh-session";
  p.model = "opus-4";
  p.stats = peer_stats{4, 2, 17, 600, 0};
  p.visible = true;
  p.profile = peer_profile{std::string("🦊"), std::string("reviewer"), std::string("reads diffs"),
                           std::vector<std::string>{"review"}};
  CHECK(encode_peers_list(peers_list_frame{{p}, std::string("r9")}) ==
        R"({"type":"peers_list","_reqId":"r9","peers":[{"pubkey":"ca93ac1705187071d67b83c7ff0efe8108e8ec4530575d7726879333dbdabe7c",)"
        R"("memberPubkey":"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394","displayName":"bob",)"
        R"("status":"working","summary":"refactoring scheduler","groups":[{"name":"flexicar/core","role":"lead"}],)"
        R"("sessionId":"3b1f…","connectedAt":"2026-04-15T12:00:00.123Z","cwd":"/home/bob/proj","peerRole":"session",)"
        R"("hostname":"bob-mbp","peerType":"ai","channel":"claudemesh-session","model":"opus-4",)"
        R"("stats":{"messagesIn":4,"messagesOut":2,"toolCalls":17,"uptime":600,"errors":0},"visible":true,)"
        R"("profile":{"avatar":"🦊","title":"reviewer","bio":"reads diffs","capabilities":["review"]}}]})");
}

TEST_CASE("peers_list: summary null, optionals absent, empty profile omitted, no _reqId") {
  peer_entry p;
  p.pubkey = "k";
  p.memberPubkey = "m";
  p.displayName = "d";
  p.status = "idle";
  p.sessionId = "s";
  p.connectedAt_ms = t_123;
  p.peerRole = "control-plane";
  p.profile = peer_profile{}; // set but empty → omitted
  CHECK(encode_peers_list(peers_list_frame{{p}, std::nullopt}) ==
        R"({"type":"peers_list","peers":[{"pubkey":"k","memberPubkey":"m","displayName":"d",)"
        R"("status":"idle","summary":null,"groups":[],"sessionId":"s",)"
        R"("connectedAt":"2026-04-15T12:00:00.123Z","cwd":"","peerRole":"control-plane"}]})");
  // Partial stats and profile: only the fields set; visible false is sent.
  p.stats = peer_stats{};
  p.stats->uptime = 5;
  p.profile->title = "t";
  p.visible = false;
  auto doc = parsed(encode_peers_list(peers_list_frame{{p}, std::string("")}));
  CHECK(std::string(doc["_reqId"].GetString()) == "");
  const auto& peer = doc["peers"][0];
  CHECK(peer["stats"].MemberCount() == 1);
  CHECK(peer["stats"]["uptime"].GetInt64() == 5);
  CHECK(peer["profile"].MemberCount() == 1);
  CHECK(peer["visible"].IsFalse());
  CHECK(encode_peers_list(peers_list_frame{}) == R"({"type":"peers_list","peers":[]})");
}

TEST_CASE("message_status_result: the §12.3 and §3.10 examples") {
  message_status_result_frame f;
  f.messageId = "b7QkR2";
  f.targetSpec = "@backend";
  f.delivered = true;
  f.deliveredAt_ms = t_456;
  f.recipients = {{"bob", "ca93…be7c", "delivered"}};
  f.req_id = "r3";
  CHECK(encode_message_status_result(f) ==
        R"({"type":"message_status_result","messageId":"b7QkR2","targetSpec":"@backend","delivered":true,)"
        R"("deliveredAt":"2026-04-15T12:00:00.456Z","recipients":[{"name":"bob","pubkey":"ca93…be7c","status":"delivered"}],"_reqId":"r3"})");
  message_status_result_frame held;
  held.messageId = "b7QkR2xx";
  held.targetSpec = "ffff";
  held.recipients = {{"unknown", "ffff", "disconnected"}};
  CHECK(encode_message_status_result(held) ==
        R"({"type":"message_status_result","messageId":"b7QkR2xx","targetSpec":"ffff","delivered":false,)"
        R"("deliveredAt":null,"recipients":[{"name":"unknown","pubkey":"ffff","status":"disconnected"}]})");
}

TEST_CASE("encoders escape what they pass through") {
  message_push p;
  p.senderName = "quote \" backslash \\ newline \n ctl \x01";
  p.createdAt_ms = 0;
  std::string out = encode_push(p);
  CHECK(out.find('\n') == std::string::npos);
  auto doc = parsed(out);
  CHECK(std::string(doc["senderName"].GetString()) == p.senderName);
}

} // TEST_SUITE
