// seen_ids: the message ids a client has already handed on, bounded, so a
// push the broker delivers again (at-least-once, §3.9: after a reconnect, a
// claim that expired, a DM to a member key reaching two of its sessions) is
// dropped instead of shown twice. The oldest id is forgotten first.
//
// Not thread-safe; one per broker_link.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_set>

namespace nexus::client {

class seen_ids {
public:
  explicit seen_ids(size_t max) : max_(max) {}
  /// True the first time `id` is offered (and remembers it); false for a
  /// repeat. An empty id is never a repeat (system pushes may lack one).
  bool first_time(const std::string& id);
  size_t size() const { return set_.size(); }

private:
  size_t max_;
  std::deque<std::string> order_;
  std::unordered_set<std::string> set_;
};

} // namespace nexus::client
