#include "config/config_keys.hpp"
#include "config/node_config.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

extern char** environ;

namespace nexus::config {
namespace {

const char* source_name(value_source s) {
  switch (s) {
    case value_source::default_value: return "default";
    case value_source::file: return "config file";
    case value_source::environment: return "environment";
    case value_source::flag: return "command line";
  }
  return "?";
}

std::string env_name(const std::string& key) {
  std::string out = "NEXUS_";
  for (char c : key)
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

std::string flag_name(const std::string& key) {
  std::string out = "--";
  for (char c : key)
    out += c == '_' ? '-' : c;
  return out;
}

[[noreturn]] void fail(const key_spec& k, value_source src, const std::string& raw,
                       const std::string& why) {
  throw config_error("invalid value for " + std::string(k.name) + " (from " + source_name(src) +
                     "): \"" + (k.secret ? std::string("***") : raw) + "\" " + why);
}

int64_t parse_integer(const key_spec& k, value_source src, const std::string& raw) {
  if (raw.empty())
    fail(k, src, raw, "is not an integer");
  size_t i = raw[0] == '-' ? 1 : 0;
  if (i == raw.size())
    fail(k, src, raw, "is not an integer");
  for (size_t j = i; j < raw.size(); ++j)
    if (raw[j] < '0' || raw[j] > '9')
      fail(k, src, raw, "is not an integer");
  errno = 0;
  long long v = std::strtoll(raw.c_str(), nullptr, 10);
  if (errno == ERANGE)
    fail(k, src, raw, "is out of range");
  if (v < k.min || v > k.max)
    fail(k, src, raw,
         "is out of range [" + std::to_string(k.min) + ", " + std::to_string(k.max) + "]");
  return v;
}

listen_address parse_address(const key_spec& k, value_source src, const std::string& raw) {
  listen_address a;
  std::string port_text;
  if (!raw.empty() && raw[0] == '[') { // [v6]:port
    auto close = raw.find(']');
    if (close == std::string::npos || close + 1 >= raw.size() || raw[close + 1] != ':')
      fail(k, src, raw, "is not HOST:PORT");
    a.host = raw.substr(1, close - 1);
    port_text = raw.substr(close + 2);
  } else {
    auto colon = raw.rfind(':');
    if (colon == std::string::npos)
      fail(k, src, raw, "is not HOST:PORT");
    a.host = raw.substr(0, colon);
    port_text = raw.substr(colon + 1);
    if (a.host.find(':') != std::string::npos)
      fail(k, src, raw, "is not HOST:PORT (write IPv6 hosts as [::1]:PORT)");
  }
  if (a.host.empty())
    fail(k, src, raw, "has no host");
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    fail(k, src, raw, "has no valid port");
  long port = std::strtol(port_text.c_str(), nullptr, 10);
  if (port > 65535)
    fail(k, src, raw, "has a port above 65535");
  a.port = static_cast<uint16_t>(port);
  return a;
}

std::string expand_path(const std::string& raw, const std::map<std::string, std::string>& env) {
  if (raw.empty())
    return raw;
  std::string out = raw;
  if (out == "~" || out.rfind("~/", 0) == 0) {
    auto home = env.find("HOME");
    if (home == env.end() || home->second.empty())
      throw config_error("cannot expand \"~\" in \"" + raw + "\": HOME is not set");
    out = home->second + out.substr(1);
  }
  if (out[0] != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) != nullptr)
      out = std::string(cwd) + "/" + out;
  }
  while (out.size() > 1 && out.back() == '/')
    out.pop_back();
  return out;
}

/// Raw text value and its source for every key, before parsing.
struct raw_value {
  std::string text;
  value_source source = value_source::default_value;
};

void apply(node_config& cfg, const key_spec& k, const raw_value& v,
           const std::map<std::string, std::string>& env) {
  cfg.sources[k.name] = v.source;
  switch (k.kind) {
    case key_kind::integer:
      cfg.*(k.int_field) = parse_integer(k, v.source, v.text);
      break;
    case key_kind::address:
      cfg.*(k.address_field) = parse_address(k, v.source, v.text);
      break;
    case key_kind::choice: {
      std::string choices = k.choices;
      bool ok = false;
      std::stringstream ss(choices);
      for (std::string c; std::getline(ss, c, '|');)
        ok = ok || c == v.text;
      if (!ok)
        fail(k, v.source, v.text, "is not one of " + choices);
      cfg.*(k.text_field) = v.text;
      break;
    }
    case key_kind::path:
      try {
        cfg.*(k.text_field) = expand_path(v.text, env);
      } catch (const config_error& e) {
        fail(k, v.source, v.text, e.what());
      }
      break;
    case key_kind::text:
      cfg.*(k.text_field) = v.text;
      break;
  }
}

void read_file(const std::string& file, std::map<std::string, raw_value>& raw) {
  std::ifstream in(file);
  if (!in)
    throw config_error("cannot read config file " + file);
  std::stringstream buf;
  buf << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(buf.str().c_str());
  if (doc.HasParseError())
    throw config_error("config file " + file + " is not valid JSON: " +
                       rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                       std::to_string(doc.GetErrorOffset()));
  if (!doc.IsObject())
    throw config_error("config file " + file + " must hold a JSON object");
  for (auto& m : doc.GetObject()) {
    std::string name = m.name.GetString();
    const key_spec* k = find_key(name);
    if (k == nullptr)
      throw config_error("unknown key " + name + " in config file " + file);
    std::string text;
    if (m.value.IsString())
      text = m.value.GetString();
    else if (m.value.IsInt64())
      text = std::to_string(m.value.GetInt64());
    else
      throw config_error("invalid value for " + name + " (from config file): must be a " +
                         (k->kind == key_kind::integer ? "whole number" : "string"));
    raw[name] = {text, value_source::file};
  }
}

void check_relations(const node_config& c) {
  if (c.storage_reconnect_min_ms > c.storage_reconnect_max_ms)
    throw config_error("invalid value for storage_reconnect_min_ms: must not exceed "
                       "storage_reconnect_max_ms (" +
                       std::to_string(c.storage_reconnect_max_ms) + ")");
  if (c.pg_restart_min_ms > c.pg_restart_max_ms)
    throw config_error("invalid value for pg_restart_min_ms: must not exceed pg_restart_max_ms (" +
                       std::to_string(c.pg_restart_max_ms) + ")");
  if (c.ws_ping_interval_ms >= c.ws_pong_timeout_ms)
    throw config_error("invalid value for ws_ping_interval_ms: must be below ws_pong_timeout_ms (" +
                       std::to_string(c.ws_pong_timeout_ms) + ")");
  if (c.home.empty())
    throw config_error("invalid value for home: must not be empty");
  if (c.clock_speed_min > c.clock_speed_max)
    throw config_error("invalid value for clock_speed_min: must not exceed clock_speed_max (" +
                       std::to_string(c.clock_speed_max) + ")");
}

} // namespace

