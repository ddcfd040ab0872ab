#include "actors/storage_pool.hpp"

#include "actors/storage_actor.hpp"
#include "actors/storage_messages.hpp"
#include "config/log.hpp"

#include <caf/all.hpp>

#include <stdexcept>

namespace nexus {

storage_pool::storage_pool(caf::actor_system& sys, const config::node_config& cfg,
                           const std::string& dsn, metrics::node_metrics& metrics)
    : sys_(sys) {
  if (cfg.storage_pool_size < 1)
    throw std::invalid_argument("storage_pool_size must be at least 1");
  actors_.reserve(static_cast<size_t>(cfg.storage_pool_size));
  for (size_t i = 0; i < static_cast<size_t>(cfg.storage_pool_size); ++i)
    actors_.push_back(spawn_storage_actor(sys, storage_settings::from(cfg, dsn, i), metrics));
}

storage_pool::~storage_pool() {
  if (!stopped_)
    for (const auto& a : actors_)
      caf::anon_send(a, storage_stop_atom::value);
}

const caf::actor& storage_pool::route(std::string_view key) const {
  return actors_[route_index(key, actors_.size())];
}

bool storage_pool::shutdown(std::chrono::milliseconds deadline) {
  if (stopped_)
    return true;
  stopped_ = true;
  caf::scoped_actor self{sys_};
  for (const auto& a : actors_) {
    self->monitor(a);
    self->send(a, storage_stop_atom::value);
  }
  size_t down = 0;
  bool timed_out = false;
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (down < actors_.size() && !timed_out) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      break;
    self->receive([&](const caf::down_msg&) { ++down; },
                  caf::after(left) >> [&] { timed_out = true; });
  }
  if (down < actors_.size()) {
    log::warn("storage") << (actors_.size() - down) << " storage actor(s) did not stop within "
                         << deadline.count() << " ms; killing them";
    for (const auto& a : actors_)
      self->send_exit(a, caf::exit_reason::kill);
    return false;
  }
  return true;
}

} // namespace nexus
