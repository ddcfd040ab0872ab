#include "storage/audit_sql.hpp"

#include "storage/broker_sql.hpp"
#include "storage/collab_sql.hpp"
#include "storage/schedules_sql.hpp"
#include "storage/identity_sql.hpp"
#include "storage/streams_sql.hpp"

#include <cctype>
#include <cstdlib>
#include <deque>
#include <map>
#include <stdexcept>

namespace nexus::storage::audit_sql {
namespace {

/// Highest $n in `sql`: the mutation's parameter count.
size_t highest_param(const std::string& sql) {
  size_t max = 0;
  for (size_t i = 0; i < sql.size(); ++i)
    if (sql[i] == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1])))
      max = std::max(max, static_cast<size_t>(std::strtoul(sql.c_str() + i + 1, nullptr, 10)));
  return max;
}

std::string p(size_t n) { return "$" + std::to_string(n); }

/// The append CTEs after `m`, with the audit parameters from $k+1 on.
/// `condition` decides whether the mutation warrants an entry. `ctes`: the
/// mutation's own data-modifying CTEs, which PostgreSQL only accepts at the
/// top level, so they go before `m` rather than inside it.
std::string compose(const std::string& mutation_sql, size_t k, const std::string& condition,
                    const std::string& final_select, const std::string& ctes = {}) {
  auto mesh = p(k + 1) + "::text", event = p(k + 2) + "::text", actor = p(k + 3) + "::text",
       name = p(k + 4) + "::text", payload = p(k + 5) + "::text";
  return "WITH " + (ctes.empty() ? std::string() : ctes + ", ") + "m AS (" + mutation_sql + "), "
         // One instant per entry, truncated to the millisecond it is hashed with.
         "t AS (SELECT x.ts, to_char(x.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS iso "
         "FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS ts) x WHERE " + condition + "), "
         // Everything of the hash input after prev_hash (§8).
         "s AS (SELECT '|' || " + mesh + " || '|' || " + event + " || '|' || coalesce(" + actor +
         ", 'null') || '|' || " + payload + " || '|' || t.iso AS tail, t.ts FROM t), "
         "h AS (INSERT INTO nexus.audit_head AS a (mesh_id, prev_hash, last_hash) "
         "SELECT " + mesh + ", 'genesis', encode(sha256(convert_to('genesis' || s.tail, 'UTF8')), 'hex') "
         "FROM s ON CONFLICT (mesh_id) DO UPDATE SET prev_hash = a.last_hash, "
         "last_hash = encode(sha256(convert_to(a.last_hash || (SELECT s.tail FROM s), 'UTF8')), 'hex') "
         "RETURNING a.prev_hash, a.last_hash), "
         "l AS (INSERT INTO nexus.audit_log (mesh_id, event_type, actor_member_id, actor_display_name, "
         "payload, prev_hash, hash, created_at) SELECT " + mesh + ", " + event + ", " + actor + ", " +
         name + ", " + payload + "::jsonb, h.prev_hash, h.last_hash, s.ts FROM h, s "
         "RETURNING id, hash) " + final_select;
}

const char* any_row = "EXISTS (SELECT 1 FROM m)";

struct table {
  std::deque<std::string> texts; // stable storage for the statements' char pointers
  std::map<const statement*, statement> audited;
  std::map<const statement*, size_t> params;
  std::map<const statement*, size_t> mesh_index; // audited form → index of its mesh parameter
  statement append{};
  std::vector<const statement*> all;

  const char* keep(std::string s) { return texts.emplace_back(std::move(s)).c_str(); }

  void add(const statement& mutation, const std::string& condition) {
    size_t k = highest_param(mutation.sql);
    params[&mutation] = k;
    audited[&mutation] = {keep(std::string("audit_") + mutation.name),
                          keep(compose(mutation.sql, k, condition, "SELECT m.* FROM m"))};
  }

  /// A mutation written as `WITH <ctes> <final>`: the same, hoisting its CTEs.
  void add_split(const statement& mutation, const char* ctes, const char* final_sql,
                 const std::string& condition) {
    size_t k = highest_param(mutation.sql);
    params[&mutation] = k;
    audited[&mutation] = {keep(std::string("audit_") + mutation.name),
                          keep(compose(final_sql, k, condition, "SELECT m.* FROM m", ctes))};
  }