std::string listen_address::to_string() const {
  if (host.find(':') != std::string::npos)
    return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

load_result load(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  load_result result;
  std::map<std::string, raw_value> raw;
  for (const auto& k : all_keys())
    raw[k.name] = {k.default_value, value_source::default_value};

  // Command line first into a side table: the file named by --config must be
  // read before flags are applied on top of it.
  std::map<std::string, std::string> flags;
  std::string config_file;
  if (auto it = env.find("NEXUS_CONFIG"); it != env.end())
    config_file = it->second;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool in_subcommand = !result.positional.empty();
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (!in_subcommand && a == "-h") {
        result.what = load_result::action::help;
        continue;
      }
      result.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    std::string key = name;
    for (auto& c : key)
      if (c == '-')
        c = '_';
    auto take_value = [&]() -> std::string {
      if (has_value)
        return value;
      if (i + 1 >= args.size())
        throw config_error("option --" + name + " needs a value");
      return args[++i];
    };
    if (!in_subcommand && (name == "help")) {
      result.what = load_result::action::help;
    } else if (!in_subcommand && name == "version") {
      result.what = load_result::action::version;
    } else if (!in_subcommand && name == "print-config") {
      result.what = load_result::action::print_config;
    } else if (name == "config") {
      config_file = take_value();
    } else if (find_key(key) != nullptr) {
      flags[key] = take_value();
    } else if (in_subcommand) {
      result.positional.push_back(a);
    } else {
      throw config_error("unknown option --" + name + " (see --help)");
    }
  }

  if (!config_file.empty())
    read_file(expand_path(config_file, env), raw);
  for (const auto& k : all_keys())
    if (auto it = env.find(env_name(k.name)); it != env.end())
      raw[k.name] = {it->second, value_source::environment};
  for (auto& [key, value] : flags)
    raw[key] = {value, value_source::flag};

  for (const auto& k : all_keys())
    apply(result.config, k, raw[k.name], env);
  check_relations(result.config);
  return result;
}

