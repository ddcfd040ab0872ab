// send_message's `to` → targetSpec: pass-through forms, names, prefixes,
// and ambiguity reported with the candidates.
#include "mcp/peer_target.hpp"

#include <doctest/doctest.h>

using namespace nexus;

namespace {

peer_entry peer(const std::string& name, char key) {
  peer_entry p;
  p.displayName = name;
  p.pubkey = std::string(64, key);
  p.memberPubkey = std::string(64, static_cast<char>(key + 1));
  return p;
}

std::string resolved(const std::variant<std::string, mcp::backend_error>& r) {
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

std::string refused(const std::variant<std::string, mcp::backend_error>& r) {
  REQUIRE(std::holds_alternative<mcp::backend_error>(r));
  return std::get<mcp::backend_error>(r).message;
}

} // namespace

TEST_CASE("mcp peer target: *, @group, #topic and full keys need no peer list") {
  for (const std::string& to : std::vector<std::string>{"*", "@eng", "#t1", std::string(64, 'a')}) {
    CHECK_FALSE(mcp::target_needs_peers(to));
    CHECK(resolved(mcp::resolve_peer_target(to, {}, "")) == to);
  }
  CHECK(resolved(mcp::resolve_peer_target(std::string(64, 'A'), {}, "")) == std::string(64, 'a'));
  CHECK(mcp::target_needs_peers("bob"));
  CHECK(mcp::target_needs_peers("abcd"));
}

TEST_CASE("mcp peer target: names (any case) and key prefixes of 4+ hex, never ourselves") {
  // Routing keys aaa…, ccc…, eee…; member keys bbb…, ddd…, fff….
  std::vector<peer_entry> peers = {peer("Bob", 'a'), peer("carol", 'c'), peer("me", 'e')};
  CHECK(resolved(mcp::resolve_peer_target("bob", peers, "")) == std::string(64, 'a'));
  CHECK(resolved(mcp::resolve_peer_target("cccc", peers, "")) == std::string(64, 'c'));
  CHECK(resolved(mcp::resolve_peer_target("dddd", peers, "")) == std::string(64, 'c')); // member key
  CHECK(refused(mcp::resolve_peer_target("ccc", peers, "")) ==
        "no connected peer matches \"ccc\"; use list_peers for names, or @group / * / a public key");
  CHECK(refused(mcp::resolve_peer_target("me", peers, std::string(64, 'e'))).find("no connected peer") == 0);
}

TEST_CASE("mcp peer target: a name several peers share is an error naming them all") {
  std::vector<peer_entry> peers = {peer("bob", 'a'), peer("BOB", 'c')};
  CHECK(refused(mcp::resolve_peer_target("bob", peers, "")) ==
        "\"bob\" matches several peers: bob (aaaaaaaaaaaa), BOB (cccccccccccc); send to one of their "
        "public keys");
}
