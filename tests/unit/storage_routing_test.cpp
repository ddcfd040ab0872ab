// Pure logic of the storage pool: stable hashing and routing, reconnect backoff.
#include "actors/storage_actor.hpp"
#include "actors/storage_pool.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace nexus;

TEST_CASE("fnv1a_64 matches the published test vectors") {
  // Reference values of the 64-bit FNV-1a specification (isthe.com/chongo/tech/comp/fnv).
  CHECK(fnv1a_64("") == 0xcbf29ce484222325ull);
  CHECK(fnv1a_64("a") == 0xaf63dc4c8601ec8cull);
  CHECK(fnv1a_64("foobar") == 0x85944171f73967e8ull);
  static_assert(fnv1a_64("a") == 0xaf63dc4c8601ec8cull, "usable at compile time");
}

TEST_CASE("route_index is stable and in range") {
  // Pinned values: a change here would move meshes between storage actors
  // (and break per-mesh ordering across a rolling upgrade).
  CHECK(route_index("mesh-1", 4) == fnv1a_64("mesh-1") % 4);
  CHECK(route_index("", 1) == 0);
  for (size_t n : {1u, 2u, 3u, 4u, 7u, 64u}) {
    for (int i = 0; i < 200; ++i) {
      auto key = "mesh-" + std::to_string(i);
      auto idx = route_index(key, n);
      CHECK(idx < n);
      CHECK(route_index(key, n) == idx);
    }
  }
}

TEST_CASE("route_index spreads keys over every actor") {
  const size_t n = 4;
  std::vector<int> hits(n, 0);
  for (int i = 0; i < 1000; ++i)
    ++hits[route_index("mesh-" + std::to_string(i), n)];
  for (size_t i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(hits[i] > 150); // 250 expected; a broken hash piles keys on one actor
  }
}

TEST_CASE("reconnect backoff doubles from min and stops at max") {
  CHECK(next_reconnect_delay_ms(100, 100, 5000) == 200);
  CHECK(next_reconnect_delay_ms(200, 100, 5000) == 400);
  CHECK(next_reconnect_delay_ms(4000, 100, 5000) == 5000);
  CHECK(next_reconnect_delay_ms(5000, 100, 5000) == 5000);
  CHECK(next_reconnect_delay_ms(0, 100, 5000) == 100);
  CHECK(next_reconnect_delay_ms(100, 100, 50) == 100); // max below min: min wins
  int64_t d = 1;
  for (int i = 0; i < 100; ++i)
    d = next_reconnect_delay_ms(d, 1, 600000); // no overflow past the ceiling
  CHECK(d == 600000);
}
