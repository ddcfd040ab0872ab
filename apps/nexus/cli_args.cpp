#include "apps/nexus/cli_args.hpp"

#include "apps/nexus/cli_error.hpp"

#include <algorithm>

namespace nexus::cli {
namespace {

const command* find_command(const std::string& one, const std::string& two) {
  for (const auto& c : all_commands())
    if (!two.empty() && c.name == one + " " + two)
      return &c;
  for (const auto& c : all_commands())
    if (c.name == one)
      return &c;
  return nullptr;
}

bool is_group(const std::string& word) {
  for (const auto& c : all_commands())
    if (c.name.rfind(word + " ", 0) == 0)
      return true;
  return false;
}

const client::setting_spec* setting_of_flag(const std::string& flag) {
  for (const auto& s : client::all_settings())
    if (client::setting_flag(s.name) == flag)
      return &s;
  return nullptr;
}

} // namespace

context parse_command_line(const std::vector<std::string>& args) {
  context ctx;
  std::vector<std::string> words;
  std::vector<std::pair<std::string, std::optional<std::string>>> raw; // command options
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-' || a == "-") {
      words.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::optional<std::string> inline_value;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      inline_value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    auto value = [&]() -> std::string {
      if (inline_value)
        return *inline_value;
      if (i + 1 >= args.size())
        throw usage_error("option " + a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h")
      ctx.global.help = true;
    else if (a == "--version")
      ctx.global.version = true;
    else if (a == "--json")
      ctx.global.json = true;
    else if (a == "--home")
      ctx.global.home = value();
    else if (a == "--mesh")
      ctx.global.mesh = value();
    else if (a == "--broker")
      ctx.global.broker = value();
    else if (auto* s = setting_of_flag(a))
      ctx.global.settings.emplace_back(s->name, value());
    else
      raw.emplace_back(a, inline_value);
    // A command option's value is taken once we know the command (below);
    // mark where it was by index so the value is not read as a word.
    if (!raw.empty() && raw.back().first == a && !raw.back().second && i + 1 < args.size() &&
        words.size() >= 1) {
      const command* c = find_command(words[0], words.size() > 1 ? words[1] : "");
      if (c && c->value_options.count(a.substr(2)))
        raw.back().second = args[++i];
    }
  }
  if (words.empty()) {
    if (!raw.empty())
      throw usage_error("unknown option " + raw.front().first);
    return ctx; // bare `nexus`, --help or --version
  }
  const command* c = find_command(words[0], words.size() > 1 ? words[1] : "");
  if (!c) {
    if (is_group(words[0]))
      throw usage_error("\"" + words[0] + (words.size() > 1 ? " " + words[1] : std::string()) +
                            "\" is not a command",
                        words[0]);
    throw usage_error("unknown command \"" + words[0] + "\"");
  }
  ctx.cmd = c;
  const size_t consumed = c->name.find(' ') == std::string::npos ? 1 : 2;
  ctx.args.assign(words.begin() + static_cast<std::ptrdiff_t>(consumed), words.end());
  for (auto& [name, v] : raw) {
    const std::string bare = name.rfind("--", 0) == 0 ? name.substr(2) : name;
    if (c->value_options.count(bare)) {
      if (!v)
        throw usage_error("option " + name + " needs a value", c->name);
      ctx.options[bare] = *v;
    } else if (c->bool_options.count(bare) && !v) {
      ctx.flags.insert(bare);
    } else {
      throw usage_error("unknown option " + name + " for nexus " + c->name, c->name);
    }
  }
  if (ctx.global.help)
    return ctx;
  if (ctx.args.size() < c->min_args || ctx.args.size() > c->max_args)
    throw usage_error("nexus " + c->name + " takes " +
                          (c->min_args == c->max_args ? std::to_string(c->min_args)
                                                      : std::to_string(c->min_args) + " to " +
                                                            std::to_string(c->max_args)) +
                          " argument" + (c->max_args == 1 ? "" : "s") + ", got " +
                          std::to_string(ctx.args.size()) + ": usage: nexus " + c->name + " " +
                          c->args_usage,
                      c->name);
  return ctx;
}

void load_settings(context& ctx, const std::map<std::string, std::string>& env) {
  auto apply = [&](const std::string& k, const std::string& v, const std::string& src) {
    if (auto err = client::apply_setting(ctx.settings, k, v, src))
      throw cli_error(exit_usage, *err, "nexus --help lists the settings and their bounds");
  };
  if (ctx.home.initialised())
    for (const auto& [k, v] : ctx.home.load_config().settings)
      apply(k, v, ctx.home.config_path());
  for (const auto& s : client::all_settings())
    if (auto it = env.find(client::setting_env(s.name)); it != env.end())
      apply(s.name, it->second, "environment " + it->first);
  for (const auto& [k, v] : ctx.global.settings)
    apply(k, v, "command line");
  if (auto err = client::check_settings(ctx.settings))
    throw cli_error(exit_usage, *err);
}

std::string top_help() {
  std::string out =
      "Usage: nexus COMMAND [ARGS] [--mesh NAME|ID] [--json] [--broker URL] [--home DIR]\n\n"
      "Nexus from a terminal: join meshes, see who is online, message peers, share\n"
      "state, memory, tasks and reminders. Each command connects to the broker as\n"
      "your identity (a broker_link actor owns the connection) and disconnects.\n\n"
      "Commands:\n";
  size_t w = 0;
  for (const auto& c : all_commands())
    w = std::max(w, c.name.size());
  for (const auto& c : all_commands())
    out += "  " + c.name + std::string(w - c.name.size() + 2, ' ') + c.summary + "\n";
  out +=
      "\nGlobal options:\n"
      "  --mesh NAME|ID   the mesh (default: the only one, or config.json default_mesh)\n"
      "  --json           machine-readable output: one JSON object with schema_version\n"
      "  --broker URL     the node, ws://HOST:PORT/ws (default: the mesh's, else config.json,\n"
      "                   else ws://127.0.0.1:7900/ws)\n"
      "  --home DIR       the Nexus home (default $NEXUS_HOME, else ~/.nexus)\n"
      "  --help           this text; nexus COMMAND --help for one command\n\n"
      "Settings (config.json \"settings\", NEXUS_<KEY>, or the flag):\n";
  for (const auto& s : client::all_settings()) {
    std::string flag = client::setting_flag(s.name) + " N";
    out += "  " + flag + std::string(flag.size() < 28 ? 28 - flag.size() : 1, ' ') + s.help +
           " (default " + std::to_string(s.default_value) + ")\n";
  }
  out +=
      "\nExit status: 0 ok, 1 failure, 2 usage error, 3 not connected to the broker,\n"
      "4 not found or denied.\n";
  return out;
}

std::string command_help(const command& c) {
  std::string out = "Usage: nexus " + c.name + (c.args_usage.empty() ? "" : " " + c.args_usage) +
                    " [--mesh NAME|ID] [--json]\n\n" + c.summary + ".\n";
  if (!c.details.empty())
    out += "\n" + c.details + "\n";
  out += "\nExit status: 0 ok, 1 failure, 2 usage error, 3 not connected, 4 not found or denied.\n";
  return out;
}

} // namespace nexus::cli
