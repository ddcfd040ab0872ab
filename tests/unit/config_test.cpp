#include "config/config_keys.hpp"
#include "config/node_config.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace nexus::config;

namespace {

const std::map<std::string, std::string> base_env{{"HOME", "/home/tester"}};

std::string temp_file(const std::string& content) {
  char path[] = "/tmp/nexus-config-test-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << content;
  return path;
}

std::string error_of(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = base_env) {
  try {
    load(args, env);
  } catch (const config_error& e) {
    return e.what();
  }
  return {};
}

} // namespace

TEST_CASE("defaults") {
  auto r = load({}, base_env);
  CHECK(r.what == load_result::action::run);
  CHECK(r.config.home == "/home/tester/.nexus");
  CHECK(r.config.listen.host == "127.0.0.1"); // loopback only unless configured
  CHECK(r.config.listen.port == 7900);
  CHECK(r.config.frame_bytes_max == 65536);
  CHECK(r.config.embedded_database());
  CHECK(r.config.sources.at("listen") == value_source::default_value);
}

TEST_CASE("precedence: default < file < environment < flag") {
  auto file = temp_file(R"({"frame_bytes_max": 2000, "json_depth_max": 10, "storage_pool_size": 3})");
  auto env = base_env;
  env["NEXUS_JSON_DEPTH_MAX"] = "11";
  env["NEXUS_STORAGE_POOL_SIZE"] = "5";
  auto r = load({"--config", file, "--storage-pool-size", "7"}, env);
  CHECK(r.config.frame_bytes_max == 2000);  // file beats default
  CHECK(r.config.json_depth_max == 11);     // env beats file
  CHECK(r.config.storage_pool_size == 7);   // flag beats env
  CHECK(r.config.sources.at("frame_bytes_max") == value_source::file);
  CHECK(r.config.sources.at("json_depth_max") == value_source::environment);
  CHECK(r.config.sources.at("storage_pool_size") == value_source::flag);
  std::remove(file.c_str());
}

TEST_CASE("NEXUS_CONFIG names the file; --flag=value form; --home and NEXUS_HOME") {
  auto file = temp_file(R"({"listen": "127.0.0.1:0"})");
  auto env = base_env;
  env["NEXUS_CONFIG"] = file;
  env["NEXUS_HOME"] = "/srv/nexus/";
  auto r = load({"--log-level=debug"}, env);
  CHECK(r.config.listen.port == 0);
  CHECK(r.config.home == "/srv/nexus");
  CHECK(r.config.log_level == "debug");
  CHECK(load({"--home", "/x"}, env).config.home == "/x");
  std::remove(file.c_str());
}

TEST_CASE("every key has an env var and a flag, and --help lists them with defaults") {
  auto help = help_text("nexusd");
  for (const auto& k : all_keys()) {
    std::string flag = "--";
    std::string env = "NEXUS_";
    for (char c : std::string(k.name)) {
      flag += c == '_' ? '-' : c;
      env += static_cast<char>(toupper(c));
    }
    CHECK_MESSAGE(help.find(flag) != std::string::npos, flag);
    CHECK_MESSAGE(help.find(env) != std::string::npos, env);
    // env and flag both reach the key
    auto e = base_env;
    e[env] = k.default_value;
    CHECK_NOTHROW(load({}, e));
    CHECK_NOTHROW(load({flag, k.default_value}, base_env));
  }
  CHECK(help.find("(default: 127.0.0.1:7900)") != std::string::npos);
}

TEST_CASE("limits are named with their unit") {
  for (const auto& k : all_keys()) {
    if (k.kind != key_kind::integer)
      continue;
    std::string n = k.name;
    bool has_unit = n.find("_ms") != std::string::npos || n.find("_bytes") != std::string::npos ||
                    n.find("_max") != std::string::npos || n.find("_size") != std::string::npos ||
                    n.find("_threads") != std::string::npos || n.find("_burst") != std::string::npos ||
                    n.find("_per_min") != std::string::npos ||
                    n.find("_speed_") != std::string::npos; // a multiple of real time
    CHECK_MESSAGE(has_unit, n);
  }
}

TEST_CASE("invalid values name the key") {
  CHECK(error_of({"--frame-bytes-max", "abc"}).find("frame_bytes_max") != std::string::npos);
  CHECK(error_of({"--frame-bytes-max", "12x"}).find("not an integer") != std::string::npos);
  CHECK(error_of({"--frame-bytes-max", "99999999999999999999"}).find("out of range") !=
        std::string::npos);
  CHECK(error_of({"--log-level", "loud"}).find("log_level") != std::string::npos);
  CHECK(error_of({"--listen", "7900"}).find("listen") != std::string::npos);
  CHECK(error_of({"--listen", "127.0.0.1:70000"}).find("65535") != std::string::npos);
  CHECK(error_of({"--listen", ":7900"}).find("no host") != std::string::npos);
  CHECK(error_of({"--no-such-flag"}).find("unknown option --no-such-flag") != std::string::npos);
  CHECK(error_of({"--storage-pool-size"}).find("needs a value") != std::string::npos);
  auto env = base_env;
  env["NEXUS_IO_THREADS"] = "0";
  auto e = error_of({}, env);
  CHECK(e.find("io_threads") != std::string::npos);
  CHECK(e.find("environment") != std::string::npos);
}

