// nexusd on its embedded PostgreSQL, as the README's first command runs it:
// first start initdb's, the node becomes ready, a kill -9 of the postmaster
// is survived, SIGTERM stops everything with nothing left behind, and the
// next start reuses the data. Needs only the PostgreSQL binaries.
#include "storage/embedded_pg.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/child.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/support/wait.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <regex>

using namespace nexus;
using namespace nexus::test;
using namespace std::chrono_literals;

namespace {

uint16_t start_and_read_port(child& proc) {
  auto line = proc.wait_for_output("nexusd: WebSocket ws://", 60s);
  REQUIRE_MESSAGE(line, proc.output());
  std::smatch m;
  REQUIRE(std::regex_search(*line, m, std::regex(R"(:(\d+)/ws)")));
  return static_cast<uint16_t>(std::stoi(m[1]));
}

bool ready(uint16_t port, std::chrono::milliseconds within) {
  return wait_until([&] { return http_request(port, "GET", "/health/ready").status == 200; },
                    within, 20ms);
}

std::string query_one(const std::string& dsn, const char* sql) {
  auto conn = storage::pg_connection::connect(dsn, 5000);
  auto rs = conn.exec_script(sql);
  REQUIRE(rs.rows.size() == 1);
  return rs.rows[0][0].value_or("NULL");
}

} // namespace

TEST_CASE("embedded PostgreSQL: first start, crash of postgres, clean stop, second start") {
  temp_dir home;
  auto layout = storage::embedded_pg::layout_for(home.path());
  auto data_dir = layout.data_dir;
  std::vector<std::string> argv{NEXUSD_BINARY, "--listen", "127.0.0.1:0", "--home", home.path(),
                                // Long enough that the not-ready window after the kill -9
                                // below is easy to observe on a loaded machine.
                                "--pg-restart-min-ms", "500"};

  {
    child node(argv);
    uint16_t port = start_and_read_port(node);
    REQUIRE_MESSAGE(ready(port, 90s), node.output());
    auto dsn = storage::embedded_pg::running_dsn(home.path());
    REQUIRE(dsn);
    CHECK(dsn->find("host=" + home.path()) != std::string::npos); // unix socket, no TCP
    storage::pg_connection::connect(*dsn, 5000)
        .exec_script("CREATE TABLE survives_restarts (v text); "
                     "INSERT INTO survives_restarts VALUES ('kept')");
    CHECK(query_one(*dsn, "SELECT current_setting('listen_addresses')") == "");

    // kill -9 of the postmaster: not ready meanwhile, then restarted.
    auto before = storage::embedded_pg::read_postmaster_pid(layout);
    REQUIRE(before);
    REQUIRE(kill(static_cast<pid_t>(before->pid), SIGKILL) == 0);
    REQUIRE(wait_until([&] { return http_request(port, "GET", "/health/ready").status == 503; },
                       10s, 5ms));
    REQUIRE_MESSAGE(ready(port, 60s), node.output());
    auto after = storage::embedded_pg::read_postmaster_pid(layout);
    REQUIRE(after);
    CHECK(after->pid != before->pid);
    CHECK(query_one(*storage::embedded_pg::running_dsn(home.path()),
                    "SELECT v FROM survives_restarts") == "kept");

    node.signal(SIGTERM);
    auto status = node.wait_exit(10s);
    REQUIRE_MESSAGE(status, node.output());
    CHECK(*status == 0);
    CHECK(processes_matching(data_dir).empty()); // no postgres left behind
    CHECK_FALSE(storage::embedded_pg::running_dsn(home.path()));
  }

  { // second start reuses the data
    child node(argv);
    uint16_t port = start_and_read_port(node);
    REQUIRE_MESSAGE(ready(port, 60s), node.output());
    CHECK(node.output().find("initdb") == std::string::npos);
    CHECK(query_one(*storage::embedded_pg::running_dsn(home.path()),
                    "SELECT v FROM survives_restarts") == "kept");
    node.signal(SIGINT);
    CHECK(node.wait_exit(10s) == 0);
    CHECK(processes_matching(data_dir).empty());
  }
}

TEST_CASE("kill -9 of nexusd takes its embedded PostgreSQL down, and the next start recovers") {
  temp_dir home;
  auto data_dir = storage::embedded_pg::layout_for(home.path()).data_dir;
  std::vector<std::string> argv{NEXUSD_BINARY, "--listen", "127.0.0.1:0", "--home", home.path()};
  {
    child node(argv);
    REQUIRE(ready(start_and_read_port(node), 90s));
    node.signal(SIGKILL);
    REQUIRE(node.wait_exit(10s));
  }
  // The postmaster got its parent-death signal and shuts down by itself.
  CHECK(wait_until([&] { return processes_matching(data_dir).empty(); }, 20s, 20ms));
  child node(argv);
  REQUIRE_MESSAGE(ready(start_and_read_port(node), 60s), node.output());
  node.signal(SIGTERM);
  CHECK(node.wait_exit(10s) == 0);
  CHECK(processes_matching(data_dir).empty());
}
