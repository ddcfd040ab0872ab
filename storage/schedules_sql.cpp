#include "storage/schedules_sql.hpp"

namespace nexus::storage {
namespace {

int64_t to_int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

} // namespace

schedule_row schedule_from(const result_set& rs, size_t row) {
  schedule_row s;
  s.id = rs.at(row, "id").value_or("");
  s.mesh_id = rs.at(row, "mesh_id").value_or("");
  s.presence_id = rs.at(row, "presence_id");
  s.member_id = rs.at(row, "member_id").value_or("");
  s.session_pubkey = rs.at(row, "session_pubkey");
  s.to = rs.at(row, "to_spec").value_or("");
  s.message = rs.at(row, "message").value_or("");
  s.deliver_ms = to_int(rs.at(row, "deliver_ms"));
  s.cron = rs.at(row, "cron");
  s.subtype = rs.at(row, "subtype");
  s.fired_count = to_int(rs.at(row, "fired_count"));
  s.created_ms = to_int(rs.at(row, "created_ms"));
  return s;
}

namespace schedules_sql {

#define NEXUS_SCHED_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"
// An exact instant from Unix ms (no float rounding on the way in).
#define NEXUS_SCHED_AT(param) "(timestamptz 'epoch' + " param "::bigint * interval '1 millisecond')"

#define NEXUS_SCHED_IS(param) "date_trunc('milliseconds', deliver_at) = " NEXUS_SCHED_AT(param)

#define NEXUS_SCHEDULE_COLUMNS                                                                  \
  "id, mesh_id, presence_id, member_id, session_pubkey, \"to\" AS to_spec, message, "           \
  NEXUS_SCHED_MS("deliver_at") " AS deliver_ms, cron, subtype, fired_count, "                   \
  NEXUS_SCHED_MS("created_at") " AS created_ms"

// The claim of one due entry by (id, expected deliver_at): a cron entry
// (next given) moves on, a one-shot (next NULL) is deleted. A cancelled or
// already claimed entry matches neither. Rows u/d hold the claimed id.
// deliver_at is compared at the millisecond it was read with, so a time
// written with finer precision (by hand, say) still fires.
#define NEXUS_SCHED_CLAIM(ID, EXPECTED, NEXT)                                                    \
  "u AS (UPDATE nexus.scheduled_message SET deliver_at = " NEXUS_SCHED_AT(NEXT) ", "             \
  "fired_count = fired_count + 1, fired_at = now() WHERE " NEXT "::bigint IS NOT NULL "          \
  "AND id = " ID "::text AND " NEXUS_SCHED_IS(EXPECTED) " AND NOT cancelled "                    \
  "RETURNING id), "                                                                             \
  "d AS (DELETE FROM nexus.scheduled_message WHERE " NEXT "::bigint IS NULL "                    \
  "AND id = " ID "::text AND " NEXUS_SCHED_IS(EXPECTED) " AND NOT cancelled "                    \
  "RETURNING id)"

#define NEXUS_FIRE_CTES NEXUS_SCHED_CLAIM("$11", "$12", "$13")
#define NEXUS_FIRE_FINAL                                                                        \
  "INSERT INTO nexus.message_queue (id, mesh_id, sender_member_id, sender_session_pubkey, "      \
  "target_spec, priority, nonce, ciphertext, client_message_id, request_fingerprint, subtype) "  \
  "SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, "      \
  "nullif($9::text, ''), nullif($10::text, ''), $14::text "                                      \
  "FROM (SELECT id FROM u UNION ALL SELECT id FROM d) claimed "                                  \
  "RETURNING id, " NEXUS_SCHED_MS("created_at") " AS created_ms"

const statement insert_schedule{
    "schedules_insert",
    "INSERT INTO nexus.scheduled_message (id, mesh_id, presence_id, member_id, session_pubkey, "
    "\"to\", message, deliver_at, cron, subtype) "
    "SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, "
    NEXUS_SCHED_AT("$8") ", $9::text, $10::text "
    "WHERE (SELECT count(*) FROM nexus.scheduled_message WHERE mesh_id = $2::text "
    "AND member_id = $4::text AND NOT cancelled) < $11::bigint "
    "RETURNING " NEXUS_SCHEDULE_COLUMNS};

const statement list_schedules{
    "schedules_list",
    "SELECT " NEXUS_SCHEDULE_COLUMNS " FROM nexus.scheduled_message "
    "WHERE mesh_id = $1 AND NOT cancelled AND (presence_id = $2 OR member_id = $3) "
    "ORDER BY deliver_at, id LIMIT $4::bigint"};

const statement cancel_schedule{
    "schedules_cancel",
    "UPDATE nexus.scheduled_message SET cancelled = true WHERE id = $1 AND mesh_id = $2 "
    "AND NOT cancelled AND (presence_id = $3 OR member_id = $4) RETURNING id"};

const statement due_schedules{
    "schedules_due",
    "SELECT " NEXUS_SCHEDULE_COLUMNS " FROM nexus.scheduled_message "
    "WHERE NOT cancelled AND deliver_at <= " NEXUS_SCHED_AT("$1") " "
    "ORDER BY deliver_at, id LIMIT $2::bigint"};

const statement fire_schedule{"schedules_fire", "WITH " NEXUS_FIRE_CTES " " NEXUS_FIRE_FINAL};
const char* const fire_schedule_ctes = NEXUS_FIRE_CTES;
const char* const fire_schedule_final = NEXUS_FIRE_FINAL;

const statement skip_schedule{
    "schedules_skip",
    "WITH " NEXUS_SCHED_CLAIM("$1", "$2", "$3") " SELECT id FROM u UNION ALL SELECT id FROM d"};

const statement retire_schedule{
    "schedules_retire",
    "UPDATE nexus.scheduled_message SET cancelled = true WHERE id = $1 "
    "AND " NEXUS_SCHED_IS("$2") " AND NOT cancelled RETURNING id"};

#undef NEXUS_FIRE_FINAL
#undef NEXUS_FIRE_CTES
#undef NEXUS_SCHED_CLAIM
#undef NEXUS_SCHEDULE_COLUMNS
#undef NEXUS_SCHED_IS
#undef NEXUS_SCHED_AT
#undef NEXUS_SCHED_MS

const std::vector<const statement*>& all_statements() {
  static const std::vector<const statement*> all{&insert_schedule, &list_schedules,
                                                 &cancel_schedule, &due_schedules,
                                                 &fire_schedule,   &skip_schedule,
                                                 &retire_schedule};
  return all;
}

} // namespace schedules_sql
} // namespace nexus::storage
