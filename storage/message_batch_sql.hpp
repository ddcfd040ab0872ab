// message_batch_sql: the audited queue insert of many messages of one mesh
// as two statements instead of one per message (storage_merge folds a
// group commit's audited insert_message requests into these).
//
//   lock_audit_head   upsert of the mesh's chain head that changes nothing
//                     (a missing head is created as 'genesis'): takes the
//                     one-writer-per-mesh row lock the single-row form takes,
//                     so the next statement's snapshot sees the newest
//                     committed head and nobody can move it until COMMIT.
//   insert_messages   every message row and its audit entry: the rows come
//                     in as arrays (unnest WITH ORDINALITY), the chain is
//                     a recursive CTE hashing entry n over entry n-1's hash
//                     exactly as storage/audit_sql.hpp's single append does
//                     (PROTOCOL.md §8), the entries are inserted in that
//                     order (so ids ascend along the chain) and the head is
//                     moved once, to the last entry.
//
// A batch produces the same rows and the same chain as the same messages
// inserted one by one with audit_sql::audited(broker_sql::insert_message)
// (tests/pg/message_batch_pgtest.cpp), except for the clock: the entries
// share one created_at millisecond (each single append takes its own), and
// the messages' created_at are the statement's clock plus one microsecond
// per row (strictly increasing in batch order, as the drain needs).
//
// Parameters of insert_messages: $1 mesh id, then one text[] per column,
// element n for message n (pg_text_array(); '' stands for NULL where the
// column is nullable — callers merge only rows whose nullable values are
// NULL or non-empty):
//   $2 id, $3 sender member, $4 sender session pubkey|'', $5 target_spec,
//   $6 priority, $7 nonce, $8 ciphertext, $9 client_message_id|'',
//   $10 request_fingerprint|'', $11 event type, $12 actor member id|'',
//   $13 actor display name|'', $14 canonical payload
// → id, created_ms per message (the columns of the single form).
//
// Thread-safety: immutable constants.
#pragma once

#include "storage/pg_connection.hpp"

namespace nexus::storage::message_batch_sql {

/// $1 mesh id → no rows.
extern const statement lock_audit_head;
/// See above.
extern const statement insert_messages;

} // namespace nexus::storage::message_batch_sql
