// PROTOCOL.md §3.2 classification, §3.5.2 live group matching with the
// hierarchy deviation (§11 item 39) and the §3.6 step 3 drain target set.
#include "actors/target_spec.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace nexus;

namespace {

void check_class(std::string_view spec, target_class kind, std::string_view name) {
  CAPTURE(spec);
  const auto c = classify_target(spec);
  CHECK(c.kind == kind);
  CHECK(c.name == name);
}

const std::string pk(64, 'a');

} // namespace

TEST_CASE("target_spec: the four classes") {
  check_class("*", target_class::broadcast, "*");
  check_class("@all", target_class::broadcast, "@all");
  check_class("@devs", target_class::group, "devs");
  check_class("@a/b/c", target_class::group, "a/b/c");
  check_class("#t_123", target_class::topic, "t_123");
  check_class(pk, target_class::direct, pk);
  check_class("Alice", target_class::direct, "Alice");
}

TEST_CASE("target_spec: lexical edge cases") {
  check_class("", target_class::direct, "");
  check_class("@", target_class::group, "");
  check_class("#", target_class::topic, "");
  check_class("@allx", target_class::group, "allx");
  check_class("@All", target_class::group, "All");
  check_class("@all/x", target_class::group, "all/x");
  check_class("**", target_class::direct, "**");
  check_class("*x", target_class::direct, "*x");
  check_class(" *", target_class::direct, " *");
  check_class("tag:x", target_class::direct, "tag:x");
  check_class("#general", target_class::topic, "general"); // a name is just an unknown id
  check_class("@#x", target_class::group, "#x");
}

TEST_CASE("target_spec: live group match is exact and case-sensitive") {
  CHECK(group_name_matches("devs", "devs"));
  CHECK_FALSE(group_name_matches("devs", "Devs"));
  CHECK_FALSE(group_name_matches("devs", "dev"));
  CHECK_FALSE(group_name_matches("dev", "devs"));
  CHECK_FALSE(group_matches({}, "devs"));
  CHECK(group_matches({"ops", "devs"}, "devs"));
  CHECK_FALSE(group_matches({"ops", "qa"}, "devs"));
}

TEST_CASE("target_spec: live group match honours ancestors (deviation 39)") {
  CHECK(group_name_matches("a/b", "a"));
  CHECK(group_name_matches("a/b/c", "a"));
  CHECK(group_name_matches("a/b/c", "a/b"));
  CHECK(group_name_matches("a/b", "a/b"));
  CHECK_FALSE(group_name_matches("ab", "a"));      // not a segment boundary
  CHECK_FALSE(group_name_matches("a/bc", "a/b"));
  CHECK_FALSE(group_name_matches("a", "a/b"));     // descendants do not match upward
  CHECK_FALSE(group_name_matches("A/b", "a"));
  CHECK_FALSE(group_name_matches("x/a/b", "a"));   // ancestors are prefixes only
  CHECK(group_matches({"ops", "a/b/c"}, "a/b"));
}

TEST_CASE("target_spec: drain target set, no session key, no groups or topics") {
  CHECK(drain_target_set(pk, std::nullopt, {}, {}) == std::vector<std::string>{pk, "*", "@all"});
  CHECK(drain_target_set(pk, std::string_view{}, {}, {}) ==
        std::vector<std::string>{pk, "*", "@all"}); // empty session key = none
}

TEST_CASE("target_spec: drain target set with session key, groups and topics") {
  const std::string spk(64, 'b');
  const auto set = drain_target_set(pk, std::string_view(spk), {"flexicar/core/backend", "ops"},
                                    {"t1", "t2"});
  CHECK(set == std::vector<std::string>{pk, "*", spk, "@all", "@flexicar/core/backend",
                                        "@flexicar/core", "@flexicar", "@ops", "#t1", "#t2"});
}

TEST_CASE("target_spec: drain target set removes duplicates from overlapping groups") {
  const auto set = drain_target_set(pk, std::nullopt, {"a/b", "a", "all/x"}, {});
  CHECK(set == std::vector<std::string>{pk, "*", "@all", "@a/b", "@a", "@all/x"});
}

TEST_CASE("target_spec: live match and drain expansion agree on odd names") {
  // "@n" is in the drain set of a presence in g exactly when group_name_matches(g, n).
  for (const std::string g : {"a//b", "/x", "x/", "a/b/c", "ab"}) {
    const auto set = drain_target_set(pk, std::nullopt, {g}, {});
    for (const std::string n : {"a", "a/", "a//b", "", "/x", "x", "x/", "a/b", "ab", "b"}) {
      CAPTURE(g);
      CAPTURE(n);
      const bool in_set = std::find(set.begin(), set.end(), "@" + n) != set.end();
      CHECK(in_set == group_name_matches(g, n));
    }
  }
}
