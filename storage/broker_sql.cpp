#include "storage/broker_sql.hpp"

#include "storage/sql_columns.hpp"

#include <stdexcept>

namespace nexus::storage {

std::string pg_text_array(const std::vector<std::string>& values) {
  size_t size = 2;
  for (const auto& v : values)
    size += v.size() + 3;
  std::string out;
  out.reserve(size);
  out += '{';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += ',';
    // Always quoted: otherwise NULL, empty strings, blanks, commas and braces
    // would each need their own rule. Inside quotes only " and \ are special.
    // Runs without them are appended whole (batches carry ~100 kB of text).
    out += '"';
    const char* run = values[i].data();
    const char* end = run + values[i].size();
    for (const char* c = run; c != end; ++c) {
      if (*c != '"' && *c != '\\' && *c != '\0')
        continue;
      if (*c == '\0')
        throw std::invalid_argument("pg_text_array: element contains a NUL byte");
      out.append(run, c);
      out += '\\';
      run = c; // the special character starts the next run
    }
    out.append(run, end);
    out += '"';
  }
  out += '}';
  return out;
}

std::optional<std::vector<std::string>> parse_pg_text_array(const std::string& literal) {
  std::vector<std::string> out;
  if (literal.size() < 2 || literal.front() != '{' || literal.back() != '}')
    return std::nullopt;
  size_t i = 1;
  const size_t end = literal.size() - 1;
  while (i < end) {
    if (!out.empty()) {
      if (literal[i] != ',')
        return std::nullopt;
      ++i;
    }
    if (i >= end || literal[i] != '"')
      return std::nullopt;
    std::string element;
    for (++i;; ++i) {
      if (i >= end)
        return std::nullopt; // unterminated
      char c = literal[i];
      if (c == '"')
        break;
      if (c == '\\') {
        if (++i >= end)
          return std::nullopt;
        c = literal[i];
      }
      element += c;
    }
    ++i; // past the closing quote
    out.push_back(std::move(element));
  }
  return out;
}

namespace {

int64_t to_int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }
std::optional<int64_t> to_opt_int(const std::optional<std::string>& v) {
  if (!v)
    return std::nullopt;
  return std::stoll(*v);
}

} // namespace

member_row member_from(const result_set& rs, size_t row) {
  member_row m;
  m.id = rs.at(row, "id").value_or("");
  m.mesh_id = rs.at(row, "mesh_id").value_or("");
  m.peer_pubkey = rs.at(row, "peer_pubkey").value_or("");
  m.display_name = rs.at(row, "display_name").value_or("");
  m.role = rs.at(row, "role").value_or("");
  m.role_tag = rs.at(row, "role_tag");
  m.default_groups = rs.at(row, "default_groups").value_or("[]");
  m.message_mode = rs.at(row, "message_mode").value_or("push");
  m.peer_grants = rs.at(row, "peer_grants").value_or("{}");
  m.created_ms = to_int(rs.at(row, "created_ms"));
  m.revoked_ms = to_opt_int(rs.at(row, "revoked_ms"));
  m.permissions = rs.at(row, "permissions").value_or("{}");
  return m;
}

mesh_row mesh_from(const result_set& rs, size_t row) {
  mesh_row m;
  m.id = rs.at(row, "id").value_or("");
  m.name = rs.at(row, "name").value_or("");
  m.slug = rs.at(row, "slug");
  m.owner_pubkey = rs.at(row, "owner_pubkey").value_or("");
  m.root_key_enc_hex = rs.at(row, "root_key_enc").value_or("");
  m.self_editable = rs.at(row, "self_editable");
  m.created_ms = to_int(rs.at(row, "created_ms"));
  m.archived_ms = to_opt_int(rs.at(row, "archived_ms"));
  return m;
}

