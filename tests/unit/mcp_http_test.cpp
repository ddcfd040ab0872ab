// The Streamable HTTP transport over real sockets: bearer token, loopback
// rule, status codes, bounds and the notification event stream.
#include "mcp/bearer_token.hpp"
#include "mcp/channel_hub.hpp"
#include "mcp/http_transport.hpp"
#include "crypto/private_file.hpp"
#include "tests/support/child.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/support/wait.hpp"
#include "tests/unit/mcp_recording_backend.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace nexus;
using namespace std::chrono_literals;

namespace {

const char* init_body =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

struct http_bridge : test::bridge_core {
  std::string token = std::string(64, 'f');
  std::unique_ptr<mcp::http_transport> http;
  uint16_t port = 0;

  explicit http_bridge(mcp::http_options o = {}) {
    o.policy.token = token;
    http = std::make_unique<mcp::http_transport>(srv, sys, hub, o);
    port = http->start();
  }
  ~http_bridge() { http->stop(); }
  std::string auth() const { return "Authorization: Bearer " + token + "\r\n"; }
  test::http_reply post(const std::string& body, const std::string& extra = {}) {
    return test::http_request(port, "POST", "/mcp", body,
                              auth() + "Content-Type: application/json\r\n"
                                       "Accept: application/json, text/event-stream\r\n" + extra);
  }
};

/// A raw connection for the tests that need to hold one open.
int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

/// Reads until `needle` shows up or 5 s pass.
std::string read_until(int fd, const std::string& needle) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (got.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      break;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

} // namespace

TEST_CASE("mcp http: 401 without the bearer token, or with a wrong one") {
  http_bridge b;
  auto r = test::http_request(b.port, "POST", "/mcp", init_body, "Content-Type: application/json\r\n");
  CHECK(r.status == 401);
  CHECK(r.headers["www-authenticate"] == "Bearer realm=\"nexus-mcp\"");
  r = test::http_request(b.port, "POST", "/mcp", init_body,
                         "Authorization: Bearer " + std::string(64, 'e') + "\r\nContent-Type: application/json\r\n");
  CHECK(r.status == 401);
  r = test::http_request(b.port, "POST", "/mcp", init_body,
                         "Authorization: Bearer " + std::string(63, 'f') + "\r\nContent-Type: application/json\r\n");
  CHECK(r.status == 401);
  r = test::http_request(b.port, "GET", "/elsewhere");
  CHECK(r.status == 401); // nothing is revealed before authentication
  CHECK(b.backend.calls.empty());
}

TEST_CASE("mcp http: with the token, JSON-RPC over POST /mcp") {
  http_bridge b;
  auto r = b.post(init_body);
  CHECK(r.status == 200);
  CHECK(r.headers["content-type"] == "application/json");
  CHECK(r.body.find(R"("protocolVersion":"2025-03-26")") != std::string::npos);
  // Lower-case scheme is fine (RFC 7235: case-insensitive).
  r = test::http_request(b.port, "POST", "/mcp", R"({"jsonrpc":"2.0","id":2,"method":"ping"})",
                         "authorization: bearer " + b.token + "\r\nContent-Type: application/json\r\n");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"jsonrpc":"2.0","id":2,"result":{}})");
  // Only notifications: 202 and no body.
  r = b.post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  CHECK(r.status == 202);
  CHECK(r.body.empty());
  // A tool call reaches the backend.
  r = b.post(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_peers","arguments":{}}})",
             "MCP-Protocol-Version: 2025-06-18\r\n");
  CHECK(r.status == 200);
  CHECK(r.body.find(R"(\"name\":\"bob\")") != std::string::npos);
  // Malformed JSON is still a JSON-RPC answer.
  r = b.post("{nope");
  CHECK(r.status == 200);
  CHECK(r.body.find("-32700") != std::string::npos);
}

TEST_CASE("mcp http: wrong path, method, version, origin, content type and size") {
  mcp::http_options o;
  o.body_bytes_max = 2048;
  http_bridge b(o);
  CHECK(test::http_request(b.port, "POST", "/other", "{}", b.auth() + "Content-Type: application/json\r\n").status == 404);
  auto r = test::http_request(b.port, "DELETE", "/mcp", "", b.auth());
  CHECK(r.status == 405);
  CHECK(r.headers["allow"] == "GET, POST");
  CHECK(test::http_request(b.port, "GET", "/mcp", "", b.auth() + "Accept: application/json\r\n").status == 405);
  CHECK(b.post(init_body, "MCP-Protocol-Version: 2023-01-01\r\n").status == 400);
  CHECK(b.post(init_body, "Origin: http://evil.example:80\r\n").status == 403);
  CHECK(b.post(init_body, "Origin: http://localhost:3000\r\n").status == 200);
  int fd = connect_to(b.port);
  std::string plain = "POST /mcp HTTP/1.1\r\nHost: x\r\n" + b.auth() +
                      "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}";
  REQUIRE(::write(fd, plain.data(), plain.size()) == static_cast<ssize_t>(plain.size()));
  CHECK(read_until(fd, "\r\n\r\n").rfind("HTTP/1.1 415", 0) == 0);
  ::close(fd);
  // Body bound (mcp_line_bytes_max): at the bound accepted, above it 413.
  std::string pad_to = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"")";
  auto sized = [&](size_t total) {
    std::string s = pad_to;
    s.insert(s.size() - 1, std::string(total - pad_to.size() - 2, 'x'));
    return s + "}}";
  };
  REQUIRE(sized(2048).size() == 2048);
  CHECK(b.post(sized(2048)).status == 200);
  CHECK(b.post(sized(2049)).status == 413);
}

