// session_gate: lets threads outside the gateway (CAF workers) reach a
// ws_session only while the gateway's io_context still exists.
//
// Why: an actor-side call locks the session's weak_ptr and posts onto its
// strand. If the gateway stopped meanwhile, that thread could post into a
// destroyed io_context, or end up holding the last reference and run the
// session's destructor after the io_context it refers to is gone (seen as a
// heap-use-after-free under ASan at shutdown). Every such call runs inside
// with_open(); gateway::stop() closes the gate after the I/O threads joined
// and before the io_context is destroyed, waiting for calls in flight.
//
// Thread-safety: any thread. The lock guards only this lifecycle flag, never
// domain state; callers hold it for a weak_ptr lock and one post.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace nexus::transport {

class session_gate {
public:
  /// Runs f() (under a shared lock) unless the gate is closed.
  template <class F>
  void with_open(F&& f) {
    std::shared_lock lock(mutex_);
    if (open_)
      f();
  }
  /// Waits for calls in flight; afterwards with_open() runs nothing.
  void close() {
    std::unique_lock lock(mutex_);
    open_ = false;
  }

private:
  std::shared_mutex mutex_;
  bool open_ = true;
};

} // namespace nexus::transport
