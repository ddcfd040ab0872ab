// wait_until: block the calling test thread until a condition holds or a
// deadline passes. Tests wait on conditions, never on sleeps that hope the
// condition is true by then.
//
// Header-only; call from a test thread (never from inside an actor).
#pragma once

#include <chrono>
#include <thread>

namespace nexus::test {

/// Polls `pred` every `poll` until it returns true (→ true) or `deadline` has
/// elapsed (→ false, after one last check). Use as
/// `REQUIRE(wait_until([&] { return x.load(); }, 5s));`.
template <class Predicate>
bool wait_until(Predicate&& pred, std::chrono::milliseconds deadline,
                std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred())
      return true;
    std::this_thread::sleep_for(poll);
  }
  return static_cast<bool>(pred());
}

} // namespace nexus::test
