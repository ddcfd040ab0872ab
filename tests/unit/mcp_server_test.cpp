// The MCP protocol core: JSON-RPC 2.0 envelope handling, initialize
// negotiation, tools/list and tools/call over the tool table.
#include "mcp/protocol_version.hpp"
#include "mcp/server.hpp"
#include "tests/unit/mcp_recording_backend.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <set>

using namespace nexus;

namespace {

struct fixture {
  test::recording_backend backend;
  mcp::tool_table tools;
  std::vector<mcp::inbound_message> inbox;
  mcp::server srv{tools,
                  mcp::tool_context{backend,
                                    [this] {
                                      auto out = std::move(inbox);
                                      inbox.clear();
                                      return out;
                                    },
                                    [] { return int64_t{1'000'000}; }},
                  mcp::server_info{"nexus-mcp", "9.9.9", "use the mesh"}, 32};

  rapidjson::Document call(const std::string& line) {
    auto reply = srv.handle(line);
    REQUIRE(reply.has_value());
    rapidjson::Document d;
    d.Parse(reply->c_str());
    REQUIRE_FALSE(d.HasParseError());
    return d;
  }
  /// tools/call → the result object.
  rapidjson::Document tool(const std::string& name, const std::string& args_json) {
    auto d = call(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":")" + name +
                  R"(","arguments":)" + args_json + "}}");
    REQUIRE(d.HasMember("result"));
    rapidjson::Document r;
    r.CopyFrom(d["result"], r.GetAllocator());
    return r;
  }
};

int error_code(const rapidjson::Document& d) {
  REQUIRE(d.HasMember("error"));
  return d["error"]["code"].GetInt();
}

std::string text_of(const rapidjson::Document& result) {
  return result["content"][0]["text"].GetString();
}

} // namespace

TEST_CASE("mcp: initialize answers the requested version when supported, else the newest") {
  fixture f;
  for (auto v : mcp::supported_protocol_versions) {
    auto d = f.call(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")" +
                    std::string(v) + R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    CHECK(std::string(d["result"]["protocolVersion"].GetString()) == v);
    CHECK(d["id"].GetInt() == 1);
  }
  auto d = f.call(R"({"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999-01-01"}})");
  CHECK(std::string(d["result"]["protocolVersion"].GetString()) == "2025-06-18");
  CHECK(std::string(d["id"].GetString()) == "a");
  const auto& r = d["result"];
  CHECK(std::string(r["serverInfo"]["name"].GetString()) == "nexus-mcp");
  CHECK(std::string(r["serverInfo"]["version"].GetString()) == "9.9.9");
  CHECK(r["capabilities"]["tools"].IsObject());
  CHECK(r["capabilities"]["experimental"]["claude/channel"].IsObject());
  CHECK(r["capabilities"]["experimental"]["claude/channel"].ObjectEmpty());
  CHECK(std::string(r["instructions"].GetString()) == "use the mesh");

  auto bad = f.call(R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{}})");
  CHECK(error_code(bad) == -32602);
}

TEST_CASE("mcp: ping, unknown methods and notifications") {
  fixture f;
  auto p = f.call(R"({"jsonrpc":"2.0","id":3,"method":"ping"})");
  CHECK(p["result"].IsObject());
  CHECK(p["result"].ObjectEmpty());
  auto u = f.call(R"({"jsonrpc":"2.0","id":4,"method":"resources/list"})");
  CHECK(error_code(u) == -32601);
  CHECK(u["id"].GetInt() == 4);
  // Notifications — known or not — are never answered.
  CHECK_FALSE(f.srv.handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  CHECK_FALSE(f.srv.handle(R"({"jsonrpc":"2.0","method":"no/such/thing","params":{}})"));
  // A response to a request we never sent is ignored.
  CHECK_FALSE(f.srv.handle(R"({"jsonrpc":"2.0","id":9,"result":{}})"));
}

TEST_CASE("mcp: malformed input gets -32700 or -32600 and the session goes on") {
  fixture f;
  for (const char* bad : {"{", "not json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x",
                          "\"\\ud800\"x"}) {
    auto d = f.call(bad);
    CHECK(error_code(d) == -32700);
    CHECK(d["id"].IsNull());
  }
  struct {
    const char* text;
    bool id_echoed;
  } invalid[] = {
      {R"(42)", false},
      {R"({"id":1,"method":"ping"})", true},                   // no jsonrpc
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", true},
      {R"({"jsonrpc":"2.0","id":1,"method":7})", true},
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", false}, // MCP: id must not be null
      {R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})", false},
      {R"({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})", true},
      {R"({"jsonrpc":"2.0","id":1})", true},
      {R"([])", false},
  };
  for (const auto& c : invalid) {
    CAPTURE(c.text);
    auto d = f.call(c.text);
    CHECK(error_code(d) == -32600);
    if (c.id_echoed)
      CHECK(d["id"].GetInt() == 1);
    else
      CHECK(d["id"].IsNull());
  }
  // Nesting beyond json_depth_max (32) is a parse error, at the bound it is
  // not: the message and params objects count, so 30 arrays inside make 32.
  std::string deep_ok = std::string(30, '[') + std::string(30, ']');
  std::string ok_line = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)" + deep_ok + "}}";
  CHECK(f.call(ok_line)["result"].IsObject());
  std::string deep_bad = std::string(31, '[') + std::string(31, ']');
  std::string bad_line = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)" + deep_bad + "}}";
  CHECK(error_code(f.call(bad_line)) == -32700);
  // Still alive.
  CHECK(f.call(R"({"jsonrpc":"2.0","id":5,"method":"ping"})")["result"].IsObject());
}

