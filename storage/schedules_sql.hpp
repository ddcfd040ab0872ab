// schedules_sql: the SQL of scheduled messages and reminders (§5.6,
// migration 0006_schedules.sql) as named storage::statement constants, plus
// the row type.
//
// Conventions are broker_sql's (storage/broker_sql.hpp): `$n` text params,
// nullopt = SQL NULL, times as Unix ms (`*_ms` columns; a `deliver_at` is
// stored from and compared with its exact ms value). Statement names start
// with "schedules_" and are unique (all_statements()).
//
// Exactly-once firing: a due entry is claimed by (id, the deliver_at it was
// loaded with) — a one-shot is deleted, a cron entry moved to its next
// deliver_at — and fire_schedule does that claim and the queue insert in ONE
// statement: either both commit or neither does, and a second attempt with
// the same expected deliver_at (a retry, a restart, another node) claims
// nothing and enqueues nothing.
//
// Thread-safety: immutable constants and pure functions; safe everywhere.
#pragma once

#include "storage/pg_connection.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::storage {

struct schedule_row {
  std::string id;                          ///< UUID v4
  std::string mesh_id;
  std::optional<std::string> presence_id;  ///< the creating connection
  std::string member_id;
  std::optional<std::string> session_pubkey; ///< the creating connection's session key
  std::string to;                          ///< targetSpec
  std::string message;                     ///< plaintext
  int64_t deliver_ms = 0;                  ///< next fire
  std::optional<std::string> cron;         ///< none: one-shot
  std::optional<std::string> subtype;      ///< "reminder" or none
  int64_t fired_count = 0;
  int64_t created_ms = 0;
};

schedule_row schedule_from(const result_set& rs, size_t row);

namespace schedules_sql {

/// A new entry, only while the member has fewer than $11 live entries in
/// the mesh (zero rows → the cap refused it).
/// $1 id, $2 mesh, $3 presence, $4 member, $5 session pubkey|NULL, $6 to,
/// $7 message, $8 deliver ms, $9 cron|NULL, $10 subtype|NULL, $11 cap → schedule columns
extern const statement insert_schedule;
/// $1 mesh, $2 presence, $3 member, $4 limit → the live entries the caller
/// (its presence or its member) created, by deliver_at then id.
extern const statement list_schedules;
/// $1 id, $2 mesh, $3 presence, $4 member → id when a live entry of the
/// caller was cancelled now (nothing otherwise).
extern const statement cancel_schedule;
/// $1 due until (ms), $2 limit → live entries due by then (schedule
/// columns), earliest first: the scheduler's look-ahead.
extern const statement due_schedules;
/// The fire: claim + enqueue. $1..$10 are broker_sql::insert_message's
/// (id, mesh, sender member, sender session|NULL, target, priority, nonce,
/// ciphertext, client id, fingerprint), then $11 schedule id, $12 expected
/// deliver ms, $13 next deliver ms|NULL (NULL: one-shot, deleted), $14
/// subtype|NULL → id, created_ms of the queued message; no row when the
/// claim found nothing (cancelled, or fired already).
extern const statement fire_schedule;
/// The parts of fire_schedule, for composing its audited form
/// (audit_sql.hpp): its claim CTEs and the final INSERT.
extern const char* const fire_schedule_ctes;
extern const char* const fire_schedule_final;
/// A fire the send pipeline refused (rate limit, grants, no recipient):
/// the same claim without a message. $1 id, $2 expected ms, $3 next ms|NULL → id.
extern const statement skip_schedule;
/// An entry whose member is gone for good stops: $1 id, $2 expected ms → id.
extern const statement retire_schedule;

/// Every statement above (uniqueness test, preparing).
const std::vector<const statement*>& all_statements();

} // namespace schedules_sql
} // namespace nexus::storage
