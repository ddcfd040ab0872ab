// audit: the broker's side of the audit log (PROTOCOL.md §8, §5.20).
//
// Appending: every mutation that is audited rides with its entry in ONE
// statement (storage/audit_sql.hpp audited()): the caller wraps its db_call
// with audited(), so the entry commits with the mutation or not at all,
// costs no extra round trip (the send path stays one statement), and is
// linked inside PostgreSQL under the mesh's own head-row lock. Payloads are
// canonical JSON built with audit::payload_builder (actors/audit_chain.hpp)
// and never hold message content.
//
// Access (§5.20, "no authorization beyond mesh membership"): any online
// presence of the mesh may audit_query and audit_verify its own mesh's
// chain; the requests run on the mesh's storage actor, so they see every
// mutation the caller's earlier frames committed.
//
//   presence ──db_request (query_total + query_page)──▶ storage ─▶ audit_result
//   presence ──db_request (chain_bounds), then pages───▶ storage ─▶ audit_verify_result
//
// Internal to actors/. Functions run on their actor's thread only.
#pragma once

#include "actors/presence_state.hpp"
#include "actors/storage_messages.hpp"
#include "transport/frames_audit.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace nexus {

/// What one entry records besides the mesh.
struct audit_event {
  std::string event_type;                      ///< peer_joined, message_sent, state_set, …
  std::optional<std::string> actor_member_id;  ///< none → "null" in the hash, "system" in audit_result
  std::optional<std::string> actor_display_name;
  std::string payload = "{}";                  ///< canonical JSON (audit::payload_builder)
};

/// `mutation` (one of storage::audit_sql::audited()'s statements) with the
/// entry riding in the same statement; the results are the mutation's own.
/// Throws std::logic_error for a statement that has no audited form.
db_call audited(db_call mutation, const std::string& mesh_id, const audit_event& ev);
/// An entry alone (when its payload depends on rows read in the request
/// that made the change, e.g. peer_joined's `restored`).
db_call audit_append(const std::string& mesh_id, const audit_event& ev);

/// audit_query's limit is clamped to [0, audit_query_limit_max] (a config
/// key, default 500); audit_verify reads audit_verify_page rows per storage
/// request so a long chain never sits in one reply (internal, not a bound
/// anyone sees).
inline constexpr int64_t audit_verify_page = 1000;

/// Presence side: answers one audit frame of an online presence. Calls
/// `done` exactly once, asynchronously, after the reply was sent.
void handle_audit(presence_actor_t* self, const audit_frame& frame,
                  const std::optional<std::string>& req_id, std::function<void()> done);

} // namespace nexus
