// pg_supervisor: the actor that runs the embedded PostgreSQL of a node
// (used only when no database_url is configured; with a URL the node spawns
// none). It starts the server on request, watches it, restarts it with
// exponential backoff when it dies — the node reports not-ready meanwhile —
// and stops it cleanly at shutdown.
//
//            pg_start                 exit 0                  ready
//   idle ──────────────► initdb ──────────────► starting ──────────────► running
//   (stopped)              │ fails                 │ ▲                      │
//                          ▼                       │ │ backoff elapsed      │ dies
//                 error to pg_start ◄── (1st start)│ └──── backoff ◄────────┘
//                                       fails ─────┘   (once it was ready)
//   pg_stop, from any state: SIGINT → SIGQUIT → SIGKILL, reap → stopped
//
// While restarting, node_health::db_restarting is true and db_up false;
// both are set back once the new postmaster is ready. Restarts are counted
// in nexus_embedded_pg_restarts_total. Backoff runs from pg_restart_min_ms,
// doubling per failed attempt up to pg_restart_max_ms, and starts over once
// the server stayed up for pg_restart_max_ms.
//
// Spawned detached (own thread): process and libpq steps block, each for a
// bounded time (see pg_runner.hpp). Death and readiness are polled from a
// timer, so pg_start/status are answered while a start is under way.
#pragma once

#include "actors/status.hpp"
#include "config/node_config.hpp"
#include "transport/health.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <string>

namespace nexus {

using pg_start_atom = caf::atom_constant<caf::atom("pg_start")>;
using pg_stop_atom = caf::atom_constant<caf::atom("pg_stop")>;
using pg_tick_atom = caf::atom_constant<caf::atom("pg_tick")>;

// The supervisor's protocol (a dynamically typed caf::actor, so the node can
// keep it next to its other handles):
//
//   pg_start_atom → std::string
//     Starts PostgreSQL (initdb on first use) unless it runs, and replies
//     with the DSN once it accepts connections and the node database exists.
//     Fails with sec::runtime_error (the message says why, with the tail of
//     postgres.log) when it cannot start, or when it is not ready within
//     pg_start_timeout_ms of this request (also while a restart drags on),
//     or when another process (a second nexusd, an admin command) runs this
//     home's PostgreSQL (embedded_pg::owner_lock). Requesters should wait
//     pg_start_timeout_ms plus a margin.
//   pg_stop_atom → (empty reply)
//     Stops PostgreSQL and supervision (no restart afterwards; a later
//     pg_start starts it again). Replies once the postmaster is reaped, after
//     at most 2 × pg_stop_timeout_ms plus a SIGKILL. Pending starts fail.
//     The reply is an empty message: receive it with `[]() {...}` — in CAF
//     0.17 a handler taking caf::unit_t does not match it.
//   status_atom → actor_status
//     Shared status sub-protocol. Figures: pid (postmaster, 0 when none),
//     restarts (since spawn), up (1 when ready).
//   pg_tick_atom (internal) — the poll timer: death, readiness, backoff,
//     start deadlines.

/// How often the supervisor polls its child (waitpid WNOHANG, postmaster.pid).
/// Not a bound: it only sets how soon a death or readiness is noticed.
constexpr int64_t pg_poll_interval_ms = 50;

/// Spawns the supervisor; nothing starts before pg_start. An invalid embedded
/// configuration (no PostgreSQL installed, bad pg_user, home too long for a
/// socket path) is logged at spawn and answered to every pg_start.
/// `health` and `metrics` must outlive the actor. If the actor exits while
/// PostgreSQL runs (exit message, system shutdown) it stops PostgreSQL
/// first, as pg_stop would; owners should still pg_stop before exiting it.
caf::actor spawn_pg_supervisor(caf::actor_system& sys, const config::node_config& cfg,
                               node_health& health, metrics::node_metrics& metrics);

} // namespace nexus
