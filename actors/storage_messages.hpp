// storage_messages: the protocol of the storage actors (storage_actor.hpp).
//
//   request(storage, timeout, db_request{...}) → db_reply | caf::error
//
// A db_request is a unit of work: all its calls commit together or fail
// together (a group-commit transaction; a request that fails is isolated by
// rerunning the batch with a SAVEPOINT per request, storage_batch.hpp), and
// its reply arrives only after COMMIT. Errors
// are caf::error values of the "storage" category whose code is a
// storage::storage_errc (see storage_errc_of).
//
// These types are local-only (they carry pointers to statement constants), so
// they are CAF_ALLOW_UNSAFE_MESSAGE_TYPE and must never be sent to another
// node. Plain values; safe to copy between threads.
#pragma once

#include "storage/pg_connection.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>

#include <string>
#include <vector>

namespace nexus {

/// One statement execution. `stmt` points at a statement constant with
/// static storage duration (the SQL you can find next to its caller).
struct db_call {
  const storage::statement* stmt = nullptr;
  std::vector<storage::param> params; ///< $1..$n in text format
};

/// Calls executed in order in one SAVEPOINT: all commit or none does.
struct db_request {
  std::vector<db_call> calls;
};

/// One result_set per call, in the order of db_request::calls.
struct db_reply {
  std::vector<storage::result_set> results;
};

/// Category of storage errors in caf::error.
using storage_error_atom = caf::atom_constant<caf::atom("storage")>;
/// Tells a storage actor to commit what is queued before it, then quit.
using storage_stop_atom = caf::atom_constant<caf::atom("db_stop")>;

/// Registers the "storage" error category so caf::to_string(error) prints
/// e.g. "storage: connection_lost (exec insert_msg: server closed...)".
void register_storage_errors(caf::actor_system_config& cfg);

/// The storage_errc carried by `err`, or storage_errc::none when `err` is
/// empty or of another category.
storage::storage_errc storage_errc_of(const caf::error& err);

/// The context string a storage error carries (empty if none).
std::string storage_error_context(const caf::error& err);

namespace storage {

/// A caf::error of the storage category. Lives in namespace storage so that
/// an unqualified `make_error(storage_errc::x, "...")` finds it by ADL.
caf::error make_error(storage_errc code, std::string context = {});

} // namespace storage
} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::db_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::db_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::db_reply)
