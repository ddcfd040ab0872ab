// The nexusd process end to end against the test PostgreSQL: start-up
// output, health and readiness, the WebSocket endpoint, logs, config errors,
// racing start-ups and the clean stop on SIGTERM/SIGINT.
#include "tests/support/child.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/support/test_db.hpp"
#include "tests/support/wait.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <regex>

using namespace nexus::test;
using namespace std::chrono_literals;

namespace {

/// A running nexusd on a free port with its own home.
struct node_process {
  temp_dir home;
  std::unique_ptr<child> proc;
  uint16_t port = 0;

  explicit node_process(const std::string& database_url, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{NEXUSD_BINARY, "--listen", "127.0.0.1:0", "--home", home.path(),
                                  "--database-url", database_url};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc = std::make_unique<child>(argv);
    auto line = proc->wait_for_output("nexusd: WebSocket ws://", 20s);
    REQUIRE_MESSAGE(line, proc->output());
    std::smatch m;
    std::regex re(R"(ws://127\.0\.0\.1:(\d+)/ws)");
    REQUIRE(std::regex_search(*line, m, re));
    port = static_cast<uint16_t>(std::stoi(m[1]));
  }

  bool ready(std::chrono::milliseconds within = 20s) {
    return wait_until([&] { return http_request(port, "GET", "/health/ready").status == 200; },
                      within, 20ms);
  }
};

} // namespace

TEST_CASE("nexusd serves health, readiness, metrics and /ws, then stops cleanly on SIGTERM") {
  test_database db;
  node_process node(db.url());
  REQUIRE_MESSAGE(node.ready(), node.proc->output());

  auto health = http_request(node.port, "GET", "/health");
  CHECK(health.status == 200);
  CHECK(health.body.find("\"status\":\"ok\"") != std::string::npos);
  CHECK(health.body.find("\"db\":\"up\"") != std::string::npos);
  auto ready = http_request(node.port, "GET", "/health/ready");
  CHECK(ready.body.find("\"status\":\"ready\"") != std::string::npos);

  ws_client ws;
  REQUIRE(ws.connect(node.port));
  ws.send_text(R"({"type":"list_peers","_reqId":"r1"})");
  auto reply = ws.next_text();
  REQUIRE(reply);
  CHECK(reply->find("\"code\":\"no_hello\"") != std::string::npos);

  auto metrics = http_request(node.port, "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("broker_connections_active 1") != std::string::npos);
  CHECK(metrics.body.find("nexus_storage_batches_total") != std::string::npos);

  // Log lines: time, level, component; the storage actors have connected.
  CHECK(std::regex_search(node.proc->output(),
                          std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR|DEBUG) \w+ )")));

  auto started = std::chrono::steady_clock::now();
  node.proc->signal(SIGTERM);
  auto close = ws.next(10s);
  REQUIRE(close);
  CHECK(close->opcode == 8);
  CHECK(close->close_code() == 1001);
  auto status = node.proc->wait_exit(10s);
  REQUIRE_MESSAGE(status, node.proc->output());
  CHECK(*status == 0);
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(node.proc->output().find("stopped") != std::string::npos);
}

TEST_CASE("SIGINT stops a node as cleanly as SIGTERM") {
  test_database db;
  node_process node(db.url());
  REQUIRE(node.ready());
  node.proc->signal(SIGINT);
  auto status = node.proc->wait_exit(10s);
  REQUIRE(status);
  CHECK(*status == 0);
  CHECK(http_request(node.port, "GET", "/health", {}, {}, 1s).status == 0); // nothing listens
}

TEST_CASE("two nodes starting at once on one database both become ready") {
  test_database db;
  node_process a(db.url());
  node_process b(db.url());
  CHECK_MESSAGE(a.ready(), a.proc->output());
  CHECK_MESSAGE(b.ready(), b.proc->output());
  a.proc->signal(SIGTERM);
  b.proc->signal(SIGTERM);
  CHECK(a.proc->wait_exit(10s) == 0);
  CHECK(b.proc->wait_exit(10s) == 0);
}

TEST_CASE("the database password never reaches the logs") {
  test_database db;
  // Trust authentication ignores the password, so the node still connects.
  std::string url = db.url();
  auto at = url.find('@');
  REQUIRE(at != std::string::npos);
  url.insert(at, ":TopSecret123");
  node_process node(url, {"--log-level", "debug"});
  REQUIRE(node.ready());
  node.proc->signal(SIGTERM);
  REQUIRE(node.proc->wait_exit(10s));
  CHECK(node.proc->output().find("TopSecret123") == std::string::npos);
}

TEST_CASE("a node whose database is unreachable stays up, not ready, and still stops on SIGTERM") {
  // Port 1 on loopback: nothing listens there.
  node_process node("postgresql://nexus@127.0.0.1:1/nexus");
  auto ready = http_request(node.port, "GET", "/health/ready");
  CHECK(ready.status == 503);
  CHECK(ready.body.find("\"reason\":\"db_down\"") != std::string::npos);
  CHECK(http_request(node.port, "GET", "/health").status == 200);
  CHECK(node.proc->wait_for_output("retrying", 10s));
  node.proc->signal(SIGTERM);
  CHECK(node.proc->wait_exit(10s) == 0);
}

TEST_CASE("an invalid value stops nexusd with exit code 2 and one line naming the key") {
  child bad({NEXUSD_BINARY, "--frame-bytes-max", "lots"});
  REQUIRE(bad.wait_exit(10s) == 2);
  CHECK(bad.output() ==
        "nexusd: invalid value for frame_bytes_max (from command line): \"lots\" is not an integer\n");
  child env_bad({NEXUSD_BINARY}, {{"NEXUS_LISTEN", "nowhere"}});
  REQUIRE(env_bad.wait_exit(10s) == 2);
  CHECK(env_bad.output().find("listen (from environment)") != std::string::npos);
  child unknown({NEXUSD_BINARY, "--frobnicate"});
  CHECK(unknown.wait_exit(10s) == 2);
}

TEST_CASE("--help lists every option; --print-config redacts the database password") {
  child help({NEXUSD_BINARY, "--help"});
  REQUIRE(help.wait_exit(10s) == 0);
  for (auto* needle : {"--listen HOST:PORT", "NEXUS_LISTEN", "(default: 127.0.0.1:7900)",
                       "--frame-bytes-max N", "--database-url", "--home DIR", "NEXUS_HOME"})
    CHECK_MESSAGE(help.output().find(needle) != std::string::npos, needle);
  child print({NEXUSD_BINARY, "--print-config", "--database-url", "postgresql://u:pw123@h/db"},
              {{"NEXUS_STORAGE_POOL_SIZE", "3"}});
  REQUIRE(print.wait_exit(10s) == 0);
  CHECK(print.output().find("pw123") == std::string::npos);
  CHECK(print.output().find("\"storage_pool_size\":3") != std::string::npos);
}
