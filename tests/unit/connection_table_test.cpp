#include "actors/connection_table.hpp"

#include <doctest/doctest.h>

using namespace nexus;

namespace {

connection_entry entry(std::string presence, std::string member, std::string member_pk,
                       std::string session_pk = {}, int64_t connected_at = 0) {
  connection_entry e;
  e.presence_id = std::move(presence);
  e.member_id = std::move(member);
  e.member_pubkey = std::move(member_pk);
  e.session_pubkey = std::move(session_pk);
  e.session_id = "s-" + e.presence_id;
  e.connected_at_ms = connected_at;
  return e;
}

const std::map<std::string, std::optional<grants_map>> no_grants;

} // namespace

TEST_CASE("routing pubkey is the session key when declared, else the member key") {
  CHECK(entry("p", "m", "MK", "SK").routing_pubkey() == "SK");
  CHECK(entry("p", "m", "MK").routing_pubkey() == "MK");
}

TEST_CASE("capacity counts offline (grace) entries too") {
  connection_table t;
  t.insert(entry("p1", "m1", "A"));
  t.insert(entry("p2", "m2", "B"));
  t.detach("p2", 1000, 90000);
  CHECK(t.at_capacity(2));
  CHECK_FALSE(t.at_capacity(3));
  t.evict("p2");
  CHECK_FALSE(t.at_capacity(2));
}

TEST_CASE("hello reattach needs an entry of the same member with the same session key (deviation 1)") {
  connection_table t;
  t.insert(entry("p1", "m1", "A", "S1"));
  CHECK(t.reattach_candidate(false, "A", "S1", "x") != nullptr); // online: taken over
  CHECK(t.reattach_candidate(false, "B", "S1", "x") == nullptr);
  t.detach("p1", 0, 90000);
  CHECK(t.reattach_candidate(false, "A", "S1", "x") != nullptr);
  CHECK(t.reattach_candidate(false, "B", "S1", "x") == nullptr); // other member: no hijack
  CHECK(t.reattach_candidate(false, "A", "S2", "x") == nullptr);
}

TEST_CASE("hello reattach without session keys matches sessionId and member") {
  connection_table t;
  auto e = entry("p1", "m1", "A");
  e.session_id = "daemon-1";
  t.insert(e);
  CHECK(t.reattach_candidate(false, "A", "", "daemon-1") == nullptr); // online: not without keys
  t.detach("p1", 0, 90000);
  CHECK(t.reattach_candidate(false, "A", "", "daemon-1") != nullptr);
  CHECK(t.reattach_candidate(false, "A", "", "daemon-2") == nullptr);
  CHECK(t.reattach_candidate(false, "A", "S1", "daemon-1") == nullptr); // one keyed, one not
}

TEST_CASE("session_hello reattaches online or offline entries with its session key") {
  connection_table t;
  t.insert(entry("p1", "m1", "A", "S1"));
  CHECK(t.reattach_candidate(true, "A", "S1", "") != nullptr);
  t.detach("p1", 0, 1);
  CHECK(t.reattach_candidate(true, "A", "S1", "") != nullptr);
}

TEST_CASE("a session pubkey held by another member is detected (deviation 1)") {
  connection_table t;
  t.insert(entry("p1", "m1", "A", "S1"));
  CHECK(t.session_pubkey_held_by_other("S1", "B"));
  CHECK_FALSE(t.session_pubkey_held_by_other("S1", "A"));
  CHECK_FALSE(t.session_pubkey_held_by_other("", "B"));
}

TEST_CASE("sessionId de-duplication only touches the same member (deviation 2)") {
  connection_table t;
  auto a = entry("p1", "m1", "A");
  a.session_id = "same";
  auto b = entry("p2", "m2", "B");
  b.session_id = "same";
  t.insert(a);
  t.insert(b);
  CHECK(t.same_session_id("m1", "same") == std::vector<std::string>{"p1"});
  CHECK(t.same_session_id("m3", "same").empty());
}

TEST_CASE("detach/attach bump the epoch so stale eviction timers can be ignored") {
  connection_table t;
  t.insert(entry("p1", "m1", "A"));
  auto e1 = t.detach("p1", 100, 50);
  CHECK(t.find("p1")->lease_until_ms == 150);
  CHECK_FALSE(t.find("p1")->online);
  auto e2 = t.attach("p1");
  CHECK(e2 > e1);
  CHECK(t.find("p1")->online);
  CHECK(t.detach("nope", 0, 1) == 0);
}

TEST_CASE("peers: ordered by connection time, hidden peers only shown to their own member") {
  connection_table t;
  t.insert(entry("p2", "m2", "B", "", 20));
  t.insert(entry("p1", "m1", "A", "", 10));
  auto hidden = entry("p3", "m3", "C", "", 5);
  hidden.visible = false;
  t.insert(hidden);
  auto sibling = entry("p4", "m1", "A", "", 30);
  sibling.visible = false;
  t.insert(sibling);
  auto peers = t.peers_for(*t.find("p1"));
  REQUIRE(peers.size() == 3);
  CHECK(peers[0]->presence_id == "p1"); // the caller itself is listed
  CHECK(peers[1]->presence_id == "p2");
  CHECK(peers[2]->presence_id == "p4"); // hidden, but same member
}

TEST_CASE("broadcast skips the sender's member, hidden and offline peers") {
  connection_table t;
  t.insert(entry("p1", "m1", "A"));
  t.insert(entry("p1b", "m1", "A"));
  t.insert(entry("p2", "m2", "B"));
  auto hidden = entry("p3", "m3", "C");
  hidden.visible = false;
  t.insert(hidden);
  t.insert(entry("p4", "m4", "D"));
  t.detach("p4", 0, 90000);
  size_t dropped = 0;
  CHECK(t.multicast_recipients(*t.find("p1"), std::nullopt, no_grants, dropped) ==
        std::vector<std::string>{"p2"});
  CHECK(dropped == 0);
}

