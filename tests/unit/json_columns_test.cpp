#include "storage/json_columns.hpp"

#include <doctest/doctest.h>

using namespace nexus::storage;

TEST_CASE("groups round trip, falsy roles dropped, junk entries skipped") {
  group_list g{{"eng/backend", std::string("lead")}, {"all-hands", std::nullopt}};
  CHECK(groups_to_json(g) == R"([{"name":"eng/backend","role":"lead"},{"name":"all-hands"}])");
  CHECK(groups_from_json(groups_to_json(g)) == g);
  auto parsed = groups_from_json(R"([{"name":"a","role":""},{"role":"x"},7,{"name":"b"}])");
  CHECK(parsed == group_list{{"a", std::nullopt}, {"b", std::nullopt}});
  CHECK(groups_from_json("not json").empty());
  CHECK(groups_from_json("{}").empty());
}

TEST_CASE("grants: empty map is no grants; arrays kept, non-strings ignored") {
  CHECK_FALSE(grants_from_json("{}"));
  CHECK_FALSE(grants_from_json("null"));
  auto g = grants_from_json(R"({"abc":["dm",1,"read"],"def":[]})");
  REQUIRE(g);
  CHECK(g->at("abc") == std::vector<std::string>{"dm", "read"});
  CHECK(g->at("def").empty()); // an empty array blocks everything
}

TEST_CASE("string and number maps round trip") {
  string_map s{{"title", "reviewer"}, {"bio", "says \"hi\""}};
  CHECK(strings_from_json(strings_to_json(s)) == s);
  CHECK(strings_from_json(R"({"capabilities":["a","b"]})").at("capabilities") == R"(["a","b"])");
  number_map n{{"messagesIn", 3}, {"errors", 0}};
  CHECK(numbers_from_json(numbers_to_json(n)) == n);
  CHECK(numbers_from_json(R"({"x":1.5,"y":2})") == number_map{{"y", 2}});
}

TEST_CASE("string arrays: non-strings skipped, NULL and junk are empty") {
  CHECK(strings_from_json_array(std::string(R"(["a",1,"b\"c",null])")) ==
        std::vector<std::string>{"a", "b\"c"});
  CHECK(strings_from_json_array(std::nullopt).empty());
  CHECK(strings_from_json_array(std::string("{}")).empty());
  CHECK(strings_from_json_array(std::string("not json")).empty());
}
