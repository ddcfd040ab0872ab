// storage_calls: blocking helpers for tests that talk to storage actors from
// the test thread, plus the actor-system setup they need.
//
// Use only from a test thread (they block on a caf::scoped_actor).
#pragma once

#include "actors/status.hpp"
#include "actors/storage_messages.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include <chrono>
#include <vector>

namespace nexus::test {

/// An actor_system_config for tests: two scheduler threads and the storage
/// error category registered.
struct storage_system_config : caf::actor_system_config {
  storage_system_config();
};

/// The answer to one db_request: a reply or an error (CAF's own errors such
/// as request_timeout included, so a hang shows up as an error, not a stall).
struct call_result {
  bool ok = false;
  db_reply reply;
  caf::error error;
  storage::storage_errc code() const { return storage_errc_of(error); }
};

/// Sends every request at once (in order, from one sender), then collects
/// every answer; each request gives up after `timeout`.
std::vector<call_result> call_all(caf::actor_system& sys,
                                  const std::vector<std::pair<caf::actor, db_request>>& requests,
                                  std::chrono::milliseconds timeout);

/// One request, waited for.
call_result call(caf::actor_system& sys, const caf::actor& storage, db_request request,
                 std::chrono::milliseconds timeout);

/// Asks any actor for its status; fails the current test if it does not
/// answer within `timeout`.
actor_status status_of(caf::actor_system& sys, const caf::actor& actor,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A db_request of one call.
db_request one_call(const storage::statement& stmt, std::vector<storage::param> params = {});

} // namespace nexus::test
