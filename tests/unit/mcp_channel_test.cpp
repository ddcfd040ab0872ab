// Inbound messages as notifications/claude/channel, the hub that keeps them
// for check_messages, and the stdio transport that carries both.
#include "mcp/channel.hpp"
#include "mcp/channel_hub.hpp"
#include "mcp/line_splitter.hpp"
#include "mcp/stdio_transport.hpp"
#include "tests/support/wait.hpp"
#include "tests/unit/mcp_recording_backend.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <fcntl.h>
#include <set>
#include <poll.h>
#include <thread>
#include <unistd.h>

using namespace nexus;
using namespace std::chrono_literals;

namespace {

mcp::inbound_message message(const std::string& id, const std::string& text) {
  mcp::inbound_message m;
  m.message_id = id;
  m.from_id = std::string(64, 'a');
  m.from_name = "alice";
  m.text = text;
  m.priority = "now";
  m.sent_at_ms = 1'700'000'000'123;
  m.mesh_id = "mesh-1";
  m.kind = "direct";
  return m;
}

} // namespace

TEST_CASE("mcp channel: content is '<sender>: <text>', meta keys are identifiers, values strings") {
  auto line = mcp::encode_channel_notification(message("m1", "tests pass"));
  rapidjson::Document d;
  d.Parse(line.c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(std::string(d["jsonrpc"].GetString()) == "2.0");
  CHECK(std::string(d["method"].GetString()) == "notifications/claude/channel");
  CHECK_FALSE(d.HasMember("id"));
  const auto& p = d["params"];
  CHECK(std::string(p["content"].GetString()) == "alice: tests pass");
  const auto& meta = p["meta"];
  std::set<std::string> keys;
  for (auto it = meta.MemberBegin(); it != meta.MemberEnd(); ++it) {
    keys.insert(it->name.GetString());
    CHECK(mcp::valid_meta_key(it->name.GetString()));
    CHECK(it->value.IsString());
  }
  CHECK(keys == std::set<std::string>{"from_id", "from_name", "priority", "sent_at", "mesh_id",
                                      "kind", "message_id"});
  CHECK(std::string(meta["sent_at"].GetString()) == "2023-11-14T22:13:20.123Z");
  CHECK(std::string(meta["from_id"].GetString()) == std::string(64, 'a'));
  CHECK(std::string(meta["priority"].GetString()) == "now");

  auto anonymous = message("m2", "x");
  anonymous.from_name.clear();
  d.Parse(mcp::encode_channel_notification(anonymous).c_str());
  CHECK(std::string(d["params"]["content"].GetString()) == std::string(64, 'a') + ": x");

  CHECK(mcp::valid_meta_key("from_id"));
  CHECK(mcp::valid_meta_key("_x9"));
  CHECK_FALSE(mcp::valid_meta_key("9x"));
  CHECK_FALSE(mcp::valid_meta_key("from-id"));
  CHECK_FALSE(mcp::valid_meta_key(""));
}

TEST_CASE("mcp hub: keeps at most mcp_inbox_messages_max, oldest dropped, take clears") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto hub = mcp::spawn_channel_hub(sys, 3);
  for (int i = 1; i <= 5; ++i)
    caf::anon_send(hub, message("m" + std::to_string(i), "t"));
  auto got = mcp::take_inbox(sys, hub);
  REQUIRE(got.size() == 3);
  CHECK(got[0].message_id == "m3");
  CHECK(got[2].message_id == "m5");
  CHECK(mcp::take_inbox(sys, hub).empty());

  caf::scoped_actor self{sys};
  self->request(hub, 5s, mcp::hub_status_atom::value)
      .receive([](const mcp::hub_status& s) {
                 CHECK(s.received == 5);
                 CHECK(s.dropped == 2);
                 CHECK(s.kept == 0);
               },
               [](caf::error& e) { FAIL(to_string(e)); });
  caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
}

