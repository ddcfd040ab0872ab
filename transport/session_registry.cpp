#include "transport/session_registry.hpp"

#include <boost/asio/post.hpp>

namespace nexus::transport {

namespace net = boost::asio;

session_registry::session_registry(net::io_context& ioc) : strand_(net::make_strand(ioc)) {}

void session_registry::remember(uint64_t id, std::weak_ptr<session_base> session) {
  net::post(strand_, [this, id, session = std::move(session)]() mutable {
    if (closing_) {
      if (auto s = session.lock())
        s->shutdown(abort_at_);
      return;
    }
    sessions_.emplace(id, std::move(session));
  });
}

void session_registry::forget(uint64_t id) {
  net::post(strand_, [this, id] { sessions_.erase(id); });
}

void session_registry::close_all(std::chrono::steady_clock::time_point abort_at) {
  net::post(strand_, [this, abort_at] {
    closing_ = true;
    abort_at_ = abort_at;
    for (auto& [id, weak] : sessions_)
      if (auto s = weak.lock())
        s->shutdown(abort_at);
    sessions_.clear();
  });
}

} // namespace nexus::transport
