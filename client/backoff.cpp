#include "client/backoff.hpp"

#include <algorithm>
#include <limits>

namespace nexus::client {

backoff::backoff(int64_t min_ms, int64_t max_ms, std::function<uint32_t(uint32_t)> random)
    : min_ms_(min_ms), max_ms_(max_ms), random_(std::move(random)) {}

int64_t backoff::next_delay_ms() {
  int64_t nominal = min_ms_;
  for (int64_t i = 0; i < attempt_ && nominal < max_ms_; ++i)
    nominal *= 2;
  nominal = std::min(nominal, max_ms_);
  ++attempt_;
  const int64_t half = nominal / 2;
  const int64_t spread = std::min<int64_t>(nominal - half, std::numeric_limits<uint32_t>::max());
  return half + (spread > 0 ? random_(static_cast<uint32_t>(spread + 1)) : 0);
}

} // namespace nexus::client
