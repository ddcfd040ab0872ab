// `nexus install` / `nexus uninstall` on temporary homes: idempotent,
// everything else kept, a backup, and uninstall removes exactly what
// install added.
#include "mcp/claude_install.hpp"
#include "mcp/json_file.hpp"
#include "tests/support/child.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

using namespace nexus;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}
bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}
rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

struct homes {
  test::temp_dir user, nexus;
  mcp::install_options opts() const {
    mcp::install_options o;
    o.user_home = user.path();
    o.nexus_home = nexus.path() + "/home";
    o.command = "/opt/nexus/bin/nexus-mcp";
    o.args = {"--mesh", "team"};
    o.hooks = true;
    o.hook_command = "/opt/nexus/bin/nexus hook";
    return o;
  }
  std::string claude_json() const { return mcp::claude_json_path(user.path()); }
  std::string settings() const { return mcp::claude_settings_path(user.path()); }
};

const char* existing_config = R"({
  "numStartups": 42,
  "theme": "dark",
  "projects": {"/src/app": {"allowedTools": ["Bash"], "history": [1, 2.5, null]}},
  "mcpServers": {"github": {"command": "gh-mcp", "args": []}}
})";

const char* existing_settings = R"({
  "model": "opus",
  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}
})";

} // namespace

TEST_CASE("mcp install: adds the server and hooks, keeps the rest, backs up, and is idempotent") {
  homes h;
  write(h.claude_json(), existing_config);
  ::chmod(h.claude_json().c_str(), 0640);
  ::mkdir((h.user.path() + "/.claude").c_str(), 0700);
  write(h.settings(), existing_settings);

  auto rep = mcp::install_claude_code(h.opts());
  CHECK(rep.changed);
  CHECK(rep.backups.size() == 2);
  CHECK(read(h.claude_json() + ".nexus.bak") == existing_config);
  CHECK(read(h.settings() + ".nexus.bak") == existing_settings);

  auto cfg = parse(read(h.claude_json()));
  CHECK(cfg["numStartups"].GetInt() == 42);
  CHECK(cfg["projects"] == parse(existing_config)["projects"]);
  CHECK(cfg["mcpServers"]["github"] == parse(existing_config)["mcpServers"]["github"]);
  const auto& ours = cfg["mcpServers"]["nexus"];
  CHECK(std::string(ours["type"].GetString()) == "stdio");
  CHECK(std::string(ours["command"].GetString()) == "/opt/nexus/bin/nexus-mcp");
  REQUIRE(ours["args"].Size() == 2);
  CHECK(std::string(ours["args"][1].GetString()) == "team");
  struct stat st{};
  REQUIRE(::stat(h.claude_json().c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640); // the file keeps its mode

  auto s = parse(read(h.settings()));
  CHECK(std::string(s["model"].GetString()) == "opus");
  const auto& stop = s["hooks"]["Stop"];
  REQUIRE(stop.Size() == 2);
  CHECK(std::string(stop[0]["hooks"][0]["command"].GetString()) == "say done");
  CHECK(std::string(stop[1]["hooks"][0]["command"].GetString()) == "/opt/nexus/bin/nexus hook idle");
  CHECK(std::string(s["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"].GetString()) ==
        "/opt/nexus/bin/nexus hook working");

  // Second run: nothing to do, nothing written (not even a backup).
  std::string cfg_before = read(h.claude_json()), settings_before = read(h.settings());
  ::unlink((h.claude_json() + ".nexus.bak").c_str());
  rep = mcp::install_claude_code(h.opts());
  CHECK_FALSE(rep.changed);
  CHECK(rep.backups.empty());
  CHECK(read(h.claude_json()) == cfg_before);
  CHECK(read(h.settings()) == settings_before);
  CHECK_FALSE(exists(h.claude_json() + ".nexus.bak"));

  // Uninstall: back to the original content, key for key.
  rep = mcp::uninstall_claude_code(h.opts());
  CHECK(rep.changed);
  CHECK(parse(read(h.claude_json())) == parse(existing_config));
  CHECK(parse(read(h.settings())) == parse(existing_settings));
  CHECK_FALSE(exists(mcp::install_record_path(h.opts().nexus_home)));
  // And again: nothing left to remove.
  rep = mcp::uninstall_claude_code(h.opts());
  CHECK_FALSE(rep.changed);
}

TEST_CASE("mcp install: into a home without any Claude Code files, and out again") {
  homes h;
  auto rep = mcp::install_claude_code(h.opts());
  CHECK(rep.changed);
  CHECK(rep.backups.empty());
  CHECK(exists(h.claude_json()));
  CHECK(exists(h.settings()));
  mcp::uninstall_claude_code(h.opts());
  // What install created and is now empty is gone: {} and no settings file.
  CHECK(parse(read(h.claude_json())) == parse("{}"));
  CHECK_FALSE(exists(h.settings()));
  CHECK_FALSE(exists(h.user.path() + "/.claude"));
}

TEST_CASE("mcp install: a replaced entry is restored; an entry changed since install is left") {
  homes h;
  write(h.claude_json(), R"({"mcpServers":{"nexus":{"command":"old-bridge"}}})");
  auto o = h.opts();
  o.hooks = false;
  mcp::install_claude_code(o);
  CHECK(std::string(parse(read(h.claude_json()))["mcpServers"]["nexus"]["command"].GetString()) ==
        "/opt/nexus/bin/nexus-mcp");
  // A re-install with other arguments updates ours but still remembers old-bridge.
  o.args = {"--mesh", "other"};
  CHECK(mcp::install_claude_code(o).changed);
  mcp::uninstall_claude_code(o);
  CHECK(parse(read(h.claude_json())) == parse(R"({"mcpServers":{"nexus":{"command":"old-bridge"}}})"));

  mcp::install_claude_code(o);
  write(h.claude_json(), R"({"mcpServers":{"nexus":{"command":"hand-edited"}}})");
  auto rep = mcp::uninstall_claude_code(o);
  CHECK_FALSE(rep.changed);
  CHECK(parse(read(h.claude_json())) == parse(R"({"mcpServers":{"nexus":{"command":"hand-edited"}}})"));
}

TEST_CASE("mcp install: an invalid config file stops install before anything is written") {
  homes h;
  write(h.claude_json(), "{\"theme\": \"dark\",,}");
  CHECK_THROWS_AS(mcp::install_claude_code(h.opts()), mcp::json_file_error);
  CHECK(read(h.claude_json()) == "{\"theme\": \"dark\",,}");
  CHECK_FALSE(exists(h.settings()));
  CHECK_FALSE(exists(mcp::install_record_path(h.opts().nexus_home)));

  write(h.claude_json(), R"({"mcpServers": ["not", "an", "object"]})");
  try {
    mcp::install_claude_code(h.opts());
    FAIL("expected json_file_error");
  } catch (const mcp::json_file_error& e) {
    CHECK(std::string(e.what()) ==
          h.claude_json() + ": mcpServers is not an object; nothing was changed");
  }
}
