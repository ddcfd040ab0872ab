// The client half of the wire codec: what it writes is what the node's
// decoder reads (round trip through wire::decode), and what the node's
// encoders write decodes back into the same structs.
#include "client/client_codec.hpp"
#include "transport/frame_encoders.hpp"
#include "transport/frame_encoders_collab.hpp"
#include "transport/iso8601.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

using namespace nexus;
using namespace nexus::client;

TEST_CASE("encode_hello is a hello the node decodes field for field") {
  hello_frame h;
  h.meshId = "M";
  h.memberId = "U";
  h.pubkey = std::string(64, 'a');
  h.sessionId = "cli-1-2";
  h.pid = 42;
  h.cwd = "/tmp";
  h.channel = "nexus-cli";
  h.timestamp = 1717459200000.0;
  h.signature = std::string(128, 'b');
  auto in = std::get<wire::inbound>(wire::decode(encode_hello(h), 32));
  auto& d = std::get<hello_frame>(in.payload);
  CHECK(d.meshId == "M");
  CHECK(d.memberId == "U");
  CHECK(d.pubkey == h.pubkey);
  CHECK_FALSE(d.sessionPubkey);
  CHECK(d.sessionId == "cli-1-2");
  CHECK(d.pid == 42);
  CHECK(d.timestamp == 1717459200000.0);
  CHECK(d.signature == h.signature);
}

TEST_CASE("encode_send and encode_request round-trip through the node's decoder") {
  send_frame s;
  s.id = "0123456789abcdef";
  s.targetSpec = "*";
  s.priority = "now";
  s.nonce = "n";
  s.ciphertext = "c";
  auto in = std::get<wire::inbound>(wire::decode(encode_send(s), 32));
  auto& d = std::get<send_frame>(in.payload);
  CHECK(d.id == s.id);
  CHECK(d.targetSpec == "*");
  CHECK(d.priority == "now");

  set_state_frame st{"build", R"({"ok":[1,2]})"};
  auto in2 = std::get<wire::inbound>(wire::decode(encode_request(collab_request{st}, "n7"), 32));
  CHECK(in2.req_id == "n7");
  auto& c = std::get<set_state_frame>(std::get<collab_frame>(in2.payload).request);
  CHECK(c.key == "build");
  CHECK(c.value_json == R"({"ok":[1,2]})");

  create_task_frame t;
  t.title = "Fix CI";
  t.assignee = "bob";
  auto in3 = std::get<wire::inbound>(wire::decode(encode_request(collab_request{t}, "n8"), 32));
  auto& ct = std::get<create_task_frame>(std::get<collab_frame>(in3.payload).request);
  CHECK(ct.title == "Fix CI");
  CHECK(ct.assignee == "bob");
}

TEST_CASE("reply_types: what each request waits for, nothing for fire-and-forget") {
  CHECK(reply_types(presence_op{list_peers_frame{}}) == std::vector<std::string>{"peers_list"});
  CHECK(reply_types(presence_op{set_status_frame{"dnd"}}).empty());
  CHECK(reply_types(collab_request{set_state_frame{}}).empty());
  CHECK(reply_types(collab_request{get_state_frame{"k"}}) == std::vector<std::string>{"state_result"});
  CHECK(reply_types(collab_request{claim_task_frame{"t"}}) == std::vector<std::string>{"task_list"});
  CHECK(reply_types(collab_request{forget_frame{"m"}}) == std::vector<std::string>{"ack"});
  CHECK(reply_types(schedule_op{list_scheduled_frame{}}) == std::vector<std::string>{"scheduled_list"});
}

TEST_CASE("decode_server_frame reads what the node's encoders write") {
  message_push p;
  p.messageId = "m1";
  p.meshId = "M";
  p.senderPubkey = std::string(64, 'c');
  p.senderName = "alice";
  p.priority = "next";
  p.nonce = "n";
  p.ciphertext = "c";
  p.createdAt_ms = 1717459200123;
  auto f = decode_server_frame(wire::encode_push(p), 32);
  REQUIRE(f);
  auto& d = std::get<message_push>(f->payload);
  CHECK(d.messageId == "m1");
  CHECK(d.senderName == "alice");
  CHECK(d.createdAt_ms == 1717459200123);

  send_ack a;
  a.id = "abc";
  a.error = "no connected peer";
  auto fa = decode_server_frame(wire::encode_send_ack(a), 32);
  REQUIRE(fa);
  CHECK(std::get<ack_frame>(fa->payload).id == "abc");
  CHECK_FALSE(std::get<ack_frame>(fa->payload).queued);
  CHECK(std::get<ack_frame>(fa->payload).error == "no connected peer");

  auto fe = decode_server_frame(wire::encode_error("task_not_found", "gone", std::string("r1")), 32);
  REQUIRE(fe);
  CHECK(fe->req_id == "r1");
  CHECK(std::get<error_frame>(fe->payload).code == "task_not_found");

  state_result_frame missing;
  missing.key = "nope";
  missing.req_id = "r2";
  auto fs = decode_server_frame(wire::encode_state_result(missing), 32);
  REQUIRE(fs);
  CHECK(std::get<state_result_frame>(fs->payload).key == "nope");
  CHECK_FALSE(std::get<state_result_frame>(fs->payload).entry);

  peers_list_frame pl;
  peer_entry e;
  e.pubkey = "pk";
  e.memberPubkey = "mpk";
  e.displayName = "bob";
  e.status = "idle";
  e.groups = {{"eng", std::string("lead")}};
  e.connectedAt_ms = 5;
  pl.peers = {e};
  auto fp = decode_server_frame(wire::encode_peers_list(pl), 32);
  REQUIRE(fp);
  auto& peers = std::get<peers_list_frame>(fp->payload).peers;
  REQUIRE(peers.size() == 1);
  CHECK(peers[0].displayName == "bob");
  CHECK(peers[0].groups.at(0).role == "lead");
  CHECK(peers[0].connectedAt_ms == 5);
}

TEST_CASE("decode_server_frame drops what is not a frame") {
  CHECK_FALSE(decode_server_frame("not json", 32));
  CHECK_FALSE(decode_server_frame("[1]", 32));
  CHECK_FALSE(decode_server_frame(R"({"no":"type"})", 32));
  CHECK_FALSE(decode_server_frame(R"({"type":"x","a":[[[[1]]]]})", 3));
  auto f = decode_server_frame(R"({"type":"something_new"})", 32);
  REQUIRE(f);
  CHECK(std::holds_alternative<unknown_frame>(f->payload));
}

TEST_CASE("parse_iso8601_ms inverts iso8601_ms and refuses other shapes") {
  for (int64_t ms : {int64_t{0}, int64_t{1717459200123}, int64_t{951782400999}, int64_t{4102444799999}})
    CHECK(parse_iso8601_ms(wire::iso8601_ms(ms)) == ms);
  CHECK_FALSE(parse_iso8601_ms("2026-04-15T12:00:00Z"));
  CHECK_FALSE(parse_iso8601_ms("2026-13-15T12:00:00.000Z"));
  CHECK_FALSE(parse_iso8601_ms(""));
}
