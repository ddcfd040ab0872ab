#include "storage/collab_sql.hpp"

#include "storage/json_columns.hpp"

namespace nexus::storage {
namespace {

int64_t to_int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

bool has_column(const result_set& rs, const char* name) {
  for (const auto& c : rs.columns)
    if (c == name)
      return true;
  return false;
}

} // namespace

state_row state_from(const result_set& rs, size_t row) {
  state_row s;
  s.key = rs.at(row, "key").value_or("");
  s.value_json = rs.at(row, "value").value_or("null");
  s.updated_by_name = rs.at(row, "updated_by_name").value_or("unknown");
  s.updated_ms = to_int(rs.at(row, "updated_ms"));
  return s;
}

memory_row memory_from(const result_set& rs, size_t row) {
  memory_row m;
  m.id = rs.at(row, "id").value_or("");
  m.content = rs.at(row, "content").value_or("");
  m.tags = strings_from_json_array(rs.at(row, "tags"));
  m.remembered_by_name = rs.at(row, "remembered_by_name").value_or("unknown");
  m.remembered_ms = to_int(rs.at(row, "remembered_ms"));
  return m;
}

task_row task_from(const result_set& rs, size_t row) {
  task_row t;
  t.id = rs.at(row, "id").value_or("");
  t.title = rs.at(row, "title").value_or("");
  t.assignee = rs.at(row, "assignee");
  t.claimed_by_name = rs.at(row, "claimed_by_name");
  t.status = rs.at(row, "status").value_or("open");
  t.priority = rs.at(row, "priority").value_or("normal");
  t.created_by_name = rs.at(row, "created_by_name");
  t.tags = strings_from_json_array(rs.at(row, "tags"));
  t.result = rs.at(row, "result");
  t.created_ms = to_int(rs.at(row, "created_ms"));
  return t;
}

context_row context_from(const result_set& rs, size_t row) {
  context_row c;
  c.id = rs.at(row, "id").value_or("");
  c.peer_name = rs.at(row, "peer_name").value_or("unknown");
  c.summary = rs.at(row, "summary").value_or("");
  if (has_column(rs, "files_read"))
    c.files_read = strings_from_json_array(rs.at(row, "files_read"));
  if (has_column(rs, "key_findings"))
    c.key_findings = strings_from_json_array(rs.at(row, "key_findings"));
  c.tags = strings_from_json_array(rs.at(row, "tags"));
  c.updated_ms = to_int(rs.at(row, "updated_ms"));
  return c;
}

namespace collab_sql {

// Unix milliseconds of a timestamptz, floored.
#define NEXUS_COLLAB_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"
// The spec's "caller member display name" (or "unknown"), from the member id.
#define NEXUS_MEMBER_NAME(param) "(SELECT display_name FROM nexus.member WHERE id = " param ")"

#define NEXUS_STATE_COLUMNS                                                                     \
  "s.key, s.value::text AS value, s.updated_by_name, " NEXUS_COLLAB_MS("s.updated_at") " AS updated_ms"

#define NEXUS_MEMORY_COLUMNS                                                                    \
  "m.id, m.content, to_json(m.tags)::text AS tags, "                                           \
  "coalesce(m.remembered_by_name, 'unknown') AS remembered_by_name, "                          \
  NEXUS_COLLAB_MS("m.remembered_at") " AS remembered_ms"

#define NEXUS_TASK_COLUMNS                                                                      \
  "id, title, assignee, claimed_by_name, status, priority, created_by_name, "                  \
  "to_json(tags)::text AS tags, result, " NEXUS_COLLAB_MS("created_at") " AS created_ms"

// --- shared state ---

// Upsert of (mesh, key); JSON null arrives as the text 'null' (deviation 36).
const statement upsert_state{
    "collab_upsert_state",
    "INSERT INTO nexus.state AS s (mesh_id, key, value, updated_by_presence, updated_by_name, "
    "updated_at) VALUES ($1, $2, $3::json, $4, coalesce(" NEXUS_MEMBER_NAME("$5::text") ", 'unknown'), "
    "clock_timestamp()) ON CONFLICT (mesh_id, key) DO UPDATE SET value = EXCLUDED.value, "
    "updated_by_presence = EXCLUDED.updated_by_presence, updated_by_name = EXCLUDED.updated_by_name, "
    "updated_at = EXCLUDED.updated_at RETURNING " NEXUS_STATE_COLUMNS};

const statement select_state{
    "collab_select_state",
    "SELECT " NEXUS_STATE_COLUMNS " FROM nexus.state s WHERE s.mesh_id = $1 AND s.key = $2"};

const statement list_state{"collab_list_state",
                           "SELECT " NEXUS_STATE_COLUMNS
                           " FROM nexus.state s WHERE s.mesh_id = $1 ORDER BY s.key"};

// --- memory ---

// Content weighs more than tags in ts_rank (A vs B), so a note about a word
// ranks above one merely tagged with it.
const statement insert_memory{
    "collab_insert_memory",
    "INSERT INTO nexus.memory (id, mesh_id, content, tags, remembered_by, remembered_by_name, "
    "search) VALUES ($1, $2, $3::text, $4::text[], $5::text, " NEXUS_MEMBER_NAME("$5::text") ", "
    "setweight(to_tsvector('english', $3::text), 'A') || "
    "setweight(to_tsvector('english', array_to_string($4::text[], ' ')), 'B')) RETURNING id"};

const statement recall_memory{
    "collab_recall_memory",
    "SELECT " NEXUS_MEMORY_COLUMNS " FROM nexus.memory m, plainto_tsquery('english', $2::text) AS q "
    "WHERE m.mesh_id = $1 AND m.forgotten_at IS NULL AND m.search @@ q "
    "ORDER BY ts_rank(m.search, q) DESC, m.remembered_at DESC, m.id LIMIT $3"};

const statement forget_memory{
    "collab_forget_memory",
    "UPDATE nexus.memory SET forgotten_at = clock_timestamp() "
    "WHERE mesh_id = $1 AND id = $2 AND forgotten_at IS NULL RETURNING id"};

// --- tasks ---

const statement insert_task{
    "collab_insert_task",
    "INSERT INTO nexus.task (id, mesh_id, title, assignee, priority, tags, created_by_name) "
    "VALUES ($1, $2, $3, $4, $5, $6::text[], " NEXUS_MEMBER_NAME("$7::text") ") RETURNING id"};

// Under READ COMMITTED a second concurrent UPDATE of the row waits for the
// first to commit, then re-checks `status = 'open'` on the new version and
// matches nothing: exactly one claim returns the id.
const statement claim_task{
    "collab_claim_task",
    "UPDATE nexus.task SET status = 'claimed', claimed_by_presence = $3, "
    "claimed_by_name = coalesce(" NEXUS_MEMBER_NAME("$4::text") ", 'unknown'), "
    "claimed_at = clock_timestamp() WHERE mesh_id = $1 AND id = $2 AND status = 'open' RETURNING id"};

const statement complete_task{
    "collab_complete_task",
    "UPDATE nexus.task SET status = 'done', result = $3, completed_at = clock_timestamp() "
    "WHERE mesh_id = $1 AND id = $2 RETURNING id"};

const statement list_tasks{
    "collab_list_tasks",
    "SELECT " NEXUS_TASK_COLUMNS " FROM nexus.task WHERE mesh_id = $1 "
    "AND ($2::text IS NULL OR status = $2::text) AND ($3::text IS NULL OR assignee = $3::text) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"};

// --- contexts ---

// One row per (mesh, member): a later share keeps the row (and its id).
const statement upsert_context{
    "collab_upsert_context",
    "INSERT INTO nexus.context AS c (id, mesh_id, member_id, presence_id, peer_name, summary, "
    "files_read, key_findings, tags, updated_at) VALUES ($1, $2, $3::text, $4, "
    "coalesce(" NEXUS_MEMBER_NAME("$3::text") ", 'unknown'), $5, $6::text[], $7::text[], "
    "$8::text[], clock_timestamp()) ON CONFLICT (mesh_id, member_id) DO UPDATE SET "
    "presence_id = EXCLUDED.presence_id, peer_name = EXCLUDED.peer_name, summary = EXCLUDED.summary, "
    "files_read = EXCLUDED.files_read, key_findings = EXCLUDED.key_findings, tags = EXCLUDED.tags, "
    "updated_at = EXCLUDED.updated_at RETURNING c.id, c.peer_name"};

// strpos, not LIKE: the query is a plain substring, no wildcard escaping.
const statement search_contexts{
    "collab_search_contexts",
    "SELECT id, peer_name, summary, to_json(files_read)::text AS files_read, "
    "to_json(key_findings)::text AS key_findings, to_json(tags)::text AS tags, "
    NEXUS_COLLAB_MS("updated_at") " AS updated_ms FROM nexus.context WHERE mesh_id = $1 "
    "AND (strpos(lower(summary), lower($2::text)) > 0 OR $2::text = ANY(tags)) "
    "ORDER BY updated_at DESC, id DESC LIMIT $3"};

const statement list_contexts{
    "collab_list_contexts",
    "SELECT id, peer_name, summary, to_json(tags)::text AS tags, "
    NEXUS_COLLAB_MS("updated_at") " AS updated_ms FROM nexus.context WHERE mesh_id = $1 "
    "ORDER BY updated_at DESC, id DESC"};

#undef NEXUS_TASK_COLUMNS
#undef NEXUS_MEMORY_COLUMNS
#undef NEXUS_STATE_COLUMNS
#undef NEXUS_MEMBER_NAME
#undef NEXUS_COLLAB_MS

const std::vector<const statement*>& all_statements() {
  static const std::vector<const statement*> all{
      &upsert_state,  &select_state,  &list_state,    &insert_memory, &recall_memory,
      &forget_memory, &insert_task,   &claim_task,    &complete_task, &list_tasks,
      &upsert_context, &search_contexts, &list_contexts};
  return all;
}

} // namespace collab_sql
} // namespace nexus::storage
