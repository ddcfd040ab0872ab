// test_database: a fresh, empty PostgreSQL database for one test, created on
// the throwaway server named by NEXUS_TEST_PG_URL (a superuser URL that the
// test script exports) and dropped WITH (FORCE) when the object goes away.
//
// When NEXUS_TEST_PG_URL is unset the constructor fails the current doctest
// test case with a clear message: a pg test never passes silently without a
// database. Not thread-safe; create and destroy it on the test thread.
#pragma once

#include "config/node_config.hpp"

#include <string>

namespace nexus::test {

/// The value of NEXUS_TEST_PG_URL; fails the current test if unset or empty.
std::string admin_url();

/// `url` pointing at database `dbname` instead of the one it names. Works
/// for URLs (postgresql://u@h:p/db?opts) and key=value DSNs.
std::string with_database(const std::string& url, const std::string& dbname);

class test_database {
public:
  test_database();
  ~test_database();
  test_database(const test_database&) = delete;
  test_database& operator=(const test_database&) = delete;

  /// Database name, e.g. "nexus_test_3f9a1c0d2b7e4a51".
  const std::string& name() const { return name_; }
  /// Connection URL of this database (superuser, like NEXUS_TEST_PG_URL).
  const std::string& url() const { return url_; }
  /// Default node config (HOME=/tmp) with database_url set to url().
  config::node_config config() const;

private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

} // namespace nexus::test