namespace broker_sql {

#define NEXUS_MESH_COLUMNS                                                                      \
  "id, name, slug, owner_pubkey, encode(root_key_enc, 'hex') AS root_key_enc, "                 \
  "self_editable, " NEXUS_MS("created_at") " AS created_ms, " NEXUS_MS("archived_at") " AS archived_ms"

// What a drained push needs (§3.7.2 plus the additive sender fields, and a
// reminder's subtype: deviation 21).
#define NEXUS_DRAIN_COLUMNS                                                                     \
  "q.id, q.mesh_id, q.sender_member_id, q.sender_session_pubkey, "                              \
  "s.peer_pubkey AS sender_member_pubkey, s.display_name AS sender_name, q.target_spec, "       \
  "q.priority, q.nonce, q.ciphertext, q.client_message_id, q.request_fingerprint, "             \
  NEXUS_MS("q.created_at") " AS created_ms, q.subtype"

// §3.6 step 4: undelivered, not under a live claim, deliverable priority, in
// the target set, and not a broadcast sent by the draining session itself.
#define NEXUS_DRAIN_WHERE                                                                       \
  "q.mesh_id = $1 AND q.delivered_at IS NULL "                                                  \
  "AND (q.claim_expires_at IS NULL OR q.claim_expires_at < now()) "                             \
  "AND q.target_spec = ANY($2::text[]) AND q.priority = ANY($3::text[]) "                       \
  "AND NOT (q.target_spec = '*' AND coalesce(q.sender_session_pubkey = $4::text, false))"

#define NEXUS_STATUS_COLUMNS                                                                    \
  "id, target_spec, priority, " NEXUS_MS("created_at") " AS created_ms, "                       \
  NEXUS_MS("delivered_at") " AS delivered_ms"

// --- meshes ---

// Creates a mesh. $5 is the sealed root key in hex (decoded to bytea here).
const statement insert_mesh{
    "core_insert_mesh",
    "INSERT INTO nexus.mesh (id, name, slug, owner_pubkey, root_key_enc) "
    "VALUES ($1, $2, $3, $4, decode($5, 'hex')) RETURNING " NEXUS_MESH_COLUMNS};

// A mesh by id ($1), archived or not.
const statement select_mesh{"core_select_mesh",
                            "SELECT " NEXUS_MESH_COLUMNS " FROM nexus.mesh WHERE id = $1"};

// --- members ---

// Adds a member; a second active row for ($2, $3) is a unique_violation.
const statement insert_member{
    "core_insert_member",
    "INSERT INTO nexus.member AS m (id, mesh_id, peer_pubkey, display_name, role, role_tag, "
    "default_groups) VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '[]'::jsonb)) "
    "RETURNING " NEXUS_MEMBER_COLUMNS};

// The active member of mesh $1 with pubkey $2 (hello authentication).
const statement select_active_member{
    "core_select_active_member",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m "
    "WHERE m.mesh_id = $1 AND m.peer_pubkey = $2 AND m.revoked_at IS NULL"};

// Any member of mesh $1 with pubkey $2, the active one first, else the
// newest revoked one: lets hello answer "revoked" instead of "unknown".
const statement select_member_any{
    "core_select_member_any",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m "
    "WHERE m.mesh_id = $1 AND m.peer_pubkey = $2 "
    "ORDER BY m.revoked_at IS NOT NULL, m.created_at DESC, m.id DESC LIMIT 1"};

// Member $2 of mesh $1, revoked or not.
const statement select_member_by_id{
    "core_select_member_by_id",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m WHERE m.mesh_id = $1 AND m.id = $2"};

// Every member of mesh $1 (revoked ones too), oldest first.
const statement list_members{
    "core_list_members",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m WHERE m.mesh_id = $1 "
    "ORDER BY m.created_at, m.id"};

// Revokes member $2 of mesh $1; returns it only if it was active.
const statement revoke_member{
    "core_revoke_member",
    "UPDATE nexus.member AS m SET revoked_at = now() "
    "WHERE m.mesh_id = $1 AND m.id = $2 AND m.revoked_at IS NULL RETURNING " NEXUS_MEMBER_COLUMNS};

// Members of mesh $1 whose ids are in $2 (text[]), any state.
const statement select_members_by_ids{
    "core_select_members_by_ids",
    "SELECT " NEXUS_MEMBER_COLUMNS " FROM nexus.member m "
    "WHERE m.mesh_id = $1 AND m.id = ANY($2::text[]) ORDER BY m.id"};

// --- presences ---

// A new presence (§2.6 c): status idle/jsonl now, connected and pinged now.
const statement insert_presence{
    "core_insert_presence",
    "INSERT INTO nexus.presence (id, mesh_id, member_id, session_id, session_pubkey, "
    "display_name, pid, cwd, groups, role) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8, $9::jsonb, $10) "
    "RETURNING id, " NEXUS_MS("connected_at") " AS connected_ms"};

// Reattach (§2.6 a): connected again, cwd refreshed; display name and
// session id replaced only when given.
const statement reattach_presence{
    "core_reattach_presence",
    "UPDATE nexus.presence SET disconnected_at = NULL, last_ping_at = now(), cwd = $2, "
    "display_name = coalesce($3, display_name), session_id = coalesce($4, session_id) "
    "WHERE id = $1 RETURNING id"};

// Presence $1 is gone (lease expired or replaced).
const statement mark_presence_disconnected{
    "core_mark_presence_disconnected",
    "UPDATE nexus.presence SET disconnected_at = now() "
    "WHERE id = $1 AND disconnected_at IS NULL RETURNING id"};

// Start-up reset (deviation 34): presences a crash left "connected".
const statement reset_presences{
    "core_reset_presences",
    "WITH r AS (UPDATE nexus.presence SET disconnected_at = now() "
    "WHERE disconnected_at IS NULL RETURNING 1) SELECT count(*) AS reset FROM r"};

// The status engine's write (§4.2); $4 is the engine's clock in Unix ms.
const statement update_presence_status{
    "core_update_presence_status",
    "UPDATE nexus.presence SET status = $2, status_source = $3, "
    "status_updated_at = to_timestamp($4::double precision / 1000) WHERE id = $1 RETURNING id"};

// set_summary (§4.3).
const statement update_presence_summary{
    "core_update_presence_summary",
    "UPDATE nexus.presence SET summary = $2 WHERE id = $1 RETURNING id"};

// join_group / leave_group (§4.4): the whole groups array ($2 JSON).
const statement update_presence_groups{
    "core_update_presence_groups",
    "UPDATE nexus.presence SET groups = $2::jsonb WHERE id = $1 RETURNING id"};

// Keepalive seen on presence $1.
const statement touch_presence{
    "core_touch_presence",
    "UPDATE nexus.presence SET last_ping_at = now() WHERE id = $1 RETURNING id"};

// POST /hook/set-status (§6.4 step 5): a live presence in any mesh with cwd
// $1, the one with pid $2 if any, else the most recently connected.
const statement select_hook_presence{
    "core_select_hook_presence",
    "SELECT id, mesh_id, member_id, status, status_source, "
    NEXUS_MS("status_updated_at") " AS status_updated_ms FROM nexus.presence "
    "WHERE cwd = $1 AND disconnected_at IS NULL "
    "ORDER BY coalesce(pid = $2::bigint, false) DESC, connected_at DESC, id LIMIT 1"};

// --- message queue ---

// Queues a send (§3.3 step 5); empty client ids are stored as NULL.
const statement insert_message{
    "core_insert_message",
    "INSERT INTO nexus.message_queue (id, mesh_id, sender_member_id, sender_session_pubkey, "
    "target_spec, priority, nonce, ciphertext, client_message_id, request_fingerprint) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), nullif($10, '')) "
    "RETURNING id, " NEXUS_MS("created_at") " AS created_ms"};

// Marks rows $2 (text[]) of mesh $1 delivered; already delivered ones keep
// their first delivery time and are not returned. A join with unnest, not
// `id = ANY($2)`: the generic plan of the latter walked the mesh's drain
// index comparing every undelivered row with every id (77 ms per call,
// quadratic under load). With statistics this is a primary-key probe per id;
// a generic plan made on a still-empty queue may hash-join against the
// mesh's undelivered rows instead (linear, see bench/RESULTS.md round 7).
const statement mark_delivered{
    "core_mark_delivered",
    "UPDATE nexus.message_queue q SET delivered_at = now() "
    "FROM unnest($2::text[]) AS marked(id) "
    "WHERE q.id = marked.id AND q.mesh_id = $1 AND q.delivered_at IS NULL RETURNING q.id"};

// Drain read (§3.6 step 4 and 6): at most $5 eligible rows, oldest first.
const statement select_drain{
    "core_select_drain",
    "SELECT " NEXUS_DRAIN_COLUMNS " FROM nexus.message_queue q "
    "JOIN nexus.member s ON s.id = q.sender_member_id WHERE " NEXUS_DRAIN_WHERE
    " ORDER BY q.created_at, q.id LIMIT $5"};

// Drain with claim (§3.6 step 5): claims at most $5 eligible rows for
// presence $6 for $7 ms, skipping rows another transaction holds, and
// returns them oldest first.
const statement claim_drain{
    "core_claim_drain",
    "WITH picked AS (SELECT q.id FROM nexus.message_queue q WHERE " NEXUS_DRAIN_WHERE
    " ORDER BY q.created_at, q.id LIMIT $5 FOR UPDATE SKIP LOCKED), "
    "claimed AS (UPDATE nexus.message_queue u SET claimed_at = now(), claim_id = $6, "
    "claim_expires_at = now() + make_interval(secs => $7::double precision / 1000) "
    "FROM picked WHERE u.id = picked.id RETURNING u.*) "
    "SELECT " NEXUS_DRAIN_COLUMNS " FROM claimed q JOIN nexus.member s ON s.id = q.sender_member_id "
    "ORDER BY q.created_at, q.id"};

// client_ack (§3.8): rows of mesh $1 matching id $2 or client id $3 whose
// target is one of the caller's own ($4: member pubkey, session pubkey, '*')
// or any group/topic target.
const statement client_ack{
    "core_client_ack",
    "UPDATE nexus.message_queue SET delivered_at = now() "
    "WHERE mesh_id = $1 AND delivered_at IS NULL "
    "AND (id = $2::text OR client_message_id = $3::text) "
    "AND (target_spec = ANY($4::text[]) OR left(target_spec, 1) IN ('@', '#')) RETURNING id"};

// message_status with a full id (§3.10): row $2 of mesh $1.
const statement message_status_exact{
    "core_message_status_exact",
    "SELECT " NEXUS_STATUS_COLUMNS " FROM nexus.message_queue WHERE mesh_id = $1 AND id = $2"};

// message_status with a prefix (§3.10): `matches` is the total number of
// rows of mesh $1 whose id starts with $2; at most 2 rows are returned. A
// range on the "C"-collated primary key; '~' sorts after every base62 char.
const statement message_status_prefix{
    "core_message_status_prefix",
    "SELECT count(*) OVER () AS matches, " NEXUS_STATUS_COLUMNS " FROM nexus.message_queue "
    "WHERE id >= $2::text AND id < $2::text || '~' AND mesh_id = $1 ORDER BY id LIMIT 2"};

// Undelivered rows in all meshes (the queue-depth gauge).
const statement queue_depth{
    "core_queue_depth",
    "SELECT count(*) AS depth FROM nexus.message_queue WHERE delivered_at IS NULL"};

// Hourly expiry (§3.6): undelivered rows older than $1 ms are deleted.
const statement delete_expired_messages{
    "core_delete_expired_messages",
    "WITH d AS (DELETE FROM nexus.message_queue WHERE delivered_at IS NULL "
    "AND created_at < now() - make_interval(secs => $1::double precision / 1000) RETURNING 1) "
    "SELECT count(*) AS deleted FROM d"};

// --- peer state ---

// Saves a member's state when a connection closes (§4.5); last write wins.
const statement upsert_peer_state{
    "core_upsert_peer_state",
    "INSERT INTO nexus.peer_state AS p (mesh_id, member_id, groups, profile, visible, "
    "last_summary, last_display_name, cumulative_stats, last_seen_at) "
    "VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::boolean, $6, $7, $8::jsonb, now()) "
    "ON CONFLICT (mesh_id, member_id) DO UPDATE SET groups = EXCLUDED.groups, "
    "profile = EXCLUDED.profile, visible = EXCLUDED.visible, last_summary = EXCLUDED.last_summary, "
    "last_display_name = EXCLUDED.last_display_name, "
    "cumulative_stats = EXCLUDED.cumulative_stats, last_seen_at = EXCLUDED.last_seen_at "
    "RETURNING " NEXUS_MS("p.last_seen_at") " AS last_seen_ms"};

// The saved state of member $2 in mesh $1 (restored at hello).
const statement select_peer_state{
    "core_select_peer_state",
    "SELECT groups, profile, visible, last_summary, last_display_name, cumulative_stats, "
    NEXUS_MS("last_seen_at") " AS last_seen_ms FROM nexus.peer_state "
    "WHERE mesh_id = $1 AND member_id = $2"};

// --- pending hook statuses ---

// A hook status for (pid $1, cwd $2) that found no presence (§6.4 step 6).
const statement insert_pending_status{
    "core_insert_pending_status",
    "INSERT INTO nexus.pending_status (pid, cwd, status, status_source) "
    "VALUES ($1::bigint, $2, $3, $4) RETURNING id"};

// The newest unapplied pending status for (pid $1, cwd $2) younger than $3 ms.
const statement select_pending_status{
    "core_select_pending_status",
    "SELECT id, status, status_source, " NEXUS_MS("created_at") " AS created_ms "
    "FROM nexus.pending_status WHERE pid = $1::bigint AND cwd = $2 AND applied_at IS NULL "
    "AND created_at > now() - make_interval(secs => $3::double precision / 1000) "
    "ORDER BY created_at DESC, id DESC LIMIT 1"};

// Pending status $1 was applied to a new presence.
const statement mark_pending_applied{
    "core_mark_pending_applied",
    "UPDATE nexus.pending_status SET applied_at = now() "
    "WHERE id = $1::bigint AND applied_at IS NULL RETURNING id"};

#undef NEXUS_STATUS_COLUMNS
#undef NEXUS_DRAIN_WHERE
#undef NEXUS_DRAIN_COLUMNS
#undef NEXUS_MESH_COLUMNS

const std::vector<const statement*>& all_statements() {
  static const std::vector<const statement*> all = {
      &insert_mesh, &select_mesh,
      &insert_member, &select_active_member, &select_member_any, &select_member_by_id,
      &list_members, &revoke_member, &select_members_by_ids,
      &insert_presence, &reattach_presence, &mark_presence_disconnected, &reset_presences,
      &update_presence_status, &update_presence_summary, &update_presence_groups,
      &touch_presence, &select_hook_presence,
      &insert_message, &mark_delivered, &select_drain, &claim_drain, &client_ack,
      &message_status_exact, &message_status_prefix, &queue_depth, &delete_expired_messages,
      &upsert_peer_state, &select_peer_state,
      &insert_pending_status, &select_pending_status, &mark_pending_applied,
  };
  return all;
}

} // namespace broker_sql
} // namespace nexus::storage
