#include "actors/token_bucket.hpp"

#include <algorithm>
#include <cassert>

namespace nexus {

token_bucket::token_bucket(double capacity, double refill_per_min, int64_t now_ms)
    : capacity_(capacity),
      refill_per_min_(refill_per_min),
      tokens_(capacity),
      last_refill_ms_(now_ms),
      last_used_ms_(now_ms) {
  assert(capacity >= 0 && refill_per_min >= 0);
}

bool token_bucket::try_take(int64_t now_ms) {
  last_used_ms_ = now_ms;
  if (limit_off()) return true;
  if (now_ms > last_refill_ms_) {
    // Multiply before dividing: integral elapsed × integral rate stays exact,
    // so e.g. 500 ms at 60/min yields exactly 0.5.
    const double elapsed_ms = static_cast<double>(now_ms - last_refill_ms_);
    tokens_ = std::min(capacity_, tokens_ + elapsed_ms * refill_per_min_ / 60000.0);
    last_refill_ms_ = now_ms;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

} // namespace nexus
