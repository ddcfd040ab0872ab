// node_config: the effective configuration of one nexusd process.
//
// Every key `some_key` can be set, in rising precedence, by its default, the
// JSON config file (`--config FILE`), the environment (`NEXUS_SOME_KEY`) and
// the command line (`--some-key VALUE` or `--some-key=VALUE`). The table of
// keys (name, kind, default, bounds, help) lives in config_keys.cpp and is the
// only place a key is declared; `nexusd --help` and `--print-config` are
// generated from it.
//
// A node_config is a plain value: built once at start-up, then copied into
// whoever needs it. Safe to share read-only between threads.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace nexus::config {

/// Where a key's effective value came from.
enum class value_source { default_value, file, environment, flag };

struct listen_address {
  std::string host;  ///< numeric IPv4/IPv6 address or "localhost"
  uint16_t port = 0; ///< 0 = pick a free port (tests)
  std::string to_string() const;
};

struct node_config {
  // --- process ---
  std::string home;              ///< NEXUS_HOME, `~` expanded, absolute
  listen_address listen;         ///< the one HTTP+WS port
  std::string log_level;         ///< debug | info | warn | error
  int64_t io_threads = 1;        ///< Beast io_context threads
  int64_t actor_threads = 2;     ///< CAF scheduler threads
  int64_t actor_idle_polls_max = 0; ///< CAF work-stealing moderate-poll-attempts

  // --- wire bounds ---
  int64_t frame_bytes_max = 0;              ///< largest inbound WS message
  int64_t json_depth_max = 0;               ///< deepest JSON nesting accepted
  int64_t http_body_bytes_max = 0;          ///< largest HTTP request body
  int64_t http_header_bytes_max = 0;        ///< largest HTTP request head
  int64_t http_idle_timeout_ms = 0;         ///< an HTTP request must arrive within this
  int64_t ws_outbound_queue_frames_max = 0; ///< per connection; a slower reader is closed
  int64_t ws_inbound_frames_pending_max = 0; ///< per connection; beyond it the socket is not read
  int64_t send_pipeline_max = 0;            ///< sends of one connection awaiting their commit at once
  int64_t ws_ping_interval_ms = 0;          ///< keepalive ping period (spec §1.8)
  int64_t ws_pong_timeout_ms = 0;           ///< silent longer than this → TCP abort

  // --- database ---
  std::string database_url;                 ///< empty = embedded PostgreSQL
  int64_t db_connect_timeout_ms = 0;
  int64_t storage_pool_size = 0;            ///< storage actors = connections
  int64_t storage_batch_max = 0;            ///< requests per group-commit transaction
  int64_t storage_request_timeout_ms = 0;   ///< callers give up after this
  int64_t storage_reconnect_min_ms = 0;     ///< first reconnect delay
  int64_t storage_reconnect_max_ms = 0;     ///< backoff ceiling
  int64_t health_check_interval_ms = 0;     ///< readiness probe period

  // --- embedded PostgreSQL ---
  std::string pg_bin_dir;                   ///< empty = newest /usr/lib/postgresql/*/bin
  std::string pg_user;                      ///< unprivileged user when nexusd runs as root
  int64_t pg_start_timeout_ms = 0;
  int64_t pg_stop_timeout_ms = 0;
  int64_t pg_restart_min_ms = 0;
  int64_t pg_restart_max_ms = 0;

  // --- core broker (spec §1.9) ---
  int64_t mesh_connections_max = 0;         ///< connections per mesh, grace ones included
  int64_t send_rate_burst = 0;              ///< per member token bucket capacity
  int64_t send_rate_per_min = 0;            ///< refill; 0 turns the send limit off
  int64_t hello_skew_ms = 0;                ///< |now - hello.timestamp| allowed
  int64_t attestation_ttl_max_ms = 0;       ///< session_hello attestation lifetime ceiling
  int64_t hello_replay_cache_max = 0;       ///< verified hello signatures remembered per mesh
  int64_t presence_grace_ms = 0;            ///< offline lease after a socket closes
  int64_t hook_fresh_window_ms = 0;         ///< a hook status holds messages this long
  int64_t status_ttl_ms = 0;                ///< "working" without news becomes idle
  int64_t hook_rate_burst = 0;              ///< per "pid:cwd" token bucket capacity
  int64_t hook_rate_per_min = 0;
  std::string hook_allow_remote;            ///< "false": POST /hook/set-status from loopback only
  int64_t presence_held_max = 0;            ///< held (gated) pushes kept in memory per connection
  int64_t drain_batch_max = 0;              ///< queued rows fetched per drain query

