#include "actors/storage_batch.hpp"

#include "actors/storage_merge.hpp"

#include "storage/message_batch_sql.hpp"

#include <algorithm>
#include <optional>

namespace nexus {

using storage::storage_errc;
using storage::storage_error;

namespace {

/// Fails every request with the same error (and marks the session as lost
/// when it is).
void fail_all(batch_outcome& out, storage::pg_connection& conn, storage_errc code,
              const std::string& why) {
  for (auto& r : out.requests) {
    r.error = code;
    r.message = why;
    r.reply = {};
  }
  out.connection_lost = !conn.ok();
}

db_reply run_calls(storage::pg_connection& conn, const db_request& req) {
  db_reply reply;
  reply.results.reserve(req.calls.size());
  for (const auto& call : req.calls) {
    if (!call.stmt)
      throw storage_error(storage_errc::query_failed, "db_call without a statement");
    reply.results.push_back(conn.exec(*call.stmt, call.params));
  }
  return reply;
}

/// BEGIN; on failure every request gets the error (nothing was attempted
/// when the session turned out broken, so the caller may retry).
bool begin(storage::pg_connection& conn, batch_outcome& out) {
  try {
    conn.exec_script("BEGIN");
    return true;
  } catch (const std::exception& e) {
    if (!conn.ok()) {
      fail_all(out, conn, storage_errc::unavailable, e.what());
      out.nothing_attempted = true;
    } else {
      fail_all(out, conn, storage_errc::query_failed, e.what());
    }
    return false;
  }
}

/// COMMIT, mapping its failure onto every request that had succeeded.
void commit(storage::pg_connection& conn, batch_outcome& out) {
  try {
    conn.exec_script("COMMIT");
  } catch (const std::exception& e) {
    // Lost during COMMIT: the outcome is unknown (connection_lost). A COMMIT
    // refused on a live session (e.g. a deferred constraint) rolled back
    // everything; report its own error, which is definite.
    storage_errc code = storage_errc::connection_lost;
    if (conn.ok())
      if (auto* se = dynamic_cast<const storage_error*>(&e))
        code = se->code();
    for (auto& r : out.requests)
      if (r.error == storage_errc::none) {
        r.error = code;
        r.message = e.what();
        r.reply = {};
      }
    out.connection_lost = !conn.ok();
  }
}

/// The careful path: one SAVEPOINT per request so a failing one fails alone.
batch_outcome run_isolated(storage::pg_connection& conn,
                           const std::vector<const db_request*>& batch) {
  batch_outcome out;
  out.requests.resize(batch.size());
  if (!begin(conn, out))
    return out;

  // With one request the transaction is its savepoint: save two round trips.
  const bool savepoints = batch.size() > 1;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& result = out.requests[i];
    try {
      if (savepoints)
        conn.exec_script("SAVEPOINT nexus_request");
      result.reply = run_calls(conn, *batch[i]);
      if (savepoints)
        conn.exec_script("RELEASE SAVEPOINT nexus_request");
      continue;
    } catch (const storage_error& e) {
      result.error = e.code();
      result.message = e.what();
    } catch (const std::exception& e) { // e.g. bad_alloc; never let it escape
      result.error = storage_errc::query_failed;
      result.message = e.what();
    }
    if (!conn.ok()) {
      fail_all(out, conn, storage_errc::connection_lost, result.message);
      return out;
    }
    try {
      if (!savepoints) {
        conn.exec_script("ROLLBACK");
        return out; // the only request failed; nothing to commit
      }
      conn.exec_script("ROLLBACK TO SAVEPOINT nexus_request; RELEASE SAVEPOINT nexus_request");
    } catch (const std::exception& e) {
      // Could not undo one request: the transaction cannot be trusted.
      fail_all(out, conn, conn.ok() ? storage_errc::query_failed : storage_errc::connection_lost,
               e.what());
      if (conn.ok()) {
        try {
          conn.exec_script("ROLLBACK");
        } catch (const std::exception&) {
          out.connection_lost = true; // state unknown: have the caller reconnect
        }
      }
      return out;
    }
  }

