// claude_install: `nexus install` / `nexus uninstall` for Claude Code.
//
// install adds the bridge to ~/.claude.json as mcpServers.nexus
// ({"type":"stdio","command","args","env":{}}) and, when asked, status hooks
// to ~/.claude/settings.json (UserPromptSubmit → "<hook> working",
// Stop → "<hook> idle"; `nexus hook` POSTs them to /hook/set-status). It is
// idempotent (a second run changes nothing and writes nothing), keeps every
// other key of both files, and backs a file up before changing it
// (json_file.hpp). What it added, and any mcpServers.nexus it replaced, is
// recorded in $NEXUS_HOME/claude-install.json, so uninstall removes exactly
// that: our entry (restoring a replaced one), our hook handlers, and the
// containers install created and that are now empty. Entries the user
// changed since install are left alone and reported.
//
// Functions only; run them while Claude Code is not rewriting its config.
#pragma once

#include <string>
#include <vector>

namespace nexus::mcp {

struct install_options {
  std::string user_home;  ///< holds .claude.json and .claude/settings.json
  std::string nexus_home; ///< holds the install record
  std::string command;    ///< absolute path of nexus-mcp
  std::vector<std::string> args;
  bool hooks = false;
  std::string hook_command; ///< e.g. "/usr/local/bin/nexus hook"; the status is appended
};

struct install_report {
  bool changed = false;               ///< some file was written
  std::vector<std::string> backups;   ///< backups written
  std::vector<std::string> notes;     ///< one line per thing done or left alone
};

/// Throws json_file_error (nothing changed) for an unreadable or invalid file.
install_report install_claude_code(const install_options& opts);

/// Reads the install record; without one there is nothing to remove.
install_report uninstall_claude_code(const install_options& opts);

/// Paths, for messages and tests.
std::string claude_json_path(const std::string& user_home);
std::string claude_settings_path(const std::string& user_home);
std::string install_record_path(const std::string& nexus_home);

} // namespace nexus::mcp
