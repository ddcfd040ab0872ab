// send_message's `to` → targetSpec: the bridge's side of the shared resolver
// (tested in target_resolve_test.cpp). These pin what a model reads: the
// resolved target and the exact wording of ambiguity and absence.
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

TEST_CASE("mcp peer target: pass-through forms, keys and names come back as the targetSpec") {
  for (const std::string& to : std::vector<std::string>{"*", "@eng", "#t1", std::string(64, 'a')})
    CHECK(resolved(mcp::resolve_peer_target(to, {}, "")) == to);
  CHECK(resolved(mcp::resolve_peer_target(std::string(64, 'A'), {}, "")) == std::string(64, 'a'));
  // Routing keys aaa…, ccc…; member keys bbb…, ddd….
  std::vector<peer_entry> peers = {peer("Bob", 'a'), peer("carol", 'c')};
  CHECK(resolved(mcp::resolve_peer_target("bob", peers, "")) == std::string(64, 'a'));
  CHECK(resolved(mcp::resolve_peer_target("dddd", peers, "")) == std::string(64, 'c'));
}

TEST_CASE("mcp peer target: nobody matching says where to look") {
  std::vector<peer_entry> peers = {peer("Bob", 'a'), peer("me", 'e')};
  CHECK(refused(mcp::resolve_peer_target("ccc", peers, "")) ==
        "no connected peer matches \"ccc\"; use list_peers for names, or @group / * / a public key");
  CHECK(refused(mcp::resolve_peer_target("me", peers, std::string(64, 'e'))) ==
        "no connected peer matches \"me\"; use list_peers for names, or @group / * / a public key");
}

TEST_CASE("mcp peer target: a name several peers share is an error naming them all") {
  std::vector<peer_entry> peers = {peer("bob", 'a'), peer("BOB", 'c')};
  CHECK(refused(mcp::resolve_peer_target("bob", peers, "")) ==
        "\"bob\" matches several peers: bob (aaaaaaaaaaaa), BOB (cccccccccccc); send to one of their "
        "public keys");
}