std::string help_text(const std::string& program) {
  std::ostringstream out;
  out << "Usage: " << program << " [OPTIONS]            run a broker node in the foreground\n"
      << "       " << program << " --print-config     print the effective config (secrets redacted)\n"
      << "       " << program << " --help | --version\n\n"
      << "Every option can also be set in a JSON config file (--config FILE, or NEXUS_CONFIG)\n"
      << "and in the environment. Precedence: default < file < environment < flag.\n\n"
      << "Options:\n";
  for (const auto& k : all_keys()) {
    std::string flag = flag_name(k.name) + " " +
                       (k.kind == key_kind::integer   ? "N"
                        : k.kind == key_kind::address ? "HOST:PORT"
                        : k.kind == key_kind::path    ? "DIR"
                        : k.kind == key_kind::choice  ? k.choices
                                                      : "TEXT");
    out << "  " << flag;
    if (flag.size() < 40)
      out << std::string(40 - flag.size(), ' ');
    else
      out << "\n  " << std::string(40, ' ');
    out << env_name(k.name) << "\n      " << k.help;
    if (k.kind == key_kind::integer)
      out << " [" << k.min << ".." << k.max << "]";
    out << " (default: " << (k.default_value.empty() ? "none" : k.default_value) << ")\n";
  }
  return out.str();
}

std::string print_config(const node_config& cfg) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& k : all_keys()) {
    w.Key(k.name);
    switch (k.kind) {
      case key_kind::integer:
        w.Int64(cfg.*(k.int_field));
        break;
      case key_kind::address:
        w.String((cfg.*(k.address_field)).to_string());
        break;
      default: {
        const std::string& v = cfg.*(k.text_field);
        if (!k.secret || v.empty())
          w.String(v);
        else if (std::string(k.name) == "database_url")
          w.String(redact_dsn(v));
        else
          w.String("***");
      }
    }
  }
  w.EndObject();
  return std::string(buf.GetString()) + "\n";
}

std::string redact_dsn(const std::string& dsn) {
  std::string out = dsn;
  // URL form: scheme://user:password@host...
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "***");
  }
  // key=value form (also URL query parameters): password=...
  for (size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    bool boundary = pos == 0 || out[pos - 1] == ' ' || out[pos - 1] == '?' || out[pos - 1] == '&';
    pos += 9;
    if (!boundary)
      continue;
    size_t end = pos;
    if (end < out.size() && out[end] == '\'') {
      end = out.find('\'', end + 1);
      end = end == std::string::npos ? out.size() : end + 1;
    } else {
      while (end < out.size() && out[end] != ' ' && out[end] != '&')
        ++end;
    }
    out.replace(pos, end - pos, "***");
  }
  return out;
}

} // namespace nexus::config
