// The shared target resolver (client/target_resolve) that both `nexus send`
// and the MCP bridge's send_message use: pass-through forms, names before
// prefixes, self never a candidate, one candidate per routing key, and the
// fallback to remembered peers that route by member key.
#include "client/target_resolve.hpp"

#include <doctest/doctest.h>

using namespace nexus;
using namespace nexus::client;
using outcome = target_resolution::outcome;

namespace {

std::string key(char c) { return std::string(64, c); }

peer_entry peer(std::string name, std::string routing, std::string member) {
  peer_entry p;
  p.displayName = std::move(name);
  p.pubkey = std::move(routing);
  p.memberPubkey = std::move(member);
  return p;
}

peer_entry peer(std::string name, char routing, char member) { return peer(std::move(name), key(routing), key(member)); }

const std::string self_key = key('0');

} // namespace

TEST_CASE("target: *, @group, #topic pass through; 64 hex of any case is that key, lowercased") {
  for (const std::string to : {"*", "@eng", "@", "#topic1234567890123456"}) {
    CHECK_FALSE(needs_peer_list(to));
    auto r = resolve_target(to, {}, {}, self_key);
    CHECK(r.result == outcome::resolved);
    CHECK(r.target == to);
    CHECK(r.name.empty());
  }
  const std::string mixed = "AbCdEf" + std::string(58, 'F');
  CHECK_FALSE(needs_peer_list(mixed));
  auto r = resolve_target(mixed, {}, {}, self_key);
  CHECK(r.result == outcome::resolved);
  CHECK(r.target == "abcdef" + std::string(58, 'f'));
  // 64 characters that are not all hex are a name, not a key.
  CHECK(needs_peer_list(std::string(63, 'a') + "g"));
  CHECK(needs_peer_list("bob"));
  CHECK(needs_peer_list("abcd"));
}

TEST_CASE("target: an empty `to` names nobody and needs no peer list") {
  CHECK_FALSE(needs_peer_list(""));
  CHECK(resolve_target("", {peer("", 'a', 'a')}, {}, self_key).result == outcome::not_found);
}

TEST_CASE("target: a display name matches case-insensitively and gives the routing key") {
  std::vector<peer_entry> live = {peer("alice", 'a', 'a'), peer("Bob", 'b', 'c')};
  auto r = resolve_target("bOB", live, {}, self_key);
  REQUIRE(r.result == outcome::resolved);
  CHECK(r.target == key('b'));
  CHECK(r.name == "Bob");
  CHECK(resolve_target("bo", live, {}, self_key).result == outcome::not_found);
}

TEST_CASE("target: several sessions of one routing key are one candidate") {
  std::vector<peer_entry> live = {peer("Bob", 'b', 'c'), peer("bob", 'b', 'c'), peer("alice", 'a', 'a')};
  auto by_name = resolve_target("BOB", live, {}, self_key);
  REQUIRE(by_name.result == outcome::resolved);
  CHECK(by_name.target == key('b'));
  CHECK(by_name.name == "Bob"); // the first in list order
  auto by_prefix = resolve_target("cccc", live, {}, self_key);
  REQUIRE(by_prefix.result == outcome::resolved);
  CHECK(by_prefix.target == key('b'));
}

TEST_CASE("target: a name several routing keys share is ambiguous, listing each once in list order") {
  std::vector<peer_entry> live = {peer("sam", 'd', 'd'), peer("Sam", 'e', 'e'), peer("SAM", 'd', 'd'),
                                  peer("x", 'f', 'f')};
  auto r = resolve_target("sam", live, {}, self_key);
  REQUIRE(r.result == outcome::ambiguous);
  REQUIRE(r.candidates.size() == 2);
  CHECK(r.candidates[0].name == "sam");
  CHECK(r.candidates[0].pubkey == key('d'));
  CHECK(r.candidates[1].name == "Sam");
  CHECK(r.candidates[1].pubkey == key('e'));
  CHECK(r.target.empty());
}