  commit(conn, out);
  return out;
}

/// ROLLBACK of the whole transaction on a live session, so that the batch
/// can be rerun; false (every request failed, reconnect) if even that fails.
bool rollback(storage::pg_connection& conn, batch_outcome& out) {
  try {
    conn.exec_script("ROLLBACK");
    return true;
  } catch (const std::exception& e) {
    fail_all(out, conn, conn.ok() ? storage_errc::query_failed : storage_errc::connection_lost,
             e.what());
    out.connection_lost = true; // state unknown: have the caller reconnect
    return false;
  }
}

/// COMMIT as a statement, so that it can end a pipeline.
const storage::statement commit_statement{"nexus_batch_commit", "COMMIT"};
/// BEGIN as a statement, so that the head locks can follow it in a pipeline.
const storage::statement begin_statement{"nexus_batch_begin", "BEGIN"};

enum class begun { ok, failed, rerun };

/// BEGIN; with links, also the head lock of every mesh the batch may
/// append to (plan.head_locks, in mesh order) in the same round trip, then
/// the node's links over the heads it returned, stamped with the server's
/// clock. On `failed`, `out` holds the outcome; `rerun` means rolled back
/// on a live session: run the batch the careful way.
begun begin_linked(storage::pg_connection& conn, batch_outcome& out, const merged_batch* plan) {
  if (!plan || plan->links.empty())
    return begin(conn, out) ? begun::ok : begun::failed;
  std::vector<std::vector<storage::param>> lock_params;
  lock_params.reserve(plan->head_locks.size());
  std::vector<storage::pipeline_call> calls{{&begin_statement, nullptr}};
  for (const auto& mesh : plan->head_locks) {
    lock_params.push_back({mesh});
    calls.push_back({&storage::message_batch_sql::lock_audit_head, &lock_params.back()});
  }
  auto done = conn.exec_pipeline(calls);
  // The lock result of `mesh` (results[0] is BEGIN's), if it returned a head.
  auto head_of = [&](const std::string& mesh) -> const storage::result_set* {
    const auto& locks = plan->head_locks;
    auto at = std::lower_bound(locks.begin(), locks.end(), mesh);
    if (at == locks.end() || *at != mesh)
      return nullptr;
    const auto& rs = done.results.at(1 + static_cast<size_t>(at - locks.begin()));
    return rs.rows.size() == 1 && rs.at(0, "last_hash") && rs.at(0, "now_ms") ? &rs : nullptr;
  };
  bool linked = !done.error;
  for (size_t i = 0; linked && i < plan->links.size(); ++i) {
    const auto* head = head_of(plan->links[i].mesh);
    linked = head != nullptr;
    if (linked)
      link_chain(plan->links[i], *head->at(0, "last_hash"), std::stoll(*head->at(0, "now_ms")));
  }
  if (linked)
    return begun::ok;
  // No COMMIT was sent, so nothing of the batch can have committed: a
  // session lost here (or while rolling back) leaves nothing attempted.
  const std::string why = done.error ? done.error->what() : "no head returned by lock_audit_head";
  if (conn.ok()) {
    try {
      conn.exec_script("ROLLBACK");
      return begun::rerun;
    } catch (const std::exception&) {
    }
  }
  fail_all(out, conn, storage_errc::unavailable, why);
  out.nothing_attempted = !conn.ok();
  out.connection_lost = true; // a live session that cannot roll back: reconnect too
  return begun::failed;
}

/// The fast path: BEGIN, then every call of every request and the COMMIT
/// sent as one pipeline (one round trip for the whole batch instead of one
/// per statement), no savepoints. BEGIN stays a round trip of its own: if
/// it finds the session broken nothing was attempted, and the caller may
/// safely reconnect and retry. If a request fails on a live session the
/// transaction is rolled back and nullopt returned: the caller reruns the
/// batch on the careful path, so a failure still fails alone (a batch of
/// one request needs no rerun).
std::optional<batch_outcome> run_pipelined(storage::pg_connection& conn,
                                           const std::vector<const db_request*>& batch,
                                           bool single_failure_is_final = true,
                                           const merged_batch* plan = nullptr) {
  std::vector<storage::pipeline_call> calls;
  for (const auto* req : batch)
    for (const auto& call : req->calls) {
      if (!call.stmt)
        return std::nullopt; // the careful path fails that request alone
      calls.push_back({call.stmt, &call.params});
    }
  batch_outcome out;
  out.requests.resize(batch.size());
  switch (begin_linked(conn, out, plan)) {
  case begun::failed:
    return out;
  case begun::rerun:
    return std::nullopt;
  case begun::ok:
    break;
  }
  calls.push_back({&commit_statement, nullptr});
  auto done = conn.exec_pipeline(calls);
  if (!done.error) {
    auto result = done.results.begin();
    for (size_t i = 0; i < batch.size(); ++i)
      for (size_t k = 0; k < batch[i]->calls.size(); ++k)
        out.requests[i].reply.results.push_back(std::move(*result++));
    return out;
  }
  const auto& err = *done.error;
  if (!conn.ok()) { // the outcome is unknown, as when a COMMIT is lost
    fail_all(out, conn, storage_errc::connection_lost, err.what());
    return out;
  }
  if (done.results.size() + 1 == calls.size()) {
    // COMMIT refused on a live session (e.g. a deferred constraint): it
    // rolled back everything, which is definite.
    fail_all(out, conn, err.code(), err.what());
    return out;
  }
  if (!rollback(conn, out))
    return out;
  if (batch.size() == 1 && single_failure_is_final) {
    out.requests[0].error = err.code();
    out.requests[0].message = err.what();
    return out;
  }
  return std::nullopt;
}

} // namespace

namespace {

batch_outcome run(storage::pg_connection& conn, const std::vector<const db_request*>& batch) {
  if (auto out = run_pipelined(conn, batch))
    return std::move(*out);
  return run_isolated(conn, batch);
}

} // namespace

batch_outcome execute_batch(storage::pg_connection& conn,
                            const std::vector<const db_request*>& batch) {
  if (batch.empty())
    return {};
  auto plan = merge_batch(batch);
  if (!plan.any)
    return run(conn, batch);
  // A merged request stands for several: if anything fails, find the
  // failing request the careful way, unmerged, so that it fails alone.
  if (auto out = run_pipelined(conn, plan.run, false, &plan))
    return split(plan, std::move(*out), batch.size());
  return run_isolated(conn, batch);
}

} // namespace nexus
