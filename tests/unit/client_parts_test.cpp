// The small parts of the client library: reconnect backoff, the duplicate
// filter, broker URLs and the client settings table.
#include "client/backoff.hpp"
#include "client/broker_url.hpp"
#include "client/client_settings.hpp"
#include "client/seen_ids.hpp"

#include <doctest/doctest.h>

using namespace nexus::client;

TEST_CASE("backoff doubles from the floor to the ceiling, jitter within the upper half") {
  backoff hi(1000, 30000, [](uint32_t n) { return n - 1; }); // the largest draw
  std::vector<int64_t> got;
  for (int i = 0; i < 7; ++i)
    got.push_back(hi.next_delay_ms());
  CHECK(got == std::vector<int64_t>{1000, 2000, 4000, 8000, 16000, 30000, 30000});
  backoff lo(1000, 30000, [](uint32_t) { return 0u; }); // the smallest draw
  CHECK(lo.next_delay_ms() == 500);
  CHECK(lo.next_delay_ms() == 1000);
  lo.reset();
  CHECK(lo.attempts() == 0);
  CHECK(lo.next_delay_ms() == 500);
}

TEST_CASE("seen_ids drops repeats and forgets the oldest beyond its bound") {
  seen_ids s(2);
  CHECK(s.first_time("a"));
  CHECK_FALSE(s.first_time("a"));
  CHECK(s.first_time("b"));
  CHECK(s.first_time("c")); // evicts "a"
  CHECK(s.size() == 2);
  CHECK(s.first_time("a"));
  CHECK_FALSE(s.first_time("c"));
  CHECK(s.first_time(""));
  CHECK(s.first_time(""));
}

TEST_CASE("broker URLs: ws, http and bare host:port; TLS refused with a hint") {
  std::string err;
  auto u = parse_broker_url("ws://127.0.0.1:7900/ws", &err);
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 7900);
  CHECK(u->http_base() == "http://127.0.0.1:7900");
  auto h = parse_broker_url("http://example.org:81/whatever", &err);
  REQUIRE(h);
  CHECK(h->ws_url() == "ws://example.org:81/ws");
  auto v6 = parse_broker_url("ws://[::1]:9/ws", &err);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->host_port() == "[::1]:9");
  CHECK(parse_broker_url("localhost:7900", &err)->port == 7900);
  CHECK_FALSE(parse_broker_url("wss://x/ws", &err));
  CHECK(err.find("TLS") != std::string::npos);
  CHECK_FALSE(parse_broker_url("ws://host:99999/ws", &err));
  CHECK_FALSE(parse_broker_url("ftp://x", &err));
}

TEST_CASE("client settings: names, bounds at their edges, relations") {
  client_settings s;
  CHECK_FALSE(apply_setting(s, "offline_send_buffer_max", "0", "test"));
  CHECK(s.offline_send_buffer_max == 0);
  CHECK_FALSE(apply_setting(s, "offline_send_buffer_max", "100000", "test"));
  auto over = apply_setting(s, "offline_send_buffer_max", "100001", "flag");
  REQUIRE(over);
  CHECK(over->find("offline_send_buffer_max") != std::string::npos);
  CHECK(over->find("flag") != std::string::npos);
  CHECK(apply_setting(s, "request_timeout_ms", "99", "env"));
  CHECK(apply_setting(s, "request_timeout_ms", "12x", "env"));
  CHECK(apply_setting(s, "no_such_key", "1", "env"));
  CHECK(setting_flag("request_timeout_ms") == "--request-timeout-ms");
  CHECK(setting_env("request_timeout_ms") == "NEXUS_REQUEST_TIMEOUT_MS");
  s.reconnect_min_ms = 5000;
  s.reconnect_max_ms = 4000;
  CHECK(check_settings(s));
}
