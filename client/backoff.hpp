// backoff: reconnect delays that double from a floor to a ceiling, each
// drawn at random from its upper half ("equal jitter"), so a node that comes
// back is not hit by every client at the same instant, while no delay is
// ever shorter than half the nominal one.
//
// Not thread-safe; one per broker_link.
#pragma once

#include <cstdint>
#include <functional>

namespace nexus::client {

class backoff {
public:
  /// `random(n)` returns a uniform value in [0, n) (randombytes_uniform in
  /// production; a fixed function in tests). REQUIRES: 0 < min_ms <= max_ms.
  backoff(int64_t min_ms, int64_t max_ms, std::function<uint32_t(uint32_t)> random);

  /// The delay before the next attempt; each call doubles the nominal delay
  /// up to the ceiling.
  int64_t next_delay_ms();
  /// After a successful hello: start again from the floor.
  void reset() { attempt_ = 0; }
  int64_t attempts() const { return attempt_; }

private:
  int64_t min_ms_, max_ms_;
  int64_t attempt_ = 0;
  std::function<uint32_t(uint32_t)> random_;
};

} // namespace nexus::client
