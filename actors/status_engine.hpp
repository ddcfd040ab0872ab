// The presence status engine of PROTOCOL.md §4.2 and the status gating of
// §3.6 steps 1–2, as plain value code: no clock, no I/O, no actors. Time is
// always an argument (Unix ms) so every rule is testable at its edges.
//
// Thread-safety: free functions over values; a presence_status is owned by
// whoever holds it (the presence's actor) and must not be shared.
//
// The windows (HOOK_FRESH_WINDOW_SECONDS, STATUS_TTL_SECONDS) come from
// node_config; callers pass them in milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nexus {

/// What a peer says it is doing (§4.2). Wire strings "idle", "working", "dnd".
enum class peer_status : uint8_t { idle, working, dnd };

/// Who reported the status; the value is the rank (§4.2: hook > manual > jsonl).
/// Wire/DB strings "jsonl", "manual", "hook".
enum class status_source : uint8_t { jsonl = 1, manual = 2, hook = 3 };

/// Message priority of `send` (§3.1). Wire strings "now", "next", "low".
enum class message_priority : uint8_t { now, next, low };

/// The three status fields every presence stores. A new presence starts as
/// {idle, jsonl, connected_at} (§2.6).
struct presence_status {
  peer_status status = peer_status::idle;
  status_source source = status_source::jsonl;
  int64_t updated_at_ms = 0;
};

/// Which rule of writeStatus (§4.2) applied; useful for metrics and tests.
enum class write_outcome : uint8_t {
  status_changed,   ///< rule 1: different status, everything replaced
  source_refreshed, ///< rule 2: same status, rank >= stored: source + timestamp set
  timestamp_bumped, ///< rule 3a: lower rank, stored is fresh: timestamp only
  downgraded,       ///< rule 3b: lower rank, stored is stale: source + timestamp set
};

constexpr int rank(status_source s) { return static_cast<int>(s); }

/// §4.2 freshness: 0 <= now - updated_at <= window. A timestamp in the future
/// (negative elapsed, clock stepped back) is NOT fresh.
bool is_fresh(int64_t updated_at_ms, int64_t now_ms, int64_t fresh_window_ms);

/// writeStatus(presence, new_status, source, now) of §4.2, exactly.
write_outcome write_status(presence_status& p, peer_status new_status, status_source source,
                           int64_t now_ms, int64_t fresh_window_ms);

/// The `POST /hook/set-status` writer (§4.2, §6.4 step 7): "DND is sacred" —
/// a presence in `dnd` is left untouched and nullopt is returned (the caller
/// must then NOT trigger a drain); otherwise writeStatus with source hook.
std::optional<write_outcome> write_hook_status(presence_status& p, peer_status new_status,
                                               int64_t now_ms, int64_t fresh_window_ms);

/// The `working` TTL sweep (§4.2): a `working` status whose timestamp is older
/// than ttl (now - updated_at > ttl) becomes idle via jsonl. Returns true when
/// it wrote. The caller skips disconnected presences.
bool sweep_working_ttl(presence_status& p, int64_t now_ms, int64_t working_ttl_ms);

/// Result of the drain-time status refresh.
struct drain_status {
  peer_status effective; ///< status used for gating (§3.6 step 2)
  bool written;          ///< true when the inference wrote p (persist it)
};

/// §3.6 step 1: dnd stays dnd; a fresh hook status is kept; anything else is
/// re-inferred. Our broker always infers `idle` (§4.2, §11 item 40) and writes
/// it with source jsonl.
drain_status effective_status_for_drain(presence_status& p, int64_t now_ms,
                                        int64_t fresh_window_ms);

/// §3.6 step 2: idle takes now/next/low; working and dnd take only `now`.
bool deliverable(message_priority priority, peer_status status);

/// Wire strings. Parsers are exact and case-sensitive; bad input → nullopt.
std::string_view to_string(peer_status s);
std::string_view to_string(status_source s);
std::string_view to_string(message_priority p);
std::optional<peer_status> parse_peer_status(std::string_view s);
std::optional<status_source> parse_status_source(std::string_view s);
std::optional<message_priority> parse_priority(std::string_view s);

} // namespace nexus