  table() {
    add(broker_sql::insert_message, any_row);
    add(broker_sql::mark_presence_disconnected, any_row);
    add(collab_sql::upsert_state, any_row);
    add(collab_sql::insert_memory, any_row);
    add(collab_sql::forget_memory, any_row);
    add(collab_sql::insert_task, any_row);
    add(collab_sql::claim_task, any_row);
    add(collab_sql::complete_task, any_row);
    add(collab_sql::upsert_context, any_row);
    // An existing stream keeps its id: only a new row carries the $1 we sent.
    add(streams_sql::upsert_stream, "EXISTS (SELECT 1 FROM m WHERE m.id = $1::text)");
    add(schedules_sql::insert_schedule, any_row);
    add(schedules_sql::cancel_schedule, any_row);
    // A fire's message_sent entry: only when the claim enqueued a message.
    add_split(schedules_sql::fire_schedule, schedules_sql::fire_schedule_ctes,
              schedules_sql::fire_schedule_final, any_row);
    // Identity and membership (issue 4): single-statement mutations only;
    // the multi-CTE ones (claim, invite insert) append in their request.
    add(broker_sql::revoke_member, any_row);
    add(identity_sql::unban_member, any_row);
    add(identity_sql::update_member, any_row);
    add(identity_sql::set_member_role, any_row);
    add(identity_sql::set_member_permissions, any_row);
    add(identity_sql::set_member_grants, any_row);
    add(identity_sql::set_self_editable, any_row);
    append = {"audit_append", keep(compose("SELECT 1", 0, "true", "SELECT l.id, l.hash FROM l"))};
    for (const auto& [mutation, stmt] : audited)
      mesh_index[&stmt] = params.at(mutation);
    mesh_index[&append] = 0;
  }
};

const table& the_table() {
  static const table t;
  return t;
}

#define NEXUS_AUDIT_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"

} // namespace

const statement& append() { return the_table().append; }

const statement& audited(const statement& mutation) {
  const auto& t = the_table();
  auto it = t.audited.find(&mutation);
  if (it == t.audited.end())
    throw std::logic_error(std::string("no audited form of statement ") + mutation.name);
  return it->second;
}

size_t mutation_params(const statement& mutation) {
  const auto& t = the_table();
  auto it = t.params.find(&mutation);
  if (it == t.params.end())
    throw std::logic_error(std::string("no audited form of statement ") + mutation.name);
  return it->second;
}

std::optional<size_t> chain_mesh_param(const statement& stmt) {
  const auto& t = the_table();
  auto it = t.mesh_index.find(&stmt);
  if (it == t.mesh_index.end())
    return std::nullopt;
  return it->second;
}

const statement chain_bounds{
    "audit_chain_bounds",
    "SELECT count(*) AS total, max(id) AS max_id FROM nexus.audit_log WHERE mesh_id = $1"};

const statement chain_page{
    "audit_chain_page",
    "SELECT id, event_type, actor_member_id, payload::text AS payload, prev_hash, hash, "
    NEXUS_AUDIT_MS("created_at") " AS created_ms FROM nexus.audit_log "
    "WHERE mesh_id = $1 AND id > $2::bigint AND id <= $3::bigint ORDER BY id LIMIT $4"};

const statement query_total{
    "audit_query_total",
    "SELECT count(*) AS total FROM nexus.audit_log "
    "WHERE mesh_id = $1 AND ($2::text IS NULL OR event_type = $2::text)"};

const statement query_page{
    "audit_query_page",
    "SELECT id, event_type, coalesce(actor_display_name, actor_member_id, 'system') AS actor, "
    "payload::text AS payload, hash, " NEXUS_AUDIT_MS("created_at") " AS created_ms "
    "FROM nexus.audit_log WHERE mesh_id = $1 AND ($2::text IS NULL OR event_type = $2::text) "
    "ORDER BY id DESC LIMIT $3 OFFSET $4"};

#undef NEXUS_AUDIT_MS

const std::vector<const statement*>& all_statements() {
  static const std::vector<const statement*> all = [] {
    const auto& t = the_table();
    std::vector<const statement*> v{&t.append, &chain_bounds, &chain_page, &query_total,
                                    &query_page};
    for (const auto& [mutation, stmt] : t.audited)
      v.push_back(&stmt);
    return v;
  }();
  return all;
}

} // namespace nexus::storage::audit_sql
