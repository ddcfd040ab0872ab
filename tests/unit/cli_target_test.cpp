// nexus send TO: name and prefix resolution (apps/nexus/target_resolve),
// the duration/time arguments, and the command-line parser.
#include "apps/nexus/cli_args.hpp"
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/durations.hpp"
#include "apps/nexus/target_resolve.hpp"

#include <doctest/doctest.h>

using namespace nexus;
using namespace nexus::cli;

namespace {

peer_entry peer(std::string name, char key, char member) {
  peer_entry p;
  p.displayName = std::move(name);
  p.pubkey = std::string(64, key);
  p.memberPubkey = std::string(64, member);
  return p;
}

const std::string self_key(64, '0');

} // namespace

TEST_CASE("targets that need no peer list pass through") {
  for (const std::string to : {"*", "@eng", "#topic1234567890123456"})
    CHECK(resolve_target(to, {}, {}, self_key).target == to);
  auto r = resolve_target(std::string(64, 'A'), {}, {}, self_key);
  CHECK(r.result == target_resolution::outcome::resolved);
  CHECK(r.target == std::string(64, 'a'));
  CHECK_FALSE(needs_peer_list(std::string(64, 'b')));
  CHECK(needs_peer_list("bob"));
}

TEST_CASE("a name resolves case-insensitively to the routing key; several sessions of one key are one") {
  std::vector<peer_entry> live = {peer("Bob", 'b', 'c'), peer("bob", 'b', 'c'), peer("alice", 'a', 'a')};
  auto r = resolve_target("BOB", live, {}, self_key);
  REQUIRE(r.result == target_resolution::outcome::resolved);
  CHECK(r.target == std::string(64, 'b'));
  CHECK(r.name == "Bob");
}

TEST_CASE("a name or prefix that fits several peers is ambiguous, listing each") {
  std::vector<peer_entry> live = {peer("sam", 'd', 'd'), peer("Sam", 'e', 'e'), peer("x", 'd', 'f')};
  auto r = resolve_target("sam", live, {}, self_key);
  REQUIRE(r.result == target_resolution::outcome::ambiguous);
  REQUIRE(r.candidates.size() == 2);
  CHECK(r.candidates[0].pubkey == std::string(64, 'd'));
  CHECK(r.candidates[1].pubkey == std::string(64, 'e'));
  auto prefix = resolve_target("dddd", live, {}, self_key); // both "sam" and "x" route by d…
  CHECK(prefix.result == target_resolution::outcome::resolved);
  CHECK(resolve_target("ddd", live, {}, self_key).result == target_resolution::outcome::not_found);
  CHECK(resolve_target("ffff", live, {}, self_key).target == std::string(64, 'd')); // member key prefix
}

TEST_CASE("never oneself; offline peers only when they route by member key") {
  std::vector<peer_entry> live = {peer("me", '0', '0')};
  CHECK(resolve_target("me", live, {}, self_key).result == target_resolution::outcome::not_found);
  std::vector<known_peer> known = {{"carol", std::string(64, 'c'), std::string(64, 'c')},
                                   {"sdk", std::string(64, '1'), std::string(64, '2')}};
  auto carol = resolve_target("Carol", {}, known, self_key);
  CHECK(carol.result == target_resolution::outcome::resolved);
  CHECK(carol.target == std::string(64, 'c'));
  CHECK(resolve_target("sdk", {}, known, self_key).result == target_resolution::outcome::not_found);
  // An online match wins over the remembered one.
  auto online = resolve_target("carol", {peer("carol", '9', 'c')}, known, self_key);
  CHECK(online.target == std::string(64, '9'));
}

TEST_CASE("durations and times for remind and invite, at their edges") {
  CHECK(parse_duration_ms("90s") == 90000);
  CHECK(parse_duration_ms("10m") == 600000);
  CHECK(parse_duration_ms("2h") == 7200000);
  CHECK(parse_duration_ms("7d") == 7 * 86400000LL);
  CHECK(parse_duration_ms("45") == 45000);
  CHECK(parse_duration_ms("3660d") == 3660 * 86400000LL);
  CHECK_FALSE(parse_duration_ms("3661d"));
  CHECK_FALSE(parse_duration_ms("0m"));
  CHECK_FALSE(parse_duration_ms("5w"));
  CHECK_FALSE(parse_duration_ms("m"));
  CHECK_FALSE(parse_duration_ms("-5m"));
  CHECK(parse_time_ms("2026-04-15T12:00:00Z") == 1776254400000);
  CHECK(parse_time_ms("2026-04-15T12:00:00.123Z") == 1776254400123);
  CHECK(parse_time_ms("1776254400000") == 1776254400000);
  CHECK_FALSE(parse_time_ms("tomorrow"));
}

TEST_CASE("the command line: globals anywhere, command options by the table, counts checked") {
  auto ctx = parse_command_line({"--json", "send", "bob", "hi there", "--priority", "now", "--mesh", "m1"});
  REQUIRE(ctx.cmd);
  CHECK(ctx.cmd->name == "send");
  CHECK(ctx.global.json);
  CHECK(ctx.global.mesh == "m1");
  CHECK(ctx.args == std::vector<std::string>{"bob", "hi there"});
  CHECK(ctx.option("priority") == "now");
  auto two = parse_command_line({"task", "list", "--status=open"});
  CHECK(two.cmd->name == "task list");
  CHECK(two.option("status") == "open");
  auto dash = parse_command_line({"send", "bob", "--", "--not-an-option"});
  CHECK(dash.args == std::vector<std::string>{"bob", "--not-an-option"});
  auto setting = parse_command_line({"peers", "--request-timeout-ms", "500"});
  CHECK(setting.global.settings.at(0) == std::make_pair(std::string("request_timeout_ms"), std::string("500")));
  auto code = [](std::vector<std::string> args) {
    try {
      parse_command_line(args);
    } catch (const cli_error& e) {
      return e.exit;
    }
    return 0;
  };
  CHECK(code({"send", "bob"}) == exit_usage);
  CHECK(code({"send", "bob", "x", "--loud"}) == exit_usage);
  CHECK(code({"frobnicate"}) == exit_usage);
  CHECK(code({"state"}) == exit_usage);
  CHECK(code({"send", "bob", "x", "--priority"}) == exit_usage);
  CHECK(code({"doctor", "--fix"}) == 0);
}
