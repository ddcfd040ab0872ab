// A token bucket with the exact semantics of PROTOCOL.md §1.9 (test parity
// with the reference): it starts full; each take first refills
//   tokens = min(capacity, tokens + elapsed_ms * refill_per_min / 60000)
// then fails if tokens < 1 (the refill is kept: state is updated even on
// failure), else spends one token. Fractional tokens are kept.
//
// refill_per_min == 0 means "limit off": every take succeeds and no tokens
// are counted (config send_rate_per_min = 0 disables the send limit).
//
// The time source is the caller's (Unix or monotonic ms, but one per bucket).
// A clock that steps back refills nothing until it passes the last take again,
// so clock games never mint tokens.
//
// last_used_ms() is the time of the last take (or of creation) and drives
// the "untouched for 10 min → garbage-collect" rule (idle_for()).
//
// Thread-safety: a plain value; the owning actor keeps its buckets.
#pragma once

#include <cstdint>

namespace nexus {

class token_bucket {
public:
  /// REQUIRES: capacity >= 0, refill_per_min >= 0.
  token_bucket(double capacity, double refill_per_min, int64_t now_ms);

  /// One take at now_ms; true when a token was spent (or the limit is off).
  bool try_take(int64_t now_ms);

  /// True when nobody took from the bucket for at least idle_ms.
  bool idle_for(int64_t now_ms, int64_t idle_ms) const { return now_ms - last_used_ms_ >= idle_ms; }

  bool limit_off() const { return refill_per_min_ == 0; }
  double tokens() const { return tokens_; }
  double capacity() const { return capacity_; }
  double refill_per_min() const { return refill_per_min_; }
  int64_t last_used_ms() const { return last_used_ms_; }

private:
  double capacity_;
  double refill_per_min_;
  double tokens_;            ///< starts at capacity
  int64_t last_refill_ms_;   ///< the latest time refill was computed up to
  int64_t last_used_ms_;     ///< time of the last take, for GC
};

} // namespace nexus
