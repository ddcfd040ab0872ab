// storage_batch: runs one group-commit transaction over a pg_connection.
//
//   BEGIN
//     SAVEPOINT; calls of request 1; RELEASE      (ROLLBACK TO on its error)
//     SAVEPOINT; calls of request 2; RELEASE
//     ...
//   COMMIT
//
// A request that fails is rolled back to its savepoint and fails alone; the
// others still commit. (A batch of one request needs no savepoint.) Since
// failures are rare, a batch first runs WITHOUT savepoints and pipelined:
// BEGIN, then every statement of the batch and the COMMIT in one libpq
// pipeline, i.e. two round trips per batch whatever its size; only if a
// request fails is the batch rolled back whole and rerun the careful way
// above, a round trip per statement. If the session breaks at any point,
// every request of the batch fails with connection_lost — it may or may
// not have committed — and the caller must drop the connection. If BEGIN
// itself finds the session broken, nothing was attempted: requests fail
// with unavailable and `nothing_attempted` is set, so the caller may
// reconnect and run the batch again. Before running, storage_merge folds
// requests of the same shape (marks, queue inserts of one mesh) into one
// statement each; if a batch with merged requests fails, the careful path
// reruns the original, unmerged requests.
//
// Plain function, no CAF: the storage actor calls it on its own thread with
// the connection it owns.
#pragma once

#include "actors/storage_messages.hpp"
#include "storage/pg_connection.hpp"

#include <string>
#include <vector>

namespace nexus {

/// What happened to one request of a batch.
struct request_outcome {
  storage::storage_errc error = storage::storage_errc::none;
  std::string message; ///< when error != none; never contains the DSN
  db_reply reply;      ///< when error == none
};

struct batch_outcome {
  std::vector<request_outcome> requests; ///< one per input request, same order
  bool connection_lost = false;          ///< the session is gone; reconnect
  bool nothing_attempted = false;        ///< BEGIN failed on a broken session
};

/// Executes `batch` as one transaction on `conn`. Never throws.
batch_outcome execute_batch(storage::pg_connection& conn,
                            const std::vector<const db_request*>& batch);

} // namespace nexus
