// The gateway's HTTP side end to end (spec §6.1–§6.3): built-in routes,
// CORS, 404/405/413/431, the request deadline, upgrade targets, and the
// add_route extension point. A real listener on 127.0.0.1 port 0 and the raw
// client of tests/support; limits are small through node_config and every
// wait has a deadline.
#include "actors/connection_actor.hpp"
#include "tests/support/gateway_fixture.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/support/wait.hpp"
#include "transport/gateway.hpp"

#include <doctest/doctest.h>

#include <future>
#include <stdexcept>
#include <vector>

using namespace nexus;
using namespace nexus::test;
using namespace std::chrono_literals;

TEST_SUITE("gateway http") {

TEST_CASE("GET /health answers 200 with status, db, version and uptime") {
  gateway_fixture f;
  auto r = http_request(f.port, "GET", "/health");
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "application/json");
  check_cors(r);
  auto doc = json_object(r.body);
  CHECK(json_string(doc, "status") == "ok");
  CHECK(json_string(doc, "db") == "down");
  CHECK(json_string(doc, "version") == "0.1.0");
  CHECK(doc["uptime"].IsInt64());
  f.health.db_up = true;
  CHECK(json_string(json_object(http_request(f.port, "GET", "/health").body), "db") == "up");
}

TEST_CASE("GET /health/ready is 503 with the reason until the database is ready") {
  gateway_fixture f;
  auto r = http_request(f.port, "GET", "/health/ready");
  REQUIRE(r.status == 503);
  check_cors(r);
  auto doc = json_object(r.body);
  CHECK(json_string(doc, "status") == "not_ready");
  CHECK(json_string(doc, "reason") == "db_down");

  f.health.db_up = true;
  r = http_request(f.port, "GET", "/health/ready");
  CHECK(r.status == 503);
  CHECK(json_string(json_object(r.body), "reason") == "migrations_pending");

  f.health.migrations_applied = true;
  r = http_request(f.port, "GET", "/health/ready");
  REQUIRE(r.status == 200);
  doc = json_object(r.body);
  CHECK(json_string(doc, "status") == "ready");
  CHECK(json_string(doc, "version") == "0.1.0");
  CHECK(doc.HasMember("uptime"));
  CHECK_FALSE(doc.HasMember("reason"));

  f.health.shutting_down = true;
  r = http_request(f.port, "GET", "/health/ready");
  CHECK(r.status == 503);
  CHECK(json_string(json_object(r.body), "reason") == "shutting_down");
}

TEST_CASE("GET /metrics exposes the node's families and counts frames") {
  gateway_fixture f;
  auto before = http_request(f.port, "GET", "/metrics");
  REQUIRE(before.status == 200);
  CHECK(before.headers["content-type"] == "text/plain; version=0.0.4");
  check_cors(before);
  for (const char* family :
       {"broker_connections_total", "broker_connections_active", "nexus_ws_frames_in_total",
        "nexus_ws_frames_out_total", "nexus_ws_bytes_in_total", "nexus_ws_bytes_out_total",
        "nexus_errors_total", "nexus_storage_batches_total", "nexus_storage_batch_size_bucket",
        "nexus_storage_latency_seconds_bucket", "broker_db_healthy"}) {
    CAPTURE(family);
    CHECK(before.body.find(std::string("\n") + family) != std::string::npos);
  }
  CHECK(before.body.find("\nnexus_ws_frames_in_total 0\n") != std::string::npos);

  ws_client c;
  REQUIRE(c.connect(f.port));
  c.send_text(R"({"type":"ping_me"})");
  REQUIRE(c.next_text() == no_hello_frame);
  auto after = http_request(f.port, "GET", "/metrics");
  CHECK(after.body.find("\nnexus_ws_frames_in_total 1\n") != std::string::npos);
  CHECK(after.body.find("\nbroker_connections_total 1\n") != std::string::npos);
  CHECK(after.body.find("\nbroker_connections_active 1\n") != std::string::npos);
  CHECK(after.body.find("\nnexus_http_requests_total 2\n") != std::string::npos);
}

TEST_CASE("unknown paths get 404 JSON; exact routes ignore query strings") {
  gateway_fixture f;
  for (const char* target : {"/nope", "/health?verbose=1", "/health/", "/ws"}) {
    CAPTURE(target);
    auto r = http_request(f.port, "GET", target);
    CHECK(r.status == 404);
    CHECK(r.headers["content-type"] == "application/json");
    check_cors(r);
    CHECK(json_string(json_object(r.body), "error") == "not found");
  }
}

TEST_CASE("a known path with another method gets 405 JSON") {
  gateway_fixture f;
  auto r = http_request(f.port, "POST", "/metrics", "{}");
  CHECK(r.status == 405);
  check_cors(r);
  CHECK(json_string(json_object(r.body), "error") == "method not allowed");
  CHECK(r.headers["allow"].find("GET") != std::string::npos);
}

TEST_CASE("OPTIONS on any path is 204 with the CORS headers") {
  gateway_fixture f;
  for (const char* target : {"/health", "/anything/at/all"}) {
    auto r = http_request(f.port, "OPTIONS", target);
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    check_cors(r);
    CHECK(r.headers["access-control-allow-methods"] == "POST, GET, OPTIONS");
    CHECK(r.headers["access-control-allow-headers"].find("X-Mesh-Id") != std::string::npos);
  }
}

