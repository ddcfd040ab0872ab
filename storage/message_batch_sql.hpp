// message_batch_sql: the audited queue insert of many messages of one mesh
// as two statements instead of one per message (storage_merge folds a
// group commit's audited insert_message requests into these).
//
//   lock_audit_head   upsert of the mesh's chain head that changes nothing
//                     (a missing head is created as 'genesis'): takes the
//                     one-writer-per-mesh row lock the single-row form takes,
//                     so what follows sees the newest committed head and
//                     nobody can move it until COMMIT. Returns last_hash
//                     and the server's clock (now_ms, Unix ms), which
//                     stamps the entries the node links over it.
//   insert_chained    every message row and its audit entry, the links
//                     computed by the node (storage_merge link_chain()) from
//                     the head lock_audit_head returned in the same
//                     transaction: the rows come in as arrays (unnest WITH
//                     ORDINALITY), the entries are inserted in that order (so
//                     ids ascend along the chain) and the head is moved once,
//                     to the last entry — only if it is still the one the
//                     first entry links to; otherwise the statement fails.
//   insert_messages   the same with the chain computed by the server, a
//                     recursive CTE hashing entry n over entry n-1's hash
//                     exactly as storage/audit_sql.hpp's single append does
//                     (PROTOCOL.md §8). For a batch in which another request
//                     may move the head between the lock and the insert.
//
// A batch produces the same rows and the same chain as the same messages
// inserted one by one with audit_sql::audited(broker_sql::insert_message)
// (tests/pg/message_batch_pgtest.cpp), except for the clock: the entries
// share one created_at millisecond (each single append takes its own;
// insert_chained takes the node's clock, insert_messages the server's), and
// the messages' created_at are the statement's clock plus one microsecond
// per row (strictly increasing in batch order, as the drain needs).
//
// Parameters of both inserts: $1 mesh id, then one text[] per column,
// element n for message n (pg_text_array(); '' stands for NULL where the
// column is nullable — callers merge only rows whose nullable values are
// NULL or non-empty):
//   $2 id, $3 sender member, $4 sender session pubkey|'', $5 target_spec,
//   $6 priority, $7 nonce, $8 ciphertext, $9 client_message_id|'',
//   $10 request_fingerprint|'', $11 event type, $12 actor member id|'',
//   $13 actor display name|'', $14 canonical payload,
// insert_chained also
//   $15 prev_hash, $16 hash (text[]), $17 created_at of every entry (Unix ms)
// → id, created_ms per message (the columns of the single form).
//
// Thread-safety: immutable constants.
#pragma once

#include "storage/pg_connection.hpp"

namespace nexus::storage::message_batch_sql {

/// $1 mesh id → last_hash, now_ms.
extern const statement lock_audit_head;
/// See above.
extern const statement insert_chained;
extern const statement insert_messages;

} // namespace nexus::storage::message_batch_sql