TEST_CASE("mcp: a batch is answered with an array of the requests' responses") {
  fixture f;
  auto reply = f.srv.handle(
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"nope"},5])");
  REQUIRE(reply);
  rapidjson::Document d;
  d.Parse(reply->c_str());
  REQUIRE(d.IsArray());
  REQUIRE(d.Size() == 3);
  CHECK(d[0]["id"].GetInt() == 1);
  CHECK(d[1]["error"]["code"].GetInt() == -32601);
  CHECK(d[2]["error"]["code"].GetInt() == -32600);
  CHECK_FALSE(f.srv.handle(R"([{"jsonrpc":"2.0","method":"notifications/initialized"}])"));
}

TEST_CASE("mcp: tools/list names every tool of the issue with an object inputSchema") {
  fixture f;
  auto d = f.call(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  const auto& tools = d["result"]["tools"];
  std::set<std::string> names;
  for (const auto& t : tools.GetArray()) {
    std::string name = t["name"].GetString();
    CAPTURE(name);
    names.insert(name);
    CHECK(std::string(t["description"].GetString()).size() > 60);
    CHECK(std::string(t["inputSchema"]["type"].GetString()) == "object");
    CHECK(t["inputSchema"]["properties"].IsObject());
  }
  const std::set<std::string> expected = {
      "send_message", "list_peers", "check_messages", "message_status", "set_status",
      "set_summary", "set_visible", "set_profile", "join_group", "leave_group", "set_state",
      "get_state", "list_state", "remember", "recall", "forget", "share_context", "get_context",
      "list_contexts", "create_task", "claim_task", "complete_task", "list_tasks",
      "schedule_reminder", "list_scheduled", "cancel_scheduled", "create_stream", "publish",
      "subscribe", "list_streams", "mesh_info"};
  CHECK(names == expected);
  CHECK(tools.Size() == expected.size());
}

TEST_CASE("mcp: tools/call maps arguments onto the backend and returns text content") {
  fixture f;
  auto r = f.tool("send_message", R"({"to":"bob","message":"hi there","priority":"now"})");
  CHECK_FALSE(r["isError"].GetBool());
  CHECK(std::string(r["content"][0]["type"].GetString()) == "text");
  CHECK(text_of(r) == R"({"ok":true,"messageId":"msg-1","queued":true})");
  CHECK(f.backend.last_send.to == "bob");
  CHECK(f.backend.last_send.text == "hi there");
  CHECK(f.backend.last_send.priority == "now");

  f.tool("send_message", R"({"to":"@eng","message":"x"})");
  CHECK(f.backend.last_send.priority == "next");

  r = f.tool("set_state", R"({"key":"build","value":{"ok":[1,2]}})");
  CHECK_FALSE(r["isError"].GetBool());
  CHECK(f.backend.last_set_state.key == "build");
  CHECK(f.backend.last_set_state.value_json == R"({"ok":[1,2]})");

  r = f.tool("get_state", R"({"key":"build"})");
  CHECK(text_of(r).find(R"("found":true,"key":"build","value":{"ok":true},"updatedBy":"alice")") !=
        std::string::npos);
  r = f.tool("get_state", R"({"key":"nope"})");
  CHECK(text_of(r) == R"({"found":false,"key":"nope","value":null})");

  r = f.tool("set_profile", R"({"title":"reviewer","capabilities":["review"]})");
  CHECK(f.backend.last_profile.title == std::optional<std::string>("reviewer"));
  CHECK_FALSE(f.backend.last_profile.avatar.has_value());
  REQUIRE(f.backend.last_profile.capabilities);
  CHECK(*f.backend.last_profile.capabilities == std::vector<std::string>{"review"});

  // A tool without parameters may omit `arguments`.
  auto d = f.call(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"mesh_info"}})");
  CHECK_FALSE(d["result"]["isError"].GetBool());
  CHECK(std::string(d["result"]["content"][0]["text"].GetString()).find(R"("mesh":"mesh-1")") !=
        std::string::npos);
}

