// presence: one actor per WebSocket connection (spec §1.3, §2, §3.6, §4).
//
//   awaiting_hello ──hello/session_hello──▶ joining ──join_reply ok──▶ online
//        │ any other frame: error no_hello       │ rejected: error + close
//        ▼                                        ▼
//   (stays open)                               closed
//
// Frames of one connection are handled strictly in arrival order
// (deviation 27): a frame whose answer needs another actor holds the next
// ones until it is done. The presence owns its session's state — status
// engine, groups, visibility, profile, stats — and mirrors the peer-visible
// part to its mesh actor. Queued (direct) pushes are gated by status and
// priority (§3.6) and released the moment the status allows; a push to a
// connection that never client_acks is recorded delivered once written to
// the socket (deviation 18).
#pragma once

#include "config/node_config.hpp"
#include "transport/frame_sink.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>

namespace nexus {

/// The connection factory the gateway calls for every accepted WebSocket.
/// `cfg` and `metrics` must outlive every presence. `scheduler` is the
/// node's (actors/scheduler.hpp).
transport::connection_factory make_presence_factory(caf::actor_system& sys,
                                                    std::shared_ptr<const config::node_config> cfg,
                                                    caf::actor registry, caf::actor scheduler,
                                                    metrics::node_metrics& metrics);

} // namespace nexus
