// PROTOCOL.md §1.9 token bucket semantics: starts full, refill then take,
// state kept on refusal, capped at capacity; rate 0 turns the limit off.
#include "actors/token_bucket.hpp"

#include <doctest/doctest.h>

using namespace nexus;

namespace {
constexpr int64_t t0 = 1'700'000'000'000;
}

TEST_CASE("token_bucket: a burst of capacity succeeds, the next take is refused") {
  token_bucket b(10, 60, t0);
  CHECK(b.tokens() == 10);
  for (int i = 0; i < 10; ++i) {
    CAPTURE(i);
    CHECK(b.try_take(t0));
  }
  CHECK(b.tokens() == 0);
  CHECK_FALSE(b.try_take(t0));
  CHECK(b.tokens() == 0);
}

TEST_CASE("token_bucket: refill is exact with fractional tokens") {
  token_bucket b(1, 60, t0); // one token per second; quarter steps are exact in binary
  CHECK(b.try_take(t0));
  CHECK_FALSE(b.try_take(t0 + 250));
  CHECK(b.tokens() == 0.25);
  CHECK_FALSE(b.try_take(t0 + 500));
  CHECK(b.tokens() == 0.5);
  CHECK_FALSE(b.try_take(t0 + 999));
  CHECK(b.tokens() == doctest::Approx(0.999).epsilon(1e-12));
  CHECK(b.tokens() < 1);
  CHECK(b.try_take(t0 + 1000)); // 0.999 + 0.001: the multiply-first refill reaches 1
  CHECK(b.tokens() == doctest::Approx(0.0).epsilon(1e-12));
}

TEST_CASE("token_bucket: 30 per minute refills one token every 2 s") {
  token_bucket b(30, 30, t0);
  for (int i = 0; i < 30; ++i) REQUIRE(b.try_take(t0));
  CHECK_FALSE(b.try_take(t0 + 1999));
  CHECK(b.try_take(t0 + 2000));
  CHECK_FALSE(b.try_take(t0 + 2000));
}

TEST_CASE("token_bucket: refusal still updates the state (refill is kept)") {
  token_bucket b(2, 60, t0);
  REQUIRE(b.try_take(t0));
  REQUIRE(b.try_take(t0));
  CHECK_FALSE(b.try_take(t0 + 250)); // refill 0.25 kept
  CHECK(b.tokens() == 0.25);
  CHECK(b.last_used_ms() == t0 + 250);
  CHECK_FALSE(b.try_take(t0 + 750)); // refill counted from t0+250: 0.25 + 0.5
  CHECK(b.tokens() == 0.75);
  CHECK(b.try_take(t0 + 1000));      // 0.75 + 0.25 = 1 exactly
  CHECK(b.tokens() == 0);
}

TEST_CASE("token_bucket: refill is capped at capacity") {
  token_bucket b(10, 60, t0);
  REQUIRE(b.try_take(t0));
  CHECK(b.try_take(t0 + 3'600'000)); // an hour later: 9 + 3600 → capped at 10, minus 1
  CHECK(b.tokens() == 9);
  for (int i = 0; i < 9; ++i) REQUIRE(b.try_take(t0 + 3'600'000));
  CHECK_FALSE(b.try_take(t0 + 3'600'000));
}

TEST_CASE("token_bucket: a clock stepping back mints no tokens") {
  token_bucket b(1, 60, t0);
  REQUIRE(b.try_take(t0));
  CHECK_FALSE(b.try_take(t0 - 5000));
  CHECK(b.tokens() == 0);
  CHECK_FALSE(b.try_take(t0 + 500)); // refill counted from t0, not from t0 - 5000
  CHECK(b.tokens() == 0.5);
}

TEST_CASE("token_bucket: rate 0 turns the limit off") {
  token_bucket b(10, 0, t0);
  CHECK(b.limit_off());
  for (int i = 0; i < 1000; ++i) REQUIRE(b.try_take(t0));
  CHECK(b.last_used_ms() == t0);
  token_bucket zero_cap(0, 0, t0);
  CHECK(zero_cap.try_take(t0));
  token_bucket on(0, 60, t0); // capacity 0 with a rate: nothing ever passes
  CHECK_FALSE(on.limit_off());
  CHECK_FALSE(on.try_take(t0 + 60'000));
}

TEST_CASE("token_bucket: last_used_ms and the idle GC rule") {
  constexpr int64_t gc_ms = 10 * 60'000;
  token_bucket b(10, 60, t0);
  CHECK(b.last_used_ms() == t0);
  CHECK_FALSE(b.idle_for(t0 + gc_ms - 1, gc_ms));
  CHECK(b.idle_for(t0 + gc_ms, gc_ms));
  b.try_take(t0 + 1000);
  CHECK(b.last_used_ms() == t0 + 1000);
  CHECK_FALSE(b.idle_for(t0 + gc_ms, gc_ms));
  CHECK(b.idle_for(t0 + 1000 + gc_ms, gc_ms));
}
