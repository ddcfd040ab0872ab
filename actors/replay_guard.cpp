#include "actors/replay_guard.hpp"

#include <cassert>

namespace nexus {

replay_guard::replay_guard(int64_t skew_window_ms, size_t max_entries)
    : retention_ms_(2 * skew_window_ms), max_entries_(max_entries) {
  assert(skew_window_ms >= 0 && max_entries >= 1);
}

void replay_guard::pop_oldest() {
  const sighting& oldest = order_.front();
  auto it = seen_.find(oldest.signature);
  // A later re-sighting (after expiry under a clock that stepped back) owns
  // the map entry now; only the matching sighting may erase it.
  if (it != seen_.end() && it->second == oldest.seen_ms) seen_.erase(it);
  order_.pop_front();
}

void replay_guard::expire(int64_t now_ms) {
  while (!order_.empty() && now_ms - order_.front().seen_ms > retention_ms_) pop_oldest();
}

bool replay_guard::check_and_remember(std::string_view signature_hex, int64_t now_ms) {
  expire(now_ms);
  std::string key(signature_hex);
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');

  auto it = seen_.find(key);
  if (it != seen_.end() && now_ms - it->second <= retention_ms_) return false;

  while (order_.size() >= max_entries_) pop_oldest();
  seen_[key] = now_ms;
  order_.push_back({std::move(key), now_ms});
  assert(seen_.size() <= order_.size() && order_.size() <= max_entries_);
  return true;
}

} // namespace nexus