TEST_CASE("a body over http_body_bytes_max gets 413, a head over http_header_bytes_max 431") {
  gateway_fixture f;
  auto big = http_request(f.port, "POST", "/health", std::string(2000, 'x'));
  CHECK(big.status == 413);
  check_cors(big);
  CHECK(json_string(json_object(big.body), "error") == "payload too large");
  CHECK(http_request(f.port, "POST", "/metrics", std::string(1000, 'x')).status == 405);

  auto head = http_request(f.port, "GET", "/health", {}, "X-Pad: " + std::string(1500, 'a') + "\r\n");
  CHECK(head.status == 431);
  check_cors(head);
  CHECK(f.errors("http_body_too_large") == 1);
  CHECK(f.errors("http_header_too_large") == 1);
}

TEST_CASE("a request that does not complete within http_idle_timeout_ms is dropped") {
  gateway_fixture f; // http_idle_timeout_ms = 400
  // Before the connect: the server's timer starts at its accept, which can
  // run well before the constructor returns here on a loaded machine.
  auto begin = std::chrono::steady_clock::now();
  raw_socket s(f.port);
  s.write("GET /health HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
  std::string got;
  REQUIRE(s.read_until_closed(5s, got));
  CHECK(got.empty());
  CHECK(std::chrono::steady_clock::now() - begin >= 300ms);
  // Beast closes the socket in its timer, before our read handler counts.
  CHECK(test::wait_until([&] { return f.errors("http_timeout") == 1; }, 5s));
}

TEST_CASE("upgrades to anything but exactly /ws lose their socket without a response") {
  gateway_fixture f;
  for (const char* target : {"/ws?x=1", "/ws/", "/other"}) {
    CAPTURE(target);
    ws_client c;
    CHECK_FALSE(c.connect(f.port, target));
    CHECK(c.last_http_status() == 0); // no HTTP response at all
    CHECK(c.dropped());
  }
  CHECK(f.errors("bad_upgrade_target") == 3);
  ws_client ok;
  CHECK(ok.connect(f.port, "/ws"));
}

TEST_CASE("add_route: handlers reply later from any thread; silence becomes 500 or 504") {
  // The /echo handler hands its request and reply callback to the test
  // thread, which answers from there while the client waits on another.
  std::promise<std::pair<transport::http_request, transport::http_reply>> handed;
  std::vector<transport::http_reply> hoarded; // read only after stop() joined the I/O threads
  gateway_fixture f(nullptr, gateway_fixture::actors::real, [&](transport::gateway& gw) {
    gw.add_route("POST", "/echo", transport::route_match::exact,
                 [&](transport::http_request req, transport::http_reply reply) {
                   handed.set_value({std::move(req), std::move(reply)});
                 });
    gw.add_route("GET", "/invites/", transport::route_match::prefix,
                 [](transport::http_request req, transport::http_reply reply) {
                   reply(transport::http_response::json(200, "{\"t\":\"" + req.target + "\"}"));
                 });
    gw.add_route("GET", "/dropped", transport::route_match::exact,
                 [](transport::http_request, transport::http_reply) {});
    gw.add_route("GET", "/hoarded", transport::route_match::exact,
                 [&](transport::http_request, transport::http_reply reply) {
                   hoarded.push_back(reply);
                 });
    gw.add_route("GET", "/throws", transport::route_match::exact,
                 [](transport::http_request, transport::http_reply) {
                   throw std::runtime_error("boom");
                 });
  });
  auto client = std::async(std::launch::async, [&] {
    return http_request(f.port, "POST", "/echo", R"({"a":1})", "X-Mesh-Id: m1\r\n");
  });
  auto handed_future = handed.get_future();
  REQUIRE(handed_future.wait_for(5s) == std::future_status::ready);
  auto [seen, reply] = handed_future.get();
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/echo");
  CHECK(seen.body == R"({"a":1})");
  CHECK(seen.remote_address == "127.0.0.1");
  REQUIRE(seen.header("x-mesh-id"));
  CHECK(*seen.header("x-mesh-id") == "m1");
  auto response = transport::http_response::json(201, seen.body);
  response.headers.emplace_back("X-Test", "yes");
  reply(response);
  reply(transport::http_response::json(500, "{}")); // a second call is ignored
  REQUIRE(client.wait_for(5s) == std::future_status::ready);
  auto r = client.get();
  CHECK(r.status == 201);
  CHECK(r.body == R"({"a":1})");
  CHECK(r.headers["x-test"] == "yes");
  check_cors(r);

  r = http_request(f.port, "GET", "/invites/abc?x=1");
  CHECK(r.status == 200);
  CHECK(json_string(json_object(r.body), "t") == "/invites/abc?x=1");
  CHECK(http_request(f.port, "POST", "/invites/abc").status == 405);
  CHECK(http_request(f.port, "GET", "/dropped").status == 500);
  CHECK(http_request(f.port, "GET", "/throws").status == 500);
  CHECK(http_request(f.port, "GET", "/hoarded").status == 504); // http_idle_timeout_ms
  f.gw->stop(5s);
  REQUIRE(hoarded.size() == 1);
  hoarded.front()(transport::http_response::json(200, "{}")); // connection gone: ignored
  CHECK_THROWS_AS(f.gw->add_route("GET", "/late", transport::route_match::exact, {}),
                  std::logic_error);
}

TEST_CASE("start() reports a port that cannot be bound") {
  gateway_fixture f;
  metrics::registry reg;
  metrics::node_metrics m(reg);
  node_health health;
  auto cfg = small_gateway_config();
  cfg.listen.port = f.port; // taken by f
  transport::gateway second(cfg, m, health, make_connection_factory(f.sys));
  CHECK_THROWS_AS(second.start(), std::runtime_error);
  cfg.listen.host = "not-an-address";
  transport::gateway third(cfg, m, health, make_connection_factory(f.sys));
  CHECK_THROWS_AS(third.start(), std::runtime_error);
}

} // TEST_SUITE
