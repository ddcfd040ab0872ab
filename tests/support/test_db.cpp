#include "tests/support/test_db.hpp"

#include "storage/pg_connection.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

namespace nexus::test {

namespace {
constexpr int64_t admin_connect_timeout_ms = 10000;

std::string random_name() {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t{rd()} << 32) ^ rd());
  char buf[32];
  std::snprintf(buf, sizeof buf, "nexus_test_%016llx", static_cast<unsigned long long>(gen()));
  return buf;
}
} // namespace

std::string admin_url() {
  const char* v = std::getenv("NEXUS_TEST_PG_URL");
  if (!v || !*v)
    FAIL("NEXUS_TEST_PG_URL is not set: this test needs the throwaway PostgreSQL that "
         "scripts/test.sh starts (export NEXUS_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres)");
  return v;
}

std::string with_database(const std::string& url, const std::string& dbname) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) // key=value DSN: a later keyword wins
    return url + " dbname=" + dbname;
  auto path = url.find('/', scheme + 3);
  auto query = url.find('?', scheme + 3);
  if (path == std::string::npos || (query != std::string::npos && path > query)) {
    // No path: insert one before the query string (or at the end).
    auto at = query == std::string::npos ? url.size() : query;
    return url.substr(0, at) + "/" + dbname + url.substr(at);
  }
  auto end = query == std::string::npos ? url.size() : query;
  return url.substr(0, path + 1) + dbname + url.substr(end);
}

test_database::test_database() : admin_url_(admin_url()), name_(random_name()) {
  auto admin = storage::pg_connection::connect(admin_url_, admin_connect_timeout_ms);
  // The name is generated above from hex digits, never from input; DDL
  // cannot take parameters.
  admin.exec_script("CREATE DATABASE " + name_);
  url_ = with_database(admin_url_, name_);
}

test_database::~test_database() {
  try {
    auto admin = storage::pg_connection::connect(admin_url_, admin_connect_timeout_ms);
    admin.exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    // A destructor must not throw; a leaked database on a throwaway server
    // is harmless, but say so.
    std::fprintf(stderr, "test_database: could not drop %s: %s\n", name_.c_str(), e.what());
  }
}

config::node_config test_database::config() const {
  auto cfg = config::load({}, {{"HOME", "/tmp"}}).config;
  cfg.database_url = url_;
  return cfg;
}

} // namespace nexus::test
