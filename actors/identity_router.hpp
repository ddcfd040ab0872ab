// identity_router: the identity requests that belong to no mesh actor yet
// (docs/identity.md) — mesh creation (HTTP POST /api/meshes and WS
// create_mesh), the invite preview (GET /invites/<code>) and the invite
// claim (POST /invites/<code>/claim, §6.6/§7.2 with deviation 32 fixed).
//
//   I/O thread (make_*_handler)               identity_router actor
//   ───────────────────────────               ─────────────────────────────────────
//   path / body decode → 400/404              create: policy + token, shapes, skew,
//   identity_http_call ──anon_send──────────▶   signature, replay → mesh + owner member
//                                             preview: invite_by_code → 200/404/410
//   presence ──identity_request(create_mesh)▶ claim: shapes, claim signature,
//            ◀──identity_reply──────────────    invite_by_code, §7.2 checks, capability,
//                                               seal root key → atomic consume + member
//
// The router holds the node data key (to open a mesh's root key and seal it
// to the claimant's x25519 key) and the replay guard of mesh creation
// requests. All database work goes through the storage actors, routed by
// mesh id like the mesh's own writes (the claim by the invite's mesh), so
// a claim is ordered with that mesh's other writes. Event-based; the
// handlers may run on any I/O thread (they only decode and send).
#pragma once

#include "config/node_config.hpp"
#include "storage/node_key.hpp"
#include "transport/frames_identity.hpp"
#include "transport/http_types.hpp"
#include "transport/metrics.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <memory>
#include <string>
#include <variant>

namespace nexus {

struct invite_preview_call {
  std::string code;
};
struct invite_claim_call {
  std::string code;
  invite_claim_request body;
};

/// An HTTP identity request that decoded; answered through `reply`.
struct identity_http_call {
  std::variant<mesh_create_request, invite_preview_call, invite_claim_call> request;
  transport::http_reply reply;
};

/// The router:
///   identity_http_call                            → answered through call.reply
///   identity_request (create_mesh)                → identity_reply
///   (storage_ready_atom, std::vector<caf::actor>) → the storage pool (until then 503 / unavailable)
///   status_atom                                   → actor_status
/// `key` may be null (node.key could not be loaded): creation and claims
/// then answer 503. `metrics` must outlive the actor. Stop it with send_exit.
caf::actor spawn_identity_router(caf::actor_system& sys, const config::node_config& cfg,
                                 std::shared_ptr<const storage::node_key> key,
                                 metrics::node_metrics& metrics);

/// Gateway handlers: POST /api/meshes (exact), GET /invites/ and
/// POST /invites/ (prefix; the code is parsed from the target).
transport::http_handler make_mesh_create_handler(const config::node_config& cfg, caf::actor router);
transport::http_handler make_invite_preview_handler(caf::actor router);
transport::http_handler make_invite_claim_handler(const config::node_config& cfg, caf::actor router);

/// "/invites/<code>" → code, "/invites/<code>/claim" (with claim=true) →
/// code; anything else (other suffixes, a query string) → "".
std::string invite_code_of(std::string_view target, bool claim);

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::identity_http_call)