TEST_CASE("mcp http: a non-loopback bind is refused unless allow_remote") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  test::recording_backend backend;
  mcp::tool_table tools;
  auto hub = mcp::spawn_channel_hub(sys, 10);
  mcp::server srv{tools, mcp::tool_context{backend, [] { return std::vector<mcp::inbound_message>{}; },
                                           [] { return int64_t{0}; }},
                  mcp::server_info{}, 32};
  mcp::http_options o;
  o.host = "0.0.0.0";
  o.policy.token = "t";
  mcp::http_transport refused(srv, sys, hub, o);
  try {
    refused.start();
    FAIL("expected http_start_error");
  } catch (const mcp::http_start_error& e) {
    CHECK(std::string(e.what()) ==
          "refusing to listen on 0.0.0.0: not a loopback address (pass --allow-remote to allow it)");
  }
  o.policy.allow_remote = true;
  mcp::http_transport allowed(srv, sys, hub, o);
  CHECK(allowed.start() > 0);
  allowed.stop();
  CHECK(mcp::is_loopback_host("127.0.0.1"));
  CHECK(mcp::is_loopback_host("127.45.0.9"));
  CHECK(mcp::is_loopback_host("::1"));
  CHECK(mcp::is_loopback_host("localhost"));
  CHECK_FALSE(mcp::is_loopback_host("127.0.0"));
  CHECK_FALSE(mcp::is_loopback_host("127.0.0.1000"));
  CHECK_FALSE(mcp::is_loopback_host("10.0.0.1"));
  CHECK_FALSE(mcp::is_loopback_host("127.0.0.1.evil.com"));
  caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
}

TEST_CASE("mcp http: connections beyond mcp_http_connections_max get 503") {
  mcp::http_options o;
  o.connections_max = 2;
  http_bridge b(o);
  int first = connect_to(b.port), second = connect_to(b.port);
  // Both are being served (their threads exist) once a request on each works.
  for (int fd : {first, second}) {
    std::string req = "POST /mcp HTTP/1.1\r\nHost: x\r\n" + b.auth() +
                      "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
                      R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
    CHECK(read_until(fd, R"("result":{}})").find("200 OK") != std::string::npos);
  }
  auto third = b.post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  CHECK(third.status == 503);
  ::close(first);
  // A slot frees when a served connection ends.
  REQUIRE(test::wait_until([&] { return b.post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status == 200; }, 5s));
  ::close(second);
}

TEST_CASE("mcp http: GET /mcp streams channel notifications as server-sent events") {
  http_bridge b;
  int fd = connect_to(b.port);
  std::string req = "GET /mcp HTTP/1.1\r\nHost: x\r\n" + b.auth() + "Accept: text/event-stream\r\n\r\n";
  REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  CHECK(read_until(fd, "\r\n\r\n").find("Content-Type: text/event-stream") != std::string::npos);
  REQUIRE(b.wait_for_subscribers(1));
  mcp::inbound_message m;
  m.message_id = "m1";
  m.from_name = "alice";
  m.text = "over http";
  caf::anon_send(b.hub, m);
  auto got = read_until(fd, "\n\n");
  CHECK(got.find(R"(data: {"jsonrpc":"2.0","method":"notifications/claude/channel","params":{"content":"alice: over http")") !=
        std::string::npos);
  ::close(fd);
}

TEST_CASE("mcp http: the token file is created once, 0600, and a loose one is refused") {
  test::temp_dir home;
  std::string t1 = mcp::load_or_create_token(home.path() + "/h");
  CHECK(t1.size() == 64);
  struct stat st{};
  REQUIRE(::stat(mcp::token_path(home.path() + "/h").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(mcp::load_or_create_token(home.path() + "/h") == t1);
  CHECK(mcp::bearer_matches("Bearer " + t1, t1));
  CHECK_FALSE(mcp::bearer_matches("Basic " + t1, t1));
  CHECK_FALSE(mcp::bearer_matches("Bearer " + t1 + "x", t1));
  ::chmod(mcp::token_path(home.path() + "/h").c_str(), 0644);
  CHECK_THROWS_AS(mcp::load_or_create_token(home.path() + "/h"), crypto::private_file_error);
}