TEST_CASE("limit parsing at the edges") {
  const key_spec* k = find_key("frame_bytes_max");
  REQUIRE(k != nullptr);
  auto at = [](int64_t v) { return std::vector<std::string>{"--frame-bytes-max", std::to_string(v)}; };
  CHECK(load(at(k->min), base_env).config.frame_bytes_max == k->min);
  CHECK(load(at(k->max), base_env).config.frame_bytes_max == k->max);
  CHECK_THROWS_AS(load(at(k->min - 1), base_env), config_error);
  CHECK_THROWS_AS(load(at(k->max + 1), base_env), config_error);
  CHECK_THROWS_AS(load({"--frame-bytes-max", "-5"}, base_env), config_error);
  CHECK_THROWS_AS(load({"--frame-bytes-max", ""}, base_env), config_error);
}

TEST_CASE("relations between limits are checked") {
  CHECK(error_of({"--storage-reconnect-min-ms", "9000", "--storage-reconnect-max-ms", "100"})
            .find("storage_reconnect_min_ms") != std::string::npos);
  CHECK(error_of({"--ws-ping-interval-ms", "80000"}).find("ws_ping_interval_ms") !=
        std::string::npos);
}

TEST_CASE("config file errors") {
  auto bad_json = temp_file("{not json");
  CHECK(error_of({"--config", bad_json}).find("not valid JSON") != std::string::npos);
  auto unknown = temp_file(R"({"frame_bytes": 1})");
  CHECK(error_of({"--config", unknown}).find("unknown key frame_bytes") != std::string::npos);
  auto wrong_type = temp_file(R"({"storage_pool_size": [1]})");
  CHECK(error_of({"--config", wrong_type}).find("storage_pool_size") != std::string::npos);
  CHECK(error_of({"--config", "/nonexistent/x.json"}).find("cannot read") != std::string::npos);
  for (auto* f : {&bad_json, &unknown, &wrong_type})
    std::remove(f->c_str());
}

TEST_CASE("actions and subcommand pass-through") {
  CHECK(load({"--help"}, base_env).what == load_result::action::help);
  CHECK(load({"--print-config"}, base_env).what == load_result::action::print_config);
  auto r = load({"member", "add", "--mesh", "M1", "--home", "/h", "--pubkey", "ab"}, base_env);
  CHECK(r.config.home == "/h"); // config keys still apply after a subcommand
  CHECK(r.positional ==
        std::vector<std::string>{"member", "add", "--mesh", "M1", "--pubkey", "ab"});
}

TEST_CASE("print-config redacts secrets") {
  auto r = load({"--database-url", "postgresql://nexus:s3cret@db.example/nexus"}, base_env);
  auto out = print_config(r.config);
  CHECK(out.find("s3cret") == std::string::npos);
  CHECK(out.find("postgresql://nexus:***@db.example/nexus") != std::string::npos);
  CHECK(out.find("\"listen\":\"127.0.0.1:7900\"") != std::string::npos);
}

TEST_CASE("redact_dsn handles URL and key=value forms") {
  CHECK(redact_dsn("host=/tmp port=5 password=hunter2 user=x") == "host=/tmp port=5 password=*** user=x");
  CHECK(redact_dsn("host=h password='a b' dbname=d") == "host=h password=*** dbname=d");
  CHECK(redact_dsn("postgres://u:p@h:5/d?sslmode=require&password=q") ==
        "postgres://u:***@h:5/d?sslmode=require&password=***");
  CHECK(redact_dsn("postgresql://u@h/d") == "postgresql://u@h/d");
  CHECK(redact_dsn("host=h mypassword=x") == "host=h mypassword=x");
}

TEST_CASE("actor_idle_polls_max: 0 (block at once) up to 100000, default 0") {
  CHECK(load({}, base_env).config.actor_idle_polls_max == 0);
  CHECK(load({"--actor-idle-polls-max", "0"}, base_env).config.actor_idle_polls_max == 0);
  CHECK(load({"--actor-idle-polls-max", "100000"}, base_env).config.actor_idle_polls_max == 100000);
  CHECK(error_of({"--actor-idle-polls-max", "100001"}).find("actor_idle_polls_max") != std::string::npos);
  CHECK(error_of({"--actor-idle-polls-max", "-1"}).find("actor_idle_polls_max") != std::string::npos);
}
