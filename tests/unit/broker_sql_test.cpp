// broker_sql without a database: the array-literal helper and the statement
// table (names unique, parameters only as $n, row mapping).
#include "storage/broker_sql.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <stdexcept>
#include <string>

using nexus::storage::pg_text_array;
namespace broker_sql = nexus::storage::broker_sql;

TEST_CASE("pg_text_array quotes every element and escapes quote and backslash") {
  CHECK(pg_text_array({}) == "{}");
  CHECK(pg_text_array({"a"}) == R"({"a"})");
  CHECK(pg_text_array({"a", "b"}) == R"({"a","b"})");
  // Values that are special unquoted: empty, NULL, blanks, separators, braces.
  CHECK(pg_text_array({"", "NULL", " x ", "a,b", "{c}"}) == R"({"","NULL"," x ","a,b","{c}"})");
  CHECK(pg_text_array({R"(say "hi")"}) == R"({"say \"hi\""})");
  CHECK(pg_text_array({R"(C:\dir\)"}) == R"({"C:\\dir\\"})");
  CHECK(pg_text_array({R"(\")"}) == R"({"\\\""})");
  CHECK(pg_text_array({"@team/backend", "#topic", "*"}) == R"({"@team/backend","#topic","*"})");
  CHECK(pg_text_array({"ünï"}) == "{\"ünï\"}"); // UTF-8 passes through untouched
}

TEST_CASE("parse_pg_text_array reads back exactly what pg_text_array wrote") {
  using nexus::storage::parse_pg_text_array;
  const std::vector<std::vector<std::string>> cases = {
      {}, {"a"}, {"a", "b"}, {"", "NULL", " x ", "a,b", "{c}"}, {R"(say "hi")", R"(C:\dir\)", R"(\")"},
      {"ünï", "@g", "*"}};
  for (const auto& v : cases)
    CHECK(parse_pg_text_array(pg_text_array(v)) == std::optional<std::vector<std::string>>(v));
  // Anything else is not ours: refused rather than guessed.
  for (const char* bad : {"", "{", "}", "a", "{a}", R"({"a")", R"({"a",})", R"({"a""b"})", R"({"a"x})",
                          R"({"a\})", R"("a")", R"({,"a"})"})
    CHECK_MESSAGE(!parse_pg_text_array(bad).has_value(), bad);
}

TEST_CASE("pg_text_array refuses a NUL byte") {
  CHECK_THROWS_AS(pg_text_array({std::string("a\0b", 3)}), std::invalid_argument);
}

TEST_CASE("core statements have unique names and use only $n parameters") {
  const auto& all = broker_sql::all_statements();
  REQUIRE(all.size() >= 30);
  std::set<std::string> names;
  for (const auto* s : all) {
    REQUIRE(s != nullptr);
    REQUIRE(s->name != nullptr);
    REQUIRE(s->sql != nullptr);
    CAPTURE(s->name);
    CHECK(std::string(s->name).rfind("core_", 0) == 0);
    CHECK(names.insert(s->name).second);
    std::string sql = s->sql;
    CHECK(sql.find("nexus.") != std::string::npos);  // schema-qualified
    CHECK(sql.find('?') == std::string::npos);        // no other placeholder style
    // Parameters are numbered densely from $1: the highest equals the count.
    std::set<int> used;
    std::regex param_re(R"(\$(\d+))");
    for (auto it = std::sregex_iterator(sql.begin(), sql.end(), param_re);
         it != std::sregex_iterator(); ++it)
      used.insert(std::stoi((*it)[1]));
    if (!used.empty()) {
      CHECK(*used.begin() == 1);
      CHECK(static_cast<size_t>(*used.rbegin()) == used.size());
    }
  }
  CHECK(names.size() == all.size());
}

TEST_CASE("member_from maps columns by name, NULL revoked_at as active") {
  nexus::storage::result_set rs;
  rs.columns = {"id", "mesh_id", "peer_pubkey", "display_name", "role", "role_tag",
                "default_groups", "message_mode", "peer_grants", "created_ms", "revoked_ms",
                "permissions"};
  rs.rows.push_back({"M1", "X1", std::string(64, 'a'), "alice", "admin", std::nullopt, "[]",
                     "push", "{}", "1717459200123", std::nullopt, "{}"});
  rs.rows.push_back({"M2", "X1", std::string(64, 'b'), "bob", "member", "lead", "[\"g\"]",
                     "push", "{}", "1717459200000", "1717459300000", "{\"send\":false}"});
  auto a = nexus::storage::member_from(rs, 0);
  CHECK(a.id == "M1");
  CHECK(a.role == "admin");
  CHECK(a.created_ms == 1717459200123);
  CHECK_FALSE(a.revoked());
  auto b = nexus::storage::member_from(rs, 1);
  CHECK(b.revoked());
  CHECK(*b.revoked_ms == 1717459300000);
  CHECK(b.role_tag == std::optional<std::string>("lead"));
  CHECK(b.default_groups == "[\"g\"]");
  CHECK(b.permissions == "{\"send\":false}");
}
