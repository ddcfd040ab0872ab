// The status sub-protocol every actor answers (for the inspector and the
// operator console): `request(actor, timeout, status_atom::value)` replies
// with an actor_status. Actors fill it from their own state; mailbox length
// can only be read inside the actor (CAF 0.17), which is why it is asked.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace nexus {

/// Wall-clock Unix milliseconds, as actor_status::last_activity_ms reports it.
inline int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using status_atom = caf::atom_constant<caf::atom("status")>;

struct actor_status {
  std::string kind;               ///< e.g. "storage", "connection", "pg_supervisor"
  std::string id;                 ///< unique within its kind
  std::string mesh;               ///< mesh id, empty when not mesh-bound
  uint64_t mailbox = 0;           ///< messages waiting
  uint64_t handled = 0;           ///< messages processed so far
  int64_t last_activity_ms = 0;   ///< Unix ms of the last handled message
  std::map<std::string, int64_t> figures; ///< kind-specific numbers
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_status& x) {
  return f(caf::meta::type_name("actor_status"), x.kind, x.id, x.mesh, x.mailbox, x.handled,
           x.last_activity_ms, x.figures);
}

} // namespace nexus
