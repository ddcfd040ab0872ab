#include "config/config_keys.hpp"

#include "config/limits.hpp"

namespace nexus::config {
namespace {

using nc = node_config;

key_spec text(const char* name, const char* def, const char* help,
              std::string nc::*field, bool secret = false) {
  key_spec k{name, key_kind::text, def, help};
  k.text_field = field;
  k.secret = secret;
  return k;
}

key_spec path(const char* name, const char* def, const char* help, std::string nc::*field) {
  key_spec k{name, key_kind::path, def, help};
  k.text_field = field;
  return k;
}

key_spec choice(const char* name, const char* def, const char* choices, const char* help,
                std::string nc::*field) {
  key_spec k{name, key_kind::choice, def, help};
  k.choices = choices;
  k.text_field = field;
  return k;
}

key_spec integer(const char* name, int64_t def, int64_t min, int64_t max, const char* help,
                 int64_t nc::*field) {
  // Defaults are kept as text so that every source goes through one parser.
  key_spec k{name, key_kind::integer, std::to_string(def), help, min, max};
  k.int_field = field;
  return k;
}

std::vector<key_spec> build_table() {
  using namespace limits;
  std::vector<key_spec> t;
  // --- process ---
  t.push_back(path("home", "~/.nexus", "node home: embedded database, keys, state", &nc::home));
  {
    key_spec k{"listen", key_kind::address, "127.0.0.1:7900",
               "HTTP+WebSocket listen address HOST:PORT (port 0 = any free port)"};
    k.address_field = &nc::listen;
    t.push_back(k);
  }
  t.push_back(choice("log_level", "info", "debug|info|warn|error", "least severe log level printed",
                     &nc::log_level));
  t.push_back(integer("io_threads", 1, 1, 64, "network I/O threads", &nc::io_threads));
  t.push_back(integer("actor_threads", 2, 1, 64, "actor scheduler threads", &nc::actor_threads));
  t.push_back(integer("actor_idle_polls_max", 0, 0, 100000,
                      "polls (50 us apart) an idle actor thread makes before it sleeps until woken "
                      "(CAF's default 500 costs a quarter of the node's CPU under load)",
                      &nc::actor_idle_polls_max));
  // --- wire bounds ---
  t.push_back(integer("frame_bytes_max", frame_bytes_default, 1024, frame_bytes_ceiling,
                      "largest inbound WebSocket message; larger closes with 1009",
                      &nc::frame_bytes_max));
  t.push_back(integer("json_depth_max", json_depth_default, 2, json_depth_ceiling,
                      "deepest JSON nesting accepted in a frame or body", &nc::json_depth_max));
  t.push_back(integer("http_body_bytes_max", http_body_bytes_default, 1024, frame_bytes_ceiling,
                      "largest HTTP request body; larger gets 413", &nc::http_body_bytes_max));
  t.push_back(integer("http_header_bytes_max", 16384, 1024, 1 << 20,
                      "largest HTTP request head; larger gets 431", &nc::http_header_bytes_max));
  t.push_back(integer("http_idle_timeout_ms", 30000, 100, 3600000,
                      "an HTTP request must arrive complete within this", &nc::http_idle_timeout_ms));
  t.push_back(integer("ws_outbound_queue_frames_max", 4096, 1, 10000000,
                      "frames waiting to be written to one connection before it is closed as too slow",
                      &nc::ws_outbound_queue_frames_max));
  t.push_back(integer("ws_inbound_frames_pending_max", 128, 1, 1000000,
                      "frames of one connection waiting for its actor before the socket is no longer read "
                      "(backpressure)",
                      &nc::ws_inbound_frames_pending_max));
  t.push_back(integer("send_pipeline_max", 32, 1, 4096,
                      "sends of one connection in flight at once (acked in order); 1 = one at a time",
                      &nc::send_pipeline_max));
  t.push_back(integer("ws_ping_interval_ms", 30000, 100, 3600000,
                      "keepalive ping period", &nc::ws_ping_interval_ms));
  t.push_back(integer("ws_pong_timeout_ms", 75000, 200, 7200000,
                      "a connection silent for longer is aborted", &nc::ws_pong_timeout_ms));
  // --- database ---
  t.push_back(text("database_url", "",
                   "PostgreSQL URL or key=value DSN; empty = embedded PostgreSQL under home",
                   &nc::database_url, /*secret=*/true));
  t.push_back(integer("db_connect_timeout_ms", 5000, 100, 600000,
                      "one connection attempt gives up after this", &nc::db_connect_timeout_ms));
  t.push_back(integer("storage_pool_size", 4, 1, 64,
                      "storage actors, each owning one database connection", &nc::storage_pool_size));
  t.push_back(integer("storage_batch_max", 512, 1, 100000,
                      "most requests committed in one group-commit transaction",
                      &nc::storage_batch_max));
  t.push_back(integer("storage_request_timeout_ms", 10000, 10, 600000,
                      "a storage request not answered by then fails", &nc::storage_request_timeout_ms));
  t.push_back(integer("storage_reconnect_min_ms", 100, 1, 600000,
                      "first delay before reconnecting a lost database connection",
                      &nc::storage_reconnect_min_ms));
  t.push_back(integer("storage_reconnect_max_ms", 5000, 1, 600000,
                      "ceiling of the reconnect backoff", &nc::storage_reconnect_max_ms));
  t.push_back(integer("health_check_interval_ms", 1000, 50, 600000,
                      "how often readiness (database answers, migrations applied) is probed",
                      &nc::health_check_interval_ms));
  // --- embedded PostgreSQL ---
  t.push_back(path("pg_bin_dir", "",
                   "PostgreSQL server binaries; empty = newest /usr/lib/postgresql/*/bin",
                   &nc::pg_bin_dir));
  t.push_back(text("pg_user", "postgres",
                   "unprivileged user that runs the embedded PostgreSQL when nexusd runs as root",
                   &nc::pg_user));
  t.push_back(integer("pg_start_timeout_ms", 60000, 1000, 600000,
                      "embedded PostgreSQL must accept connections within this",
                      &nc::pg_start_timeout_ms));
  t.push_back(integer("pg_stop_timeout_ms", 5000, 100, 600000,
                      "fast shutdown of the embedded PostgreSQL, then immediate",
                      &nc::pg_stop_timeout_ms));
  t.push_back(integer("pg_restart_min_ms", 250, 10, 600000,
                      "first delay before restarting a dead embedded PostgreSQL",
                      &nc::pg_restart_min_ms));
  t.push_back(integer("pg_restart_max_ms", 30000, 10, 3600000,
                      "ceiling of the embedded PostgreSQL restart backoff", &nc::pg_restart_max_ms));
  // --- core broker (spec §1.9) ---
  t.push_back(integer("mesh_connections_max", 100, 1, 1000000,
                      "connections per mesh, those in their grace window included",
                      &nc::mesh_connections_max));
  t.push_back(integer("send_rate_burst", 10, 1, 1000000,
                      "sends a member may make at once before the rate applies", &nc::send_rate_burst));
  t.push_back(integer("send_rate_per_min", 60, 0, 60000000,
                      "sustained sends per member per minute; 0 turns the limit off",
                      &nc::send_rate_per_min));
  t.push_back(integer("hello_skew_ms", 60000, 1000, 3600000,
                      "largest clock difference accepted in a hello timestamp", &nc::hello_skew_ms));
  t.push_back(integer("attestation_ttl_max_ms", 86400000, 60000, 604800000,
                      "longest session_hello attestation lifetime accepted",
                      &nc::attestation_ttl_max_ms));
  t.push_back(integer("hello_replay_cache_max", 100000, 16, 10000000,
                      "verified hello signatures remembered per mesh to refuse replays",
                      &nc::hello_replay_cache_max));
  t.push_back(integer("presence_grace_ms", 90000, 0, 3600000,
                      "a closed connection stays listed and reattachable this long",
                      &nc::presence_grace_ms));
  t.push_back(integer("hook_fresh_window_ms", 30000, 1000, 3600000,
                      "a hook-reported status holds queued messages this long", &nc::hook_fresh_window_ms));
  t.push_back(integer("status_ttl_ms", 60000, 1000, 86400000,
                      "a working status without news becomes idle after this", &nc::status_ttl_ms));
  t.push_back(integer("hook_rate_burst", 30, 1, 1000000,
                      "status hook calls per pid:cwd at once", &nc::hook_rate_burst));
  t.push_back(integer("hook_rate_per_min", 30, 0, 60000000,
                      "sustained status hook calls per pid:cwd per minute; 0 = unlimited",
                      &nc::hook_rate_per_min));
  t.push_back(choice("hook_allow_remote", "false", "false|true",
                     "accept POST /hook/set-status from non-loopback addresses", &nc::hook_allow_remote));
  t.push_back(integer("presence_held_max", 10000, 1, 10000000,
                      "gated pushes a connection keeps in memory (the rest stay queued in the database)",
                      &nc::presence_held_max));
  t.push_back(integer("drain_batch_max", 500, 1, 100000,
                      "queued messages fetched per drain query after a hello", &nc::drain_batch_max));
  // --- collaboration result caps and bounds (defaults: the spec's) ---
  t.push_back(integer("recall_results_max", 20, 1, 10000, "memories returned by one recall",
                      &nc::recall_results_max));
  t.push_back(integer("task_list_max", 100, 1, 10000, "tasks returned by one task_list, newest first",
                      &nc::task_list_max));
  t.push_back(integer("context_search_results_max", 20, 1, 10000,
                      "contexts returned by one get_context", &nc::context_search_results_max));
  t.push_back(integer("clock_speed_min", 1, 1, 1000000,
                      "slowest simulation clock speed set_clock accepts (lower is raised)",
                      &nc::clock_speed_min));
  t.push_back(integer("clock_speed_max", 100, 1, 1000000,
                      "fastest simulation clock speed set_clock accepts (higher is lowered)",
                      &nc::clock_speed_max));
  t.push_back(integer("audit_query_limit_max", 500, 1, 100000,
                      "most audit entries one audit_query returns", &nc::audit_query_limit_max));
  // --- schedules (spec §5.6) ---
  t.push_back(integer("schedules_per_member_max", 100, 1, 1000000,
                      "live scheduled entries (one-shot or cron) a member may have in a mesh",
                      &nc::schedules_per_member_max));
  t.push_back(integer("scheduled_list_max", 500, 1, 1000000,
                      "entries returned by one list_scheduled, earliest first", &nc::scheduled_list_max));
  t.push_back(integer("schedule_ahead_max_ms", 31622400000, 1000, 3162240000000,
                      "how far ahead a one-shot may be scheduled (default 366 days)",
                      &nc::schedule_ahead_max_ms));
  t.push_back(integer("scheduler_poll_interval_ms", 30000, 100, 3600000,
                      "how often the scheduler reads entries due within twice this from the database",
                      &nc::scheduler_poll_interval_ms));
  t.push_back(integer("scheduler_batch_max", 256, 1, 100000,
                      "due entries the scheduler reads and holds per poll", &nc::scheduler_batch_max));
  // --- lifecycle ---
  t.push_back(integer("shutdown_timeout_ms", 8000, 100, 600000,
                      "SIGTERM/SIGINT: everything stopped within this or the rest is killed",
                      &nc::shutdown_timeout_ms));
  // --- identity and membership (issue 4, docs/identity.md) ---
  t.push_back(choice("mesh_creation", "operator", "operator|open",
                     "who may create meshes (POST /api/meshes): operator = requests carrying "
                     "operator_token, open = any signed request",
                     &nc::mesh_creation));
  t.push_back(text("operator_token", "",
                   "secret that operator-only requests must present; empty = none accepted",
                   &nc::operator_token, /*secret=*/true));
  t.push_back(integer("invite_max_uses_max", 1000, 1, 1000000,
                      "largest maxUses an invite may be registered with", &nc::invite_max_uses_max));
  t.push_back(integer("invite_ttl_max_s", 30 * 24 * 3600, 60, 366 * 24 * 3600,
                      "an invite may expire at most this many seconds after it is registered",
                      &nc::invite_ttl_max_s));
  t.push_back(integer("invite_list_max", 200, 1, 100000,
                      "invites returned by one invite_list (newest first)", &nc::invite_list_max));
  t.push_back(integer("grants_per_member_max", 1000, 1, 1000000,
                      "peers one member may hold grants or blocks for", &nc::grants_per_member_max));
  // --- MCP bridge (nexus-mcp) ---
  t.push_back(integer("mcp_line_bytes_max", 1 << 20, 1024, frame_bytes_ceiling,
                      "nexus-mcp: largest JSON-RPC message (stdio line or HTTP body)",
                      &nc::mcp_line_bytes_max));
  t.push_back(integer("mcp_inbox_messages_max", 1000, 1, 1000000,
                      "nexus-mcp: inbound messages kept for check_messages (oldest dropped)",
                      &nc::mcp_inbox_messages_max));
  t.push_back(integer("mcp_http_connections_max", 16, 1, 1024,
                      "nexus-mcp --http: connections served at once; more wait to be accepted",
                      &nc::mcp_http_connections_max));
  t.push_back(integer("mcp_http_idle_timeout_ms", 30000, 100, 3600000,
                      "nexus-mcp --http: a request must arrive within this",
                      &nc::mcp_http_idle_timeout_ms));
  t.push_back(integer("mcp_sse_keepalive_ms", 15000, 100, 600000,
                      "nexus-mcp --http: keepalive comment period on an idle event stream",
                      &nc::mcp_sse_keepalive_ms));
  return t;
}

} // namespace

const std::vector<key_spec>& all_keys() {
  static const std::vector<key_spec> table = build_table();
  return table;
}

const key_spec* find_key(const std::string& name) {
  for (const auto& k : all_keys())
    if (name == k.name)
      return &k;
  return nullptr;
}

} // namespace nexus::config
