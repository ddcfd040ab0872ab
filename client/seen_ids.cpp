#include "client/seen_ids.hpp"

namespace nexus::client {

bool seen_ids::first_time(const std::string& id) {
  if (id.empty())
    return true;
  if (!set_.insert(id).second)
    return false;
  order_.push_back(id);
  while (order_.size() > max_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

} // namespace nexus::client
