// `nexus install`, `nexus uninstall`, `nexus hook`: Claude Code and the MCP
// bridge (issue 7 item 4). The editing itself is mcp/claude_install.hpp;
// here the CLI home says which mesh and broker, and where nexus-mcp is.
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/commands.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "apps/nexus/output.hpp"
#include "mcp/claude_install.hpp"
#include "mcp/hook_client.hpp"
#include "mcp/json_file.hpp"

#include <climits>
#include <cstdlib>
#include <iostream>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nexus::cli {
namespace {

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("nexus");
}

bool is_executable(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

/// nexus-mcp next to this binary (an install), or in the build tree's
/// sibling folder; --bridge PATH overrides.
std::string bridge_path(const context& ctx) {
  if (auto given = ctx.option("bridge"))
    return *given;
  std::string dir = self_exe();
  dir = dir.substr(0, dir.find_last_of('/'));
  for (const auto& candidate : {dir + "/nexus-mcp", dir + "/../nexus-mcp/nexus-mcp"})
    if (is_executable(candidate)) {
      char real[PATH_MAX];
      return ::realpath(candidate.c_str(), real) != nullptr ? real : candidate;
    }
  throw cli_error(exit_failure, "nexus-mcp not found next to " + self_exe(),
                  "pass --bridge PATH to name it");
}

mcp::install_options install_options_of(context& ctx) {
  mcp::install_options o;
  const char* home_env = std::getenv("HOME");
  o.user_home = ctx.option("claude-home").value_or(home_env != nullptr ? home_env : "");
  if (o.user_home.empty())
    throw usage_error("no home directory: set HOME or pass --claude-home DIR", ctx.cmd->name);
  o.nexus_home = ctx.home.dir();
  return o;
}

int print_report(context& ctx, const mcp::install_report& rep) {
  if (ctx.global.json) {
    json_out out;
    out.w.bool_field("changed", rep.changed);
    out.w.strings_field("notes", rep.notes);
    out.w.strings_field("backups", rep.backups);
    out.done();
    return exit_ok;
  }
  for (const auto& n : rep.notes)
    std::cout << n << "\n";
  for (const auto& b : rep.backups)
    std::cout << "backup: " << b << "\n";
  return exit_ok;
}

int run_claude_edit(context& ctx, bool install) {
  auto o = install_options_of(ctx);
  try {
    if (!install)
      return print_report(ctx, mcp::uninstall_claude_code(o));
    ctx.home.require_initialised();
    auto mesh = ctx.home.select_mesh(ctx.global.mesh);
    o.command = bridge_path(ctx);
    o.args = {"--home", ctx.home.dir(), "--mesh", mesh.mesh_id};
    o.hooks = ctx.flag("hooks");
    o.hook_command = self_exe() + " --home " + ctx.home.dir() + " --mesh " + mesh.mesh_id + " hook";
    return print_report(ctx, mcp::install_claude_code(o));
  } catch (const mcp::json_file_error& e) {
    throw cli_error(exit_failure, e.what(), "fix or move the file, then run nexus install again");
  }
}

} // namespace

int run_install(context& ctx) { return run_claude_edit(ctx, true); }
int run_uninstall(context& ctx) { return run_claude_edit(ctx, false); }

int run_hook(context& ctx) {
  const std::string& status = ctx.args.at(0);
  if (status != "idle" && status != "working" && status != "dnd")
    throw usage_error("status must be idle, working or dnd", ctx.cmd->name);
  // Claude Code writes the hook input as JSON and closes stdin; read it
  // bounded in size and time so a stuck writer cannot hold the session.
  std::string input;
  if (!::isatty(0)) {
    char buf[4096];
    while (input.size() < 64 * 1024) {
      pollfd p{0, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0)
        break;
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n <= 0)
        break;
      input.append(buf, static_cast<size_t>(n));
    }
  }
  char cwd[PATH_MAX];
  auto report = mcp::hook_report_from(status, input, ::getcwd(cwd, sizeof cwd) ? cwd : "");
  // A hook must never break the session it reports on (Claude Code blocks
  // a prompt on exit code 2), so every failure is a line on stderr, exit 0.
  try {
    std::optional<mesh_record> mesh;
    if (ctx.home.initialised() && !ctx.home.meshes().empty())
      mesh = ctx.home.select_mesh(ctx.global.mesh);
    auto url = broker_for(ctx, mesh ? &*mesh : nullptr);
    auto out = mcp::post_hook_status(url, report, ctx.settings.connect_timeout_ms);
    if (out.status == 0)
      std::cerr << "nexus hook: " << out.error << "\n";
    else if (out.status != 200 || out.body.find("\"ok\":true") == std::string::npos)
      std::cerr << "nexus hook: the node answered " << out.status << " " << out.body << "\n";
  } catch (const std::exception& e) {
    std::cerr << "nexus hook: " << e.what() << "\n";
  }
  return exit_ok;
}

} // namespace nexus::cli
