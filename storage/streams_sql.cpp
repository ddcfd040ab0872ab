#include "storage/streams_sql.hpp"

#include "storage/json_columns.hpp"

namespace nexus::storage {
namespace {

int64_t to_int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

} // namespace

stream_row stream_from(const result_set& rs, size_t row) {
  stream_row s;
  s.id = rs.at(row, "id").value_or("");
  s.name = rs.at(row, "name").value_or("");
  s.created_by_name = rs.at(row, "created_by_name").value_or("peer");
  s.created_ms = to_int(rs.at(row, "created_ms"));
  return s;
}

mesh_info_row mesh_info_from(const result_set& rs) {
  mesh_info_row m;
  if (rs.rows.empty())
    return m;
  m.state_keys = strings_from_json_array(rs.at(0, "state_keys"));
  m.memory_count = to_int(rs.at(0, "memory_count"));
  m.tasks_open = to_int(rs.at(0, "tasks_open"));
  m.tasks_claimed = to_int(rs.at(0, "tasks_claimed"));
  m.tasks_done = to_int(rs.at(0, "tasks_done"));
  m.streams = strings_from_json_array(rs.at(0, "streams"));
  return m;
}

namespace streams_sql {

#define NEXUS_STREAM_COLUMNS                                                                    \
  "id, name, created_by_name, floor(extract(epoch FROM created_at) * 1000)::bigint AS created_ms"

// `DO UPDATE SET name = EXCLUDED.name` (a no-op) rather than DO NOTHING so
// that RETURNING yields the existing row too.
const statement upsert_stream{
    "streams_upsert_stream",
    "INSERT INTO nexus.stream AS s (id, mesh_id, name, created_by_name) VALUES ($1, $2, $3, "
    "coalesce((SELECT display_name FROM nexus.member WHERE id = $4::text), 'peer')) "
    "ON CONFLICT (mesh_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING " NEXUS_STREAM_COLUMNS};

const statement list_streams{"streams_list_streams",
                             "SELECT " NEXUS_STREAM_COLUMNS
                             " FROM nexus.stream WHERE mesh_id = $1 ORDER BY created_at, id"};

// One round trip for every count; state keys in byte order as state_list.
const statement mesh_info_counts{
    "streams_mesh_info_counts",
    "SELECT "
    "(SELECT coalesce(json_agg(key ORDER BY key), '[]')::text FROM nexus.state WHERE mesh_id = $1) "
    "AS state_keys, "
    "(SELECT count(*) FROM nexus.memory WHERE mesh_id = $1 AND forgotten_at IS NULL) AS memory_count, "
    "t.tasks_open, t.tasks_claimed, t.tasks_done, "
    "(SELECT coalesce(json_agg(name ORDER BY created_at, id), '[]')::text FROM nexus.stream "
    "WHERE mesh_id = $1) AS streams "
    "FROM (SELECT count(*) FILTER (WHERE status = 'open') AS tasks_open, "
    "count(*) FILTER (WHERE status = 'claimed') AS tasks_claimed, "
    "count(*) FILTER (WHERE status = 'done') AS tasks_done FROM nexus.task WHERE mesh_id = $1) t"};

#undef NEXUS_STREAM_COLUMNS

const std::vector<const statement*>& all_statements() {
  static const std::vector<const statement*> all{&upsert_stream, &list_streams, &mesh_info_counts};
  return all;
}

} // namespace streams_sql
} // namespace nexus::storage