TEST_CASE("group fan-out reaches sub-groups (deviation 39) and respects broadcast grants") {
  connection_table t;
  t.insert(entry("p1", "m1", "A"));
  auto b = entry("p2", "m2", "B");
  b.groups = {{"eng/backend", std::nullopt}};
  t.insert(b);
  auto c = entry("p3", "m3", "C");
  c.groups = {{"engineering", std::nullopt}};
  t.insert(c);
  auto d = entry("p4", "m4", "D");
  d.groups = {{"eng", std::string("lead")}};
  t.insert(d);
  size_t dropped = 0;
  CHECK(t.multicast_recipients(*t.find("p1"), std::string("eng"), no_grants, dropped) ==
        std::vector<std::string>{"p2", "p4"});
  std::map<std::string, std::optional<grants_map>> grants{{"m4", grants_map{{"A", {"dm"}}}}};
  CHECK(t.multicast_recipients(*t.find("p1"), std::string("eng"), grants, dropped) ==
        std::vector<std::string>{"p2"});
  CHECK(dropped == 1);
}

TEST_CASE("direct: live sessions of the target member, or queued for a known member") {
  connection_table t;
  t.insert(entry("p1", "m1", "A", "SA"));
  t.insert(entry("p2", "m2", "B", "SB1"));
  t.insert(entry("p3", "m2", "B", "SB2"));
  t.detach("p3", 0, 90000);
  auto plan = t.plan_direct(*t.find("p1"), "B", std::string("m2"), no_grants);
  CHECK(plan.refusal == send_refusal::none);
  CHECK(plan.presence_ids == std::vector<std::string>{"p2"}); // the offline one waits
  CHECK(plan.recipient_member_id == "m2");

  plan = t.plan_direct(*t.find("p1"), "SB2", std::nullopt, no_grants);
  CHECK(plan.refusal == send_refusal::none); // grace entry: accepted, queued
  CHECK(plan.presence_ids.empty());

  plan = t.plan_direct(*t.find("p1"), "C", std::string("m3"), no_grants); // known, offline member
  CHECK(plan.refusal == send_refusal::none);
  CHECK(plan.presence_ids.empty());
  CHECK(plan.recipient_member_id == "m3");

  CHECK(t.plan_direct(*t.find("p1"), "ffff", std::nullopt, no_grants).refusal ==
        send_refusal::no_recipient);
}

TEST_CASE("the pubkey index follows inserts, replacements and evictions") {
  connection_table t;
  t.insert(entry("p1", "m1", "A", "SA"));
  t.insert(entry("p2", "m2", "B", "SB"));
  t.insert(entry("p3", "m2", "B"));
  CHECK(t.knows_key("A"));
  CHECK(t.knows_key("SB"));
  CHECK_FALSE(t.knows_key(""));  // an entry without a session key indexes no empty key
  CHECK_FALSE(t.knows_key("C"));
  // Every entry of the key, in presence-id order.
  CHECK(t.plan_direct(*t.find("p1"), "B", std::nullopt, no_grants).presence_ids ==
        std::vector<std::string>{"p2", "p3"});

  t.evict("p2");
  CHECK_FALSE(t.knows_key("SB"));
  CHECK(t.knows_key("B")); // p3 still holds the member key
  CHECK(t.plan_direct(*t.find("p1"), "SB", std::nullopt, no_grants).refusal ==
        send_refusal::no_recipient);
  t.evict("p3");
  CHECK_FALSE(t.knows_key("B"));

  t.insert(entry("p1", "m1", "A", "SA2")); // the same presence id again, new session key
  CHECK_FALSE(t.knows_key("SA"));
  CHECK(t.knows_key("SA2"));
  t.insert(entry("p4", "m4", "D", "SD"));
  CHECK(t.plan_direct(*t.find("p4"), "SA2", std::nullopt, no_grants).presence_ids ==
        std::vector<std::string>{"p1"});
}

TEST_CASE("direct to one's own key needs another session of one's own") {
  connection_table t;
  t.insert(entry("p1", "m1", "A", "SA1"));
  CHECK(t.plan_direct(*t.find("p1"), "A", std::string("m1"), no_grants).refusal ==
        send_refusal::no_recipient);
  CHECK(t.plan_direct(*t.find("p1"), "SA1", std::nullopt, no_grants).refusal ==
        send_refusal::no_recipient);
  t.insert(entry("p2", "m1", "A", "SA2"));
  auto plan = t.plan_direct(*t.find("p1"), "A", std::string("m1"), no_grants);
  CHECK(plan.refusal == send_refusal::none);
  CHECK(plan.presence_ids == std::vector<std::string>{"p2"});
}

TEST_CASE("direct: one allowed() with member then session key (deviation 37)") {
  connection_table t;
  t.insert(entry("p1", "m1", "A", "SA"));
  t.insert(entry("p2", "m2", "B"));
  std::map<std::string, std::optional<grants_map>> blocked{{"m2", grants_map{{"A", {}}}}};
  CHECK(t.plan_direct(*t.find("p1"), "B", std::string("m2"), blocked).refusal ==
        send_refusal::blocked_by_grants);
  std::map<std::string, std::optional<grants_map>> session_blocked{
      {"m2", grants_map{{"SA", {"read"}}}}};
  CHECK(t.plan_direct(*t.find("p1"), "B", std::string("m2"), session_blocked).refusal ==
        send_refusal::blocked_by_grants);
}
