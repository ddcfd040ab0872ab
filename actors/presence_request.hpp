// presence_request: one request frame that the presence actor answers from
// the mesh's storage actor — who asks, its _reqId, how to finish — and the
// one way such a request runs its statements. Shared by the collaboration
// areas (actors/collab.cpp) and schedules (actors/schedule_requests.cpp).
//
// Internal to actors/. Runs on the presence actor's thread only.
#pragma once

#include "actors/audit.hpp"
#include "actors/presence_state.hpp"
#include "actors/storage_messages.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace nexus {

using on_rows = std::function<void(presence_actor_t*, db_reply&)>;

struct request_ctx {
  presence_actor_t* self;
  std::optional<std::string> req_id;
  std::function<void()> done;  ///< called exactly once, after the reply
  const char* area = "collab"; ///< log component

  presence_state& st() const { return self->state; }
  void reply(std::string frame) const { self->state.sink->send(std::move(frame)); }
  /// An error frame echoing the request's _reqId.
  void error(std::string_view code, std::string_view message) const;
  /// `mutation` with its audit entry, the caller as the actor.
  db_call audited(db_call mutation, std::string event, std::string payload) const;
};

/// Runs `req` on the mesh's storage actor; `then` sees the committed rows,
/// then `done` runs. A storage failure is answered with `unavailable`
/// (never a silent drop).
void run(const request_ctx& c, db_request req, on_rows then);

} // namespace nexus
