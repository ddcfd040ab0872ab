// nexus completions bash|zsh|fish: completion scripts generated from the
// command table, so they list exactly the commands and options that parse.
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/commands.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

namespace nexus::cli {
namespace {

const char* const globals = "--mesh --json --broker --home --help";

/// Top-level words, and the sub-words of each group ("state" → get set list).
std::pair<std::vector<std::string>, std::map<std::string, std::vector<std::string>>> words() {
  std::vector<std::string> top;
  std::map<std::string, std::vector<std::string>> sub;
  for (const auto& c : all_commands()) {
    auto sp = c.name.find(' ');
    std::string first = c.name.substr(0, sp);
    if (std::find(top.begin(), top.end(), first) == top.end())
      top.push_back(first);
    if (sp != std::string::npos)
      sub[first].push_back(c.name.substr(sp + 1));
  }
  return {top, sub};
}

std::string options_of(const std::string& first) {
  std::set<std::string> opts;
  for (const auto& c : all_commands())
    if (c.name.substr(0, c.name.find(' ')) == first) {
      for (const auto& o : c.value_options)
        opts.insert("--" + o);
      for (const auto& o : c.bool_options)
        opts.insert("--" + o);
    }
  std::string out;
  for (const auto& o : opts)
    out += o + " ";
  return out + globals;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : " ") + s;
  return out;
}

} // namespace

int run_completions(context& ctx) {
  auto [top, sub] = words();
  const std::string shell = ctx.args.at(0);
  if (shell == "bash") {
    std::cout << "# bash completion for nexus\n_nexus() {\n"
                 "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" first=\"${COMP_WORDS[1]}\"\n"
                 "  if [ \"$COMP_CWORD\" -eq 1 ]; then COMPREPLY=($(compgen -W \"" << join(top)
              << "\" -- \"$cur\")); return; fi\n  case \"$cur\" in -*)\n    case \"$first\" in\n";
    for (const auto& t : top)
      std::cout << "      " << t << ") COMPREPLY=($(compgen -W \"" << options_of(t) << "\" -- \"$cur\")) ;;\n";
    std::cout << "    esac; return ;;\n  esac\n  if [ \"$COMP_CWORD\" -eq 2 ]; then\n    case \"$first\" in\n";
    for (const auto& [g, subs] : sub)
      std::cout << "      " << g << ") COMPREPLY=($(compgen -W \"" << join(subs) << "\" -- \"$cur\")) ;;\n";
    std::cout << "      status) COMPREPLY=($(compgen -W \"idle working dnd\" -- \"$cur\")) ;;\n"
                 "      completions) COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")) ;;\n"
                 "    esac\n  fi\n}\ncomplete -F _nexus nexus\n";
  } else if (shell == "zsh") {
    std::cout << "#compdef nexus\n_nexus() {\n  local -a cmds\n  cmds=(";
    for (const auto& c : all_commands())
      if (c.name.find(' ') == std::string::npos || c.name.rfind("mesh ", 0) == 0)
        std::cout << "'" << (c.name.find(' ') == std::string::npos ? c.name : c.name.substr(0, c.name.find(' ')))
                  << ":" << c.summary << "' ";
    for (const auto& [g, subs] : sub)
      if (g != "mesh" && std::find(top.begin(), top.end(), g) != top.end())
        std::cout << "'" << g << ":" << g << " commands' ";
    std::cout << ")\n  if (( CURRENT == 2 )); then _describe command cmds; return; fi\n  case $words[2] in\n";
    for (const auto& [g, subs] : sub)
      std::cout << "    " << g << ") (( CURRENT == 3 )) && compadd " << join(subs) << " ;;\n";
    std::cout << "    status) compadd idle working dnd ;;\n    completions) compadd bash zsh fish ;;\n"
                 "  esac\n  compadd -- " << globals << "\n}\ncompdef _nexus nexus\n";
  } else if (shell == "fish") {
    std::cout << "# fish completion for nexus\ncomplete -c nexus -f\n";
    for (const auto& t : top)
      std::cout << "complete -c nexus -n __fish_use_subcommand -a " << t << "\n";
    for (const auto& [g, subs] : sub)
      std::cout << "complete -c nexus -n '__fish_seen_subcommand_from " << g << "' -a '" << join(subs) << "'\n";
    for (const auto& o : {"mesh", "json", "broker", "home", "help"})
      std::cout << "complete -c nexus -l " << o << "\n";
  } else {
    throw usage_error("completions for bash, zsh or fish (got \"" + shell + "\")", "completions");
  }
  return exit_ok;
}

} // namespace nexus::cli
