// actors/replay_guard.hpp: a hello signature seen within the window is
// refused, forgotten after 2·window, and the entry bound is honoured.
#include "actors/replay_guard.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nexus;

namespace {
constexpr int64_t t0 = 1'717'459'200'000;
constexpr int64_t window = 60'000;

std::string sig(int n) {
  std::string s = std::to_string(n);
  return std::string(128 - s.size(), 'a') + s;
}
} // namespace

TEST_CASE("replay_guard: a signature seen within the window is refused") {
  replay_guard g(window, 100);
  CHECK(g.retention_ms() == 2 * window);
  CHECK(g.check_and_remember(sig(1), t0));
  CHECK_FALSE(g.check_and_remember(sig(1), t0));
  CHECK_FALSE(g.check_and_remember(sig(1), t0 + 1000));
  CHECK(g.check_and_remember(sig(2), t0 + 1000));  // other signatures are unaffected
  CHECK(g.size() == 2);
}

TEST_CASE("replay_guard: case does not hide a replay") {
  replay_guard g(window, 100);
  CHECK(g.check_and_remember("abcdef0123", t0));
  CHECK_FALSE(g.check_and_remember("ABCDEF0123", t0 + 1));
}

TEST_CASE("replay_guard: refused through 2·window, accepted after expiry") {
  replay_guard g(window, 100);
  CHECK(g.check_and_remember(sig(1), t0));
  // A hello signed at t0 + window is accepted at t0 and replayable by skew
  // until t0 + 2·window: still refused at exactly that instant.
  CHECK_FALSE(g.check_and_remember(sig(1), t0 + 2 * window));
  CHECK(g.check_and_remember(sig(1), t0 + 2 * window + 1));
  // Remembered again from its new sighting.
  CHECK_FALSE(g.check_and_remember(sig(1), t0 + 2 * window + 2));
  CHECK(g.size() == 1);
}

TEST_CASE("replay_guard: expired entries are dropped, keeping the map small") {
  replay_guard g(window, 1000);
  for (int i = 0; i < 10; ++i) CHECK(g.check_and_remember(sig(i), t0 + i));
  CHECK(g.size() == 10);
  CHECK(g.check_and_remember(sig(100), t0 + 2 * window + 5));  // expires 0..4
  CHECK(g.size() == 6);
  CHECK(g.check_and_remember(sig(0), t0 + 2 * window + 5));
  CHECK_FALSE(g.check_and_remember(sig(9), t0 + 2 * window + 5));
}

TEST_CASE("replay_guard: the bound is honoured by evicting the oldest") {
  replay_guard g(window, 3);
  CHECK(g.check_and_remember(sig(1), t0));
  CHECK(g.check_and_remember(sig(2), t0 + 1));
  CHECK(g.check_and_remember(sig(3), t0 + 2));
  CHECK(g.size() == 3);
  CHECK(g.check_and_remember(sig(4), t0 + 3));  // evicts sig(1)
  CHECK(g.size() == 3);
  CHECK_FALSE(g.check_and_remember(sig(2), t0 + 4));
  CHECK_FALSE(g.check_and_remember(sig(3), t0 + 4));
  CHECK_FALSE(g.check_and_remember(sig(4), t0 + 4));
  CHECK(g.check_and_remember(sig(1), t0 + 4));  // the documented trade-off: forgotten
  CHECK(g.size() == 3);
  for (int i = 10; i < 100; ++i) CHECK(g.check_and_remember(sig(i), t0 + 5));
  CHECK(g.size() == 3);
}

TEST_CASE("replay_guard: a clock stepping back neither forgets nor overflows") {
  replay_guard g(window, 2);
  CHECK(g.check_and_remember(sig(1), t0 + 10 * window));
  CHECK_FALSE(g.check_and_remember(sig(1), t0));  // earlier now: still remembered
  CHECK(g.check_and_remember(sig(2), t0));
  CHECK(g.check_and_remember(sig(3), t0));
  CHECK(g.size() == 2);
}
