#include "tests/support/storage_calls.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

namespace nexus::test {

storage_system_config::storage_system_config() {
  set("scheduler.max-threads", 2);
  register_storage_errors(*this);
}

std::vector<call_result> call_all(caf::actor_system& sys,
                                  const std::vector<std::pair<caf::actor, db_request>>& requests,
                                  std::chrono::milliseconds timeout) {
  caf::scoped_actor self{sys};
  using handle_t = decltype(self->request(caf::actor{}, timeout, db_request{}));
  std::vector<handle_t> handles;
  handles.reserve(requests.size());
  for (const auto& [actor, req] : requests)
    handles.push_back(self->request(actor, timeout, req));
  std::vector<call_result> out(requests.size());
  for (size_t i = 0; i < handles.size(); ++i) {
    handles[i].receive(
        [&](db_reply& reply) {
          out[i].ok = true;
          out[i].reply = std::move(reply);
        },
        [&](caf::error& err) { out[i].error = std::move(err); });
  }
  return out;
}

call_result call(caf::actor_system& sys, const caf::actor& storage, db_request request,
                 std::chrono::milliseconds timeout) {
  return call_all(sys, {{storage, std::move(request)}}, timeout).at(0);
}

actor_status status_of(caf::actor_system& sys, const caf::actor& actor,
                       std::chrono::milliseconds timeout) {
  caf::scoped_actor self{sys};
  actor_status out;
  std::string failure;
  self->request(actor, timeout, status_atom::value)
      .receive([&](actor_status& s) { out = std::move(s); },
               [&](caf::error& err) { failure = sys.render(err); });
  if (!failure.empty())
    FAIL("status request failed: " << failure);
  return out;
}

db_request one_call(const storage::statement& stmt, std::vector<storage::param> params) {
  return db_request{{db_call{&stmt, std::move(params)}}};
}

} // namespace nexus::test
