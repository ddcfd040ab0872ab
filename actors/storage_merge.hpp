// storage_merge: fewer statements per group commit.
//
// Every presence records the pushes it wrote (mark_delivered over its own
// ids, one UPDATE in flight per connection) and the mesh records its
// multicasts the same way, so under load a batch holds one small UPDATE per
// connection: ~100 statements for ~100 rows. merge_batch() folds the
// requests that are exactly one mark_delivered call each into one UPDATE per
// mesh over the union of their ids, run where the first of them stood
// (earlier, never later, than any of them: a drain read later in the batch
// sees the rows as delivered, as it would have after the first). split()
// gives each original request the rows of its own ids, or the merged
// request's error.
//
// The audited queue inserts (one audit_sql::audited(insert_message) call
// per send) of one mesh merge the same way, into storage/message_batch_sql's
// two statements: one multi-row INSERT of the messages and their audit
// chain per batch instead of one statement per message, each send answered
// by its own row (id, created_ms). Merged rows keep their batch order, so
// per-sender order and the chain's order are what single inserts give.
// A merged request that fails makes storage_batch rerun the batch
// unmerged, so a failing send still fails alone.
//
// Who hashes the chain: the node, unless an earlier request of the batch
// may move that mesh's head. storage_batch locks the heads together with
// BEGIN (one round trip, as before) — every head the batch may append to,
// in mesh order, so that the early lock adds no lock-order inversion
// against the batch's later appends — and link_chain() hashes each chained
// group's entries over its head, stamped with the server's clock from the
// same round trip, into insert_chained's parameters. A group behind another append to the same mesh (or behind a
// statement whose mesh we cannot tell) keeps the server-side chain,
// insert_messages after lock_audit_head, which links to whatever the head
// is when it runs.
//
// Plain functions, no CAF, no libpq: storage_batch calls them on the
// storage actor's thread.
#pragma once

#include "actors/storage_batch.hpp"
#include "actors/storage_messages.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace nexus {

/// A merged insert whose audit links the node computes: `request`'s one
/// call is insert_chained, short of its last three parameters until
/// link_chain() runs.
struct chain_link {
  std::string mesh;
  db_request* request = nullptr;       ///< in merged_batch::merged
  std::vector<const db_request*> rows; ///< the sends, in chain order
};

/// A batch as it runs after merging.
struct merged_batch {
  std::deque<db_request> merged;                 ///< merged requests (stable addresses)
  std::vector<const db_request*> run;            ///< what runs, in order: originals or merged
  std::vector<std::vector<size_t>> answers;      ///< per run entry: the original requests it answers
  std::vector<std::vector<std::string>> ids;     ///< per original request: its ids if it was merged
  std::vector<chain_link> links;                 ///< the merged inserts the node links
  /// With links: every mesh whose chain the batch may append to, sorted;
  /// storage_batch locks their heads in this order before anything else.
  std::vector<std::string> head_locks;
  bool any = false;                              ///< at least two requests were merged
};

/// Plans `batch`; when nothing merges, `run` is `batch` itself.
merged_batch merge_batch(const std::vector<const db_request*>& batch);

/// Hashes `link`'s entries over `head` (the mesh's last_hash, locked in
/// this transaction), all stamped `created_ms`, and completes its insert.
void link_chain(const chain_link& link, const std::string& head, int64_t created_ms);

/// The outcome per original request from the outcome per run entry.
batch_outcome split(const merged_batch& plan, batch_outcome ran, size_t originals);

} // namespace nexus
