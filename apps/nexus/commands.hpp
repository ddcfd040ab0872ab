// commands: the table of `nexus` commands and what a command gets to run.
// Each command declares its words, usage, help, options and argument count
// here once; parsing (cli_args.cpp), `--help` and completions are generated
// from the table, so the help cannot drift from what is accepted.
#pragma once

#include "apps/nexus/home.hpp"
#include "client/client_settings.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nexus::cli {

/// Global options, accepted before or after the command words.
struct global_options {
  std::optional<std::string> home;   ///< --home DIR
  std::optional<std::string> mesh;   ///< --mesh NAME|ID
  std::optional<std::string> broker; ///< --broker URL
  bool json = false;                 ///< --json
  bool help = false;                 ///< --help / -h
  bool version = false;              ///< --version
  std::vector<std::pair<std::string, std::string>> settings; ///< --request-timeout-ms 500, ...
};

struct context;

struct command {
  std::string name;                 ///< "send", "state get"
  std::string args_usage;           ///< "TO MESSAGE [--priority now|next|low]"
  std::string summary;              ///< one line for `nexus --help`
  std::string details;              ///< paragraphs for `nexus NAME --help`
  std::set<std::string> value_options; ///< --name VALUE
  std::set<std::string> bool_options;  ///< --flag
  size_t min_args = 0;
  size_t max_args = 0;
  int (*run)(context&) = nullptr;
};

struct context {
  global_options global;
  const command* cmd = nullptr;
  std::vector<std::string> args;                  ///< positional words after the command
  std::map<std::string, std::string> options;     ///< value options given
  std::set<std::string> flags;                    ///< bool options given
  cli::home home{""};
  client::client_settings settings;               ///< defaults < config.json < env < flags

  std::optional<std::string> option(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  bool flag(const std::string& name) const { return flags.count(name) > 0; }
};

const std::vector<command>& all_commands();

// One function per command, by area (cmd_*.cpp).
int run_init(context&);
int run_list(context&);
int run_leave(context&);
int run_whoami(context&);
int run_mesh_import(context&);
int run_mesh_create(context&);
int run_invite(context&);
int run_join(context&);
int run_peers(context&);
int run_send(context&);
int run_inbox(context&);
int run_status(context&);
int run_summary(context&);
int run_verify(context&);
int run_state_get(context&);
int run_state_set(context&);
int run_state_list(context&);
int run_remember(context&);
int run_recall(context&);
int run_forget(context&);
int run_task_create(context&);
int run_task_claim(context&);
int run_task_complete(context&);
int run_task_list(context&);
int run_remind(context&);
int run_remind_list(context&);
int run_remind_cancel(context&);
int run_info(context&);
int run_doctor(context&);
int run_completions(context&);
int run_install(context&);   // cmd_mcp.cpp
int run_uninstall(context&);
int run_hook(context&);

} // namespace nexus::cli
