// PROTOCOL.md §3.5.5 grants decision, one case per step, with the session
// key step applying everywhere (deviation §11 item 37).
#include "actors/grants.hpp"

#include <doctest/doctest.h>

using namespace nexus;

namespace {

const std::string member(64, 'a');
const std::string session(64, 'b');
const std::string other(64, 'c');

constexpr capability all_caps[] = {capability::read, capability::dm, capability::broadcast,
                                   capability::state_read, capability::state_write};

} // namespace

TEST_CASE("grants: default set is read, dm, broadcast, state-read") {
  CHECK(is_default_capability(capability::read));
  CHECK(is_default_capability(capability::dm));
  CHECK(is_default_capability(capability::broadcast));
  CHECK(is_default_capability(capability::state_read));
  CHECK_FALSE(is_default_capability(capability::state_write));
}

TEST_CASE("grants step 1: no map → defaults") {
  for (capability c : all_caps) {
    CAPTURE(to_string(c));
    CHECK(allowed(std::nullopt, c, member, std::string_view(session)) == is_default_capability(c));
  }
}

TEST_CASE("grants step 2: a member-key entry decides, and an empty array blocks all") {
  grants_map g{{member, {"dm"}}};
  CHECK(allowed(g, capability::dm, member, std::nullopt));
  CHECK_FALSE(allowed(g, capability::broadcast, member, std::nullopt));
  CHECK_FALSE(allowed(g, capability::read, member, std::nullopt));
  grants_map blocked{{member, {}}};
  for (capability c : all_caps) CHECK_FALSE(allowed(blocked, c, member, std::nullopt));
  grants_map writer{{member, {"state-write"}}};
  CHECK(allowed(writer, capability::state_write, member, std::nullopt));
}

TEST_CASE("grants step 2: the member entry wins over a session entry") {
  grants_map g{{member, {"broadcast"}}, {session, {"dm"}}};
  CHECK_FALSE(allowed(g, capability::dm, member, std::string_view(session)));
  CHECK(allowed(g, capability::broadcast, member, std::string_view(session)));
}

TEST_CASE("grants step 3: the session-key entry applies when the member has none") {
  grants_map g{{session, {}}}; // the recipient blocked this one session
  CHECK_FALSE(allowed(g, capability::dm, member, std::string_view(session)));
  CHECK_FALSE(allowed(g, capability::broadcast, member, std::string_view(session)));
  grants_map only_bc{{session, {"broadcast"}}};
  CHECK_FALSE(allowed(only_bc, capability::dm, member, std::string_view(session)));
  CHECK(allowed(only_bc, capability::broadcast, member, std::string_view(session)));
}

TEST_CASE("grants step 4: no applicable entry → defaults") {
  grants_map g{{other, {}}, {session, {}}};
  CHECK(allowed(g, capability::dm, member, std::nullopt)); // no session key: step 3 skipped
  CHECK(allowed(g, capability::dm, member, std::string_view{})); // empty key = none
  CHECK(allowed(g, capability::broadcast, member, std::string_view(other + "x")));
  CHECK_FALSE(allowed(g, capability::state_write, member, std::nullopt));
  CHECK(allowed(grants_map{}, capability::read, member, std::nullopt)); // empty map
}

TEST_CASE("grants: unknown and differently cased strings grant nothing") {
  grants_map g{{member, {"DM", "file-read", "dm "}}};
  CHECK_FALSE(allowed(g, capability::dm, member, std::nullopt));
}

TEST_CASE("grants: capability strings round-trip") {
  for (capability c : all_caps) CHECK(parse_capability(to_string(c)) == c);
  CHECK(to_string(capability::state_read) == "state-read");
  CHECK_FALSE(parse_capability("file-read").has_value());
  CHECK_FALSE(parse_capability("state_read").has_value());
  CHECK_FALSE(parse_capability("").has_value());
}