TEST_CASE("target: key prefixes of 4+ hex, on the routing or the member key") {
  std::vector<peer_entry> live = {peer("carol", "abcd" + std::string(60, '1'), key('2')),
                                  peer("dave", "abce" + std::string(60, '3'), "9876" + std::string(60, '4'))};
  CHECK(resolve_target("abcd", live, {}, self_key).target == "abcd" + std::string(60, '1'));
  CHECK(resolve_target("ABCE", live, {}, self_key).target == "abce" + std::string(60, '3'));
  auto member = resolve_target("9876", live, {}, self_key);
  CHECK(member.target == "abce" + std::string(60, '3')); // the routing key, found by the member key
  CHECK(member.name == "dave");
  CHECK(resolve_target("abc", live, {}, self_key).result == outcome::not_found); // too short
  auto both = resolve_target("2222", {peer("p", '2', '5'), peer("q", '6', '2')}, {}, self_key);
  REQUIRE(both.result == outcome::ambiguous);
  CHECK(both.candidates.size() == 2);
}

TEST_CASE("target: an exact name wins over key prefixes; prefixes count only when no name matches") {
  std::vector<peer_entry> live = {peer("ops", "beef" + std::string(60, '1'), key('1')),
                                  peer("Beef", key('7'), key('8'))};
  auto r = resolve_target("beef", live, {}, self_key);
  REQUIRE(r.result == outcome::resolved);
  CHECK(r.target == key('7'));
  CHECK(r.name == "Beef");
  // Without the named peer the same text is a prefix again.
  auto prefix = resolve_target("beef", {live[0]}, {}, self_key);
  REQUIRE(prefix.result == outcome::resolved);
  CHECK(prefix.name == "ops");
}

TEST_CASE("target: never oneself, whether self is a peer's routing key or its member key") {
  // Another session of our own member key, routing by its session key.
  std::vector<peer_entry> live = {peer("me", '0', '0'), peer("me-sdk", '5', '0'), peer("you", '6', '7')};
  CHECK(resolve_target("me", live, {}, self_key).result == outcome::not_found);
  CHECK(resolve_target("me-sdk", live, {}, self_key).result == outcome::not_found);
  CHECK(resolve_target("5555", live, {}, self_key).result == outcome::not_found);
  CHECK(resolve_target("0000", live, {}, self_key).result == outcome::not_found);
  CHECK(resolve_target("you", live, {}, self_key).target == key('6'));
  // Self as a session's routing key excludes that session, though its member key differs.
  CHECK(resolve_target("me-sdk", live, {}, key('5')).result == outcome::not_found);
}

TEST_CASE("target: with no live match, remembered peers that route by member key are searched") {
  std::vector<known_peer> known = {{"carol", key('c'), key('c')},
                                   {"sdk", key('1'), key('2')}, // routes by a session key: gone offline
                                   {"me", self_key, self_key}};
  auto carol = resolve_target("Carol", {}, known, self_key);
  REQUIRE(carol.result == outcome::resolved);
  CHECK(carol.target == key('c'));
  CHECK(carol.name == "carol");
  CHECK(resolve_target("cccc", {}, known, self_key).target == key('c'));
  CHECK(resolve_target("sdk", {}, known, self_key).result == outcome::not_found);
  CHECK(resolve_target("2222", {}, known, self_key).result == outcome::not_found);
  CHECK(resolve_target("me", {}, known, self_key).result == outcome::not_found);
  // Any live match, name or prefix, wins over the remembered one.
  CHECK(resolve_target("carol", {peer("carol", '9', 'c')}, known, self_key).target == key('9'));
  CHECK(resolve_target("cccc", {peer("x", '9', 'c')}, known, self_key).target == key('9'));
  // A live peer that is only ourselves does not hide the remembered ones.
  CHECK(resolve_target("carol", {peer("carol", '0', '0')}, known, self_key).target == key('c'));
}

TEST_CASE("target: remembered peers too prefer a name to a prefix and report ambiguity") {
  std::vector<known_peer> known = {{"ace", "acef" + std::string(60, '1'), "acef" + std::string(60, '1')},
                                   {"ACEF", key('a'), key('a')},
                                   {"ann", key('b'), key('b')},
                                   {"Ann", key('d'), key('d')}};
  CHECK(resolve_target("acef", {}, known, self_key).target == key('a'));
  auto ann = resolve_target("ann", {}, known, self_key);
  REQUIRE(ann.result == outcome::ambiguous);
  REQUIRE(ann.candidates.size() == 2);
  CHECK(ann.candidates[0].pubkey == key('b'));
  CHECK(ann.candidates[1].pubkey == key('d'));
}