TEST_CASE("mcp: reminders take exactly one of in_seconds, at, cron") {
  fixture f;
  auto r = f.tool("schedule_reminder", R"({"message":"stand-up","in_seconds":60})");
  CHECK_FALSE(r["isError"].GetBool());
  CHECK(f.backend.last_reminder.deliverAt_ms == std::optional<int64_t>(1'000'000 + 60'000));
  CHECK_FALSE(f.backend.last_reminder.to.has_value());
  r = f.tool("schedule_reminder", R"({"message":"x","cron":"0 9 * * 1-5","to":"@eng"})");
  CHECK(f.backend.last_reminder.cron == std::optional<std::string>("0 9 * * 1-5"));
  CHECK(f.backend.last_reminder.to == std::optional<std::string>("@eng"));
  auto calls = f.backend.calls.size();
  r = f.tool("schedule_reminder", R"({"message":"x","in_seconds":5,"cron":"* * * * *"})");
  CHECK(r["isError"].GetBool());
  CHECK(text_of(r) == "give exactly one of in_seconds, at, cron");
  r = f.tool("schedule_reminder", R"({"message":"x"})");
  CHECK(r["isError"].GetBool());
  CHECK(f.backend.calls.size() == calls); // refused before reaching the mesh

  r = f.tool("cancel_scheduled", R"({"id":"sch-9"})");
  CHECK(r["isError"].GetBool());
  CHECK(text_of(r) == "no scheduled message sch-9 of yours");
  r = f.tool("cancel_scheduled", R"({"id":"sch-1"})");
  CHECK_FALSE(r["isError"].GetBool());
}

TEST_CASE("mcp: invalid tool calls") {
  fixture f;
  // Unknown tool: a protocol error (-32602), as the MCP tools spec shows.
  auto d = f.call(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"rm_rf"}})");
  CHECK(error_code(d) == -32602);
  d = f.call(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}})");
  CHECK(error_code(d) == -32602);
  d = f.call(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_peers","arguments":[1]}})");
  CHECK(error_code(d) == -32602);

  // Bad arguments: a tool result with isError and a readable message; the
  // backend is never called.
  struct {
    const char* tool;
    const char* args;
    const char* message;
  } cases[] = {
      {"send_message", R"({"message":"hi"})", "send_message: missing required argument 'to'"},
      {"send_message", R"({"to":5,"message":"hi"})", "send_message: argument 'to' must be a string"},
      {"send_message", R"({"to":"","message":"hi"})",
       "send_message: argument 'to' must not be shorter than 1 characters"},
      {"send_message", R"({"to":"bob","message":"hi","priority":"urgent"})",
       "send_message: argument 'priority' must be one of: now, next, low"},
      {"send_message", R"({"to":"bob","message":"hi","cc":"x"})",
       "send_message: unknown argument 'cc'"},
      {"set_visible", R"({"visible":"yes"})", "set_visible: argument 'visible' must be true or false"},
      {"remember", R"({"content":"x","tags":["a",3]})",
       "remember: argument 'tags[1]' must be a string"},
      {"schedule_reminder", R"({"message":"x","in_seconds":1.5})",
       "schedule_reminder: argument 'in_seconds' must be an integer"},
      {"schedule_reminder", R"({"message":"x","in_seconds":-1})",
       "schedule_reminder: argument 'in_seconds' must be at least 0"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.tool);
    CAPTURE(c.args);
    auto r = f.tool(c.tool, c.args);
    CHECK(r["isError"].GetBool());
    CHECK(text_of(r) == c.message);
  }
  CHECK(f.backend.calls.empty());
}

TEST_CASE("mcp: a backend failure is a tool error with the backend's words") {
  fixture f;
  f.backend.fail_with = "not connected to the broker (retrying in 2 s)";
  auto r = f.tool("list_peers", "{}");
  CHECK(r["isError"].GetBool());
  CHECK(text_of(r) == "not connected to the broker (retrying in 2 s)");
}

TEST_CASE("mcp: check_messages takes what the inbox holds, once") {
  fixture f;
  mcp::inbound_message m;
  m.message_id = "m1";
  m.from_name = "alice";
  m.from_id = std::string(64, 'a');
  m.text = "ping?";
  m.kind = "direct";
  m.sent_at_ms = 0;
  f.inbox.push_back(m);
  auto r = f.tool("check_messages", "{}");
  CHECK(text_of(r) ==
        R"({"count":1,"messages":[{"messageId":"m1","from":"alice","fromId":")" + std::string(64, 'a') +
            R"(","kind":"direct","priority":"next","sentAt":"1970-01-01T00:00:00.000Z","text":"ping?"}]})");
  CHECK(text_of(f.tool("check_messages", "{}")) == R"({"count":0,"messages":[]})");
}
