// storage_pool: the node's storage actors (storage_pool_size of them, each
// owning one connection) and the routing of work to them by key.
//
// route(key) hashes the key (the mesh id) with FNV-1a, so one key always hits
// the same actor and work for one mesh is executed in order. The pool is a
// plain object built once at start-up; after construction route() and all()
// only read, so they may be called from any thread. shutdown() blocks the calling
// thread: call it from the node's main thread, never from inside an actor.
#pragma once

#include "config/node_config.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nexus {

/// 64-bit FNV-1a; stable across processes and platforms (unlike std::hash),
/// so every node routes a key the same way.
constexpr uint64_t fnv1a_64(std::string_view data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

/// Index of the actor serving `key` in a pool of `size` (size > 0).
constexpr size_t route_index(std::string_view key, size_t size) {
  return static_cast<size_t>(fnv1a_64(key) % size);
}

class storage_pool {
public:
  /// Spawns cfg.storage_pool_size storage actors on `dsn` (each connects
  /// before handling its first message). `metrics` must outlive the pool.
  storage_pool(caf::actor_system& sys, const config::node_config& cfg, const std::string& dsn,
               metrics::node_metrics& metrics);
  /// Stops the actors if shutdown() was not called (without waiting), so the
  /// actor system can shut down.
  ~storage_pool();
  storage_pool(const storage_pool&) = delete;
  storage_pool& operator=(const storage_pool&) = delete;

  /// The actor for `key`; the same key always gives the same actor.
  const caf::actor& route(std::string_view key) const;
  const std::vector<caf::actor>& all() const { return actors_; }
  size_t size() const { return actors_.size(); }

  /// Asks every actor to commit what it has queued and quit, then waits until
  /// all have terminated or `deadline` has passed. Returns true when all
  /// terminated in time; otherwise the stragglers are killed and false is
  /// returned. Idempotent.
  bool shutdown(std::chrono::milliseconds deadline);

private:
  caf::actor_system& sys_;
  std::vector<caf::actor> actors_;
  bool stopped_ = false;
};

} // namespace nexus
