// hook_route: POST /hook/set-status (spec §6.4, §4.2) — Claude Code hooks
// report a session's status by (pid, cwd), without authentication.
//
//   I/O thread (make_hook_handler)              hook_router actor
//   ─────────────────────────────               ──────────────────────────────
//   remote not loopback → 403                   rate limit "<pid|0>:<cwd>" → 429
//   body not JSON       → 500                   cwd/status missing  → 200 ok:false
//   else hook_request ──anon_send──────────────▶ status invalid      → 200 ok:false
//                                               select_hook_presence (storage)
//                                                 none  → insert_pending_status → pending:true
//                                                 found → registry → mesh (hook_status_atom,
//                                                         presence_id, status) → presence_id
//
// The loopback-only rule (hook_allow_remote = "false", the default) is our
// answer to the spec's security note §11 item 6: the route is mesh-agnostic,
// so anyone who can reach it could flip a peer to dnd/working.
//
// The router owns the per-key token buckets (bounded, idle ones collected
// every 5 min as in §1.9) and the hook counters. It is event-based; all
// database work goes through the storage actors. Thread-safety: the handler
// may run on any I/O thread (it only reads its captures and sends); the
// router's state is its own.
#pragma once

#include "config/node_config.hpp"
#include "transport/hook_body.hpp"
#include "transport/http_types.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nexus {

/// Buckets untouched this long are dropped (§1.9: 10 min), checked this often (5 min).
constexpr int64_t hook_bucket_idle_ms = 10 * 60 * 1000;
constexpr int64_t hook_bucket_gc_interval_ms = 5 * 60 * 1000;
/// At most this many "<pid>:<cwd>" buckets; when full, idle ones are dropped
/// first, then the least recently used one, so memory stays bounded under a
/// flood of distinct keys.
constexpr size_t hook_buckets_max = 10000;

/// True for IPv4 127.0.0.0/8, IPv6 ::1 and IPv4-mapped ::ffff:127.x.y.z.
/// Anything unparsable is not loopback. Pure.
bool is_loopback_address(std::string_view address);

/// A hook call that passed the I/O-thread checks (loopback, JSON).
struct hook_request {
  wire::hook_body body;
  transport::http_reply reply; ///< thread-safe; called exactly once by the router
};

/// Internal: collect idle buckets.
using hook_gc_atom = caf::atom_constant<caf::atom("hook_gc")>;

/// The hook router:
///   hook_request                                  → answered through request.reply
///   (storage_ready_atom, std::vector<caf::actor>) → the storage pool, once the
///                                                   database is known (until then
///                                                   hooks get 503)
///   status_atom                                   → actor_status
/// `registry` is the mesh registry; `metrics` must outlive the actor.
/// Stop it with send_exit at shutdown.
caf::actor spawn_hook_router(caf::actor_system& sys, const config::node_config& cfg,
                             caf::actor registry, metrics::node_metrics& metrics);

/// The gateway handler for POST /hook/set-status. Copies what it needs from
/// `cfg`; sends accepted requests to `router`.
transport::http_handler make_hook_handler(const config::node_config& cfg, caf::actor router);

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::hook_request)
