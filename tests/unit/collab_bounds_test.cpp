// The collaboration and schedule bounds as config keys (issue 5 item 2):
// the defaults are the spec's numbers, each key accepts its edges and
// refuses one step beyond, clock_speed_min may not exceed clock_speed_max,
// and the clock's speed rule honours configured bounds.
#include "actors/sim_clock.hpp"
#include "config/config_keys.hpp"
#include "config/node_config.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace nexus;
using namespace nexus::config;

namespace {

const std::map<std::string, std::string> env{{"HOME", "/home/tester"}};

std::string flag_of(const std::string& key) {
  std::string flag = "--" + key;
  for (auto& c : flag)
    if (c == '_')
      c = '-';
  return flag;
}

} // namespace

TEST_CASE("collaboration bounds: defaults are the spec's numbers") {
  auto c = load({}, env).config;
  CHECK(c.recall_results_max == 20);           // §5.2 "limit 20"
  CHECK(c.task_list_max == 100);               // §5.3 "at most 100"
  CHECK(c.context_search_results_max == 20);   // §5.4 "limit 20"
  CHECK(c.clock_speed_min == 1);               // §5.8 [1, 100]
  CHECK(c.clock_speed_max == 100);
  CHECK(c.audit_query_limit_max == 500);
  CHECK(c.schedules_per_member_max == 100);
  CHECK(c.scheduled_list_max == 500);
  CHECK(c.schedule_ahead_max_ms == 366LL * 86400 * 1000);
  CHECK(c.scheduler_poll_interval_ms == 30000);
  CHECK(c.scheduler_batch_max == 256);
}

TEST_CASE("collaboration bounds: every key at its edges") {
  for (const char* name : {"recall_results_max", "task_list_max", "context_search_results_max",
                           "clock_speed_min", "clock_speed_max", "audit_query_limit_max",
                           "schedules_per_member_max", "scheduled_list_max", "schedule_ahead_max_ms",
                           "scheduler_poll_interval_ms", "scheduler_batch_max"}) {
    CAPTURE(name);
    const key_spec* k = find_key(name);
    REQUIRE(k != nullptr);
    auto flag = flag_of(name);
    // the clock pair must stay ordered: move the partner out of the way
    std::vector<std::string> partner;
    if (std::string(name) == "clock_speed_min")
      partner = {"--clock-speed-max", std::to_string(k->max)};
    if (std::string(name) == "clock_speed_max")
      partner = {"--clock-speed-min", std::to_string(k->min)};
    auto args = [&](int64_t v) {
      auto a = partner;
      a.push_back(flag);
      a.push_back(std::to_string(v));
      return a;
    };
    CHECK(load(args(k->min), env).config.*(k->int_field) == k->min);
    CHECK(load(args(k->max), env).config.*(k->int_field) == k->max);
    CHECK_THROWS_AS(load(args(k->min - 1), env), config_error);
    CHECK_THROWS_AS(load(args(k->max + 1), env), config_error);
  }
}

TEST_CASE("clock_speed_min may not exceed clock_speed_max") {
  CHECK(load({"--clock-speed-min", "7", "--clock-speed-max", "7"}, env).config.clock_speed_min == 7);
  try {
    load({"--clock-speed-min", "8", "--clock-speed-max", "7"}, env);
    FAIL("accepted clock_speed_min > clock_speed_max");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()).find("clock_speed_min") != std::string::npos);
  }
}

TEST_CASE("clock speed with configured bounds: the default 1 and every value are clamped") {
  clock_speed_bounds b{2, 5};
  CHECK(clock_speed(std::nullopt, b) == 2);
  CHECK(clock_speed(-1.0, b) == 2);
  CHECK(clock_speed(1.5, b) == 2);
  CHECK(clock_speed(3.5, b) == 3.5);
  CHECK(clock_speed(5.0, b) == 5);
  CHECK(clock_speed(6.0, b) == 5);
  CHECK(clock_speed(500.0, {1, 1000}) == 500); // beyond the spec's 100 when configured
  CHECK(tick_period(500) == std::chrono::microseconds(120'000));
}
