// nexus send TO and remind --to: how an unresolved target is reported
// (apps/nexus/target_resolve), the duration/time arguments, and the
// command-line parser.
#include "apps/nexus/cli_args.hpp"
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/durations.hpp"
#include "apps/nexus/target_resolve.hpp"

#include <doctest/doctest.h>

using namespace nexus;
using namespace nexus::cli;

using outcome = client::target_resolution::outcome;

// The resolving itself is tested in target_resolve_test.cpp; these pin the
// CLI's wording and exit codes, which scripts depend on.
TEST_CASE("nexus send: an ambiguous TO exits 2 listing each candidate; an unknown one exits 4") {
  client::target_resolution several;
  several.result = outcome::ambiguous;
  several.candidates = {{"sam", std::string(64, 'd')}, {"Sam", std::string(64, 'e')}};
  auto e = send_target_error("sam", several, "team");
  CHECK(e.exit == exit_usage);
  CHECK(std::string(e.what()) == "\"sam\" matches 2 peers: sam (dddddddddddd), Sam (eeeeeeeeeeee)");
  CHECK(e.hint == "use a longer key prefix (nexus peers shows the keys)");
  auto none = send_target_error("bob", client::target_resolution{}, "team");
  CHECK(none.exit == exit_not_found);
  CHECK(std::string(none.what()) == "no peer \"bob\" in mesh team");
  CHECK(none.hint == "nexus peers lists who is online; a 64-hex key reaches offline members");
}

TEST_CASE("nexus remind --to: the same exit codes, one line either way") {
  client::target_resolution several;
  several.result = outcome::ambiguous;
  several.candidates = {{"a", std::string(64, 'a')}, {"b", std::string(64, 'b')}};
  auto e = remind_target_error("x", several);
  CHECK(e.exit == exit_usage);
  CHECK(std::string(e.what()) == "--to \"x\" does not name exactly one peer");
  CHECK(e.hint == "nexus peers lists them");
  auto none = remind_target_error("x", client::target_resolution{});
  CHECK(none.exit == exit_not_found);
  CHECK(std::string(none.what()) == "--to \"x\" does not name exactly one peer");
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