TEST_CASE("mcp line splitter: lines up to the bound pass, longer ones are reported once") {
  mcp::line_splitter s(8);
  std::vector<std::string> lines;
  int too_long = 0;
  auto sink = [&](std::string_view l, bool tl) {
    if (tl)
      ++too_long;
    else
      lines.emplace_back(l);
  };
  s.feed("12345678\n123456789\nab", sink); // exactly 8: fine; 9: too long
  s.feed("c\r\n0123456789abcdef", sink);
  s.feed("ghij\nlast", sink);
  s.finish(sink);
  CHECK(lines == std::vector<std::string>{"12345678", "abc", "last"});
  CHECK(too_long == 2);
}

namespace {

/// A bridge on pipes: the test writes its stdin and reads its stdout.
struct stdio_bridge : test::bridge_core {
  int to_bridge[2] = {-1, -1}, from_bridge[2] = {-1, -1};
  std::thread runner;
  std::string pending;

  explicit stdio_bridge(int64_t line_max) {
    REQUIRE(::pipe2(to_bridge, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(from_bridge, O_CLOEXEC) == 0);
    mcp::stdio_options o{to_bridge[0], from_bridge[1], line_max};
    runner = std::thread([this, o] { mcp::run_stdio(srv, sys, hub, o); });
  }
  ~stdio_bridge() {
    close_input();
    if (runner.joinable())
      runner.join();
    ::close(to_bridge[0]);
    ::close(from_bridge[0]);
    ::close(from_bridge[1]);
  }
  void write(const std::string& bytes) {
    REQUIRE(::write(to_bridge[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  void close_input() {
    if (to_bridge[1] >= 0) {
      ::close(to_bridge[1]);
      to_bridge[1] = -1;
    }
  }
  /// The next output line, or "" after 5 s.
  std::string read_line() {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      if (auto nl = pending.find('\n'); nl != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return {};
      pollfd p{from_bridge[0], POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return {};
      char buf[4096];
      ssize_t n = ::read(from_bridge[0], buf, sizeof buf);
      if (n <= 0)
        return {};
      pending.append(buf, static_cast<size_t>(n));
    }
  }
};

} // namespace

TEST_CASE("mcp stdio: requests answered in order, blank lines ignored, bad lines refused") {
  stdio_bridge b(256);
  b.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n\n   \n");
  CHECK(b.read_line() == R"({"jsonrpc":"2.0","id":1,"result":{}})");
  b.write("garbage\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\r\n");
  CHECK(b.read_line() == R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: not valid JSON"}})");
  CHECK(b.read_line() == R"({"jsonrpc":"2.0","id":2,"result":{}})");
  // Over mcp_line_bytes_max: refused as a parse error, then the next line works.
  b.write(std::string(300, 'x') + "\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n");
  CHECK(b.read_line() == R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: message longer than 256 bytes"}})");
  CHECK(b.read_line() == R"({"jsonrpc":"2.0","id":3,"result":{}})");
  // A notification produces no output: the next line out answers id 4.
  b.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}\n");
  CHECK(b.read_line() == R"({"jsonrpc":"2.0","id":4,"result":{}})");
}

TEST_CASE("mcp stdio: inbound messages become notifications and stay for check_messages") {
  stdio_bridge b(1 << 20);
  // Make sure the writer has joined the hub before a message arrives.
  REQUIRE(b.wait_for_subscribers(1));
  caf::anon_send(b.hub, message("m1", "hello from alice"));
  auto line = b.read_line();
  rapidjson::Document d;
  d.Parse(line.c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(std::string(d["method"].GetString()) == "notifications/claude/channel");
  CHECK(std::string(d["params"]["content"].GetString()) == "alice: hello from alice");

  b.write(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"check_messages","arguments":{}}})"
          "\n");
  d.Parse(b.read_line().c_str());
  REQUIRE_FALSE(d.HasParseError());
  std::string text = d["result"]["content"][0]["text"].GetString();
  CHECK(text.find(R"("count":1)") != std::string::npos);
  CHECK(text.find(R"("text":"hello from alice")") != std::string::npos);
}

TEST_CASE("mcp stdio: end of input returns after the last answer is written") {
  stdio_bridge b(1024);
  b.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"); // no newline: still answered at EOF
  b.close_input();
  b.runner.join();
  CHECK(b.read_line() == R"({"jsonrpc":"2.0","id":1,"result":{}})");
}