  // --- collaboration result caps and bounds (spec §5.2–§5.8, §5.20) ---
  int64_t recall_results_max = 0;           ///< memories per recall (§5.2: 20)
  int64_t task_list_max = 0;                ///< tasks per task_list (§5.3: 100)
  int64_t context_search_results_max = 0;   ///< contexts per get_context (§5.4: 20)
  int64_t clock_speed_min = 0;              ///< set_clock speed clamp (§5.8: 1..100)
  int64_t clock_speed_max = 0;
  int64_t audit_query_limit_max = 0;        ///< audit_query limit clamp (§5.20)

  // --- schedules (spec §5.6) ---
  int64_t schedules_per_member_max = 0;     ///< live entries a member may have in a mesh
  int64_t scheduled_list_max = 0;           ///< entries per scheduled_list
  int64_t schedule_ahead_max_ms = 0;        ///< latest one-shot deliverAt, from now
  int64_t scheduler_poll_interval_ms = 0;   ///< how often due entries are read
  int64_t scheduler_batch_max = 0;          ///< entries read per poll

  // --- lifecycle ---
  int64_t shutdown_timeout_ms = 0;          ///< hard deadline for a clean stop

  // --- identity and membership (issue 4) ---
  std::string mesh_creation;                ///< "operator" | "open"
  std::string operator_token;               ///< secret; empty = operator requests refused
  int64_t invite_max_uses_max = 0;          ///< ceiling of an invite's maxUses
  int64_t invite_ttl_max_s = 0;             ///< an invite expires at most this far ahead
  int64_t invite_list_max = 0;              ///< rows of one invite_list
  int64_t grants_per_member_max = 0;        ///< entries of one member's peer_grants
  // --- MCP bridge (nexus-mcp) ---
  int64_t mcp_line_bytes_max = 0;           ///< one stdio line / HTTP body
  int64_t mcp_inbox_messages_max = 0;       ///< kept for check_messages; oldest dropped
  int64_t mcp_http_connections_max = 0;     ///< concurrent HTTP connections served
  int64_t mcp_http_idle_timeout_ms = 0;     ///< a request must arrive within this
  int64_t mcp_sse_keepalive_ms = 0;         ///< comment line on an idle event stream

  /// Where each key's value came from (for --print-config and diagnostics).
  std::map<std::string, value_source> sources;

  /// Embedded mode: no database_url configured.
  bool embedded_database() const { return database_url.empty(); }
};

/// Outcome of parsing the command line and loading the config.
struct load_result {
  enum class action { run, help, print_config, version } what = action::run;
  node_config config;
  /// The subcommand and its words. After the first positional word, flags
  /// that are not config keys are passed through here untouched, so a
  /// subcommand can parse its own options (they must not reuse key names).
  std::vector<std::string> positional;
};

/// Thrown for an invalid value or usage; `what()` is one line naming the key.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Builds the effective config from defaults, file, environment and flags.
/// `args` excludes argv[0]; `env` is the process environment (injected for
/// tests). An unknown flag before any positional word is a usage error.
/// Throws config_error.
load_result load(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env);

/// Snapshot of the process environment as a map.
std::map<std::string, std::string> process_environment();

/// `--help` text: every option with its flag, env var, default and meaning.
std::string help_text(const std::string& program);

/// The effective config as a JSON object, secrets redacted.
std::string print_config(const node_config& cfg);

/// `postgresql://u:secret@h/db` → `postgresql://u:***@h/db`; also
/// `password=secret` in key=value DSNs. Safe to log.
std::string redact_dsn(const std::string& dsn);

} // namespace nexus::config
